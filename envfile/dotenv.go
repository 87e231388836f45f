package envfile

import (
	"bytes"
	"strings"
)

// dotenvLine is one NAME=value line of a .env file.
type dotenvLine struct {
	name             string
	valStart, valEnd int // the value, without quotes' surroundings or a trailing comment
	quoted           bool
}

// parseDotenv reads the assignments of a .env file the way the dotenv
// package (which REST Client and httpyac use) does: "NAME=value",
// optionally "export NAME=value", a value in quotes, or bare up to a " #"
// comment.
func parseDotenv(src []byte) []dotenvLine {
	var out []dotenvLine
	for start := 0; start < len(src); {
		end := bytes.IndexByte(src[start:], '\n')
		next := len(src)
		if end < 0 {
			end = len(src)
		} else {
			end += start
			next = end + 1
		}
		if end > start && src[end-1] == '\r' {
			end--
		}
		if l, ok := dotenvAssignment(src, start, end); ok {
			out = append(out, l)
		}
		start = next
	}
	return out
}

func dotenvAssignment(src []byte, start, end int) (dotenvLine, bool) {
	line := string(src[start:end])
	i := len(line) - len(strings.TrimLeft(line, " \t"))
	if rest, ok := strings.CutPrefix(line[i:], "export "); ok {
		i = len(line) - len(strings.TrimLeft(rest, " \t"))
	}
	eq := strings.IndexByte(line[i:], '=')
	if eq < 0 {
		return dotenvLine{}, false
	}
	name := strings.TrimSpace(line[i : i+eq])
	if name == "" || strings.HasPrefix(name, "#") || strings.ContainsAny(name, " \t") {
		return dotenvLine{}, false
	}
	v := i + eq + 1
	v += len(line[v:]) - len(strings.TrimLeft(line[v:], " \t"))
	l := dotenvLine{name: name, valStart: start + v, valEnd: end}
	if v < len(line) && (line[v] == '"' || line[v] == '\'' || line[v] == '`') {
		if c := strings.IndexByte(line[v+1:], line[v]); c >= 0 {
			l.valEnd = start + v + 1 + c + 1
			l.quoted = true
		}
		return l, true
	}
	if c := strings.Index(line[v:], " #"); c >= 0 {
		l.valEnd = start + v + c
	}
	l.valEnd = start + len(strings.TrimRight(line[:l.valEnd-start], " \t"))
	if l.valEnd < l.valStart {
		l.valEnd = l.valStart
	}
	return l, true
}

// LookupDotenv returns the value of name: the last assignment wins.
func LookupDotenv(src []byte, name string) (string, bool) {
	lines := parseDotenv(src)
	for i := len(lines) - 1; i >= 0; i-- {
		if l := lines[i]; l.name == name {
			v := string(src[l.valStart:l.valEnd])
			if l.quoted {
				v = v[1 : len(v)-1]
			}
			return v, true
		}
	}
	return "", false
}

// DotenvVariables lists the variables of a .env file, the last assignment
// of a name winning, as the clients read them.
func DotenvVariables(src []byte) map[string]string {
	vars := map[string]string{}
	for _, l := range parseDotenv(src) {
		v := string(src[l.valStart:l.valEnd])
		if l.quoted {
			v = v[1 : len(v)-1]
		}
		vars[l.name] = v
	}
	return vars
}

// SetDotenv returns the edit that makes name hold value (a token: no
// quotes needed), and false when it already does. The last assignment of
// name is rewritten; without one, a line is added at the end.
func SetDotenv(src []byte, name, value string) (Edit, bool) {
	lines := parseDotenv(src)
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		if l.name != name {
			continue
		}
		if string(src[l.valStart:l.valEnd]) == value {
			return Edit{}, false
		}
		return Edit{Start: l.valStart, End: l.valEnd, NewText: value}, true
	}
	eol := lineEnding(src)
	text := name + "=" + value + eol
	if len(src) > 0 && src[len(src)-1] != '\n' {
		text = eol + text
	}
	return Edit{Start: len(src), End: len(src), NewText: text}, true
}

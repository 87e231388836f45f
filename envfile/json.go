package envfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// JSON environment files (http-client.private.env.json) map environment
// names to objects of variables:
//
//	{"dev": {"doxToken": "eyJ…", "baseUrl": "…"}, "prod": {…}}
//
// SetJSON never re-marshals such a file: it finds the byte span of one
// value and replaces it, or inserts one member with the indentation, key
// separator and line ending the file already uses. Every other byte stays.

// SetJSON returns the edit that makes env.name the string value in src, and
// false when src already says so. src must be a JSON object (or empty, for
// a file about to be created). Errors say what is wrong with the file and
// where, never what it holds.
func SetJSON(src []byte, env, name, value string) (Edit, bool, error) {
	body, off := withoutBOM(src)
	if len(bytes.TrimSpace(body)) == 0 {
		return Edit{Start: 0, End: len(src), NewText: newJSONFile(src, env, name, value)}, true, nil
	}
	top, err := topObject(body)
	if err != nil {
		return Edit{}, false, err
	}
	f := &jsonFile{src: body, eol: lineEnding(body)}
	f.unit = f.indentUnit(top)
	e, changed, err := f.set(top, env, name, value)
	e.Start += off
	e.End += off
	return e, changed, err
}

// LookupJSON returns the string value of env.name in src.
func LookupJSON(src []byte, env, name string) (string, bool, error) {
	body, _ := withoutBOM(src)
	if len(bytes.TrimSpace(body)) == 0 {
		return "", false, nil
	}
	top, err := topObject(body)
	if err != nil {
		return "", false, err
	}
	m := top.last(env)
	if m == nil || body[m.valStart] != '{' {
		return "", false, nil
	}
	v := parseObject(body, m.valStart).last(name)
	if v == nil || body[v.valStart] != '"' {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(body[v.valStart:v.valEnd], &s); err != nil {
		return "", false, nil
	}
	return s, true, nil
}

// Environments lists the environment names of src in file order.
func Environments(src []byte) ([]string, error) {
	body, _ := withoutBOM(src)
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	top, err := topObject(body)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range top.members {
		if body[m.valStart] == '{' {
			out = append(out, m.key)
		}
	}
	return out, nil
}

var bom = []byte("\xef\xbb\xbf")

func withoutBOM(src []byte) ([]byte, int) {
	if bytes.HasPrefix(src, bom) {
		return src[len(bom):], len(bom)
	}
	return src, 0
}

// topObject validates src and parses its top-level object.
func topObject(src []byte) (object, error) {
	if err := validate(src); err != nil {
		return object{}, err
	}
	i := skipSpace(src, 0)
	if src[i] != '{' {
		return object{}, fmt.Errorf("is not a JSON object of environments")
	}
	return parseObject(src, i), nil
}

// validate reports the line and column of a syntax error.
func validate(src []byte) error {
	if json.Valid(src) {
		return nil
	}
	var v any
	err := json.Unmarshal(src, &v)
	off := len(src)
	if se, ok := err.(*json.SyntaxError); ok {
		off = int(se.Offset)
	}
	// Offset counts the bytes read, the offending one included.
	if off > len(src) {
		off = len(src)
	}
	if off > 0 {
		off--
	}
	line := bytes.Count(src[:off], []byte("\n")) + 1
	col := off - bytes.LastIndexByte(src[:off], '\n')
	return fmt.Errorf("is not valid JSON (line %d, column %d); fix it first, doxls edits only valid files", line, col)
}

type member struct {
	key              string
	keyStart, keyEnd int // the quoted key
	valStart, valEnd int
	onOwnLine        bool // a line break comes between the previous token and the key
	sepStart, sepEnd int  // between key and value: the colon with its spaces
}

type object struct {
	start, end int // offsets of { and }
	members    []member
}

// last returns the member named key that JSON.parse keeps: the last one.
func (o object) last(key string) *member {
	for i := len(o.members) - 1; i >= 0; i-- {
		if o.members[i].key == key {
			return &o.members[i]
		}
	}
	return nil
}

// parseObject parses the object at src[i] == '{' of valid JSON.
func parseObject(src []byte, i int) object {
	o := object{start: i}
	j := i + 1
	for {
		k := skipSpace(src, j)
		if src[k] == '}' {
			o.end = k
			return o
		}
		if src[k] == ',' {
			j = k + 1
			continue
		}
		m := member{keyStart: k, onOwnLine: bytes.ContainsAny(src[j:k], "\r\n")}
		m.keyEnd = valueEnd(src, k)
		_ = json.Unmarshal(src[m.keyStart:m.keyEnd], &m.key)
		m.sepStart = m.keyEnd
		m.valStart = skipSpace(src, skipSpace(src, m.keyEnd)+1)
		m.sepEnd = m.valStart
		m.valEnd = valueEnd(src, m.valStart)
		o.members = append(o.members, m)
		j = m.valEnd
	}
}

// valueEnd returns the end of the JSON value starting at src[i].
func valueEnd(src []byte, i int) int {
	switch src[i] {
	case '"':
		for j := i + 1; j < len(src); j++ {
			switch src[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return len(src)
	case '{', '[':
		depth := 0
		for j := i; j < len(src); j++ {
			switch src[j] {
			case '"':
				j = valueEnd(src, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(src)
	}
	j := i
	for j < len(src) && !strings.ContainsRune(",}] \t\r\n", rune(src[j])) {
		j++
	}
	return j
}

func skipSpace(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\r' || src[i] == '\n') {
		i++
	}
	return i
}

type jsonFile struct {
	src  []byte
	eol  string
	unit string // one level of indentation
}

func (f *jsonFile) set(top object, env, name, value string) (Edit, bool, error) {
	quoted := quote(value)
	m := top.last(env)
	if m == nil {
		inner := quote(name) + f.sep(top, nil) + quoted
		return f.insert(top, quote(env), func(indent string, multiLine bool) string {
			if !multiLine {
				return "{" + inner + "}"
			}
			return "{" + f.eol + indent + f.unit + inner + f.eol + indent + "}"
		}), true, nil
	}
	if f.src[m.valStart] != '{' {
		return Edit{}, false, fmt.Errorf("has %q as something other than an object of variables", env)
	}
	obj := parseObject(f.src, m.valStart)
	v := obj.last(name)
	if v == nil {
		return f.insert(obj, quote(name), func(string, bool) string { return quoted }), true, nil
	}
	if string(f.src[v.valStart:v.valEnd]) == quoted {
		return Edit{}, false, nil
	}
	if f.src[v.valStart] == '"' {
		var old string
		if json.Unmarshal(f.src[v.valStart:v.valEnd], &old) == nil && old == value {
			return Edit{}, false, nil // the same text, escaped another way
		}
	}
	return Edit{Start: v.valStart, End: v.valEnd, NewText: quoted}, true, nil
}

// insert adds the member key: value(indent, multiLine) as the last member
// of o, on a line of its own when o's members are on lines of their own.
func (f *jsonFile) insert(o object, key string, value func(indent string, multiLine bool) string) Edit {
	if len(o.members) == 0 {
		// {} or { } or {\n  }: the members go on lines of their own.
		base := lineIndent(f.src, o.start)
		indent := base + f.unit
		text := f.eol + indent + key + f.sep(o, nil) + value(indent, true) + f.eol + base
		return Edit{Start: o.start + 1, End: o.end, NewText: text}
	}
	last := &o.members[len(o.members)-1]
	sep := f.sep(o, last)
	if !f.multiLine(o) {
		return Edit{Start: last.valEnd, End: last.valEnd, NewText: ", " + key + sep + value("", false)}
	}
	indent := lineIndent(f.src, last.keyStart)
	return Edit{Start: last.valEnd, End: last.valEnd, NewText: "," + f.eol + indent + key + sep + value(indent, true)}
}

// multiLine reports an object whose members start lines of their own.
func (f *jsonFile) multiLine(o object) bool {
	for _, m := range o.members {
		if m.onOwnLine {
			return true
		}
	}
	return false
}

// sep is the text between a key and its value that the file uses: the
// one of like (or the object's last member), else ": ".
func (f *jsonFile) sep(o object, like *member) string {
	if like == nil && len(o.members) > 0 {
		like = &o.members[len(o.members)-1]
	}
	if like != nil {
		if s := string(f.src[like.sepStart:like.sepEnd]); !strings.ContainsAny(s, "\r\n") {
			return s
		}
	}
	return ": "
}

// indentUnit is one level of the file's indentation: the difference
// between an object's line and the line of its first member on a line of
// its own, at the top level or one below. Two spaces when the file shows
// none.
func (f *jsonFile) indentUnit(top object) string {
	objs := []object{top}
	for _, m := range top.members {
		if f.src[m.valStart] == '{' {
			objs = append(objs, parseObject(f.src, m.valStart))
		}
	}
	for _, o := range objs {
		base := lineIndent(f.src, o.start)
		for _, m := range o.members {
			if !m.onOwnLine {
				continue
			}
			if in := lineIndent(f.src, m.keyStart); len(in) > len(base) && strings.HasPrefix(in, base) {
				return in[len(base):]
			}
		}
	}
	return "  "
}

// lineIndent is the white space that starts the line holding offset i.
func lineIndent(src []byte, i int) string {
	start := bytes.LastIndexAny(src[:i], "\r\n") + 1
	end := start
	for end < i && (src[end] == ' ' || src[end] == '\t') {
		end++
	}
	return string(src[start:end])
}

// lineEnding is the line ending a file uses: CRLF when its first line
// break is one, else LF.
func lineEnding(src []byte) string {
	if i := bytes.IndexByte(src, '\n'); i > 0 && src[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// newJSONFile is a whole environment file, for an empty or new one.
func newJSONFile(old []byte, env, name, value string) string {
	eol := lineEnding(old)
	return "{" + eol + "  " + quote(env) + ": {" + eol + "    " + quote(name) + ": " + quote(value) + eol + "  }" + eol + "}" + eol
}

// quote encodes s as a JSON string, leaving <, > and & as they are.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

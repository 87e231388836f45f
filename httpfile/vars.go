package httpfile

import (
	"sort"
	"strings"
)

// maxResolved bounds the text a substitution may produce: variables that
// reference each other twice per level would otherwise double at each level.
const maxResolved = 16 << 10

// nextRef finds the first {{name}} reference in s at or after i. Spaces
// inside the braces are allowed ({{ name }}), braces are not.
func nextRef(s string, i int) (start, end int, name string, ok bool) {
	for {
		j := strings.Index(s[i:], "{{")
		if j < 0 {
			return 0, 0, "", false
		}
		start = i + j
		k := strings.Index(s[start+2:], "}}")
		if k < 0 {
			return 0, 0, "", false
		}
		inner := s[start+2 : start+2+k]
		if strings.ContainsAny(inner, "{}") || strings.TrimSpace(inner) == "" {
			i = start + 1
			continue
		}
		return start, start + 4 + k, refName(inner), true
	}
}

// refName is the name inside {{ }}: trimmed, and runs of white space
// inside ("{{$dotenv  doxToken}}") made one space.
func refName(inner string) string {
	name := strings.TrimSpace(inner)
	if strings.Contains(name, "  ") || strings.ContainsAny(name, "\t\v\f\u0085\u00a0") {
		name = strings.Join(strings.Fields(name), " ")
	}
	return name
}

// singleRef returns name when s is exactly one reference "{{name}}".
func singleRef(s string) (string, bool) {
	start, end, name, ok := nextRef(s, 0)
	if !ok || start != 0 || end != len(s) {
		return "", false
	}
	return name, true
}

// lookup returns the definition of name that a reference on line sees: the
// last one above it, else (REST Client and JetBrains read file variables
// from the whole file) the first one below. nil when the file has none.
func (p *parsed) lookup(name string, line int) *varDef {
	defs := p.byName[name]
	if len(defs) == 0 {
		return nil
	}
	if p.alt != nil {
		if p.alt.last {
			return defs[len(defs)-1]
		}
		return defs[0]
	}
	i := sort.Search(len(defs), func(i int) bool { return defs[i].Line >= line })
	if i > 0 {
		return defs[i-1]
	}
	return defs[0]
}

// substitute replaces the file variables referenced in s, as seen from
// line. missing names the first reference left unresolved ("" if none).
func (p *parsed) substitute(s string, line int) (out, missing string) {
	if !strings.Contains(s, "{{") {
		return s, ""
	}
	var b strings.Builder
	i := 0
	for {
		start, end, name, ok := nextRef(s, i)
		if !ok {
			break
		}
		b.WriteString(s[i:start])
		val, miss := s[start:end], name
		if v := p.lookup(name, line); v != nil && !p.opaque(name) {
			val, miss = p.resolve(v)
		}
		if b.Len()+len(val) > maxResolved {
			val, miss = s[start:end], name
		}
		b.WriteString(val)
		if missing == "" {
			missing = miss
		}
		i = end
	}
	b.WriteString(s[i:])
	return b.String(), missing
}

// resolve returns the value of v with the variables it references
// substituted as seen from its own line; each definition is resolved once.
func (p *parsed) resolve(v *varDef) (string, string) {
	if p.alt != nil {
		return p.alt.resolve(p, v)
	}
	switch v.state {
	case 1: // a cycle: leave the reference as it is
		return "{{" + v.Name + "}}", v.Name
	case 2:
		return v.resolved, v.missing
	}
	v.state = 1
	v.resolved, v.missing = p.substitute(v.Value, v.Line)
	v.state = 2
	return v.resolved, v.missing
}

// redefines reports a variable defined more than once with different
// values.
func (p *parsed) redefines() bool {
	if p.multi == 0 {
		p.multi = 1
		for _, defs := range p.byName {
			for _, v := range defs[1:] {
				if v.Value != defs[0].Value {
					p.multi = 2
				}
			}
		}
	}
	return p.multi == 2
}

// altReading resolves every variable to its first or its last definition
// in the file, wherever the reference is: the readings of clients that do
// not take the definition nearest above (see resolveRequest).
type altReading struct {
	last bool
	memo map[*varDef]*altValue
}

type altValue struct {
	resolving      bool
	value, missing string
}

func (p *parsed) altReading(last bool) *altReading {
	i := 0
	if last {
		i = 1
	}
	if p.alts[i] == nil {
		p.alts[i] = &altReading{last: last, memo: map[*varDef]*altValue{}}
	}
	return p.alts[i]
}

// resolve is parsed.resolve in this reading, with a memo of its own.
func (a *altReading) resolve(p *parsed, v *varDef) (string, string) {
	if m, ok := a.memo[v]; ok {
		if m.resolving { // a cycle: leave the reference as it is
			return "{{" + v.Name + "}}", v.Name
		}
		return m.value, m.missing
	}
	m := &altValue{resolving: true}
	a.memo[v] = m
	m.value, m.missing = p.substitute(v.Value, v.Line)
	m.resolving = false
	return m.value, m.missing
}

package httpfile

import (
	"sort"
	"strings"
)

// Tokens lists the Bearer tokens written in src, in document order: literal
// Authorization values and the values of the file variables that a Bearer
// header references (each variable once), whatever host they go to.
func Tokens(src []byte) []TokenRef { return parse(src).tokens() }

func (p *parsed) tokens() []TokenRef {
	seen := map[*varDef]bool{}
	var out []TokenRef
	for i := range p.reqs {
		r := &p.reqs[i]
		for _, h := range p.authHeaders(r) {
			scheme, cred, credStart := p.splitAuth(h)
			if !strings.EqualFold(scheme, "Bearer") || cred == "" {
				continue
			}
			if name, ok := singleRef(cred); ok {
				v := p.lookup(name, r.Line)
				if v != nil && !seen[v] && v.Value != "" && !strings.Contains(v.Value, "{{") {
					seen[v] = true
					out = append(out, TokenRef{Token: v.Value, Range: v.ValueRange, Line: v.Line})
				}
				continue
			}
			if strings.Contains(cred, "{{") {
				continue
			}
			rng := Range{p.pos(h.Line, credStart), p.pos(h.Line, credStart+len(cred))}
			out = append(out, TokenRef{Token: cred, Range: rng, Line: h.Line})
		}
	}
	sortTokens(out)
	return out
}

// sortTokens orders by position: a variable defined below the request that
// uses it would otherwise come late.
func sortTokens(t []TokenRef) {
	sort.SliceStable(t, func(i, j int) bool {
		a, b := t[i].Range.Start, t[j].Range.Start
		return a.Line < b.Line || a.Line == b.Line && a.Character < b.Character
	})
}

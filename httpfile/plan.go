package httpfile

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// DefaultVariable is the token variable of variable mode when
// Options.VariableName is empty.
const DefaultVariable = "doxToken"

// PlanEdits plans the edits that put opts.Token into src.
//
// Only requests over https to opts.APIHost, opts.TenantHost or
// opts.ExtraHosts (the URL read as the WHATWG URL standard reads it, after
// substituting file variables; http only to this machine) get the token; a
// request whose host is unknown gets it only when its path holds
// /document-information-extraction/ (docs/security.md). Edits come sorted by Start and never
// overlap; planning again on the result with the same token yields none.
func PlanEdits(src []byte, opts Options) Plan {
	return parse(src).plan(opts)
}

// planner holds the state of one PlanEdits call.
type planner struct {
	*parsed
	o    Options
	rule hostRule
	// tainted maps a variable name to the foreign host of a request that
	// references it: such a variable must never carry the token.
	tainted map[string]string
	edits   []Edit
	vars    map[*varDef]bool // token variables already planned
	dropped map[*varDef]bool // envFile mode: definitions already removed
	newVar  bool             // variable mode: the token variable must be created
	skipped []Skip
	// value is the Authorization value a request gets in this mode; lines
	// (hdrLines) caches "Authorization: <value>" with each line ending, as a token is
	// long and thousands of requests may need the same line.
	value    string
	hdrLines map[string]string
}

// change is what one request needs, applied only when nothing in it is
// skipped.
type change struct {
	edits  []Edit
	vars   []*varDef
	newVar bool
	drop   []*varDef // envFile mode: definitions of the token variable to remove
}

// withDefaults fills the options' defaults.
func withDefaults(o Options) Options {
	if o.Mode == "" {
		o.Mode = ModeHeader
	}
	if o.VariableName == "" {
		o.VariableName = DefaultVariable
	}
	if o.Mode == ModeEnvFile && o.RefreshOnly {
		o.Mode = ModeHeader // refreshing a file in envFile mode: the tokens it still holds
	}
	return o
}

func (p *parsed) plan(o Options) Plan {
	o = withDefaults(o)
	pl := &planner{parsed: p, o: o, rule: newHostRule(o), vars: map[*varDef]bool{}, dropped: map[*varDef]bool{},
		edits: make([]Edit, 0, len(p.reqs)+1), hdrLines: map[string]string{}}
	pl.value = "Bearer " + o.Token
	switch o.Mode {
	case ModeVariable:
		pl.value = "Bearer {{" + o.VariableName + "}}"
	case ModeEnvFile:
		pl.value = "Bearer " + envRef(o)
	}
	scope := p.reqs
	if o.Line >= 0 {
		i := sort.Search(len(p.reqs), func(i int) bool { return p.reqs[i].EndLine >= o.Line })
		if i == len(p.reqs) || p.reqs[i].StartLine > o.Line {
			return Plan{Skipped: []Skip{{Line: o.Line, Reason: "no request at this line"}}}
		}
		scope = p.reqs[i : i+1]
	}
	if reason := badOptions(o); reason != "" {
		for i := range scope {
			pl.skip(&scope[i], reason)
		}
		return Plan{Skipped: pl.skipped}
	}
	pl.taint()
	for i := range scope {
		pl.request(&scope[i])
	}
	if pl.newVar {
		pl.insertVariable()
	}
	sort.SliceStable(pl.edits, func(i, j int) bool { return pl.edits[i].Start < pl.edits[j].Start })
	return Plan{Edits: pl.edits, Skipped: pl.skipped}
}

// badOptions says why no token can be written at all.
func badOptions(o Options) string {
	switch {
	case o.Token == "":
		return "no token"
	case strings.Contains(o.Token, "{{") || strings.Contains(o.Token, "}}") ||
		strings.IndexFunc(o.Token, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0:
		return "the token contains white space, control characters or {{ }}"
	case o.Mode != ModeHeader && o.Mode != ModeVariable && o.Mode != ModeEnvFile:
		return fmt.Sprintf("unknown insert mode %q", o.Mode)
	case o.Mode != ModeHeader && !isVarName(o.VariableName):
		return fmt.Sprintf("%q cannot be a variable name", o.VariableName)
	}
	return ""
}

// isVarName reports a name all three clients accept for a file variable.
func isVarName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func (pl *planner) skip(r *request, reason string) {
	pl.skipped = append(pl.skipped, Skip{Line: r.Line, Reason: reason})
}

// access applies the host rule to r.
func (pl *planner) access(r *request) (bool, string) {
	return pl.rule.check(&r.Request)
}

// taint marks every variable a request to a foreign host references (in its
// URL, headers or body, directly or through file variables or the
// variables of environment files, whose values httpyac and JetBrains
// resolve the same way).
func (pl *planner) taint() {
	pl.tainted = map[string]string{}
	var work []string
	mark := func(s, host string) {
		for i := 0; ; {
			_, end, name, ok := nextRef(s, i)
			if !ok {
				return
			}
			if _, seen := pl.tainted[name]; !seen {
				pl.tainted[name] = host
				work = append(work, name)
			}
			i = end
		}
	}
	for i := range pl.reqs {
		r := &pl.reqs[i]
		if ok, _ := pl.access(r); ok {
			continue
		}
		host := r.Host
		switch {
		case host == "":
			host = "an unknown host"
		case r.Scheme != "https":
			host = r.Scheme + "://" + host // the key's host, in clear text
		}
		for n := r.Line; n <= r.EndLine; n++ {
			if b := pl.lineText(n); bytes.Contains(b, []byte("{{")) {
				mark(string(b), host)
			}
		}
	}
	for len(work) > 0 {
		name := work[len(work)-1]
		work = work[:len(work)-1]
		for _, v := range pl.byName[name] {
			mark(v.Value, pl.tainted[name])
		}
		for _, env := range pl.o.Environments {
			if v, ok := env[name]; ok {
				mark(v, pl.tainted[name])
			}
		}
	}
}

// request plans one request.
func (pl *planner) request(r *request) {
	if ok, reason := pl.access(r); !ok {
		pl.skip(r, reason)
		return
	}
	var c change
	auths := pl.authHeaders(r)
	if len(auths) == 0 {
		if pl.o.RefreshOnly {
			pl.skip(r, "no Bearer token to refresh")
			return
		}
		if _, reason := pl.newValue(r, &c); reason != "" {
			pl.skip(r, reason)
			return
		}
		c.edits = append(c.edits, pl.insertHeader(r))
	}
	for _, h := range auths {
		if reason := pl.authorization(r, h, &c); reason != "" {
			pl.skip(r, reason)
			return
		}
	}
	pl.edits = append(pl.edits, c.edits...)
	pl.newVar = pl.newVar || c.newVar
	pl.dropDefinitions(c.drop)
	for _, v := range c.vars {
		if !pl.vars[v] {
			pl.vars[v] = true
			if v.Value != pl.o.Token {
				pl.edits = append(pl.edits, pl.replace(v.Line, v.valStart, v.valEnd, pl.o.Token))
			}
		}
	}
}

// newValue is the Bearer value a request gets in the current mode.
func (pl *planner) newValue(r *request, c *change) (string, string) {
	switch pl.o.Mode {
	case ModeHeader:
		return pl.value, ""
	case ModeEnvFile:
		return pl.value, pl.useEnv(r, c)
	}
	return pl.value, pl.useVariable(r, pl.o.VariableName, c)
}

// useVariable plans for the token to be in variable name as r sees it.
func (pl *planner) useVariable(r *request, name string, c *change) string {
	if host, ok := pl.tainted[name]; ok {
		return "token variable {{" + name + "}} is also sent to " + host
	}
	v := pl.lookup(name, r.Line)
	if v == nil {
		if pl.o.Mode == ModeVariable && name == pl.o.VariableName && !pl.o.RefreshOnly {
			c.newVar = true
			return ""
		}
		if !isVarName(name) {
			return "Authorization takes its token from {{" + name + "}}"
		}
		return "token variable {{" + name + "}} is not defined in this file"
	}
	if _, _, from, ok := nextRef(v.Value, 0); ok {
		return "token variable {{" + name + "}} takes its value from {{" + from + "}}"
	}
	if v.Value == "" && pl.o.RefreshOnly {
		return "no Bearer token to refresh"
	}
	c.vars = append(c.vars, v)
	return ""
}

// authorization plans for one Authorization header of r.
func (pl *planner) authorization(r *request, h *header, c *change) string {
	o := pl.o
	scheme, cred, credStart := pl.splitAuth(h)
	switch {
	case scheme == "" || cred == "" && strings.EqualFold(scheme, "Bearer"):
		// "Authorization:" or "Authorization: Bearer" with nothing after it.
		if o.RefreshOnly {
			return "no Bearer token to refresh"
		}
		value, reason := pl.newValue(r, c)
		if reason != "" {
			return reason
		}
		if scheme != "" {
			value = scheme + value[len("Bearer"):]
		}
		start := h.valStart
		if start == h.colon {
			value = " " + value
		}
		c.edits = append(c.edits, pl.replace(h.Line, start, h.valEnd, value))
		return ""
	case strings.HasPrefix(scheme, "{{"):
		return "Authorization is set from " + scheme
	case !strings.EqualFold(scheme, "Bearer"):
		if len(scheme) > 40 {
			scheme = scheme[:40] + "…"
		}
		return "Authorization uses " + scheme
	}
	if o.Mode == ModeEnvFile {
		return pl.envCredential(r, h, cred, credStart, c)
	}
	if name, ok := singleRef(cred); ok {
		return pl.useVariable(r, name, c)
	}
	if strings.Contains(cred, "{{") {
		return "Authorization mixes text and variables"
	}
	end := credStart + len(cred)
	switch {
	case o.Mode == ModeVariable && !o.RefreshOnly:
		if reason := pl.useVariable(r, o.VariableName, c); reason != "" {
			return reason
		}
		c.edits = append(c.edits, pl.replace(h.Line, credStart, end, "{{"+o.VariableName+"}}"))
	case cred != o.Token:
		c.edits = append(c.edits, pl.replace(h.Line, credStart, end, o.Token))
	}
	return ""
}

// splitAuth splits an Authorization value into its scheme and credentials;
// credStart is the byte offset of the credentials.
func (p *parsed) splitAuth(h *header) (scheme, cred string, credStart int) {
	v := p.headerValue(h)
	i := strings.IndexAny(v, " \t")
	if i < 0 {
		return v, "", h.valEnd
	}
	j := i + leadingSpace([]byte(v[i:]))
	return v[:i], v[j:], h.valStart + j
}

// replace is an edit of the bytes [start, end) of line n.
func (pl *planner) replace(n, start, end int, text string) Edit {
	return Edit{Start: start, End: end, Range: Range{pl.pos(n, start), pl.pos(n, end)}, NewText: text}
}

// insertHeader adds an Authorization line after r's last header (or its
// request line), with the line ending the file has there.
func (pl *planner) insertHeader(r *request) Edit {
	n := r.insertAfter
	l := pl.lines[n]
	if l.next > l.end {
		at := Position{Line: n + 1}
		return Edit{Start: l.next, End: l.next, Range: Range{at, at}, NewText: pl.headerLine("", pl.eol(n))}
	}
	// The last line of a file without a final line break: keep it without.
	at := pl.pos(n, l.end)
	return Edit{Start: l.end, End: l.end, Range: Range{at, at}, NewText: pl.headerLine(pl.eolNear(n), "")}
}

// headerLine returns before + "Authorization: <value>" + after, one of the
// two empty.
func (pl *planner) headerLine(before, after string) string {
	key := before + "|" + after
	if s, ok := pl.hdrLines[key]; ok {
		return s
	}
	s := before + "Authorization: " + pl.value + after
	pl.hdrLines[key] = s
	return s
}

// insertVariable adds "@doxToken = <token>" before the first request block,
// after the comment lines the file starts with, followed by a blank line.
// When that spot is in the same block as the first request, a ### line goes
// after it: httpyac scopes a variable to the request block that defines it,
// and only variables in a block without a request are seen by every request.
func (pl *planner) insertVariable() {
	first := &pl.reqs[0]
	at := pl.variableLine(first)
	eol := pl.eolNear(at)
	text := "@" + pl.o.VariableName + " = " + pl.o.Token + eol
	switch {
	case !pl.separatorBetween(at, first.Line):
		text += eol + "###" + eol
	case !isBlank(pl.lineText(at)):
		text += eol
	}
	start := pl.lines[at].start
	pos := pl.pos(at, start) // after a BOM the editor's buffer holds
	pl.edits = append(pl.edits, Edit{Start: start, End: start, Range: Range{pos, pos}, NewText: text})
}

// variableLine is where the token variable goes: after the comment lines
// the file starts with, unless they sit right on top of the first request
// (then they describe it, and the variable goes above them).
func (pl *planner) variableLine(first *request) int {
	k := 0
	for k < first.Line {
		rest := pl.lineText(k)
		rest = rest[leadingSpace(rest):]
		if !(len(rest) > 0 && rest[0] == '#' || bytes.HasPrefix(rest, []byte("//"))) ||
			bytes.HasPrefix(rest, []byte("###")) || isMeta(rest) {
			break
		}
		k++
	}
	if k == 0 || k == first.Line || isMeta(pl.lineText(k)[leadingSpace(pl.lineText(k)):]) {
		return 0
	}
	return k
}

// isMeta reports a "# @key …" metadata comment.
func isMeta(rest []byte) bool {
	if !(len(rest) > 0 && rest[0] == '#' || bytes.HasPrefix(rest, []byte("//"))) {
		return false
	}
	rest = bytes.TrimLeft(rest, "#/")
	rest = rest[leadingSpace(rest):]
	return len(rest) > 0 && rest[0] == '@'
}

// separatorBetween reports a ### line among the lines [from, to).
func (pl *planner) separatorBetween(from, to int) bool {
	for n := from; n < to; n++ {
		b := pl.lineText(n)
		if bytes.HasPrefix(b[leadingSpace(b):], []byte("###")) {
			return true
		}
	}
	return false
}

package httpfile

import "strings"

// envFile mode: the token lives in an environment file, and requests refer
// to it as {{doxToken}} (http-client.private.env.json) or
// {{$dotenv doxToken}} (.env). The .http file keeps no token: literal
// Bearer values become the reference, and a file variable of the token's
// name, which would hide the environment's value from httpyac and REST
// Client, is removed.

// envRef is the reference requests get in envFile mode.
func envRef(o Options) string { return "{{" + envRefName(o) + "}}" }

// envRefName is the name inside the braces, as nextRef returns it.
func envRefName(o Options) string {
	if o.Dotenv {
		return "$dotenv " + o.VariableName
	}
	return o.VariableName
}

// envTaint says why the environment file must not get the token: a
// request to another host references its variable. httpyac reads a .env
// file's variables as plain {{name}} variables too, so in dotenv mode
// both forms count.
func (pl *planner) envTaint() string {
	if pl.o.EnvBlocked != "" {
		return pl.o.EnvBlocked
	}
	names := []string{pl.o.VariableName}
	if pl.o.Dotenv {
		names = append(names, envRefName(pl.o))
	}
	for _, name := range names {
		if host, ok := pl.tainted[name]; ok {
			return "token variable {{" + name + "}} is also sent to " + host
		}
	}
	return ""
}

// useEnv plans for r to take its token from the environment file.
func (pl *planner) useEnv(r *request, c *change) string {
	name := envRefName(pl.o)
	if reason := pl.envTaint(); reason != "" {
		return reason
	}
	if pl.o.Dotenv {
		return "" // {{$dotenv x}} never reads file variables
	}
	for _, v := range pl.byName[name] {
		if _, _, from, ok := nextRef(v.Value, 0); ok {
			return "token variable {{" + name + "}} is defined in this file from {{" + from + "}}; remove it to use the environment file"
		}
		c.drop = append(c.drop, v)
	}
	return ""
}

// envCredential plans for the Bearer credentials cred of header h.
func (pl *planner) envCredential(r *request, h *header, cred string, credStart int, c *change) string {
	ref := envRef(pl.o)
	if name, ok := singleRef(cred); ok {
		if name != envRefName(pl.o) {
			return "Authorization takes its token from {{" + name + "}}; set variableName to " + strings.TrimPrefix(name, "$dotenv ") + " to keep that one in the environment file"
		}
		return pl.useEnv(r, c)
	}
	if strings.Contains(cred, "{{") {
		return "Authorization mixes text and variables"
	}
	if reason := pl.useEnv(r, c); reason != "" {
		return reason
	}
	c.edits = append(c.edits, pl.replace(h.Line, credStart, credStart+len(cred), ref))
	return ""
}

// dropDefinitions removes the lines of the given variable definitions
// (each once), line ending included.
func (pl *planner) dropDefinitions(defs []*varDef) {
	for _, v := range defs {
		if pl.dropped[v] {
			continue
		}
		pl.dropped[v] = true
		l := pl.lines[v.Line]
		end, endPos := l.next, Position{Line: v.Line + 1}
		if l.next == l.end { // the last line, without a line break
			endPos = pl.pos(v.Line, l.end)
		}
		pl.edits = append(pl.edits, Edit{Start: l.start, End: end, Range: Range{pl.pos(v.Line, l.start), endPos}, NewText: ""})
	}
}

// EnvHeader is an Authorization header that takes the token from the
// environment file, with the request line it belongs to.
type EnvHeader struct {
	Request int
	Header  Header
}

// EnvUse lists the Authorization headers of the requests opts allows that
// take their token from the environment file of envFile mode ("Bearer
// {{doxToken}}", or {{$dotenv doxToken}} with opts.Dotenv; in JSON mode
// none when the file defines doxToken itself, which wins over the
// environment). blocked says why the environment file must not get the
// token at all: a request to another host references its variable
// (docs/security.md); then nothing may write it there.
func EnvUse(src []byte, opts Options) (headers []EnvHeader, blocked string) {
	o := withDefaults(opts)
	o.Mode, o.RefreshOnly = ModeEnvFile, false
	p := parse(src)
	want := envRefName(o)
	if !o.Dotenv && len(p.byName[want]) > 0 {
		return nil, ""
	}
	pl := &planner{parsed: p, o: o, rule: newHostRule(o)}
	pl.taint()
	for i := range p.reqs {
		r := &p.reqs[i]
		var hs []*header
		for _, h := range p.authHeaders(r) {
			if _, ref, ok := Bearer(p.headerValue(h)); ok && ref == want {
				hs = append(hs, h)
			}
		}
		if len(hs) == 0 {
			continue
		}
		if ok, _ := pl.access(r); !ok {
			continue
		}
		for _, h := range hs {
			headers = append(headers, EnvHeader{Request: r.Line, Header: p.exported(h)})
		}
	}
	return headers, pl.envTaint()
}

// Bearer reads an Authorization header value: ok when its scheme is
// Bearer (any case), with the credentials after it, and ref the name of the
// variable when they are one {{reference}} ("$dotenv name" for a .env
// one, white space inside the braces collapsed). Packages outside
// httpfile use this rather than parse the header themselves.
func Bearer(value string) (cred, ref string, ok bool) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(value), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", "", false
	}
	cred = strings.TrimSpace(rest)
	ref, _ = singleRef(cred)
	return cred, ref, true
}

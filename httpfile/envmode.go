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

// useEnv plans for r to take its token from the environment file.
func (pl *planner) useEnv(r *request, c *change) string {
	name := envRefName(pl.o)
	if host, ok := pl.tainted[name]; ok {
		return "token variable {{" + name + "}} is also sent to " + host
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

package httpfile

import (
	"slices"
	"strings"
)

// doxPath marks the DOX API: a request whose host is unknown (a variable
// from an environment file, a response reference, …) still gets the token
// when its path has this.
const doxPath = "/document-information-extraction/"

// How a request's URL reads (Request.state).
const (
	urlRead       = iota // Scheme and Host are what the client reads
	urlUnknown           // a variable no file defines comes before the end of the authority
	urlNoScheme          // no scheme: JetBrains sends it over http, REST Client over https
	urlInvalid           // the client cannot send it
	urlSplit             // clients that join continuation lines and one that does not read different hosts
	urlHostHeader        // a path whose Host header clients read apart (a scheme in it, or two of them)
	urlOpaque            // a variable that a script, import, loop or response sets comes before the end of the authority (firstHost names it)
)

// resolveRequest fills URL, Scheme and Host of r.
func (p *parsed) resolveRequest(r *request) {
	p.readRequest(r, &r.Request)
	if !p.redefines() {
		return
	}
	// A variable defined more than once with different values: clients
	// pick different definitions. doxls's reading takes the last one
	// above the request; httpyac runs every block without a request before
	// each request, so the last such one in the file wins, even below the
	// request (seen with a listener); a client that keeps the first one
	// would read the first. Every reading must allow the token
	// (hostRule.check).
	for _, last := range []bool{false, true} {
		p.alt = p.altReading(last)
		var alt Request
		p.readRequest(r, &alt)
		if alt.full != r.full {
			r.others = append(r.others, alt)
		}
	}
	p.alt = nil
}

// hostVars lists the file variables whose values r's URL is read with (in
// its URL, its Host header or the host variable, and the variables
// their values use), with the values: JetBrains takes an environment
// file's variable over the file's own (see environments.override). The
// lists of all requests share one array, as the headers do.
func (p *parsed) hostVars(r *request) []hostVar {
	if p.vbuf == nil {
		p.vbuf = make([]hostVar, 0, len(p.reqs))
	}
	from := len(p.vbuf)
	p.walkVars(r.RawURL, r.Line, from)
	if strings.HasPrefix(r.RawURL, "/") {
		for i := range r.hdrs {
			if h := &r.hdrs[i]; p.isHeader(h, "Host") {
				p.walkVars(p.headerValue(h), r.Line, from)
			}
		}
		p.walkVars("{{host}}", r.Line, from)
	}
	return p.vbuf[from:len(p.vbuf):len(p.vbuf)]
}

// walkVars appends to p.vbuf the definitions the references in s see from
// line, and theirs, each once since from.
func (p *parsed) walkVars(s string, line, from int) {
	for i := 0; ; {
		_, end, name, ok := nextRef(s, i)
		if !ok {
			return
		}
		i = end
		v := p.lookup(name, line)
		if v == nil || slices.ContainsFunc(p.vbuf[from:], func(w hostVar) bool { return w.line == v.Line }) {
			continue
		}
		p.vbuf = append(p.vbuf, hostVar{v.Name, v.Value, v.Line})
		p.walkVars(v.Value, v.Line, from)
	}
}

// readRequest reads where r goes into into: its URL, Scheme and Host.
func (p *parsed) readRequest(r *request, into *Request) {
	if strings.Contains(r.RawURL, "{{") || strings.HasPrefix(r.RawURL, "/") {
		into.hostVars = p.hostVars(r)
	}
	into.URL, _ = p.substitute(r.RawURL, r.Line)
	full := into.URL
	if strings.HasPrefix(full, "/") {
		var ok bool
		if full, ok = p.originURL(r, into.URL); !ok {
			into.full, into.state = full, urlHostHeader
			return
		}
	}
	p.readTarget(into, full)
	if r.continues {
		// JetBrains joins an indented line below the request line to the
		// URL; httpyac joins some and takes others (an indented "@host/…")
		// as the first line of the body, which it sends, headers and all,
		// to the request line's host. When the two readings name different
		// hosts, no token goes into the request.
		var alone Request
		alone.URL, _ = p.substitute(r.firstLine, r.Line)
		first := alone.URL
		if strings.HasPrefix(first, "/") {
			first, _ = p.originURL(r, alone.URL)
		}
		p.readTarget(&alone, first)
		if alone.state != into.state || alone.Scheme != into.Scheme || alone.Host != into.Host {
			into.state, into.firstHost = urlSplit, alone.Host
		}
	}
}

// originURL is the URL a client sends for a request line that is path:
// REST Client and httpyac put the Host header in front of it, with https
// when what follows its first colon is 443 or 8443 and http otherwise;
// httpyac without one uses its "host" variable, which an environment may
// define: without either, the URL starts with an unknown {{host}}. ok is
// false when the clients read the Host header apart: JetBrains takes a
// value with a scheme (https://api…), which REST Client and httpyac send
// as http://https://api…, to the host "https" in clear text; with two
// Host headers httpyac uses neither, REST Client joins them.
func (p *parsed) originURL(r *request, path string) (string, bool) {
	var host *header
	for i := range r.hdrs {
		if h := &r.hdrs[i]; p.isHeader(h, "Host") {
			if host != nil {
				return "", false
			}
			host = h
		}
	}
	if host != nil {
		val, _ := p.substitute(p.headerValue(host), r.Line)
		if strings.Contains(val, "/") {
			return "", false
		}
		scheme := "http"
		if _, port, ok := strings.Cut(val, ":"); ok && (port == "443" || port == "8443") {
			scheme = "https"
		}
		return scheme + "://" + val + path, true
	}
	if v := p.lookup("host", r.Line); v != nil && !p.opaque("host") {
		val, _ := p.resolve(v)
		return val + path, true
	}
	return "{{host}}" + path, true
}

// readTarget is r.readTarget, and a variable left in the authority that
// a script, an import, a loop or a response sets makes it urlOpaque.
func (p *parsed) readTarget(r *Request, full string) {
	r.readTarget(full)
	if r.state == urlUnknown {
		if _, _, name, _ := nextRef(stripTabs(full), 0); p.opaque(name) {
			r.state, r.firstHost = urlOpaque, name
		}
	}
}

// readTarget reads full, the URL the client sends, into r.
func (r *Request) readTarget(full string) {
	r.full, r.Scheme, r.Host = full, "", ""
	if refBeforeAuthorityEnd(full) {
		r.state = urlUnknown
		return
	}
	if t, ok := fastURL(full); ok {
		// What the fast path takes is plainly written (plainURL).
		r.state, r.Scheme, r.Host, r.plain = urlRead, t.scheme, t.host, true
		return
	}
	t, ok := parseURL(full)
	switch {
	case ok:
		r.state, r.Scheme, r.Host = urlRead, t.scheme, t.host
		r.plain = plainURL(full)
	case schemeEnd(stripTabs(full)) < 0:
		r.state = urlNoScheme
	default:
		r.state = urlInvalid
	}
}

// refBeforeAuthorityEnd reports a {{variable}} left in u before the end of
// its authority: its value may hold a "@", "\" or "/" that moves the host
// anywhere. One after the authority cannot change the host.
func refBeforeAuthorityEnd(u string) bool {
	if !strings.Contains(u, "{{") {
		return false
	}
	u = stripTabs(u)
	start, _, _, ok := nextRef(u, 0)
	if !ok {
		return false
	}
	i := schemeEnd(u)
	if i < 0 || start < i {
		return true
	}
	j := i + 1
	for j < len(u) && (u[j] == '/' || u[j] == '\\') {
		j++
	}
	end := strings.IndexAny(u[j:], "/\\?#")
	return end < 0 || start < j+end
}

// stripTabs removes what the standard removes before parsing: ASCII tabs
// and newlines anywhere, C0 controls and spaces at both ends.
func stripTabs(u string) string {
	u = strings.TrimFunc(u, func(r rune) bool { return r <= ' ' })
	if strings.ContainsAny(u, "\t\n\r") {
		u = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(u)
	}
	return u
}

// schemeEnd is the index of the colon after a URL's scheme (a letter, then
// letters, digits, "+", "-", "."), or -1 when u starts with none.
func schemeEnd(u string) int {
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return i
		default:
			return -1
		}
	}
	return -1
}

// Allowed applies the host rule to a request of a parsed document: whether
// PlanEdits with opts may give it the token and, when not, why (the reason
// PlanEdits reports). The hosts of opts count, nothing else.
func (r *Request) Allowed(opts Options) (ok bool, reason string) {
	return newHostRule(opts).check(r)
}

// Rule is Request.Allowed with the allowed hosts worked out once, for a
// document's worth of requests.
type Rule struct{ rule hostRule }

// NewRule is the host rule of opts.
func NewRule(opts Options) Rule { return Rule{newHostRule(opts)} }

// Allows is r.Allowed(opts) for the opts the rule was made from.
func (ru Rule) Allows(r *Request) (ok bool, reason string) { return ru.rule.check(r) }

// hostRule decides which requests may get the token (docs/security.md).
type hostRule struct {
	allowed map[string]bool // normalised hosts
	envs    *environments   // nil: no environment file defines anything
	unread  string          // Options.EnvUnread
}

func newHostRule(o Options) hostRule {
	allowed := map[string]bool{}
	for _, h := range append([]string{o.APIHost, o.TenantHost}, o.ExtraHosts...) {
		if h = normAllowed(h); h != "" {
			allowed[h] = true
		}
	}
	return hostRule{allowed: allowed, envs: newEnvironments(o), unread: o.EnvUnread}
}

// check is the rule docs/security.md explains: the token goes to
// the key's own hosts over https, or over http to this machine; a request
// whose host is unknown gets it only when its path is the DOX API's.
func (h hostRule) check(r *Request) (bool, string) {
	if h.envs != nil {
		if reason := h.envs.override(r); reason != "" {
			return false, reason
		}
	}
	ok, reason := h.checkOne(r)
	for i := 0; ok && i < len(r.others); i++ {
		if ok, reason = h.checkOne(&r.others[i]); !ok {
			reason = "a variable in the URL is defined more than once, and clients pick different definitions: with another, " + reason
		}
	}
	return ok, reason
}

// checkOne is check for one reading of r's variables.
func (h hostRule) checkOne(r *Request) (bool, string) {
	if r.state == urlUnknown && h.unread != "" {
		return false, "the client also reads " + h.unread + ", which doxls does not: it cannot tell where a host left to a variable goes"
	}
	if r.state == urlUnknown && h.envs != nil {
		if ok, reason, decided := h.envs.check(h, r); decided {
			return ok, reason
		}
	}
	return h.checkRead(r, asWritten)
}

// asWritten shows a host in a reason as it is.
func asWritten(host string) string { return host }

// checkRead applies the rule to r as the file alone reads it; show writes
// a host into the reason.
func (h hostRule) checkRead(r *Request, show func(string) string) (bool, string) {
	switch r.state {
	case urlNoScheme:
		return false, noScheme
	case urlInvalid:
		return false, "the URL is not one an HTTP client can send"
	case urlOpaque:
		return false, "the host depends on {{" + r.firstHost + "}}, which a script, an # @import, a # @loop or a response can set: doxls cannot know where it goes; write the host in the URL"
	case urlHostHeader:
		return false, "clients read the Host header apart (REST Client and httpyac send Host: https://… over http to the host \"https\", and use neither of two): write one Host: host:443"
	case urlSplit:
		return false, "a continuation line changes the URL's host: httpyac sends this request to " + show(nonEmpty(r.firstHost)) + ", JetBrains to " + show(nonEmpty(r.Host))
	case urlUnknown:
		u := stripTabs(r.full)
		if i := schemeEnd(u); i >= 0 && start(u) > i {
			if scheme := strings.ToLower(u[:i]); scheme != "https" {
				return false, "the URL is " + scheme + "://, the token goes only over https"
			}
		}
		name, whole := wholeHost(u)
		if !whole {
			return false, "the host depends on {{" + name + "}}, which doxls cannot resolve: the token goes only where one plain variable is the whole host ({{host}}) or base URL ({{baseUrl}})"
		}
		if strings.Contains(cutQuery(u), doxPath) {
			return true, ""
		}
		if strings.HasPrefix(r.URL, "/") {
			return false, "no host: the URL is a path and no Host header or host variable gives one"
		}
		return false, "unknown host: {{" + name + "}} is not defined in this file"
	}
	switch {
	case r.Scheme != "https" && r.Scheme != "http":
		if !strings.HasPrefix(stripTabs(r.full)[len(r.Scheme)+1:], "//") && !specialScheme(r.Scheme) {
			return false, noScheme
		}
		return false, "the URL is " + r.Scheme + "://, the token goes only over https"
	case !h.allowed[r.Host]:
		return false, "foreign host " + show(r.Host)
	case r.Scheme == "http" && !isLoopback(r.Host):
		return false, "the URL is http://, the token would travel in clear text: write https://"
	case !r.plain:
		return false, "HTTP clients read this URL's host differently (user info, escapes, white space, a short IPv4 form, IDNA): write it as " + r.Scheme + "://" + show(r.Host) + "/…"
	}
	return true, ""
}

// wholeHost reports a URL whose host is left to one variable and nothing
// else: "{{name}}" for the scheme and authority (a base URL) or "https://"
// and "{{name}}" for the authority, followed by "/", "?", "#" or the end,
// name a plain variable name without dots. Only then does the path rule
// stand: text around the reference (evil.example{{x}}), a system variable
// ({{$processEnv X}} is empty when X is not set), an httpyac JavaScript
// expression ({{ "https://evil.example" }}) or a reference to a response
// ({{login.response.headers.Location}} in REST Client, a property of the
// response named login in httpyac) let the file choose the host
// (docs/security.md). name is the first reference.
func wholeHost(u string) (name string, ok bool) {
	rest := u
	if len(rest) >= 8 && strings.EqualFold(rest[:8], "https://") {
		rest = rest[8:]
	}
	start, end, name, ok := nextRef(rest, 0)
	if !ok || start != 0 || !isVarName(name) || strings.Contains(name, ".") {
		_, _, name, _ = nextRef(u, 0)
		return name, false
	}
	return name, end == len(rest) || strings.IndexByte("/?#", rest[end]) >= 0
}

// noScheme is the reason for a URL without one: JetBrains sends it over
// http, REST Client over https, httpyac not at all.
const noScheme = "no https:// in the URL: HTTP clients disagree on where it goes (JetBrains sends it over plain http)"

func nonEmpty(host string) string {
	if host == "" {
		return "an unknown host"
	}
	return host
}

// start is the index of the first {{ in u.
func start(u string) int {
	s, _, _, _ := nextRef(u, 0)
	return s
}

// specialScheme reports the schemes whose URLs always have an authority.
func specialScheme(s string) bool {
	switch s {
	case "http", "https", "ws", "wss", "ftp", "file":
		return true
	}
	return false
}

func cutQuery(s string) string {
	if q := strings.IndexAny(s, "?#"); q >= 0 {
		return s[:q]
	}
	return s
}

// normAllowed normalises a host from the options, "host[:port]" or a URL,
// as a request URL's host reads: "host" stands for https://host.
func normAllowed(h string) string {
	h = strings.TrimSpace(h)
	if h == "" {
		return ""
	}
	if !strings.Contains(h, "://") {
		h = "https://" + strings.TrimSuffix(h, "/") + "/"
	}
	t, ok := readURL(h)
	if !ok || t.host == "" {
		return ""
	}
	return t.host
}

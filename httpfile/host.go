package httpfile

import "strings"

// doxPath marks the DOX API: a request whose host is unknown (a variable
// from an environment file, a response reference, …) still gets the token
// when its path has this.
const doxPath = "/document-information-extraction/"

// resolveRequest fills URL and Host of r.
func (p *parsed) resolveRequest(r *request) {
	r.URL, _ = p.substitute(r.RawURL, r.Line)
	if !strings.HasPrefix(r.URL, "/") {
		r.Host, _, _ = splitURL(r.URL)
		return
	}
	// Origin form: the host comes from the Host header (REST Client,
	// JetBrains) or from httpyac's "host" variable.
	for i := range r.hdrs {
		if h := &r.hdrs[i]; p.isHeader(h, "Host") {
			val, _ := p.substitute(p.headerValue(h), r.Line)
			r.Host = hostHeader(val)
			return
		}
	}
	if v := p.lookup("host", r.Line); v != nil {
		val, _ := p.resolve(v)
		r.Host, _, _ = splitURL(val)
	}
}

// Allowed applies the host rule to a request of a parsed document: whether
// PlanEdits with opts may give it the token and, when not, why (the reason
// PlanEdits reports). The host and ExtraHosts of opts count, nothing else.
func (r *Request) Allowed(opts Options) (ok bool, reason string) {
	return hostRule(r, allowedHosts(opts))
}

// Rule is Request.Allowed with the allowed hosts worked out once, for a
// document's worth of requests.
type Rule struct{ allowed map[string]bool }

// NewRule is the host rule of opts (its APIHost and ExtraHosts).
func NewRule(opts Options) Rule { return Rule{allowedHosts(opts)} }

// Allows is r.Allowed(opts) for the opts the rule was made from.
func (ru Rule) Allows(r *Request) (ok bool, reason string) { return hostRule(r, ru.allowed) }

// allowedHosts is the set of normalised hosts that may get the token.
func allowedHosts(o Options) map[string]bool {
	allowed := map[string]bool{}
	for _, h := range append([]string{o.APIHost}, o.ExtraHosts...) {
		if h = normAllowed(h); h != "" {
			allowed[h] = true
		}
	}
	return allowed
}

// hostRule is DESIGN.md §4: a request gets the token when its host is
// allowed, or when its host is unknown and its path is the DOX API's.
func hostRule(r *Request, allowed map[string]bool) (bool, string) {
	if r.Host != "" {
		if allowed[r.Host] {
			return true, ""
		}
		return false, "foreign host " + r.Host
	}
	origin := strings.HasPrefix(r.URL, "/")
	path := cutQuery(r.URL)
	if !origin {
		_, path, _ = splitURL(r.URL)
	}
	switch {
	case strings.Contains(path, doxPath):
		return true, ""
	case origin:
		return false, "no host: the URL is a path and no Host header or host variable gives one"
	}
	if _, _, name, ok := nextRef(r.URL, 0); ok {
		return false, "unknown host: {{" + name + "}} is not defined in this file"
	}
	return false, "no host in the URL"
}

// hostHeader normalises a Host header value ("api.example.com:443", or
// with a scheme, as JetBrains allows).
func hostHeader(val string) string {
	if strings.Contains(val, "://") {
		host, _, _ := splitURL(val)
		return host
	}
	if val == "" || strings.Contains(val, "{{") || strings.ContainsAny(val, " \t/") {
		return ""
	}
	return normHost(val, "")
}

// splitURL splits an absolute URL, scheme optional (JetBrains defaults to
// http), into its normalised host[:port] and its path without query or
// fragment. ok is false when the authority is empty or not yet known (an
// unresolved variable).
func splitURL(u string) (host, path string, ok bool) {
	scheme, rest := "http", u
	known := true
	if i := strings.Index(u, "://"); i >= 0 && !strings.ContainsAny(u[:i], "/?#") {
		scheme, rest = strings.ToLower(u[:i]), u[i+3:]
		known = !strings.Contains(scheme, "{{")
	}
	end := strings.IndexAny(rest, "/?# \t")
	if end < 0 {
		end = len(rest)
	}
	auth := rest[:end]
	path = cutQuery(rest[end:])
	if !known || auth == "" || strings.Contains(auth, "{{") || strings.Contains(auth, "}}") {
		return "", path, false
	}
	host = normHost(auth, scheme)
	return host, path, host != ""
}

func cutQuery(s string) string {
	if q := strings.IndexAny(s, "?#"); q >= 0 {
		return s[:q]
	}
	return s
}

// normHost lower-cases an authority, drops user info and the scheme's
// default port. With no scheme, both 80 and 443 count as default.
func normHost(auth, scheme string) string {
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		auth = auth[at+1:]
	}
	host, port := auth, ""
	if strings.HasPrefix(auth, "[") {
		if j := strings.IndexByte(auth, ']'); j >= 0 {
			host = auth[:j+1]
			port = strings.TrimPrefix(auth[j+1:], ":")
		}
	} else if j := strings.LastIndexByte(auth, ':'); j >= 0 {
		host, port = auth[:j], auth[j+1:]
	}
	host = strings.ToLower(host)
	if host == "" {
		return ""
	}
	switch {
	case port == "",
		port == "80" && (scheme == "http" || scheme == "ws" || scheme == ""),
		port == "443" && (scheme == "https" || scheme == "wss" || scheme == ""):
		return host
	}
	return host + ":" + port
}

// normAllowed normalises a host from the options: "host[:port]" or a URL.
func normAllowed(h string) string {
	h = strings.TrimSpace(h)
	if strings.Contains(h, "://") {
		host, _, _ := splitURL(h)
		return host
	}
	return normHost(strings.TrimSuffix(h, "/"), "")
}

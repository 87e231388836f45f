package httpfile

import "strings"

// doxPath marks the DOX API: a request whose host is unknown (a variable
// from an environment file, a response reference, …) still gets the token
// when its path has this.
const doxPath = "/document-information-extraction/"

// resolveRequest fills URL and Host of r and the path the host rule needs.
func (p *parsed) resolveRequest(r *request) {
	r.URL, r.unresolved = p.substitute(r.RawURL, r.Line)
	if !strings.HasPrefix(r.URL, "/") {
		host, path, ok := splitURL(r.URL)
		r.path = path
		if ok {
			r.Host = host
		}
		return
	}
	// Origin form: the host comes from the Host header (REST Client,
	// JetBrains) or from httpyac's "host" variable.
	r.path = cutQuery(r.URL)
	r.unresolved = ""
	for i := range r.hdrs {
		if h := &r.hdrs[i]; p.isHeader(h, "Host") {
			val, missing := p.substitute(p.headerValue(h), r.Line)
			r.Host, r.unresolved = hostHeader(val), missing
			return
		}
	}
	if v := p.lookup("host", r.Line); v != nil {
		val, missing := p.resolve(v)
		if host, _, ok := splitURL(val); ok {
			r.Host = host
		}
		r.unresolved = missing
	}
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

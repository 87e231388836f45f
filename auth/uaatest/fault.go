package uaatest

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// FaultKind selects a misbehaviour of the token endpoint.
type FaultKind int

const (
	FaultNone        FaultKind = iota
	Fault500                   // 500 with a JSON error body
	Fault503                   // 503
	Fault429                   // 429 with Retry-After
	FaultHang                  // never answers until the request's context ends or Release/Close
	FaultHTML                  // 200 with an HTML login page
	Fault404                   // 404 HTML
	FaultTruncated             // 200 with a JSON body cut in the middle
	FaultNoExpiresIn           // a valid answer without expires_in
	FaultExpiresIn             // a valid answer whose expires_in is Fault.ExpiresIn (raw JSON: "\"NaN\"", "1e999")
	FaultEcho                  // 400 whose error_description echoes the credentials the client sent, in every encoding a server might
)

// String names the kind, for test failure messages.
func (k FaultKind) String() string {
	names := [...]string{"FaultNone", "Fault500", "Fault503", "Fault429", "FaultHang",
		"FaultHTML", "Fault404", "FaultTruncated", "FaultNoExpiresIn", "FaultExpiresIn", "FaultEcho"}
	if k >= 0 && int(k) < len(names) {
		return names[k]
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault is an injected misbehaviour for the next Count token requests (0: all).
type Fault struct {
	Kind       FaultKind
	Count      int
	RetryAfter time.Duration // for Fault429: sent as whole seconds, rounded up; 0 sends no Retry-After
	ExpiresIn  string        // for FaultExpiresIn: the raw JSON value of expires_in
}

// SetFault injects a fault. It replaces any fault set before; hung requests
// stay hung until Release or Close.
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Kind == FaultNone {
		f = Fault{}
	}
	s.fault = f
}

// Release lets hung requests (FaultHang, HangAPI) go on and clears the
// fault and the hang.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = Fault{}
	s.apiHang = false
	close(s.release)
	s.release = make(chan struct{})
}

// takeFault decides the fault of one arriving token request and uses up one
// of its Count. It also returns the channel that Release closes.
func (s *Server) takeFault() (Fault, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.fault
	if f.Kind != FaultNone && f.Count > 0 {
		s.fault.Count--
		if s.fault.Count == 0 {
			s.fault = Fault{}
		}
	}
	return f, s.release
}

// applyFault answers r the faulty way and reports true, or reports false
// when the request should be handled normally (no fault, a released hang,
// or FaultNoExpiresIn, which the success path handles).
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f Fault, release <-chan struct{}) bool {
	switch f.Kind {
	case Fault500:
		writeJSON(w, http.StatusInternalServerError, oauthError{"server_error", "Internal Server Error"})
	case Fault503:
		// What the Cloud Foundry router answers while UAA restarts.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Cf-Routererror", "no_endpoints")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "503 Service Unavailable: Requested route ('mysub.authentication.us10.hana.ondemand.com') has no available endpoints.\n")
	case Fault429:
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(f.RetryAfter.Seconds()))))
		}
		writeJSON(w, http.StatusTooManyRequests, oauthError{"too_many_requests", "Rate limit exceeded"})
	case FaultHang:
		select {
		case <-release:
			return false
		case <-r.Context().Done():
		case <-s.closed:
			// Drop the connection: a server going down sends no answer.
			panic(http.ErrAbortHandler)
		}
	case FaultHTML:
		writeHTML(w, http.StatusOK, loginPage)
	case Fault404:
		writeHTML(w, http.StatusNotFound, notFoundPage)
	case FaultTruncated:
		s.writeTruncated(w)
	case FaultEcho:
		writeEcho(w, r)
	default:
		return false
	}
	return true
}

// writeTruncated promises a whole token answer, sends half of it and drops
// the connection, as a proxy that dies mid-response does.
func (s *Server) writeTruncated(w http.ResponseWriter) {
	body := []byte(`{"access_token":"eyJhbGciOiJSUzI1NiIsImtpZCI6ImRlZmF1bHQtand0LWtleSIsInR5cCI6IkpXVCJ9.eyJjbGllbnRfaWQiOiJ0cnVuY2F0ZWQifQ.c2ln","token_type":"bearer","expires_in":43199,"scope":"uaa.resource","jti":"0b6f"}`)
	w.Header().Set("Content-Type", jsonType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body[:len(body)/2])
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	panic(http.ErrAbortHandler)
}

const loginPage = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Log On</title></head>
<body>
<form method="post" action="/login.do">
<input type="hidden" name="X-Uaa-Csrf" value="Gq3xN1">
<label>Email or User Name <input name="username"></label>
<label>Password <input name="password" type="password"></label>
<input type="submit" value="Log On">
</form>
</body>
</html>
`

const notFoundPage = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>404 Not Found</title></head>
<body><h1>404 Not Found</h1><p>The requested resource could not be found.</p></body>
</html>
`

// writeEcho answers as a debugging proxy or a careless OAuth server does:
// the request's credentials come back in the error text, as sent (the
// Basic header), decoded, URL-encoded both ways and in Base64.
func writeEcho(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	h := r.Header.Get("Authorization")
	var secret, id string
	if raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic ")); err == nil {
		id, secret, _ = strings.Cut(string(raw), ":")
		if u, err := url.QueryUnescape(secret); err == nil {
			secret = u
		}
		if u, err := url.QueryUnescape(id); err == nil {
			id = u
		}
	}
	if secret == "" {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	desc := fmt.Sprintf("Bad request from %s: header %q, secret %s, query-escaped %s, path-escaped %s, lower-case %s, base64 %s, basic %s",
		id, h, secret, url.QueryEscape(secret), url.PathEscape(secret), hexLower.Replace(url.QueryEscape(secret)),
		base64.StdEncoding.EncodeToString([]byte(secret)), base64.RawURLEncoding.EncodeToString([]byte(id+":"+secret)))
	writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", desc})
}

// hexLower writes the escapes of a URL-encoded secret in lower case, as
// some servers do.
var hexLower = strings.NewReplacer("%2B", "%2b", "%2F", "%2f", "%3D", "%3d", "%3A", "%3a", "%7C", "%7c")

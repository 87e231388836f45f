package auth

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
)

// KeyError is a service key that cannot be used: it names the file (or
// environment variable), where in it the problem is, and what it is.
type KeyError struct {
	Name    string // file path or env:NAME
	Line    int    // 1-based; 0 when the problem has no position
	Column  int    // 1-based byte column; 0 when unknown
	Field   string // JSON path such as uaa.clientid; "" when not about one field
	Problem string // what is wrong, already phrased for a user
}

func (e *KeyError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.Name, e.Line, e.Column, e.Problem)
	}
	return e.Name + ": " + e.Problem
}

// ErrorKind says what went wrong with a token request, for callers that
// react differently (e.g. offer to pick another key on KindUnauthorized).
type ErrorKind int

const (
	KindBadKey           ErrorKind = iota + 1 // the key cannot be used as it is (plain http, unreadable certificate, …)
	KindUnauthorized                          // UAA rejected the client id, secret or certificate
	KindNotTokenEndpoint                      // 404, an HTML page or anything that is not a token answer
	KindRejected                              // another 4xx: UAA understood and said no
	KindUnavailable                           // 5xx or 429 until attempts or deadline ran out
	KindNetwork                               // could not connect or the connection broke
	KindTLS                                   // the server certificate could not be verified
	KindTimeout                               // no answer within the attempt timeout or the deadline
	KindBadResponse                           // a 200 whose body is not a usable token answer
	KindCanceled                              // the caller gave up; errors.Is(err, context.Canceled) holds
)

var kindNames = [...]string{"", "bad-key", "unauthorized", "not-token-endpoint", "rejected",
	"unavailable", "network", "tls", "timeout", "bad-response", "canceled"}

func (k ErrorKind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("ErrorKind(%d)", int(k))
}

// TokenError is a failed token fetch. Its message is one actionable line
// and never holds a secret or a token.
type TokenError struct {
	Kind     ErrorKind
	Key      string // key id
	URL      string // token endpoint
	Status   int    // last HTTP status; 0 when there was none
	Attempts int    // requests sent
	msg      string
	cause    error // for errors.Is/As (context errors, net errors); its text is not shown
}

func (e *TokenError) Error() string { return e.msg }

// Unwrap exposes the cause, so errors.Is(err, context.Canceled) works.
func (e *TokenError) Unwrap() error { return e.cause }

// oneLine squeezes server-provided text into a short single line and hides
// any secret the caller names, so it can go into a message.
func oneLine(s string, hide ...string) string {
	for _, h := range hide {
		if len(h) >= 4 {
			s = strings.ReplaceAll(s, h, "[hidden]")
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 160 {
		s = string(r[:160]) + "…"
	}
	return s
}

// shownURL is raw as errors show it: without userinfo (a uaa.url such as
// https://user:password@host must not put the password on an error line).
// Text that does not parse as a URL is shown only up to its host.
func shownURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.LastIndexByte(raw, '@'); i >= 0 {
			if j := strings.Index(raw, "://"); j >= 0 && j < i {
				return raw[:j+3] + raw[i+1:]
			}
			return raw[i+1:]
		}
		return raw
	}
	u.User = nil
	return u.String()
}

// secretForms lists the ways a client secret can come back in text a
// server echoes: as it is, URL-encoded (query and path style, upper- and
// lower-case hex), and Base64 (standard and URL alphabets, padded or not)
// of the secret alone and of the Basic credentials "id:secret" in each of
// those encodings. Every one is hidden before the text reaches a message.
func secretForms(id, secret string) []string {
	if secret == "" {
		return nil
	}
	escapes := []func(string) string{
		func(s string) string { return s },
		url.QueryEscape,
		url.PathEscape,
		func(s string) string { return lowerHex(url.QueryEscape(s)) },
		func(s string) string { return lowerHex(url.PathEscape(s)) },
	}
	encodings := []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, esc := range escapes {
		add(esc(secret))
	}
	for _, enc := range encodings {
		add(enc.EncodeToString([]byte(secret)))
		for _, esc := range escapes {
			add(enc.EncodeToString([]byte(esc(id) + ":" + esc(secret))))
		}
	}
	// Longest first, so that no shorter form leaves part of a longer one.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// lowerHex writes the %XX escapes of s in lower case.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1] = toLower(b[i+1])
			b[i+2] = toLower(b[i+2])
		}
	}
	return string(b)
}

func toLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

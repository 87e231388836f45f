package auth

import (
	"fmt"
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

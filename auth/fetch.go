package auth

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxAnswer bounds a token answer: real ones are a few KiB.
const maxAnswer = 1 << 20

// fetch is one Client.Fetch: the request to repeat and what happened so far.
type fetch struct {
	c        *Client
	key      *ServiceKey
	url      string
	body     string
	basic    string // Authorization header; "" for x509
	hc       *http.Client
	attempts int
}

// failure is what went wrong in one attempt.
type failure struct {
	kind       ErrorKind
	status     int
	msg        string // the whole line, as the final error would say it
	short      string // a few words for "last: …" after retries
	retry      bool
	retryAfter time.Duration
	cause      error
}

// prepare checks the key and builds the request parts once.
func (f *fetch) prepare() error {
	k := f.key
	if k.UAA.ClientID == "" {
		return &TokenError{Kind: KindBadKey, Key: k.ID, msg: k.ID + ": uaa.clientid is missing"}
	}
	if err := checkTokenURL(k, f.url); err != nil {
		return err
	}
	if !k.IsX509() {
		if k.UAA.ClientSecret == "" {
			return &TokenError{Kind: KindBadKey, Key: k.ID, msg: k.ID + ": uaa.clientsecret is missing"}
		}
		// URL-encoded credentials plus X-CF-ENCODED-CREDENTIALS: true are
		// read the same by UAA with compatibility mode on and off (a verbatim
		// '+' in a secret would otherwise become a space).
		cred := url.QueryEscape(k.UAA.ClientID) + ":" + url.QueryEscape(k.UAA.ClientSecret)
		f.basic = "Basic " + base64.StdEncoding.EncodeToString([]byte(cred))
		f.body = "grant_type=client_credentials"
		f.hc = f.c.clientFor(k, nil)
		return nil
	}
	cert, err := clientCertificate(k.UAA, f.c.now())
	if err != nil {
		return &TokenError{Kind: KindBadKey, Key: k.ID, URL: f.where(), msg: k.ID + ": " + err.Error(), cause: err}
	}
	f.body = "grant_type=client_credentials&client_id=" + url.QueryEscape(k.UAA.ClientID)
	f.hc = f.c.clientFor(k, &cert)
	return nil
}

// attempt sends the request once, within the attempt timeout.
func (f *fetch) attempt(ctx context.Context) (Token, *failure) {
	actx, cancel := context.WithTimeout(ctx, f.c.opts.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, f.url, strings.NewReader(f.body))
	if err != nil {
		return Token{}, &failure{kind: KindBadKey, msg: f.key.ID + ": token URL " + f.where() + " is not usable"}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "doxls")
	if f.basic != "" {
		req.Header.Set("Authorization", f.basic)
		req.Header.Set("X-CF-ENCODED-CREDENTIALS", "true")
	}
	sent := f.c.now()
	resp, err := f.hc.Do(req)
	if err != nil {
		return Token{}, f.transportFailure(actx, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		if actx.Err() != nil {
			return Token{}, f.attemptTimeout()
		}
		if resp.StatusCode == http.StatusOK {
			return Token{}, f.truncated(len(body))
		}
		return Token{}, f.network(err)
	}
	return f.answer(resp, body, sent)
}

func (f *fetch) host() string {
	if u, err := url.Parse(f.url); err == nil {
		return u.Host
	}
	return f.where()
}

// where is the token URL as messages show it: without the userinfo a
// uaa.url may carry (a password there must not reach an error line).
func (f *fetch) where() string { return shownURL(f.url) }

func (f *fetch) attemptTimeout() *failure {
	d := f.c.opts.AttemptTimeout
	return &failure{kind: KindTimeout, retry: true, cause: context.DeadlineExceeded,
		msg:   f.where() + " did not answer within " + d.String(),
		short: "no answer within " + d.String()}
}

func (f *fetch) truncated(n int) *failure {
	return &failure{kind: KindBadResponse, status: http.StatusOK, retry: true,
		msg:   fmt.Sprintf("%s sent a truncated token answer (%d bytes of JSON that stop in the middle)", f.where(), n),
		short: "truncated answer"}
}

func (f *fetch) network(err error) *failure {
	why := netCause(err)
	where := f.host()
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "proxyconnect" {
		where = "the proxy for " + where + " (HTTPS_PROXY/HTTP_PROXY)"
	}
	return &failure{kind: KindNetwork, retry: true, cause: err,
		msg: "cannot reach " + where + ": " + why, short: why}
}

// transportFailure classifies an error from sending the request or
// reading the response headers.
func (f *fetch) transportFailure(actx context.Context, err error) *failure {
	if errors.Is(actx.Err(), context.DeadlineExceeded) {
		return f.attemptTimeout()
	}
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	if errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify) {
		return &failure{kind: KindTLS, cause: err,
			msg: "cannot verify the TLS certificate of " + f.host() + ": " + oneLine(netCause(err))}
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" { // a TLS alert from the server
		if f.key.IsX509() {
			return &failure{kind: KindUnauthorized, cause: err,
				msg: "UAA rejected the client certificate of " + f.key.ID + " (TLS alert: " + strings.TrimPrefix(op.Err.Error(), "tls: ") + ")"}
		}
		return &failure{kind: KindTLS, cause: err, msg: "TLS with " + f.host() + " failed: " + op.Err.Error()}
	}
	return f.network(err)
}

// netCause is the innermost useful text of a transport error, without the
// method and URL that url.Error repeats.
func netCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	// A proxy connection wraps the dial error in another *net.OpError.
	for op := (*net.OpError)(nil); errors.As(err, &op) && op.Err != nil; {
		err = op.Err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the connection closed before the answer was complete"
	}
	return oneLine(err.Error())
}

// uaaError is the error body of UAA (and of most OAuth servers).
type uaaError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// answer turns an HTTP response into a token or a failure.
func (f *fetch) answer(resp *http.Response, body []byte, sent time.Time) (Token, *failure) {
	code := resp.StatusCode
	status := fmt.Sprintf("%d %s", code, http.StatusText(code))
	var ue uaaError
	isJSON := json.Unmarshal(body, &ue) == nil
	switch {
	case code == http.StatusOK:
		return f.token(resp, body, sent)
	case code == http.StatusUnauthorized || isJSON && (ue.Error == "invalid_client" || ue.Error == "unauthorized"):
		what := "the client id or secret"
		if f.key.IsX509() {
			what = "the client certificate"
		}
		return Token{}, &failure{kind: KindUnauthorized, status: code,
			msg: fmt.Sprintf("UAA rejected %s of %s (%d %s)", what, f.key.ID, code, f.describe(ue, http.StatusText(code)))}
	case code == http.StatusTooManyRequests:
		return Token{}, &failure{kind: KindUnavailable, status: code, retry: true, short: status,
			retryAfter: retryAfter(resp.Header.Get("Retry-After"), f.c.now()),
			msg:        "UAA at " + f.host() + " is limiting requests (" + status + ")"}
	case code >= 500:
		return Token{}, &failure{kind: KindUnavailable, status: code, retry: true, short: status,
			retryAfter: retryAfter(resp.Header.Get("Retry-After"), f.c.now()),
			msg:        "UAA at " + f.host() + " failed (" + status + ")"}
	case code == http.StatusNotFound || code == http.StatusMethodNotAllowed:
		return Token{}, f.notEndpoint(code, status)
	case code >= 300 && code < 400:
		where := f.clean(resp.Header.Get("Location"))
		return Token{}, f.notEndpoint(code, status+", redirects to "+where)
	case code >= 400:
		reason := status
		if isJSON && ue.Error != "" {
			reason = fmt.Sprintf("%d %s", code, f.describe(ue, ""))
		}
		return Token{}, &failure{kind: KindRejected, status: code,
			msg: "UAA refused the token request of " + f.key.ID + " (" + reason + ")"}
	}
	return Token{}, f.notEndpoint(code, status)
}

func (f *fetch) notEndpoint(code int, why string) *failure {
	return &failure{kind: KindNotTokenEndpoint, status: code,
		msg: f.where() + " is not a token endpoint (" + why + "); check uaa.url of " + f.key.ID}
}

// describe is "error: description" from a UAA error body, with anything
// that could be a secret removed.
func (f *fetch) describe(ue uaaError, fallback string) string {
	s := ue.Description
	switch {
	case s == "" && ue.Error == "":
		return fallback
	case s == "":
		s = ue.Error
	case ue.Error != "" && ue.Error != "unauthorized":
		s = ue.Error + ": " + s
	}
	return f.clean(s)
}

// clean makes server-provided text one short line without the client
// secret in any encoding the server could echo it in.
func (f *fetch) clean(s string) string {
	return oneLine(s, secretForms(f.key.UAA.ClientID, f.key.UAA.ClientSecret)...)
}

// tokenAnswer is UAA's token JSON.
type tokenAnswer struct {
	AccessToken string          `json:"access_token"`
	TokenType   string          `json:"token_type"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
	Scope       string          `json:"scope"`
}

func (f *fetch) token(resp *http.Response, body []byte, sent time.Time) (Token, *failure) {
	trimmed := bytes.TrimSpace(body)
	if strings.Contains(resp.Header.Get("Content-Type"), "html") || bytes.HasPrefix(trimmed, []byte("<")) {
		return Token{}, f.notEndpoint(resp.StatusCode, "it answered with an HTML page")
	}
	if len(body) > maxAnswer {
		return Token{}, &failure{kind: KindBadResponse, status: 200, msg: f.where() + " sent an answer larger than 1 MiB, not a token"}
	}
	var a tokenAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) && se.Error() == "unexpected end of JSON input" && len(trimmed) > 0 {
			return Token{}, f.truncated(len(body))
		}
		return Token{}, &failure{kind: KindBadResponse, status: 200, msg: f.where() + " answered 200 with a body that is not token JSON"}
	}
	if a.AccessToken == "" {
		return Token{}, &failure{kind: KindBadResponse, status: 200, msg: f.where() + " answered 200 without an access_token"}
	}
	tok := Token{AccessToken: a.AccessToken, TokenType: a.TokenType, Scope: a.Scope, FetchedAt: f.c.now()}
	if tok.TokenType == "" {
		tok.TokenType = "bearer"
	}
	// Expiry counts from when the request was sent, so a slow answer errs on
	// the early side; the JWT exp wins when it is earlier or the answer lacks
	// expires_in.
	secs, ok, err := expiresIn(a.ExpiresIn)
	if err != nil {
		return Token{}, &failure{kind: KindBadResponse, status: 200, msg: f.where() + " answered with " + err.Error()}
	}
	if ok {
		tok.ExpiresAt = sent.Add(time.Duration(secs * float64(time.Second)))
	}
	if c, err := ParseClaims(a.AccessToken); err == nil && !c.ExpiresAt.IsZero() {
		if tok.ExpiresAt.IsZero() || c.ExpiresAt.Before(tok.ExpiresAt) {
			tok.ExpiresAt = c.ExpiresAt
		}
	}
	if tok.ExpiresAt.IsZero() {
		return Token{}, &failure{kind: KindBadResponse, status: 200,
			msg: f.where() + " answered without expires_in and the token has no exp claim, so its lifetime is unknown"}
	}
	if !tok.ExpiresAt.After(tok.FetchedAt) {
		return Token{}, &failure{kind: KindBadResponse, status: 200,
			msg: fmt.Sprintf("%s issued a token that expired already (exp %s); check the clock of this machine and of UAA",
				f.where(), tok.ExpiresAt.UTC().Format("2006-01-02 15:04:05 UTC"))}
	}
	return tok, nil
}

// expiresIn accepts a number or a numeric string of seconds; anything else,
// or a value that is not positive, counts as missing. NaN and infinity
// (which strconv reads from "NaN", "Inf", "1e999") are refused: they are
// no lifetime, and NaN passes every comparison that would catch it later.
func expiresIn(raw json.RawMessage) (float64, bool, error) {
	s := strings.Trim(string(bytes.TrimSpace(raw)), `"`)
	v, err := strconv.ParseFloat(s, 64)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, fmt.Errorf("expires_in %s, which is no number of seconds", oneLine(s))
	}
	if err != nil || v <= 0 || v > 1e9 {
		return 0, false, nil
	}
	return v, true, nil
}

// retryAfter reads Retry-After as seconds or an HTTP date; 0 when absent.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// final turns the last failure into the error the caller sees.
func (f *fetch) final(res *failure, note string) *TokenError {
	msg := res.msg
	if f.attempts > 1 {
		msg += fmt.Sprintf(" after %d attempts", f.attempts)
	}
	if note != "" {
		msg += "; " + note
	}
	return &TokenError{Kind: res.kind, Key: f.key.ID, URL: f.where(), Status: res.status, Attempts: f.attempts, msg: msg, cause: res.cause}
}

// timedOut is the error when the whole fetch ran past its deadline.
func (f *fetch) timedOut(last *failure) *TokenError {
	short := last.short
	if short == "" {
		short = last.msg
	}
	return &TokenError{Kind: KindTimeout, Key: f.key.ID, URL: f.where(), Status: last.status, Attempts: f.attempts,
		msg:   fmt.Sprintf("no token from %s within %s (%d attempts, last: %s)", f.where(), f.c.opts.Deadline, f.attempts, short),
		cause: context.DeadlineExceeded}
}

// stopped is the error when the caller's context ended.
func (f *fetch) stopped(err error) *TokenError {
	kind, what := KindCanceled, "was cancelled"
	if !errors.Is(err, context.Canceled) {
		kind, what = KindTimeout, "ran out of the caller's time"
	}
	return &TokenError{Kind: kind, Key: f.key.ID, URL: f.where(), Attempts: f.attempts,
		msg: "token request for " + f.key.ID + " " + what, cause: err}
}

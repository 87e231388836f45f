package auth

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// ClientOptions configure the token client; zero values take defaults.
type ClientOptions struct {
	AttemptTimeout time.Duration // default 10s
	Deadline       time.Duration // default 30s
	MaxAttempts    int           // default 4
	Now            func() time.Time
	// RetryDelay is the wait before the second attempt; it doubles for each
	// further one (with some jitter). Default 500ms.
	RetryDelay time.Duration
	// RootCAs verify https token endpoints; nil means the system roots
	// (which honour SSL_CERT_FILE and SSL_CERT_DIR).
	RootCAs *x509.CertPool
}

// Client fetches tokens from UAA. It is safe for concurrent use and keeps
// connections open between fetches.
type Client struct {
	opts  ClientOptions
	plain *http.Client // secret keys

	mu   sync.Mutex
	mtls map[[32]byte]*http.Client // x509 keys, by certificate and key
}

// NewClient returns a token client.
func NewClient(opts ClientOptions) *Client {
	if opts.AttemptTimeout <= 0 {
		opts.AttemptTimeout = 10 * time.Second
	}
	if opts.Deadline <= 0 {
		opts.Deadline = 30 * time.Second
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 4
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = 500 * time.Millisecond
	}
	return &Client{opts: opts, plain: httpClient(opts.RootCAs, nil), mtls: map[[32]byte]*http.Client{}}
}

func httpClient(roots *x509.CertPool, cert *tls.Certificate) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = http.ProxyFromEnvironment // HTTPS_PROXY, NO_PROXY
	t.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if cert != nil {
		t.TLSClientConfig.Certificates = []tls.Certificate{*cert}
	}
	return &http.Client{
		Transport: t,
		// A token endpoint answers; a redirect means a login page or a
		// wrong URL, and following it would only hide that.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// now is the clock of the client (and of caches using it).
func (c *Client) now() time.Time { return c.opts.Now() }

// Fetch gets a new token for key. Its error is a *TokenError whose message
// is one line a user can act on.
func (c *Client) Fetch(ctx context.Context, key *ServiceKey) (Token, error) {
	if key == nil {
		return Token{}, &TokenError{Kind: KindBadKey, msg: "no service key given"}
	}
	f := &fetch{c: c, key: key, url: key.TokenURL()}
	if err := f.prepare(); err != nil {
		return Token{}, err
	}
	dctx, cancel := context.WithTimeout(ctx, c.opts.Deadline)
	defer cancel()
	for {
		f.attempts++
		tok, res := f.attempt(dctx)
		if res == nil {
			return tok, nil
		}
		if ctx.Err() != nil {
			return Token{}, f.stopped(ctx.Err())
		}
		if dctx.Err() != nil {
			return Token{}, f.timedOut(res)
		}
		if !res.retry || f.attempts >= c.opts.MaxAttempts {
			return Token{}, f.final(res, "")
		}
		wait := c.backoff(f.attempts)
		if res.retryAfter > 0 {
			wait = res.retryAfter
		}
		if dl, _ := dctx.Deadline(); time.Until(dl) < wait {
			if res.retryAfter > 0 {
				return Token{}, f.final(res, "it asked to retry after "+res.retryAfter.Round(time.Second).String()+", past the "+c.opts.Deadline.String()+" deadline")
			}
			return Token{}, f.timedOut(res)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-dctx.Done():
			t.Stop()
			if ctx.Err() != nil {
				return Token{}, f.stopped(ctx.Err())
			}
			return Token{}, f.timedOut(res)
		}
	}
}

// backoff is the wait after attempt n: RetryDelay doubled per attempt, at
// most 16 times it, plus up to 20% jitter so many clients do not retry in step.
func (c *Client) backoff(n int) time.Duration {
	d := c.opts.RetryDelay << min(n-1, 4)
	return d + rand.N(d/5+1)
}

// clientFor returns the HTTP client for key, with its client certificate
// for x509 keys.
func (c *Client) clientFor(key *ServiceKey, cert *tls.Certificate) *http.Client {
	if cert == nil {
		return c.plain
	}
	id := sha256.Sum256([]byte(key.UAA.Certificate + "\x00" + key.UAA.Key))
	c.mu.Lock()
	defer c.mu.Unlock()
	hc := c.mtls[id]
	if hc == nil {
		hc = httpClient(c.opts.RootCAs, cert)
		c.mtls[id] = hc
	}
	return hc
}

// isLoopback accepts the hosts tests use for plain http.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkTokenURL refuses to send credentials anywhere but https (or plain
// http on loopback, for tests and local emulators).
func checkTokenURL(key *ServiceKey, raw string) error {
	field := "uaa.url"
	if key.IsX509() {
		field = "uaa.certurl"
	}
	u, err := url.Parse(raw)
	raw = shownURL(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return &TokenError{Kind: KindBadKey, Key: key.ID, URL: raw, msg: key.ID + ": " + field + " is not an http(s) URL"}
	}
	if u.Scheme == "http" && key.IsX509() {
		return &TokenError{Kind: KindBadKey, Key: key.ID, URL: raw, msg: key.ID + ": " + field + " must be https for an x509 key (" + raw + ")"}
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return &TokenError{Kind: KindBadKey, Key: key.ID, URL: raw,
			msg: "refusing to send the credentials of " + key.ID + " over plain http to " + raw + "; " + field + " must be https"}
	}
	return nil
}

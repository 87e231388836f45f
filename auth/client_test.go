package auth

import (
	"context"
	"errors"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/doxls/doxls/auth/uaatest"
)

// emulator starts a UAA emulator for the test.
func emulator(t testing.TB, opts uaatest.Options) *uaatest.Server {
	t.Helper()
	s, err := uaatest.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// emuKey parses the emulator's cockpit key for client c.
func emuKey(t testing.TB, s *uaatest.Server, c uaatest.Client) *ServiceKey {
	t.Helper()
	k, err := ParseKey("dox.json", s.KeyJSON(c))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// quick is a client whose retries do not slow the tests down.
func quick(s *uaatest.Server, opts ClientOptions) *Client {
	if opts.RetryDelay == 0 {
		opts.RetryDelay = time.Millisecond
	}
	if s != nil {
		opts.RootCAs = s.CAPool
	}
	return NewClient(opts)
}

// tokenError asserts err is a *TokenError of kind and returns it.
func tokenError(t testing.TB, err error, kind ErrorKind) *TokenError {
	t.Helper()
	var te *TokenError
	if !errors.As(err, &te) {
		t.Fatalf("error %v (%T) is not a *TokenError", err, err)
	}
	if te.Kind != kind {
		t.Errorf("kind = %v, want %v (%v)", te.Kind, kind, err)
	}
	return te
}

func TestFetchSecret(t *testing.T) {
	// Every character real XSUAA ids and secrets hold, in both UAA modes.
	clients := []uaatest.Client{
		uaatest.DefaultClient,
		{ID: "sb-na-9c1d!t48751|dox-xsuaa-std-trial!b10844", Secret: "a+b/c=d$e!f|g:h+/=$!|:"},
		{ID: "sb-plain", Secret: "7c0e8d1a-4b2f-4e6a-9d3c-1f5b7a9e2c4d$abc+def/ghi=:jkl!|mno"},
	}
	for _, decode := range []bool{false, true} {
		s := emulator(t, uaatest.Options{AlwaysDecode: decode, Clients: clients})
		for _, c := range clients {
			k := emuKey(t, s, c)
			tok, err := quick(s, ClientOptions{}).Fetch(context.Background(), k)
			if err != nil {
				t.Fatalf("AlwaysDecode=%v, client %s: %v", decode, c.ID, err)
			}
			claims, err := ParseClaims(tok.AccessToken)
			if err != nil || claims.ClientID != c.ID || claims.GrantType != "client_credentials" {
				t.Errorf("claims %+v, %v", claims, err)
			}
			if err := s.VerifyToken(tok.AccessToken); err != nil {
				t.Errorf("emulator does not accept its token: %v", err)
			}
		}
	}
}

func TestFetchExpiry(t *testing.T) {
	sent := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { return sent }
	t.Run("sent + expires_in", func(t *testing.T) {
		s := emulator(t, uaatest.Options{Now: clock})
		tok, err := quick(s, ClientOptions{Now: clock}).Fetch(context.Background(), emuKey(t, s, uaatest.DefaultClient))
		if err != nil {
			t.Fatal(err)
		}
		if want := sent.Add(43199 * time.Second); !tok.ExpiresAt.Equal(want) || tok.TokenType != "bearer" || tok.Scope == "" {
			t.Errorf("ExpiresAt %v (want %v), type %q, scope %q", tok.ExpiresAt, want, tok.TokenType, tok.Scope)
		}
	})
	t.Run("earlier JWT exp wins", func(t *testing.T) {
		// The emulator's clock is an hour behind: its exp is earlier than
		// what expires_in says counted from our clock.
		s := emulator(t, uaatest.Options{Now: func() time.Time { return sent.Add(-time.Hour) }})
		tok, err := quick(s, ClientOptions{Now: clock}).Fetch(context.Background(), emuKey(t, s, uaatest.DefaultClient))
		if err != nil {
			t.Fatal(err)
		}
		if want := sent.Add(-time.Hour + 43200*time.Second); !tok.ExpiresAt.Equal(want) {
			t.Errorf("ExpiresAt %v, want the JWT exp %v", tok.ExpiresAt, want)
		}
	})
	t.Run("missing expires_in", func(t *testing.T) {
		s := emulator(t, uaatest.Options{Now: clock})
		s.SetFault(uaatest.Fault{Kind: uaatest.FaultNoExpiresIn})
		tok, err := quick(s, ClientOptions{Now: clock}).Fetch(context.Background(), emuKey(t, s, uaatest.DefaultClient))
		if err != nil {
			t.Fatal(err)
		}
		if want := sent.Add(43200 * time.Second); !tok.ExpiresAt.Equal(want) {
			t.Errorf("ExpiresAt %v, want the JWT exp %v", tok.ExpiresAt, want)
		}
	})
}

func TestFetchFailures(t *testing.T) {
	wrong := uaatest.Client{ID: uaatest.DefaultClient.ID, Secret: "wrong-0f5b8c2d$Xk2+Qz/9a=:!|"}
	for _, tc := range []struct {
		name     string
		fault    uaatest.Fault
		client   uaatest.Client
		kind     ErrorKind
		want     string // message; {url} and {host} are the emulator's
		requests int
	}{
		{"bad secret", uaatest.Fault{}, wrong, KindUnauthorized,
			"UAA rejected the client id or secret of dox.json (401 Bad credentials)", 1},
		{"unknown client", uaatest.Fault{}, uaatest.Client{ID: "sb-gone!b1|dox!b2", Secret: "x$y+z/="}, KindUnauthorized,
			"UAA rejected the client id or secret of dox.json (401 Bad credentials)", 1},
		{"404", uaatest.Fault{Kind: uaatest.Fault404}, uaatest.DefaultClient, KindNotTokenEndpoint,
			"{url} is not a token endpoint (404 Not Found); check uaa.url of dox.json", 1},
		{"html login page", uaatest.Fault{Kind: uaatest.FaultHTML}, uaatest.DefaultClient, KindNotTokenEndpoint,
			"{url} is not a token endpoint (it answered with an HTML page); check uaa.url of dox.json", 1},
		{"500 always", uaatest.Fault{Kind: uaatest.Fault500}, uaatest.DefaultClient, KindUnavailable,
			"UAA at {host} failed (500 Internal Server Error) after 4 attempts", 4},
		{"503 always", uaatest.Fault{Kind: uaatest.Fault503}, uaatest.DefaultClient, KindUnavailable,
			"UAA at {host} failed (503 Service Unavailable) after 4 attempts", 4},
		{"429 without Retry-After", uaatest.Fault{Kind: uaatest.Fault429}, uaatest.DefaultClient, KindUnavailable,
			"UAA at {host} is limiting requests (429 Too Many Requests) after 4 attempts", 4},
		{"429 past the deadline", uaatest.Fault{Kind: uaatest.Fault429, RetryAfter: time.Hour}, uaatest.DefaultClient, KindUnavailable,
			"UAA at {host} is limiting requests (429 Too Many Requests); it asked to retry after 1h0m0s, past the 10s deadline", 1},
		{"truncated always", uaatest.Fault{Kind: uaatest.FaultTruncated}, uaatest.DefaultClient, KindBadResponse,
			"{url} sent a truncated token answer ({n} bytes of JSON that stop in the middle) after 4 attempts", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := emulator(t, uaatest.Options{})
			s.SetFault(tc.fault)
			k := emuKey(t, s, tc.client)
			_, err := quick(s, ClientOptions{Deadline: 10 * time.Second}).Fetch(context.Background(), k)
			te := tokenError(t, err, tc.kind)
			want := strings.NewReplacer(`\{url\}`, regexp.QuoteMeta(k.TokenURL()), `\{host\}`, regexp.QuoteMeta(strings.TrimPrefix(s.URL, "http://")),
				`\{n\}`, `\d+`).Replace(regexp.QuoteMeta(tc.want))
			if !regexp.MustCompile("^" + want + "$").MatchString(err.Error()) {
				t.Errorf("error:\n got %s\nwant %s", err, want)
			}
			if n := s.TokenRequests(); n != tc.requests || te.Attempts != tc.requests {
				t.Errorf("%d requests, %d attempts; want %d", n, te.Attempts, tc.requests)
			}
			noSecret(t, "error", err.Error(), tc.client.Secret, uaatest.DefaultClient.Secret)
		})
	}
}

func TestFetchRetriesThenSucceeds(t *testing.T) {
	for _, f := range []uaatest.Fault{
		{Kind: uaatest.Fault500, Count: 2},
		{Kind: uaatest.Fault503, Count: 3},
		{Kind: uaatest.FaultTruncated, Count: 1},
		{Kind: uaatest.Fault429, Count: 1}, // no Retry-After: ordinary backoff
	} {
		t.Run(f.Kind.String(), func(t *testing.T) {
			s := emulator(t, uaatest.Options{})
			s.SetFault(f)
			tok, err := quick(s, ClientOptions{}).Fetch(context.Background(), emuKey(t, s, uaatest.DefaultClient))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.VerifyToken(tok.AccessToken); err != nil {
				t.Error(err)
			}
			if n := s.TokenRequests(); n != f.Count+1 {
				t.Errorf("%d requests, want %d", n, f.Count+1)
			}
		})
	}
}

func TestFetchHonoursRetryAfter(t *testing.T) {
	s := emulator(t, uaatest.Options{})
	s.SetFault(uaatest.Fault{Kind: uaatest.Fault429, Count: 1, RetryAfter: time.Second})
	start := time.Now()
	if _, err := quick(s, ClientOptions{}).Fetch(context.Background(), emuKey(t, s, uaatest.DefaultClient)); err != nil {
		t.Fatal(err)
	}
	// The retry delay is 1ms; only Retry-After explains a second.
	if d := time.Since(start); d < time.Second || d > 5*time.Second {
		t.Errorf("took %v, want about the 1s of Retry-After", d)
	}
	if n := s.TokenRequests(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestFetchHang(t *testing.T) {
	t.Run("every attempt times out", func(t *testing.T) {
		s := emulator(t, uaatest.Options{})
		s.SetFault(uaatest.Fault{Kind: uaatest.FaultHang})
		k := emuKey(t, s, uaatest.DefaultClient)
		start := time.Now()
		_, err := quick(s, ClientOptions{AttemptTimeout: 100 * time.Millisecond, Deadline: 250 * time.Millisecond, MaxAttempts: 10}).
			Fetch(context.Background(), k)
		te := tokenError(t, err, KindTimeout)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %v with a 250ms deadline", d)
		}
		if !errors.Is(err, context.DeadlineExceeded) || te.Attempts < 2 || te.Attempts != s.TokenRequests() {
			t.Errorf("err %v, attempts %d, requests %d", err, te.Attempts, s.TokenRequests())
		}
		want := regexp.MustCompile(`^no token from ` + regexp.QuoteMeta(k.TokenURL()) + ` within 250ms \(\d attempts, last: no answer within 100ms\)$`)
		if !want.MatchString(err.Error()) {
			t.Errorf("error %q does not match %s", err, want)
		}
	})
	t.Run("one attempt hangs, the next answers", func(t *testing.T) {
		s := emulator(t, uaatest.Options{})
		s.SetFault(uaatest.Fault{Kind: uaatest.FaultHang, Count: 1})
		// Long enough for the second attempt's answer on a loaded CI machine.
		if _, err := quick(s, ClientOptions{AttemptTimeout: 500 * time.Millisecond}).Fetch(context.Background(), emuKey(t, s, uaatest.DefaultClient)); err != nil {
			t.Fatal(err)
		}
		if n := s.TokenRequests(); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
}

// waitRequests waits until the emulator has seen n token requests.
func waitRequests(t testing.TB, s *uaatest.Server, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitTokenRequests(ctx, n); err != nil {
		t.Fatal(err)
	}
}

func TestFetchCancelledCaller(t *testing.T) {
	s := emulator(t, uaatest.Options{})
	s.SetFault(uaatest.Fault{Kind: uaatest.FaultHang})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := quick(s, ClientOptions{AttemptTimeout: time.Minute, Deadline: time.Minute}).Fetch(ctx, emuKey(t, s, uaatest.DefaultClient))
		done <- err
	}()
	waitRequests(t, s, 1)
	cancel()
	select {
	case err := <-done:
		tokenError(t, err, KindCanceled)
		if !errors.Is(err, context.Canceled) || err.Error() != "token request for dox.json was cancelled" {
			t.Errorf("error %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Fetch still running 5s after its caller cancelled")
	}
}

func TestFetchX509(t *testing.T) {
	s := emulator(t, uaatest.Options{})
	for _, o := range []uaatest.X509Options{
		{}, {KeyFormat: "pkcs1"}, {ECDSA: true, KeyFormat: "ec"}, {ECDSA: true},
	} {
		id := "sb-x509-" + o.KeyFormat + "!b48751|dox-xsuaa-std-trial!b10844"
		k, err := ParseKey("x509.json", s.X509Key(id, o))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := quick(s, ClientOptions{}).Fetch(context.Background(), k)
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		if c, _ := ParseClaims(tok.AccessToken); c.ClientID != id {
			t.Errorf("token for %q, want %q", c.ClientID, id)
		}
	}
	t.Run("X509KeyJSON", func(t *testing.T) {
		k, err := ParseKey("x509.json", s.X509KeyJSON("sb-x509!b1|dox!b2", time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := quick(s, ClientOptions{}).Fetch(context.Background(), k); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("certificate UAA does not know", func(t *testing.T) {
		other := emulator(t, uaatest.Options{}) // another CA, another client list
		k, err := ParseKey("x509.json", other.X509KeyJSON("sb-x509!b1|dox!b2", time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		k.UAA.CertURL = s.CertURL
		_, err = quick(s, ClientOptions{}).Fetch(context.Background(), k)
		tokenError(t, err, KindUnauthorized)
		if err.Error() != "UAA rejected the client certificate of x509.json (401 Bad credentials)" {
			t.Errorf("error %v", err)
		}
	})
	t.Run("server not trusted", func(t *testing.T) {
		k, _ := ParseKey("x509.json", s.X509KeyJSON("sb-x509!b1|dox!b2", time.Hour))
		before := s.TokenRequests()
		_, err := NewClient(ClientOptions{}).Fetch(context.Background(), k)
		tokenError(t, err, KindTLS)
		if want := "cannot verify the TLS certificate of " + strings.TrimPrefix(s.CertURL, "https://") + ": "; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("error %q, want prefix %q", err, want)
		}
		if n := s.TokenRequests() - before; n != 0 {
			t.Errorf("%d requests reached UAA", n)
		}
	})
	t.Run("expired certificate", func(t *testing.T) {
		data := s.X509KeyJSON("sb-x509-old!b1|dox!b2", -time.Hour)
		_, err := ParseKey("x509.json", data)
		if err == nil || !regexp.MustCompile(`^x509\.json: uaa\.certificate expired on \d{4}-\d\d-\d\d \d\d:\d\d UTC; create a new service key$`).MatchString(err.Error()) {
			t.Errorf("ParseKey error %v", err)
		}
	})
}

func TestFetchRefusesPlainHTTP(t *testing.T) {
	for url, refused := range map[string]bool{
		"http://mysub.authentication.us10.hana.ondemand.com": true,
		"http://10.0.0.1:8080":                               true,
		"http://127.0.0.1:1":                                 false,
		"http://[::1]:1":                                     false,
		"http://localhost:1":                                 false,
	} {
		k := &ServiceKey{ID: "dox.json", UAA: UAA{URL: url, ClientID: testClientID, ClientSecret: testSecret}}
		_, err := quick(nil, ClientOptions{MaxAttempts: 1}).Fetch(context.Background(), k)
		var te *TokenError
		errors.As(err, &te)
		if refused {
			want := "refusing to send the credentials of dox.json over plain http to " + url + "/oauth/token; uaa.url must be https"
			if te == nil || te.Kind != KindBadKey || err.Error() != want {
				t.Errorf("%s: error %v, want %s", url, err, want)
			}
		} else if te == nil || te.Kind != KindNetwork { // port 1: nothing listens
			t.Errorf("%s: error %v, want a network error", url, err)
		}
	}
}

func TestFetchNetworkError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	// The system's own words for it: "connect: connection refused" here,
	// "connectex: No connection could be made …" on Windows.
	var refused *os.SyscallError
	if _, err := net.Dial("tcp", addr); !errors.As(err, &refused) {
		t.Fatalf("dialling a closed port: %v", err)
	}
	k := &ServiceKey{ID: "dox.json", UAA: UAA{URL: "http://" + addr, ClientID: testClientID, ClientSecret: testSecret}}
	_, err = quick(nil, ClientOptions{}).Fetch(context.Background(), k)
	te := tokenError(t, err, KindNetwork)
	if want := "cannot reach " + addr + ": " + refused.Error() + " after 4 attempts"; err.Error() != want || te.Attempts != 4 {
		t.Errorf("error %q (%d attempts), want %q", err, te.Attempts, want)
	}
}

// jwtLike finds anything that looks like a whole JWT.
var jwtLike = regexp.MustCompile(`eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]+`)

// TestNoSecretInErrors runs every failure path and checks the message for
// the secret, the private key and anything that looks like a whole token.
func TestNoSecretInErrors(t *testing.T) {
	s := emulator(t, uaatest.Options{})
	good := emuKey(t, s, uaatest.DefaultClient)
	wrong := emuKey(t, s, uaatest.Client{ID: uaatest.DefaultClient.ID, Secret: uaatest.DefaultClient.Secret + "x"})
	x509Data := s.X509KeyJSON("sb-x509!b1|dox!b2", time.Hour)
	x509, _ := ParseKey("x509.json", x509Data)
	tok, err := quick(s, ClientOptions{}).Fetch(context.Background(), good)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{uaatest.DefaultClient.Secret, wrong.UAA.ClientSecret, x509.UAA.Key, tok.AccessToken}
	check := func(name string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", name)
			return
		}
		noSecret(t, name, err.Error(), secrets...)
		if jwtLike.MatchString(err.Error()) {
			t.Errorf("%s: error holds something like a token", name)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error is more than one line", name)
		}
	}
	faults := []uaatest.FaultKind{uaatest.Fault500, uaatest.Fault503, uaatest.Fault429, uaatest.FaultHTML,
		uaatest.Fault404, uaatest.FaultTruncated, uaatest.FaultHang}
	for _, k := range []*ServiceKey{good, wrong, x509} {
		for _, f := range faults {
			s.SetFault(uaatest.Fault{Kind: f})
			_, err := quick(s, ClientOptions{AttemptTimeout: 50 * time.Millisecond, Deadline: 200 * time.Millisecond}).Fetch(context.Background(), k)
			check(k.ID+" "+f.String(), err)
		}
		s.Release()
	}
	_, err = quick(s, ClientOptions{}).Fetch(context.Background(), wrong)
	check("wrong secret", err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = quick(s, ClientOptions{}).Fetch(ctx, good)
	check("cancelled", err)
	plain := *good
	plain.UAA.URL = "http://uaa.example.com"
	_, err = quick(s, ClientOptions{}).Fetch(context.Background(), &plain)
	check("plain http", err)
	// A secret pasted into the URL field.
	pasted := *good
	pasted.UAA.URL = "https://" + pasted.UAA.ClientSecret
	_, err = quick(s, ClientOptions{MaxAttempts: 1}).Fetch(context.Background(), &pasted)
	check("secret as url", err)
	// Key validation errors.
	for _, data := range []string{
		`{"uaa": {"clientid": "c", "clientsecret": "` + uaatest.DefaultClient.Secret + `", "url": "` + uaatest.DefaultClient.Secret + `"}}`,
		`{"uaa": {"clientid": "c", "clientsecret": "` + uaatest.DefaultClient.Secret + `", "url": "https://u", "credential-type": "` + uaatest.DefaultClient.Secret + `"}}`,
		strings.Replace(string(x509Data), "BEGIN CERTIFICATE", "BEGIN CERTIFICATEX", -1),
		strings.NewReplacer("BEGIN PRIVATE", "BEGIN RSA PRIVATE", "END PRIVATE", "END RSA PRIVATE").Replace(string(x509Data)),
	} {
		_, err := ParseKey("bad.json", []byte(data))
		check("ParseKey", err)
	}
	_, err = ParseClaims(tok.AccessToken[:len(tok.AccessToken)/2] + "!!!")
	check("ParseClaims", err)
}

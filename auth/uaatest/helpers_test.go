package uaatest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doxls/doxls/auth/uaatest"
)

// start runs an emulator for the test and closes it afterwards.
func start(t *testing.T, opts uaatest.Options) *uaatest.Server {
	t.Helper()
	s, err := uaatest.New(opts)
	if err != nil {
		t.Fatalf("uaatest.New: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// answer is what a test keeps of an HTTP response.
type answer struct {
	status int
	header http.Header
	body   []byte
	err    error // from send only
}

// send is do for other goroutines: it reports errors instead of failing.
func send(req *http.Request) answer {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, body, err}
}

// json decodes the body into a map, failing the test (without printing the
// body, which may hold a token) when it is not JSON.
func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer %d is not JSON: %v", a.status, err)
	}
	return m
}

// do sends req with a short timeout and reads the whole answer.
func do(t *testing.T, c *http.Client, req *http.Request) answer {
	t.Helper()
	if c == nil {
		c = &http.Client{Timeout: 5 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return answer{resp.StatusCode, resp.Header, body, nil}
}

// tokenRequest builds POST <base>/oauth/token with a form body.
func tokenRequest(t *testing.T, base string, form url.Values) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return req
}

var clientCredentials = url.Values{"grant_type": {"client_credentials"}}

// basic is an Authorization header value with id and secret as given.
func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// redact stands in for a token or secret in failure messages.
func redact(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "<redacted len=" + strconv.Itoa(len(s)) + " sha256=" + hex.EncodeToString(sum[:4]) + ">"
}

// wantToken checks a successful token answer and returns the access token.
func wantToken(t *testing.T, a answer) string {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", a.status, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := a.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	m := a.json(t)
	tok, _ := m["access_token"].(string)
	if strings.Count(tok, ".") != 2 {
		t.Fatalf("access_token %s is not a JWT", redact(tok))
	}
	if m["token_type"] != "bearer" {
		t.Errorf("token_type %v, want bearer", m["token_type"])
	}
	if s, _ := m["scope"].(string); !strings.Contains(s, "uaa.resource") {
		t.Errorf("scope %q lacks uaa.resource", s)
	}
	if j, _ := m["jti"].(string); j == "" {
		t.Error("jti missing")
	}
	return tok
}

// wantUnauthorized checks UAA's 401 for a failed client authentication.
func wantUnauthorized(t *testing.T, a answer, description string) {
	t.Helper()
	if a.status != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401; body %s", a.status, a.body)
	}
	wantHeader := `Basic realm="UAA/client", error="unauthorized", error_description="` + description + `"`
	if got := a.header.Get("WWW-Authenticate"); got != wantHeader {
		t.Errorf("WWW-Authenticate %q, want %q", got, wantHeader)
	}
	m := a.json(t)
	if m["error"] != "unauthorized" || m["error_description"] != description {
		t.Errorf("body %s, want error unauthorized / %q", a.body, description)
	}
}

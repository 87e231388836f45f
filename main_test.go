package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/internal/testbin"
)

// doxls is the binary under test, built once by TestMain.
var doxls string

func TestMain(m *testing.M) {
	var err error
	if doxls, err = testbin.Path(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// result is one run of the binary.
type result struct {
	code           int
	stdout, stderr string
}

// runDoxls runs doxls in dir with the environment less any key variables the
// developer has set, plus env.
func runDoxls(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(doxls, args...)
	cmd.Dir = dir
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "DOX_SERVICE_KEY=") && !strings.HasPrefix(e, "VCAP_SERVICES=") && !strings.HasPrefix(e, "SSL_CERT_FILE=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errOut.String()}
}

func startUAA(t *testing.T) *uaatest.Server {
	t.Helper()
	s, err := uaatest.New(uaatest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// noSecret fails when text holds secret, without printing it.
func noSecret(t *testing.T, what, text, secret string) {
	t.Helper()
	if strings.Contains(text, secret) {
		t.Errorf("%s holds a secret (not shown)", what)
	}
}

func TestVersion(t *testing.T) {
	r := runDoxls(t, t.TempDir(), nil, "version")
	if r.code != 0 || !regexp.MustCompile(`^doxls \S+\n$`).MatchString(r.stdout) || r.stderr != "" {
		t.Errorf("version: %+v", r)
	}
}

func TestTokenPlain(t *testing.T) {
	s := startUAA(t)
	dir := t.TempDir()
	writeFile(t, dir, "dox-key.json", s.KeyJSON(uaatest.DefaultClient))
	r := runDoxls(t, dir, nil, "token", "--key", "dox-key.json")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	tok := strings.TrimSuffix(r.stdout, "\n")
	if strings.Contains(tok, "\n") {
		t.Fatal("more than one line on stdout")
	}
	if err := s.VerifyToken(tok); err != nil {
		t.Errorf("the emulator does not accept the printed token %s: %v", auth.Redact(tok), err)
	}
	noSecret(t, "stdout", r.stdout, uaatest.DefaultClient.Secret)
}

func TestTokenJSON(t *testing.T) {
	s := startUAA(t)
	dir := t.TempDir()
	writeFile(t, dir, "dox-key.json", s.KeyJSON(uaatest.DefaultClient))
	before := time.Now()
	r := runDoxls(t, dir, nil, "token", "--key", "dox-key.json", "--json", "--force")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var out struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
		ExpiresAt   string `json:"expires_at"`
		Scope       string `json:"scope"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("stdout is not the token JSON: %v", err)
	}
	if err := s.VerifyToken(out.AccessToken); err != nil {
		t.Errorf("access_token %s: %v", auth.Redact(out.AccessToken), err)
	}
	at, err := time.Parse(time.RFC3339, out.ExpiresAt)
	if err != nil {
		t.Errorf("expires_at %q: %v", out.ExpiresAt, err)
	}
	if out.TokenType != "bearer" || out.Scope == "" || out.ExpiresIn < 43190 || out.ExpiresIn > 43199 ||
		at.Before(before.Add(43190*time.Second)) || at.After(time.Now().Add(43200*time.Second)) {
		t.Errorf("token_type %q, scope %q, expires_in %d, expires_at %s", out.TokenType, out.Scope, out.ExpiresIn, out.ExpiresAt)
	}
	noSecret(t, "stdout", r.stdout, uaatest.DefaultClient.Secret)
	if n := strings.Count(r.stdout, out.AccessToken); n != 1 {
		t.Errorf("the token appears %d times in the JSON, want once (access_token)", n)
	}
}

func TestTokenWrongSecret(t *testing.T) {
	s := startUAA(t)
	dir := t.TempDir()
	wrong := uaatest.Client{ID: uaatest.DefaultClient.ID, Secret: "not-the-secret$Xk2+Qz/9a=:!|"}
	writeFile(t, dir, "keys/dox.json", s.KeyJSON(wrong))
	r := runDoxls(t, dir, nil, "token", "--key", "keys/dox.json")
	want := "doxls: UAA rejected the client id or secret of keys/dox.json (401 Bad credentials)\n"
	if r.code != 1 || r.stderr != want || r.stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", r.code, r.stdout, r.stderr, want)
	}
	noSecret(t, "stderr", r.stderr, wrong.Secret)
}

func TestTokenX509(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Go on Windows verifies servers with the system's certificate store; SSL_CERT_FILE does not reach it")
	}
	s := startUAA(t)
	dir := t.TempDir()
	writeFile(t, dir, "x509.json", s.X509KeyJSON("sb-x509!b48751|dox-xsuaa-std-trial!b10844", time.Hour))
	ca := writeFile(t, dir, "ca.pem", s.CAPEM)
	r := runDoxls(t, dir, []string{"SSL_CERT_FILE=" + ca}, "token", "--key", "x509.json")
	if r.code != 0 || s.VerifyToken(strings.TrimSpace(r.stdout)) != nil {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	// Without the CA the emulator's certificate is not trusted.
	r = runDoxls(t, dir, nil, "token", "--key", "x509.json")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "doxls: cannot verify the TLS certificate of 127.0.0.1:") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestTokenFindsKey(t *testing.T) {
	s := startUAA(t)
	key := s.KeyJSON(uaatest.DefaultClient)
	t.Run("one key in the folder", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "service-keys/dox.json", key)
		writeFile(t, dir, "package.json", []byte(`{"name": "x"}`))
		if r := runDoxls(t, dir, nil, "token"); r.code != 0 || s.VerifyToken(strings.TrimSpace(r.stdout)) != nil {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("DOX_SERVICE_KEY as JSON wins over the folder", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "a.json", key)
		writeFile(t, dir, "b.json", key)
		if r := runDoxls(t, dir, []string{"DOX_SERVICE_KEY=" + string(key)}, "token"); r.code != 0 {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("DOX_SERVICE_KEY as path", func(t *testing.T) {
		dir := t.TempDir()
		p := writeFile(t, t.TempDir(), "k.json", key)
		if r := runDoxls(t, dir, []string{"DOX_SERVICE_KEY=" + p}, "token"); r.code != 0 {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("several keys", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "dev.json", key)
		writeFile(t, dir, "keys/prod.txt", key)
		r := runDoxls(t, dir, nil, "token")
		want := "doxls: 2 service keys found in this folder; pick one with --key:\n  dev.json\n  keys/prod.txt\n"
		if r.code != 1 || r.stderr != want || r.stdout != "" {
			t.Errorf("exit %d, stderr %q; want %q", r.code, r.stderr, want)
		}
		if s.TokenRequests() != 3 {
			t.Errorf("%d token requests: a failed lookup must not fetch", s.TokenRequests())
		}
	})
	t.Run("none", func(t *testing.T) {
		r := runDoxls(t, t.TempDir(), nil, "token")
		if r.code != 1 || r.stderr != "doxls: no service key found in this folder; pass --key FILE or set DOX_SERVICE_KEY\n" {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("only a broken key", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "dox.json", []byte("{\n  \"uaa\": {\"clientid\": \"x\",\n}"))
		r := runDoxls(t, dir, nil, "token")
		want := "doxls: no usable service key in this folder; fix one or pass --key FILE:\n  dox.json:3:1: invalid JSON: invalid character '}' looking for beginning of object key string\n"
		if r.code != 1 || r.stderr != want {
			t.Errorf("exit %d, stderr %q; want %q", r.code, r.stderr, want)
		}
	})
}

func TestTokenKeyErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "broken.json", []byte("{\n  \"uaa\": {\n    \"clientid\": \"x\"\n    \"url\": \"https://u\"\n  }\n}\n"))
	writeFile(t, dir, "nosecret.json", []byte(`{"url": "https://api", "uaa": {"clientid": "c", "url": "https://u"}}`))
	for _, tc := range []struct{ key, want string }{
		{"broken.json", "doxls: broken.json:4:5: invalid JSON: invalid character '\"' after object key:value pair\n"},
		{"nosecret.json", "doxls: nosecret.json: uaa.clientsecret is missing\n"},
		{"missing.json", "doxls: missing.json: no such file\n"},
	} {
		r := runDoxls(t, dir, nil, "token", "--key", tc.key)
		if r.code != 1 || r.stderr != tc.want {
			t.Errorf("--key %s: exit %d, stderr %q; want %q", tc.key, r.code, r.stderr, tc.want)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"token", "extra"},
		{"token", "--bogus"},
		{"token", "--key"},
		{"keys", "a", "b"},
		{"frobnicate"},
	} {
		r := runDoxls(t, t.TempDir(), nil, args...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, "doxls: ") || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2", args, r.code, r.stdout, r.stderr)
		}
	}
}

func TestKeys(t *testing.T) {
	s := startUAA(t)
	dir := t.TempDir()
	writeFile(t, dir, "ws/dox.json", s.KeyJSON(uaatest.DefaultClient))
	writeFile(t, dir, "ws/keys/x509.json", s.X509KeyJSON("sb-x509!b1|dox!b2", time.Hour))
	writeFile(t, dir, "ws/broken.json", []byte(`{"uaa": {"clientid": "c", "clientsecret": "s3cr3t$+/=:!|"}}`))
	writeFile(t, dir, "ws/node_modules/k.json", s.KeyJSON(uaatest.DefaultClient))
	r := runDoxls(t, dir, nil, "keys", "ws")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	want := []string{
		`^KEY\s+TYPE\s+CLIENT ID\s+ZONE\s+API\s+CERTIFICATE EXPIRES$`,
		`^ws/dox\.json\s+binding-secret\s+` + regexp.QuoteMeta(uaatest.DefaultClient.ID) + `\s+mysub\s+` + regexp.QuoteMeta(s.APIURL) + `\s+-$`,
		`^ws/keys/x509\.json\s+x509\s+` + regexp.QuoteMeta("sb-x509!b1|dox!b2") + `\s+mysub\s+\S+\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`,
		`^warning: the client certificate of the service key keys/x509\.json expires on .* \(in \d+m\); create a new x509 key: cf create-service-key INSTANCE NEW-KEY -c '\{"credential-type":"x509"\}', or in the BTP cockpit`,
		`^problem: ws/broken\.json: uaa\.url is missing$`,
	}
	if len(lines) != len(want) {
		t.Fatalf("output:\n%s", r.stdout)
	}
	for i, w := range want {
		if !regexp.MustCompile(w).MatchString(lines[i]) {
			t.Errorf("line %d = %q, want %s", i+1, lines[i], w)
		}
	}
	noSecret(t, "keys output", r.stdout, uaatest.DefaultClient.Secret)
	noSecret(t, "keys output", r.stdout, "s3cr3t$+/=:!|")
	noSecret(t, "keys output", r.stdout, "PRIVATE KEY")

	if r := runDoxls(t, dir, nil, "keys", "nope"); r.code != 1 || r.stderr != "doxls: nope is not a folder\n" {
		t.Errorf("keys nope: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runDoxls(t, t.TempDir(), nil, "keys"); r.code != 1 || r.stderr != "doxls: no usable service key in .\n" {
		t.Errorf("keys in an empty folder: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestTokenHonoursHTTPSProxy(t *testing.T) {
	// The proxy is down: the token request goes to it (not to the host,
	// which is never resolved) and the message says so.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxy := l.Addr().String()
	l.Close()
	// The system's own words for it ("connectex: …" on Windows).
	var refused *os.SyscallError
	if _, err := net.Dial("tcp", proxy); !errors.As(err, &refused) {
		t.Fatalf("dialling a closed port: %v", err)
	}
	dir := t.TempDir()
	writeFile(t, dir, "dox.json", []byte(`{"url": "https://api.example.com", "uaa": {"clientid": "sb-x!b1|dox!b2", "clientsecret": "s3cr3t$+/=:!|", "url": "https://mysub.authentication.example.com"}}`))
	r := runDoxls(t, dir, []string{"HTTPS_PROXY=http://" + proxy, "NO_PROXY="}, "token", "--key", "dox.json")
	want := "doxls: cannot reach the proxy for mysub.authentication.example.com (HTTPS_PROXY/HTTP_PROXY): " + refused.Error() + " after 4 attempts\n"
	if r.code != 1 || r.stderr != want {
		t.Errorf("exit %d, stderr %q; want %q", r.code, r.stderr, want)
	}
}

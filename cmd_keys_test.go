package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/internal/cftest"
)

// keys --json prints the entries of doxls.loadServiceKey, with
// certificateExpiresAt on x509 keys only; :checkhealth reads it.
func TestKeysJSON(t *testing.T) {
	s := startUAA(t)
	dir := t.TempDir()
	writeFile(t, dir, "dox.json", s.KeyJSON(uaatest.DefaultClient))
	writeFile(t, dir, "keys/x509.json", s.X509Key("sb-x509!b1|dox!b2", uaatest.X509Options{ValidFor: 72 * time.Hour}))
	r := runDoxls(t, dir, nil, "keys", "--json")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var entries []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, r.stdout)
	}
	if len(entries) != 2 || entries[0]["id"] != "dox.json" || entries[1]["id"] != "keys/x509.json" {
		t.Fatalf("entries %v", entries)
	}
	if _, ok := entries[0]["certificateExpiresAt"]; ok || entries[0]["clientId"] != uaatest.DefaultClient.ID || entries[0]["credentialType"] != "binding-secret" {
		t.Errorf("secret key entry %v", entries[0])
	}
	at, err := time.Parse(time.RFC3339, entries[1]["certificateExpiresAt"].(string))
	if err != nil || at.Before(time.Now().Add(71*time.Hour)) || at.After(time.Now().Add(73*time.Hour)) {
		t.Errorf("certificateExpiresAt %v, want in 72h", entries[1]["certificateExpiresAt"])
	}
	noSecret(t, "keys --json", r.stdout, uaatest.DefaultClient.Secret)
	noSecret(t, "keys --json", r.stdout, "PRIVATE KEY")
	if strings.Contains(r.stdout, "warning") {
		t.Error("a certificate with 3 days left is warned about")
	}
	if r := runDoxls(t, t.TempDir(), nil, "keys", "--json"); r.code != 1 || r.stdout != "[]\n" {
		t.Errorf("keys --json in an empty folder: exit %d, stdout %q", r.code, r.stdout)
	}
}

// --key cf:INSTANCE/KEY reads the key with the user's cf (any version) and
// writes nothing; a failing cf is one line naming the key and what cf said.
func TestTokenFromCF(t *testing.T) {
	s := startUAA(t)
	f := cftest.New(t)
	dir := t.TempDir()
	for _, v := range []int{6, 7, 8} {
		f.ServiceKey(v, "dox", "dox-key", s.KeyJSON(uaatest.DefaultClient))
		r := runDoxls(t, dir, []string{f.Env()}, "token", "--key", "cf:dox/dox-key")
		if r.code != 0 || r.stderr != "" || s.VerifyToken(strings.TrimSpace(r.stdout)) != nil {
			t.Fatalf("cf v%d: exit %d, stderr %q", v, r.code, r.stderr)
		}
	}
	f.NotLoggedIn("service-key dox dox-key")
	r := runDoxls(t, dir, []string{f.Env()}, "token", "--key", "cf:dox/dox-key")
	if r.code != 1 || r.stderr != "doxls: cf:dox/dox-key: cf says: Not logged in. Use 'cf login' or 'cf login --sso' to log in. (run cf login, then try again)\n" {
		t.Errorf("not logged in: exit %d, stderr %q", r.code, r.stderr)
	}
	f.NoKey(8, "dox", "gone")
	r = runDoxls(t, dir, []string{f.Env()}, "init", "--key", "cf:dox/gone")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "doxls: cf:dox/gone: cf says: No service key gone found for service instance dox") {
		t.Errorf("no such key: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runDoxls(t, dir, []string{"PATH=" + t.TempDir()}, "token", "--key", "cf:dox/dox-key")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "doxls: cf:dox/dox-key: the cf CLI is not on PATH") {
		t.Errorf("without cf: exit %d, stderr %q", r.code, r.stderr)
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "*")); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}

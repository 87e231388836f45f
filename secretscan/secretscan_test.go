package secretscan

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/gitcheck"
	"github.com/doxls/doxls/internal/testbin"
	"github.com/doxls/doxls/internal/testgit"
)

// jwt is a token whose claims decode (the scanner does not check
// signatures).
const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJjbGllbnRfaWQiOiJzYi1ib3QhYjEiLCJleHAiOjE3MDAwMDAwMDB9.c2lnbmF0dXJl"

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestScanFindsExposedSecretsOnly(t *testing.T) {
	emu, err := uaatest.New(uaatest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	dir := t.TempDir()
	testgit.Init(t, dir)
	write(t, dir, ".gitignore", "*.private.env.json\nlocal/\n")
	write(t, dir, "keys/dox-key.json", string(emu.KeyJSON(uaatest.DefaultClient)))
	write(t, dir, "api/dox.http", "GET https://dox.example.com/x\nAuthorization: Bearer "+jwt+"\n###\nGET https://dox.example.com/y\nAuthorization: Bearer "+jwt+"\n")
	write(t, dir, "api/clean.http", "GET https://dox.example.com/x\nAuthorization: Bearer {{doxToken}}\n")
	write(t, dir, "api/placeholder.http", "GET https://dox.example.com/x\nAuthorization: Bearer TOKEN\n")
	write(t, dir, "api/http-client.private.env.json", `{"dev": {"doxToken": "`+jwt+`"}}`)
	write(t, dir, "api/http-client.env.json", `{"dev": {"doxToken": "`+jwt+`", "baseUrl": "x"}}`)
	write(t, dir, "api/.env", "doxToken="+jwt+"\n")
	write(t, dir, "local/dox.http", "GET /\nAuthorization: Bearer "+jwt+"\n")
	write(t, dir, "package.json", `{"name": "x"}`)
	testgit.Run(t, dir, "add", ".gitignore", "keys/dox-key.json")
	testgit.Run(t, dir, "commit", "-q", "-m", "oops")

	rep, err := Scan(context.Background(), gitcheck.New(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Message())
	}
	want := []string{
		"api/.env: holds a DOX token and is not ignored by git; add it to .gitignore",
		"api/dox.http: holds 2 DOX tokens in plain text and is not ignored by git; doxls bearer --mode envFile api/dox.http moves them to http-client.private.env.json",
		"api/http-client.env.json: holds a DOX token and is not ignored by git; move the token to http-client.private.env.json",
		"keys/dox-key.json: service key with its client secret is tracked by git; create a new key, delete this one, then git rm --cached keys/dox-key.json and add it to .gitignore",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rep.Checked != 6 || rep.Outside {
		t.Errorf("checked %d files (want 6: the four findings, the ignored env file and local/dox.http), outside %v", rep.Checked, rep.Outside)
	}
	for _, m := range got {
		if strings.Contains(m, jwt) || strings.Contains(m, uaatest.DefaultClient.Secret) {
			t.Errorf("a finding holds a secret: %s", m)
		}
	}
}

func TestScanOutsideARepository(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		testbin.Missing(t, "git", err)
	}
	dir := t.TempDir()
	write(t, dir, "dox.http", "GET /\nAuthorization: Bearer "+jwt+"\n")
	rep, err := Scan(context.Background(), gitcheck.New(), dir)
	if err != nil || len(rep.Findings) != 0 || !rep.Outside || rep.Checked != 1 {
		t.Errorf("outside a repository: %+v %v", rep, err)
	}
	if _, err := Scan(context.Background(), gitcheck.New(), filepath.Join(dir, "dox.http")); err == nil || !strings.Contains(err.Error(), "is not a folder") {
		t.Errorf("a file as folder: %v", err)
	}
}

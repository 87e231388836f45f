package commands

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doxls/doxls/envfile"
	"github.com/doxls/doxls/gitcheck"
	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/testgit"
)

func TestSettingsEnvFileMode(t *testing.T) {
	s, err := ParseSettings(json.RawMessage(`{"insertMode":"envFile","envName":"test","envFileFormat":"dotenv"}`))
	if err != nil || s.InsertMode != httpfile.ModeEnvFile || s.EnvName != "test" || s.EnvFormat != envfile.FormatDotenv {
		t.Errorf("ParseSettings = %+v, %v", s, err)
	}
	if d := DefaultSettings(); d.EnvFormat != envfile.FormatJSON || d.EnvName != "dev" {
		t.Errorf("defaults: format %q, env %q", d.EnvFormat, d.EnvName)
	}
	if _, err := ParseSettings(json.RawMessage(`{"envFileFormat":"yaml"}`)); err == nil || !strings.Contains(err.Error(), "envFileFormat must be") {
		t.Errorf("a bad envFileFormat: %v", err)
	}
}

func TestUsesEnv(t *testing.T) {
	dox := "https://dox.example.com/document-information-extraction/v1"
	opts := httpfile.Options{APIHost: "dox.example.com"}
	for src, want := range map[string]bool{
		"GET " + dox + "/x\nAuthorization: Bearer {{doxToken}}\n":                                    true,
		"GET " + dox + "/x\nAuthorization: Bearer {{ doxToken }}\n":                                  true,
		"GET https://other.example.com/x\nAuthorization: Bearer {{doxToken}}\n":                      false,
		"@doxToken = x\nGET " + dox + "/x\nAuthorization: Bearer {{doxToken}}\n":                     false,
		"GET " + dox + "/x\nAuthorization: Bearer {{$dotenv doxToken}}\n":                            false,
		"GET {{baseUrl}}/document-information-extraction/v1/x\nAuthorization: Bearer {{doxToken}}\n": true,
	} {
		if got := UsesEnv([]byte(src), opts); got != want {
			t.Errorf("UsesEnv(%q) = %v", src, got)
		}
	}
	dotenv := opts
	dotenv.Dotenv = true
	if !UsesEnv([]byte("@doxToken = x\nGET "+dox+"/x\nAuthorization: Bearer {{$dotenv doxToken}}\n"), dotenv) {
		t.Error("a {{$dotenv doxToken}} request is not seen")
	}
}

// A private environment file doxls creates in a repository is ignored
// from the start; one that exists and is not ignored gets a warning.
func TestPutEnvTokenKeepsANewFileOutOfGit(t *testing.T) {
	dir := t.TempDir()
	testgit.Init(t, dir)
	req := filepath.Join(dir, "api", "dox.http")
	os.MkdirAll(filepath.Dir(req), 0o755)
	s := DefaultSettings()
	git := gitcheck.New()
	tok := "eyJhbGciOiJub25lIn0.eyJjbGllbnRfaWQiOiJzYi14IWIxIn0.c2ln"

	res, err := PutEnvToken(context.Background(), git, EnvTargetFor(req, dir, s), tok)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "api", envfile.PrivateJSON)
	if res.Path != want || !res.Created || !res.Changed || res.IgnoredIn != filepath.Join(dir, ".gitignore") || res.Warning != "" {
		t.Errorf("PutEnvToken = %+v", res)
	}
	if st, _ := git.Check(context.Background(), want); st[0].State != gitcheck.Ignored {
		t.Errorf("the new env file is %v", st[0].State)
	}

	s.EnvFormat = envfile.FormatDotenv
	os.WriteFile(filepath.Join(dir, ".env"), []byte("API=x\n"), 0o644)
	res, err = PutEnvToken(context.Background(), git, EnvTargetFor(req, dir, s), tok)
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != filepath.Join(dir, ".env") || res.Created || res.IgnoredIn != "" || !strings.Contains(res.Warning, ".env holds the DOX token and is not ignored by git") {
		t.Errorf("PutEnvToken into an existing .env = %+v", res)
	}
	if strings.Contains(res.Warning, tok) {
		t.Error("the warning holds the token")
	}
}

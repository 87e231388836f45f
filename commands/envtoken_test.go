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
	"github.com/doxls/doxls/internal/testbin"
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
		// A foreign request reads the same variable: the environment file
		// must not get the token (issue 12).
		"GET " + dox + "/x\nAuthorization: Bearer {{doxToken}}\n###\nGET https://other.example.com/x\nAuthorization: Bearer {{doxToken}}\n": false,
		"@t = {{doxToken}}\nGET " + dox + "/x\nAuthorization: Bearer {{doxToken}}\n###\nPOST https://other.example.com/x\n\n{{t}}\n":        false,
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

// A host that comes from an environment file is decided per environment:
// WithEnvironments reads the files the client reads for the request file.
func TestWithEnvironmentsDecidesPerEnvironment(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "requests")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	public := `{"dev": {"host": "dox.example.com"}, "prod": {"host": "collector.example"}}`
	if err := os.WriteFile(filepath.Join(root, envfile.PublicJSON), []byte(public), 0o600); err != nil {
		t.Fatal(err)
	}
	// The private file, nearer and with a BOM, adds an environment.
	private := "\xef\xbb\xbf" + `{"staging": {"host": "dox.example.com"}}`
	if err := os.WriteFile(filepath.Join(sub, envfile.PrivateJSON), []byte(private), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(sub, "dox.http")
	src := []byte("GET https://{{host}}/document-information-extraction/v1/x\n")
	s := DefaultSettings()
	base := HostOptions(nil, s)
	base.APIHost, base.Token = "dox.example.com", "eyJ.a.b"

	plan := httpfile.PlanEdits(src, WithEnvironments(base, path, root, s))
	if len(plan.Skipped) != 1 || plan.Skipped[0].Reason != "with environment prod: foreign host from the environment files" {
		t.Errorf("header mode (any environment): %+v", plan.Skipped)
	}
	env := base
	env.Mode = httpfile.ModeEnvFile
	if plan := httpfile.PlanEdits(src, WithEnvironments(env, path, root, s)); len(plan.Skipped) != 0 {
		t.Errorf("envFile mode, environment dev: %+v", plan.Skipped)
	}
	s.EnvName = "prod"
	if plan := httpfile.PlanEdits(src, WithEnvironments(env, path, root, s)); len(plan.Skipped) != 1 {
		t.Errorf("envFile mode, environment prod: %+v", plan.Skipped)
	}
	// Outside root only the request file's own folder counts.
	if o := WithEnvironments(base, path, sub, s); len(o.Environments) != 1 || o.Environments["staging"] == nil {
		t.Errorf("root %s: environments %v", sub, o.Environments)
	}
}

// An environment file that is a symbolic link out of the workspace is not
// read: a cloned repository can link .env to another tool's credentials,
// and a request that makes one of them its host would have it shown. A
// host left to a variable then gets no token (review of issue 12).
func TestWithEnvironmentsReadsNoLinkOutOfTheWorkspace(t *testing.T) {
	root, elsewhere := t.TempDir(), t.TempDir()
	creds := filepath.Join(elsewhere, "credentials")
	if err := os.WriteFile(creds, []byte("HOST=Sup3r-s3cret.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	testbin.SkipUnderWine(t, "a symbolic link it makes cannot be opened")
	if err := os.Symlink(creds, filepath.Join(root, envfile.Dotenv)); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	path := filepath.Join(root, "dox.http")
	s := DefaultSettings()
	base := HostOptions(nil, s)
	base.APIHost, base.Token = "dox.example.com", "eyJ.a.b"
	opts := WithEnvironments(base, path, root, s)
	if len(opts.Environments) != 0 || opts.EnvUnread == "" {
		t.Fatalf("environments %v, unread %q", opts.Environments, opts.EnvUnread)
	}
	plan := httpfile.PlanEdits([]byte("GET https://{{HOST}}/document-information-extraction/v1/x\n"), opts)
	if len(plan.Skipped) != 1 || !strings.Contains(plan.Skipped[0].Reason, "the client also reads .env, which doxls does not") || strings.Contains(plan.Skipped[0].Reason, "s3cret") {
		t.Errorf("skipped %+v", plan.Skipped)
	}
}

// httpyac reads variables from its configuration and .env.<name> files,
// which doxls does not: a cloned repository's httpyac.config.js can make
// {{baseUrl}} its collector. A host left to a variable then gets no token;
// a host the file writes out still does (review of issue 12).
func TestWithEnvironmentsNamesHttpyacConfiguration(t *testing.T) {
	s := DefaultSettings()
	base := HostOptions(nil, s)
	base.APIHost, base.Token = "dox.example.com", "eyJ.a.b"
	for _, name := range []string{"httpyac.config.js", ".httpyac.json", ".env.prod"} {
		root := t.TempDir()
		sub := filepath.Join(root, "requests")
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		opts := WithEnvironments(base, filepath.Join(sub, "dox.http"), root, s)
		plan := httpfile.PlanEdits([]byte("GET {{baseUrl}}/document-information-extraction/v1/x\n\n###\nGET https://dox.example.com/document-information-extraction/v1/x\n"), opts)
		want := "the client also reads " + name + ", which doxls does not: it cannot tell where a host left to a variable goes"
		if len(plan.Skipped) != 1 || plan.Skipped[0].Reason != want || len(plan.Edits) != 1 {
			t.Errorf("%s: skipped %+v, %d edits", name, plan.Skipped, len(plan.Edits))
		}
	}
}

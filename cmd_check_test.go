package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/envfile"
	"github.com/doxls/doxls/internal/testgit"
)

// The JetBrains way: the API's base URL in the shared http-client.env.json,
// the token in the private file beside it, which doxls creates, keeps out
// of git and rewrites on the next run; httpyac sends the requests with
// --env dev and the API stub sees the token.
func TestBearerEnvFileModeFeedsHttpyac(t *testing.T) {
	emu := startUAA(t)
	dir := t.TempDir()
	testgit.Init(t, dir)
	writeFile(t, dir, ".gitignore", []byte("dox-key.json\n"))
	writeFile(t, dir, "dox-key.json", emu.KeyJSON(uaatest.DefaultClient))
	public := "{\n\t\"dev\": {\n\t\t\"host\": \"" + emu.APIURL + "\"\n\t},\n\t\"prod\": {\n\t\t\"host\": \"https://dox.example.com\"\n\t}\n}\n"
	writeFile(t, dir, "api/"+envfile.PublicJSON, []byte(public))
	before := "# DOX with the JetBrains environment files\r\n" +
		"GET {{host}}/document-information-extraction/v1/capabilities\r\n" +
		"Authorization: Bearer " + staleToken + "\r\n" +
		"\r\n###\r\n" +
		"GET {{host}}/document-information-extraction/v1/document/jobs\r\nAccept: application/json\r\n"
	req := writeFile(t, dir, "api/dox.http", []byte(before))

	res := runDoxls(t, dir, nil, "bearer", "--key", "dox-key.json", "--mode", "envFile", "api/dox.http")
	private := filepath.Join(dir, "api", envfile.PrivateJSON)
	env, err := os.ReadFile(private)
	if err != nil {
		t.Fatalf("doxls bearer --mode envFile: exit %d, stdout %q, stderr %q; no private env file: %v", res.code, res.stdout, res.stderr, err)
	}
	token, _, _ := envfile.LookupJSON(env, "dev", "doxToken")
	noSecret(t, "doxls output", res.stdout+res.stderr, token)
	wantOut := "api/dox.http: 2 edit(s)\n" +
		"api/dox.http: token written to new " + filepath.Join("api", envfile.PrivateJSON) + " (environment dev)\n" +
		filepath.Join("api", envfile.PrivateJSON) + ": added to .gitignore\n"
	if res.code != 0 || res.stdout != wantOut || res.stderr != "" {
		t.Fatalf("doxls bearer --mode envFile: exit %d\nstdout %q\nstderr %q\nwant stdout %q", res.code, res.stdout, res.stderr, wantOut)
	}
	after, _ := os.ReadFile(req)
	if want := strings.ReplaceAll(before, staleToken, "{{doxToken}}") + "Authorization: Bearer {{doxToken}}\r\n"; string(after) != want {
		t.Errorf("dox.http:\n%q\nwant\n%q", after, want)
	}
	if string(env) != "{\n  \"dev\": {\n    \"doxToken\": \""+token+"\"\n  }\n}\n" {
		t.Errorf("private env file: %q", hideToken(string(env), token))
	}
	if st, _ := os.Stat(private); st.Mode().Perm() != 0o600 {
		t.Errorf("private env file mode %v, want 0600", st.Mode().Perm())
	}
	if out := testgit.Run(t, dir, "status", "--porcelain", "--untracked-files=all"); strings.Contains(out, "private") {
		t.Errorf("git would add the private env file:\n%s", out)
	}
	if pub, _ := os.ReadFile(filepath.Join(dir, "api", envfile.PublicJSON)); string(pub) != public {
		t.Error("the shared env file changed")
	}

	// A second run (a new token): only the value changes.
	again := runDoxls(t, dir, nil, "bearer", "--key", "dox-key.json", "--mode", "envFile", "api/dox.http")
	env2, _ := os.ReadFile(private)
	token2, _, _ := envfile.LookupJSON(env2, "dev", "doxToken")
	if want := strings.Replace(string(env), token, token2, 1); string(env2) != want || again.code != 0 {
		t.Errorf("second run: exit %d, env file %q", again.code, hideToken(hideToken(string(env2), token2), token))
	}
	if token2 != token && !strings.Contains(again.stdout, "api/dox.http: 0 edit(s)\napi/dox.http: token written to "+filepath.Join("api", envfile.PrivateJSON)) {
		t.Errorf("second run stdout %q", again.stdout)
	}

	runHttpyac(t, filepath.Join(dir, "api"), token2, "dox.http", "--all", "--env", "dev", "--output", "none")
	want := []string{
		"GET /document-information-extraction/v1/capabilities authorized=true",
		"GET /document-information-extraction/v1/document/jobs authorized=true",
	}
	if got := apiCalls(emu); !slices.Equal(got, want) {
		t.Errorf("the DOX API stub received:\n %s\nwant:\n %s", strings.Join(got, "\n "), strings.Join(want, "\n "))
	}
}

// REST Client's way, which httpyac reads as well: the token in .env, the
// requests with {{$dotenv doxToken}}.
func TestBearerEnvFileModeDotenv(t *testing.T) {
	emu := startUAA(t)
	dir := t.TempDir() // not a repository: nothing to ignore, no warning
	writeFile(t, dir, "dox-key.json", emu.KeyJSON(uaatest.DefaultClient))
	writeFile(t, dir, ".env", []byte("# other settings stay\nAPI_USER=me@example.com"))
	api := emu.APIURL + "/document-information-extraction/v1"
	req := writeFile(t, dir, "dox.http", []byte("GET "+api+"/capabilities\n"))

	res := runDoxls(t, dir, nil, "bearer", "--key", "dox-key.json", "--mode", "envFile", "--env-format", "dotenv", "dox.http")
	env, _ := os.ReadFile(filepath.Join(dir, ".env"))
	token, _ := envfile.LookupDotenv(env, "doxToken")
	if res.code != 0 || res.stdout != "dox.http: 1 edit(s)\ndox.http: token written to .env\n" || res.stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", res.code, hideToken(res.stdout, token), hideToken(res.stderr, token))
	}
	if string(env) != "# other settings stay\nAPI_USER=me@example.com\ndoxToken="+token+"\n" {
		t.Errorf(".env = %q", hideToken(string(env), token))
	}
	if got, _ := os.ReadFile(req); string(got) != "GET "+api+"/capabilities\nAuthorization: Bearer {{$dotenv doxToken}}\n" {
		t.Errorf("dox.http = %q", got)
	}
	runHttpyac(t, dir, token, "dox.http", "--all", "--output", "none")
	if got := apiCalls(emu); !slices.Equal(got, []string{"GET /document-information-extraction/v1/capabilities authorized=true"}) {
		t.Errorf("the DOX API stub received %q", got)
	}

	if bad := runDoxls(t, dir, nil, "bearer", "--mode", "envFile", "--env-format", "yaml", "dox.http"); bad.code != 2 || !strings.Contains(bad.stderr, "--env-format must be json or dotenv") {
		t.Errorf("--env-format yaml: exit %d, stderr %q", bad.code, bad.stderr)
	}
}

// docBlock is the code block between <!-- doxls:NAME:begin --> and
// <!-- doxls:NAME:end --> in docs/cli.md, without its fences.
func docBlock(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "<!-- doxls:"+name+":begin -->\n")
	block, _, ok2 := strings.Cut(rest, "<!-- doxls:"+name+":end -->")
	if !ok || !ok2 {
		t.Fatalf("docs/cli.md has no %s block", name)
	}
	lines := strings.Split(strings.TrimSpace(block), "\n")
	return strings.Join(lines[1:len(lines)-1], "\n") + "\n"
}

// doxls check as the pre-commit hook of docs/cli.md: a commit that would
// take a service key or a token fails with one line per file, and passes
// once they are out of git.
func TestCheckAsPreCommitHook(t *testing.T) {
	emu := startUAA(t)
	dir := t.TempDir()
	testgit.Init(t, dir)
	install := exec.Command("sh", "-e", "-c", docBlock(t, "pre-commit"))
	install.Dir = dir
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("the hook recipe of docs/cli.md: %v\n%s", err, out)
	}
	writeFile(t, dir, "keys/dox-key.json", emu.KeyJSON(uaatest.DefaultClient))
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJjbGllbnRfaWQiOiJzYi1ib3QhYjEiLCJleHAiOjE3MDAwMDAwMDB9.c2lnbmF0dXJl"
	writeFile(t, dir, "req/dox.http", []byte("GET "+emu.APIURL+"/document-information-extraction/v1/capabilities\nAuthorization: Bearer "+jwt+"\n"))
	writeFile(t, dir, "README.md", []byte("# DOX requests\n"))

	commit := func() (string, error) {
		t.Helper()
		testgit.Run(t, dir, "add", "README.md")
		cmd := exec.Command("git", "-C", dir, "commit", "-q", "-m", "docs")
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(doxls)+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := commit()
	wantOut := "keys/dox-key.json: service key with its client secret is not ignored by git; add it to .gitignore\n" +
		"req/dox.http: holds a DOX token in plain text and is not ignored by git; doxls bearer --mode envFile req/dox.http moves them to http-client.private.env.json\n" +
		"doxls: 2 file(s) in . expose secrets to git\n"
	if err == nil || out != wantOut {
		t.Fatalf("commit with exposed secrets: err %v, output:\n%s\nwant:\n%s", err, out, wantOut)
	}
	noSecret(t, "hook output", out, uaatest.DefaultClient.Secret)
	noSecret(t, "hook output", out, jwt)
	if exec.Command("git", "-C", dir, "rev-parse", "--verify", "-q", "HEAD").Run() == nil {
		t.Fatal("the hook let the commit through")
	}

	writeFile(t, dir, ".gitignore", []byte("keys/\n*.http\n"))
	testgit.Run(t, dir, "add", ".gitignore")
	if out, err := commit(); err != nil {
		t.Fatalf("commit after ignoring: %v\n%s", err, out)
	}
	res := runDoxls(t, dir, nil, "check")
	if res.code != 0 || res.stdout != "no secrets exposed to git (2 file(s) with secrets checked)\n" {
		t.Errorf("doxls check: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}

	// Tracked is worse than not ignored: ignoring alone does not help.
	testgit.Run(t, dir, "add", "-f", "req/dox.http")
	res = runDoxls(t, dir, nil, "check", ".")
	if want := "req/dox.http: holds a DOX token in plain text and is tracked by git;"; res.code != 1 || !strings.HasPrefix(res.stdout, want) {
		t.Errorf("doxls check with a tracked token: exit %d, stdout %q", res.code, res.stdout)
	}

	outside := t.TempDir()
	writeFile(t, outside, "dox-key.json", emu.KeyJSON(uaatest.DefaultClient))
	res = runDoxls(t, outside, nil, "check")
	if res.code != 0 || res.stdout != ". is not in a git repository; nothing is exposed to git\n" {
		t.Errorf("doxls check outside git: exit %d, stdout %q", res.code, res.stdout)
	}
	if res := runDoxls(t, outside, nil, "check", "a", "b"); res.code != 2 {
		t.Errorf("two folders: exit %d", res.code)
	}
}

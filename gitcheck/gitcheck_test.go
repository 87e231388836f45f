package gitcheck

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doxls/doxls/internal/testbin"
)

// repo is a real git repository in a temp folder.
type repo struct {
	t   *testing.T
	dir string
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		testbin.Missing(t, "git", err)
	}
	r := &repo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	r.git("config", "user.name", "Doxls Test")
	r.git("config", "user.email", "doxls-test@example.com")
	r.git("config", "commit.gpgsign", "false")
	return r
}

func (r *repo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.dir}, args...)...)
	cmd.Env = gitEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (r *repo) write(rel, content string) string {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
	return p
}

func states(t *testing.T, c *Checker, paths ...string) []State {
	t.Helper()
	res, err := c.Check(context.Background(), paths...)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	out := make([]State, len(res))
	for i, s := range res {
		out[i] = s.State
	}
	return out
}

func expect(t *testing.T, c *Checker, want map[string]State) {
	t.Helper()
	var paths []string
	var states []State
	for p, s := range want {
		paths = append(paths, p)
		states = append(states, s)
	}
	res, err := c.Check(context.Background(), paths...)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	for i, s := range res {
		if s.State != states[i] {
			t.Errorf("%s: %v, want %v", paths[i], s.State, states[i])
		}
	}
}

func TestTrackedUntrackedIgnoredAndNestedGitignores(t *testing.T) {
	r := newRepo(t)
	r.write(".gitignore", "*.private.env.json\nsecrets/\n*.http\n")
	tracked := r.write("keys/dox-key.json", `{"clientid": "sb-x!b1|dox!b2"}`)
	r.git("add", "-f", ".gitignore", "keys/dox-key.json")
	r.git("commit", "-q", "-m", "init")
	untracked := r.write("keys/other-key.json", "{}")
	envFile := r.write("api/http-client.private.env.json", "{}")
	inSecrets := r.write("secrets/key.txt", "x")
	// Nested: api/.gitignore ignores *.txt there; req/.gitignore takes
	// *.http back in for its folder.
	r.write("api/.gitignore", "*.txt\n")
	nestedIgnored := r.write("api/notes.txt", "x")
	r.write("req/.gitignore", "!dox.http\n")
	reincluded := r.write("req/dox.http", "GET /")
	ignoredHTTP := r.write("other/dox.http", "GET /")
	spaced := r.write("my keys/key #1 [prod]!.json", "{}")

	c := New()
	expect(t, c, map[string]State{
		tracked: Tracked, untracked: Untracked, envFile: Ignored, inSecrets: Ignored,
		nestedIgnored: Ignored, reincluded: Untracked, ignoredHTTP: Ignored, spaced: Untracked,
		filepath.Join(r.dir, "not-there-yet.json"): Untracked,
	})
	if s, _ := c.Cached(tracked); s.Root == "" || s.Rel != "keys/dox-key.json" {
		t.Errorf("tracked: root %q rel %q", s.Root, s.Rel)
	}

	// The answers are cached: asking again starts no git process.
	runs := c.Runs()
	expect(t, c, map[string]State{tracked: Tracked, untracked: Untracked})
	if c.Runs() != runs {
		t.Errorf("a second Check ran git %d more times, want 0", c.Runs()-runs)
	}
	r.git("add", "keys/other-key.json")
	expect(t, c, map[string]State{untracked: Untracked}) // still the cached answer
	c.Forget(untracked)
	expect(t, c, map[string]State{untracked: Tracked})
}

func TestRepositoryWithoutCommits(t *testing.T) {
	r := newRepo(t)
	r.write(".gitignore", ".env\n")
	staged := r.write("dox.http", "GET /")
	r.git("add", "dox.http")
	c := New()
	expect(t, c, map[string]State{
		staged:                     Tracked,
		r.write("keys.json", "{}"): Untracked,
		r.write(".env", "A=1"):     Ignored,
	})
}

func TestFolderOutsideAnyRepository(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		testbin.Missing(t, "git", err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "dox-key.json")
	os.WriteFile(p, []byte("{}"), 0o600)
	c := New()
	res, err := c.Check(context.Background(), p)
	if err != nil || res[0].State != Outside || res[0].State.Exposed() {
		t.Fatalf("outside a repository: %+v %v", res, err)
	}
	if _, err := c.Ignore(context.Background(), p, false); err == nil || !strings.Contains(err.Error(), "not in a git repository") {
		t.Errorf("Ignore outside a repository: %v", err)
	}
}

func TestIgnoreWritesTheNearestGitignore(t *testing.T) {
	r := newRepo(t)
	r.write(".gitignore", "node_modules/\r\n*.log") // CRLF, no final newline
	key := r.write("keys/key #1 [prod]!.json", "{}")
	c := New()
	res, err := c.Ignore(context.Background(), key, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(r.dir, ".gitignore"); res.GitIgnore != want || res.Pattern != `/keys/key #1 \[prod]!.json` {
		t.Errorf("Ignore wrote %q to %s", res.Pattern, res.GitIgnore)
	}
	if b, _ := os.ReadFile(filepath.Join(r.dir, ".gitignore")); string(b) != "node_modules/\r\n*.log\r\n/keys/key #1 \\[prod]!.json\r\n" {
		t.Errorf(".gitignore = %q", b)
	}
	expect(t, c, map[string]State{key: Ignored, r.write("keys/key #1 p!.json", "{}"): Untracked})

	// A deeper .gitignore that takes *.http back in: the pattern goes
	// there, below the rule it must override.
	r.write(".gitignore", "*.http\n")
	r.write("req/.gitignore", "!*.http\n")
	req := r.write("req/dox.http", "GET /")
	expect(t, c, map[string]State{req: Untracked})
	res, err = c.Ignore(context.Background(), req, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.GitIgnore != filepath.Join(r.dir, "req", ".gitignore") || res.Pattern != "/dox.http" {
		t.Errorf("Ignore wrote %q to %s", res.Pattern, res.GitIgnore)
	}
	expect(t, c, map[string]State{req: Ignored})
}

func TestIgnoreUntracksATrackedFile(t *testing.T) {
	r := newRepo(t)
	tracked := r.write("dox.http", "GET /\nAuthorization: Bearer eyJ.x.y\n")
	other := r.write("other.http", "GET /")
	r.git("add", ".")
	r.git("commit", "-q", "-m", "requests")
	c := New()

	res, err := c.Ignore(context.Background(), other, false)
	if err != nil || !res.StillTracked || res.Untracked {
		t.Fatalf("Ignore without untrack: %+v %v", res, err)
	}
	expect(t, c, map[string]State{other: Tracked})

	res, err = c.Ignore(context.Background(), tracked, true)
	if err != nil || !res.Untracked {
		t.Fatalf("Ignore with untrack: %+v %v", res, err)
	}
	expect(t, c, map[string]State{tracked: Ignored})
	if _, err := os.Stat(tracked); err != nil {
		t.Errorf("the working file is gone: %v", err)
	}
	if out := r.git("status", "--porcelain", "--", "dox.http"); !strings.HasPrefix(out, "D  dox.http") {
		t.Errorf("git status after untrack: %q, want a staged deletion", out)
	}
}

func TestHookEnvironmentDoesNotMisleadGit(t *testing.T) {
	r := newRepo(t)
	p := r.write("dox.http", "GET /")
	other := newRepo(t)
	// A pre-commit hook of another repository exports these.
	t.Setenv("GIT_DIR", filepath.Join(other.dir, ".git"))
	t.Setenv("GIT_INDEX_FILE", filepath.Join(other.dir, ".git", "index"))
	expect(t, New(), map[string]State{p: Untracked})
}

// git.exe is found through PATHEXT on Windows; a git.cmd shim is refused,
// since cmd.exe would parse the file names handed to it again.
func TestLookGit(t *testing.T) {
	found := func(p string) func(string) (string, error) {
		return func(string) (string, error) { return p, nil }
	}
	for _, c := range []struct {
		goos, found string
		ok          bool
	}{
		{"windows", `C:\Program Files\Git\cmd\git.exe`, true},
		{"windows", `C:\Program Files\Git\cmd\GIT.EXE`, true},
		{"windows", `C:\tools\git.cmd`, false},
		{"windows", `C:\tools\git.BAT`, false},
		{"linux", "/usr/bin/git", true},
		{"darwin", "/opt/homebrew/bin/git", true},
	} {
		p, err := lookGit(c.goos, found(c.found))
		if c.ok && (err != nil || p != c.found) || !c.ok && !errors.Is(err, ErrNoGit) {
			t.Errorf("%s %s: %q, %v", c.goos, c.found, p, err)
		}
	}
	missing := func(string) (string, error) { return "", &exec.Error{Name: "git", Err: exec.ErrNotFound} }
	if _, err := lookGit("windows", missing); err != ErrNoGit {
		t.Errorf("no git: %v, want ErrNoGit", err)
	}
}

// A path is one rule: a line break in it would add a rule of the caller's
// choosing ("!dox-key.json" takes the key back in), so it is refused and
// .gitignore keeps every byte.
func TestIgnoreRefusesPathsThatWouldAddRules(t *testing.T) {
	r := newRepo(t)
	r.write(".gitignore", "dox-key.json\n")
	for _, name := range []string{"a.http\n!dox-key.json", "a.http\r!dox-key.json", "esc\x1b.http", "del\x7f.http"} {
		_, err := New().Ignore(context.Background(), filepath.Join(r.dir, name), false)
		if err == nil || !strings.Contains(err.Error(), "cannot express") || strings.ContainsAny(err.Error(), "\r\n") {
			t.Errorf("Ignore(%q): %q", name, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(r.dir, ".gitignore")); string(b) != "dox-key.json\n" {
		t.Errorf(".gitignore = %q", b)
	}
	for in, want := range map[string]string{"#x": `\#x`, "!x": `\!x`, "a/!b": `a/\!b`, `a\b*?[c]`: `a\\b\*\?\[c]`, "sp  ": `sp\ \ `} {
		if got, err := escapePattern(in); err != nil || got != want {
			t.Errorf("escapePattern(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// git rm --cached failing after .gitignore changed (here: another git
// holds the index lock) leaves .gitignore as it was, or removes the one
// doxls created.
func TestIgnoreRollsBackWhenUntrackFails(t *testing.T) {
	for _, existing := range []bool{true, false} {
		r := newRepo(t)
		if existing {
			r.write(".gitignore", "*.log\r\n")
		}
		tracked := r.write("dox.http", "GET /\n")
		r.git("add", "dox.http")
		r.git("commit", "-q", "-m", "requests")
		lock := filepath.Join(r.dir, ".git", "index.lock")
		if err := os.WriteFile(lock, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		c := New()
		_, err := c.Ignore(context.Background(), tracked, true)
		if err == nil || !strings.Contains(err.Error(), "rm --cached") {
			t.Errorf("Ignore with a locked index: %v", err)
		}
		b, rerr := os.ReadFile(filepath.Join(r.dir, ".gitignore"))
		if existing && string(b) != "*.log\r\n" || !existing && rerr == nil {
			t.Errorf("after the failed edit .gitignore = %q (%v)", b, rerr)
		}
		os.Remove(lock)
		expect(t, c, map[string]State{tracked: Tracked})
	}
}

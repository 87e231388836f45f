// Package gitcheck tells whether files that hold secrets (service keys,
// request files with tokens, private environment files) would end up in a
// git repository: tracked, or untracked but not ignored, so that
// "git add ." would take them.
//
// It asks git itself (rev-parse, ls-files, check-ignore), which honours
// every .gitignore level, .git/info/exclude and core.excludesFile, and
// caches each answer: a language server asks once per file per session,
// not on every keystroke. A repository without commits and a folder
// outside any repository both work.
package gitcheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// State is where a file stands with git.
type State int

const (
	Outside   State = iota // not in a git work tree
	Ignored                // untracked and ignored
	Untracked              // untracked and not ignored: "git add ." takes it
	Tracked                // in the index: it is (or will be) committed
)

func (s State) String() string {
	return [...]string{"outside git", "ignored", "not ignored", "tracked"}[s]
}

// Exposed reports a state in which the file's content reaches the
// repository, now or with the next "git add .".
func (s State) Exposed() bool { return s == Untracked || s == Tracked }

// Status is the answer for one file.
type Status struct {
	Path  string // as asked, made absolute
	State State
	Root  string // the work tree's top level; "" outside
	Rel   string // the path relative to Root, with forward slashes
}

// Describe says in a few words what the state means for a secret in the file.
func (s Status) Describe() string {
	switch s.State {
	case Tracked:
		return "is tracked by git"
	case Untracked:
		return "is not ignored by git"
	case Ignored:
		return "is ignored by git"
	}
	return "is not in a git repository"
}

// Checker runs git and caches its answers. The zero value is not usable;
// call New.
type Checker struct {
	mu    sync.Mutex
	files map[string]Status
	roots map[string]string // folder → top level ("" outside)
	// Runs counts git processes started (tests check the cache with it).
	runs int
}

// New returns a Checker with an empty cache.
func New() *Checker {
	return &Checker{files: map[string]Status{}, roots: map[string]string{}}
}

// Runs is the number of git processes started so far.
func (c *Checker) Runs() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runs
}

// Forget drops the cached answers for paths (after they or a .gitignore
// changed), or every answer when none are given.
func (c *Checker) Forget(paths ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(paths) == 0 {
		c.files = map[string]Status{}
		c.roots = map[string]string{}
		return
	}
	for _, p := range paths {
		delete(c.files, key(p))
	}
}

// Cached returns the answer for path if one is cached.
func (c *Checker) Cached(path string) (Status, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.files[key(path)]
	return s, ok
}

func key(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// Check answers for each path, in order: one rev-parse per new folder and
// one ls-files and one check-ignore per repository for the paths not
// cached yet. Paths need not exist.
func (c *Checker) Check(ctx context.Context, paths ...string) ([]Status, error) {
	out := make([]Status, len(paths))
	byRoot := map[string][]int{}
	for i, p := range paths {
		abs := key(p)
		if s, ok := c.Cached(abs); ok {
			out[i] = s
			continue
		}
		root, real, err := c.locate(ctx, abs)
		if err != nil {
			return nil, err
		}
		out[i] = Status{Path: abs, Root: root}
		if root == "" {
			continue
		}
		rel, err := filepath.Rel(root, real)
		if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
			out[i].Root = "" // the .git folder itself, or beyond the work tree
			continue
		}
		out[i].Rel = filepath.ToSlash(rel)
		byRoot[root] = append(byRoot[root], i)
	}
	for root, idx := range byRoot {
		if err := c.classify(ctx, root, out, idx); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	for _, s := range out {
		c.files[s.Path] = s
	}
	c.mu.Unlock()
	return out, nil
}

// locate returns the work tree holding abs and abs with its folder's
// symbolic links resolved (git answers with resolved paths).
func (c *Checker) locate(ctx context.Context, abs string) (root, real string, err error) {
	dir := filepath.Dir(abs)
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		dir = r
	}
	real = filepath.Join(dir, filepath.Base(abs))
	c.mu.Lock()
	root, ok := c.roots[dir]
	c.mu.Unlock()
	if ok {
		return root, real, nil
	}
	probe := dir
	for !isDir(probe) { // a file about to be created in a folder that is not there yet
		parent := filepath.Dir(probe)
		if parent == probe {
			break
		}
		probe = parent
	}
	res, err := c.git(ctx, probe, nil, "rev-parse", "--show-toplevel")
	switch {
	case err != nil:
		return "", "", err
	case res.code == 0:
		root = strings.TrimRight(string(res.stdout), "\r\n")
	case res.code == 128:
		root = "" // not a repository, or inside .git
	default:
		return "", "", res.fail("rev-parse")
	}
	c.mu.Lock()
	c.roots[dir] = root
	c.mu.Unlock()
	return root, real, nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// classify fills the states of out[idx], all in the work tree root.
func (c *Checker) classify(ctx context.Context, root string, out []Status, idx []int) error {
	args := []string{"ls-files", "-z", "--cached", "--"}
	for _, i := range idx {
		args = append(args, literal(out[i].Rel))
	}
	res, err := c.git(ctx, root, nil, args...)
	if err != nil {
		return err
	}
	if res.code != 0 {
		return res.fail("ls-files")
	}
	tracked := nulSet(res.stdout)
	var stdin bytes.Buffer
	var rest []int
	for _, i := range idx {
		if tracked[out[i].Rel] {
			out[i].State = Tracked
			continue
		}
		rest = append(rest, i)
		stdin.WriteString(out[i].Rel)
		stdin.WriteByte(0)
	}
	if len(rest) == 0 {
		return nil
	}
	res, err = c.git(ctx, root, stdin.Bytes(), "check-ignore", "-z", "--stdin")
	if err != nil {
		return err
	}
	if res.code != 0 && res.code != 1 { // 1: none of them is ignored
		return res.fail("check-ignore")
	}
	ignored := nulSet(res.stdout)
	for _, i := range rest {
		if ignored[out[i].Rel] {
			out[i].State = Ignored
		} else {
			out[i].State = Untracked
		}
	}
	return nil
}

// literal makes a pathspec match the path itself only, whatever glob
// characters it holds (check-ignore takes plain paths instead).
func literal(rel string) string { return ":(literal)" + rel }

func nulSet(b []byte) map[string]bool {
	set := map[string]bool{}
	for _, p := range strings.Split(string(b), "\x00") {
		if p != "" {
			set[p] = true
		}
	}
	return set
}

type result struct {
	stdout, stderr []byte
	code           int
}

// fail is the error of a git command that answered with an unexpected
// status: its first line of stderr.
func (r result) fail(what string) error {
	msg, _, _ := strings.Cut(strings.TrimSpace(string(r.stderr)), "\n")
	if msg == "" {
		msg = fmt.Sprintf("exit status %d", r.code)
	}
	return fmt.Errorf("git %s: %s", what, msg)
}

// ErrNoGit is returned when git cannot be run.
var ErrNoGit = errors.New("git is not installed or not on PATH; doxls needs it to tell whether secrets are ignored")

// git runs git in dir with an environment that cannot point it at another
// repository (a pre-commit hook exports GIT_DIR and GIT_INDEX_FILE).
func (c *Checker) git(ctx context.Context, dir string, stdin []byte, args ...string) (result, error) {
	c.mu.Lock()
	c.runs++
	c.mu.Unlock()
	bin, err := lookGit(runtime.GOOS, exec.LookPath)
	if err != nil {
		return result{}, err
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{"-C", dir}, args...)...)
	cmd.Env = gitEnv()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	res := result{stdout: stdout.Bytes(), stderr: stderr.Bytes()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	case ctx.Err() != nil:
		return res, ctx.Err()
	default:
		return res, fmt.Errorf("running git: %w", err)
	}
	return res, nil
}

// lookGit finds git on PATH (git.exe on Windows, where LookPath tries
// PATHEXT's extensions). Only a program is taken there: a git.cmd or git.bat
// runs through cmd.exe, which would parse the file names passed to it again,
// and a name from a cloned repository may hold `&`.
func lookGit(goos string, look func(string) (string, error)) (string, error) {
	p, err := look("git")
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return "", ErrNoGit
	case err != nil:
		return "", fmt.Errorf("%w (%v)", ErrNoGit, err)
	case goos == "windows" && !strings.EqualFold(filepath.Ext(p), ".exe"):
		return "", fmt.Errorf("%w (the git on PATH is %s, a script; doxls runs git.exe only)", ErrNoGit, p)
	}
	return p, nil
}

// repoVars locate a repository; git must find it from the folder instead.
var repoVars = []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR",
	"GIT_PREFIX", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE"}

func gitEnv() []string {
	env := os.Environ()
	out := env[:0:0]
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, v := range repoVars {
			drop = drop || name == v
		}
		if !drop && name != "LC_ALL" && name != "GIT_OPTIONAL_LOCKS" && !strings.HasSuffix(name, "_PATHSPECS") {
			out = append(out, kv)
		}
	}
	sort.Strings(out)
	return append(out, "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C")
}

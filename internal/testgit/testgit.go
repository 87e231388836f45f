// Package testgit makes git repositories for tests: git from PATH, one
// identity, no commit signing, and an environment without the repository
// variables a git hook exports (the tests may run inside a hook of the
// repository they were checked out in, and must not touch it).
package testgit

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/doxls/doxls/internal/testbin"
)

// Init makes dir a git repository on branch main, without commits. A
// machine without git skips the test (fails it where tools are required).
func Init(t testing.TB, dir string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		testbin.Missing(t, "git", err)
	}
	Run(t, dir, "init", "-q", "-b", "main")
	Run(t, dir, "config", "user.name", "Doxls Test")
	Run(t, dir, "config", "user.email", "doxls-test@example.com")
	Run(t, dir, "config", "commit.gpgsign", "false")
}

// Run runs git in dir and fails t when git fails; it returns the output.
func Run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := Try(dir, args...)
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// Try runs git in dir and returns its combined output and error, for a
// test that expects git to fail.
func Try(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = Env()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// hookVars locate a repository; a hook exports them.
var hookVars = []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR",
	"GIT_PREFIX", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE"}

// Env is the process environment without the repository variables, for
// any command a test runs in its own repository.
func Env() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, v := range hookVars {
			keep = keep && name != v
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}

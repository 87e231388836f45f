// Package testbin builds the doxls binary once per test process, with the
// race detector when the tests run with it, so that tests drive the real
// program over its real stdio.
package testbin

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	once sync.Once
	path string
	err  error
)

// Path builds doxls (once) and returns the binary's path. DOXLS_TEST_BINARY
// names a prebuilt one instead, for test binaries run where no Go toolchain
// is (the Windows tests under Wine, scripts/windows-e2e.sh).
func Path() (string, error) {
	once.Do(func() {
		if path = os.Getenv("DOXLS_TEST_BINARY"); path != "" {
			return
		}
		dir, mkErr := os.MkdirTemp("", "doxls-bin-")
		if mkErr != nil {
			err = mkErr
			return
		}
		path = filepath.Join(dir, "doxls")
		if runtime.GOOS == "windows" {
			path += ".exe"
		}
		args := []string{"build", "-o", path}
		env := os.Environ()
		if raceEnabled {
			args = append(args, "-race")
		} else {
			// The release build (make build, the .vsix): static, so the
			// spawn benchmarks time what users run.
			args = append(args, releaseFlags...)
			env = append(env, "CGO_ENABLED=0")
		}
		args = append(args, "github.com/doxls/doxls")
		cmd := exec.Command("go", args...)
		cmd.Dir = moduleRoot()
		cmd.Env = env
		cmd.Stderr = os.Stderr
		err = cmd.Run()
	})
	return path, err
}

// releaseFlags are the build flags of a release binary. Static linking
// (CGO_ENABLED=0) saves the dynamic loader about 3 ms at every start.
var releaseFlags = []string{"-trimpath", "-ldflags=-s -w"}

// moduleRoot is the repository root, found from this file's location.
func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Missing reports a tool the test needs and cannot find. Under `make test`
// (DOXLS_REQUIRE_TOOLS=1) and in CI it fails the test, since a skip would
// hide a broken install; elsewhere it skips, and so it does under Wine,
// whose prefix has no Windows git or node.
func Missing(t testing.TB, tool string, err error) {
	t.Helper()
	if Wine() {
		t.Skipf("%s: the Wine prefix has no Windows build of it (%v)", tool, err)
	}
	if os.Getenv("DOXLS_REQUIRE_TOOLS") == "1" || os.Getenv("CI") == "true" {
		t.Fatalf("%s is required here and missing: %v", tool, err)
	}
	t.Skipf("%s is missing (%v); make test installs it", tool, err)
}

// Wine reports whether this is a Windows test binary running under Wine
// (scripts/windows-e2e.sh), where a few things differ from Windows itself.
func Wine() bool { return underWine() }

// SkipUnderWine skips a test that Windows passes and Wine cannot; why names
// what Wine gets wrong.
func SkipUnderWine(t testing.TB, why string) {
	t.Helper()
	if Wine() {
		t.Skip("under Wine: " + why)
	}
}

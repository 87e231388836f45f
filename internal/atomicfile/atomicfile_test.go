package atomicfile

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// unixModes: Windows keeps no mode bits, only a read-only attribute
// (docs/install.md), so the modes checked here are Unix ones.
const unixModes = runtime.GOOS != "windows"

func TestReplace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dox.http")
	if err := os.WriteFile(path, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(path)
	if err := Replace("dox.http", path, before, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	if got, _ := os.ReadFile(path); string(got) != "new" || unixModes && after.Mode().Perm() != 0o640 {
		t.Errorf("replaced: %q, mode %v; want new, 0640", got, after.Mode().Perm())
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*doxls-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	// The file changed after it was read: nothing is written.
	if err := os.WriteFile(path, []byte("edited by the user meanwhile"), 0o640); err != nil {
		t.Fatal(err)
	}
	err := Replace("dox.http", path, before, []byte("stale"), 0o600)
	if got, _ := os.ReadFile(path); err == nil || !strings.Contains(err.Error(), "changed while") || string(got) != "edited by the user meanwhile" {
		t.Errorf("stale replace: %v, file %q", err, got)
	}

	// Creating: a new file gets newMode; one that appeared meanwhile stays.
	created := filepath.Join(dir, "http-client.private.env.json")
	if err := Replace("env", created, nil, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(created); unixModes && st.Mode().Perm() != 0o600 {
		t.Errorf("created with mode %v, want 0600", st.Mode().Perm())
	}
	if err := Replace("env", created, nil, []byte("{\"x\":1}"), 0o600); err == nil || !strings.Contains(err.Error(), "appeared") {
		t.Errorf("creating over a file that appeared: %v", err)
	}
}

func TestBare(t *testing.T) {
	_, err := os.Open("/nonexistent/doxls")
	if got := Bare(err).Error(); strings.Contains(got, "/nonexistent") {
		t.Errorf("Bare kept the path: %q", got)
	}
}

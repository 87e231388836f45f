//go:build unix

package userfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Run as root (as in a container), doxls must not hand a user's file over
// to root when it replaces it.
func TestReplaceKeepsTheOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a file another owner needs root")
	}
	path := filepath.Join(t.TempDir(), "dox.http")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 1234, 5678); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(path)
	if err := Replace("dox.http", path, before, []byte("new")); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	st := after.Sys().(*syscall.Stat_t)
	if st.Uid != 1234 || st.Gid != 5678 {
		t.Errorf("owner %d:%d after the replace, want 1234:5678", st.Uid, st.Gid)
	}
}

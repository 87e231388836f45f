//go:build unix

package auth

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A FIFO named *.json in the workspace (a stranger's repository can hold
// one) or a key path that leads to a device must not hang discovery or a
// key load: both read only regular files, and only up to 1 MiB.
func TestKeysThatAreNotRegularFiles(t *testing.T) {
	cockpit, _ := os.ReadFile("testdata/keys/cockpit.json")
	dir := tree(t, map[string]string{"dox-key.json": string(cockpit)})
	fifo := filepath.Join(dir, "pipe.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.json")); err != nil {
		t.Fatal(err)
	}
	keys, errs := Discover(dir, DiscoverOptions{})
	if ids(keys) != "dox-key.json" || len(errs) != 0 {
		t.Errorf("Discover = %q, %v; want dox-key.json alone, no problems", ids(keys), errTexts(errs))
	}
	for name, want := range map[string]string{
		fifo:                            "pipe.json: is a named pipe (FIFO), not a regular file",
		filepath.Join(dir, "zero.json"): "zero.json: is a device, not a regular file",
	} {
		_, err := LoadKey(name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadKey(%s) = %v, want …%s…", filepath.Base(name), err, want)
		}
	}
	_, errs = Discover(dir, DiscoverOptions{Patterns: []string{"pipe.json"}})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "named pipe") {
		t.Errorf("a setting that names the FIFO: %v", errTexts(errs))
	}
}

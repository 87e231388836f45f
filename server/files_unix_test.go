//go:build unix

package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/doxls/doxls/auth/uaatest"
)

// A hostile workspace, driven as an editor drives doxls: a FIFO named
// *.json (discovery at start and getToken must not hang on it), a request
// file that is a link to /dev/zero and one that is a FIFO (insertBearer
// refuses both at once), a file outside the workspace with content worth
// stealing (insertBearer names it and quotes nothing), and a path with a
// line break for ignoreFile (refused; .gitignore keeps every byte). The
// server answers throughout.
func TestHostileWorkspace(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	e.gitRepo()
	e.write(".gitignore", "dox-key.json\n")
	if err := syscall.Mkfifo(filepath.Join(e.dir, "pipe.json"), 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if err := syscall.Mkfifo(filepath.Join(e.dir, "pipe.http"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(e.dir, "z.http")); err != nil {
		t.Fatal(err)
	}
	passwd := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(passwd, []byte("root:x:0:0:root:/root:/bin/bash\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := e.session(nil)
	if tok := c.token(nil); tok.AccessToken == "" {
		t.Fatal("getToken with a FIFO in the workspace: no token")
	}
	// The editor reports the FIFO as changed: rereading it must not freeze
	// the server.
	if err := c.conn.Notify(t.Context(), "workspace/didChangeWatchedFiles", map[string]any{
		"changes": []any{map[string]any{"uri": fileURI(filepath.Join(e.dir, "pipe.json")), "type": 2}},
	}); err != nil {
		t.Fatal(err)
	}

	for name, want := range map[string]string{
		"z.http":    "z.http is neither open in the editor nor inside a workspace folder",
		"pipe.http": "pipe.http is a named pipe (FIFO), not a regular file",
		passwd:      passwd + " is neither open in the editor nor inside a workspace folder",
		"/dev/zero": "/dev/zero is neither open in the editor nor inside a workspace folder",
	} {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(e.dir, name)
		}
		err := c.command("doxls.insertBearer", map[string]any{"uri": fileURI(p)}, nil)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "root:x") {
			t.Errorf("insertBearer on %s: %v, want …%s…", name, err, want)
		}
	}

	err := c.command("doxls.ignoreFile", map[string]any{"path": filepath.Join(e.dir, "a.http") + "\n!dox-key.json"}, nil)
	if err == nil || !strings.Contains(err.Error(), "cannot express") {
		t.Errorf("ignoreFile with a line break: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(e.dir, ".gitignore")); string(b) != "dox-key.json\n" {
		t.Errorf(".gitignore = %q", b)
	}
	if tok := c.token(map[string]any{"forceRefresh": true}); tok.AccessToken == "" {
		t.Fatal("the server stopped answering")
	}
}

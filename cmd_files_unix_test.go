//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/doxls/doxls/auth/uaatest"
)

// A stranger's repository with a FIFO named *.json: key discovery, "doxls
// keys" and "doxls token" neither hang nor trip over it, and naming it as
// the key is one line saying what it is.
func TestKeyDiscoverySkipsAFIFO(t *testing.T) {
	s := startUAA(t)
	dir := t.TempDir()
	writeFile(t, dir, "dox-key.json", s.KeyJSON(uaatest.DefaultClient))
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.json"), 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if r := runDoxls(t, dir, nil, "keys"); r.code != 0 || !strings.Contains(r.stdout, "dox-key.json") || strings.Contains(r.stdout, "problem") {
		t.Errorf("keys: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := runDoxls(t, dir, nil, "token"); r.code != 0 || s.VerifyToken(strings.TrimSpace(r.stdout)) != nil {
		t.Errorf("token: exit %d, stderr %q", r.code, r.stderr)
	}
	r := runDoxls(t, dir, nil, "token", "--key", "pipe.json")
	if r.code != 1 || r.stderr != "doxls: pipe.json: is a named pipe (FIFO), not a regular file; doxls reads and writes only regular files\n" {
		t.Errorf("token --key pipe.json: exit %d, stderr %q", r.code, r.stderr)
	}
}

// ln -s /dev/zero z.http; doxls bearer z.http: refused at once, not read
// until memory runs out; and a request file past the cap is left alone.
func TestBearerRefusesDevicesAndHugeFiles(t *testing.T) {
	s := startUAA(t)
	dir := t.TempDir()
	writeFile(t, dir, "dox-key.json", s.KeyJSON(uaatest.DefaultClient))
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "z.http")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	huge := "GET " + s.APIURL + "/document-information-extraction/v1/capabilities\n\n" + strings.Repeat("x", 8<<20)
	writeFile(t, dir, "huge.http", []byte(huge))
	r := runDoxls(t, dir, nil, "bearer", "--key", "dox-key.json", "z.http", "huge.http")
	for _, want := range []string{"doxls: z.http is reached through a symbolic link that leads out of the workspace (to /dev/zero)", "doxls: huge.http is larger than 8 MiB"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q lacks %q", r.stderr, want)
		}
	}
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "huge.http")); string(b) != huge {
		t.Error("huge.http was changed")
	}
}

// A repository's .env that is a symbolic link to a file outside it: the
// token is not appended there (the target kept its 0644 mode and got the
// token before), and the request file is not edited to read it from there.
func TestBearerEnvFileDoesNotWriteThroughALinkOut(t *testing.T) {
	s := startUAA(t)
	dir, elsewhere := t.TempDir(), t.TempDir()
	writeFile(t, dir, "dox-key.json", s.KeyJSON(uaatest.DefaultClient))
	req := "GET " + s.APIURL + "/document-information-extraction/v1/capabilities\n"
	writeFile(t, dir, "dox.http", []byte(req))
	outside := filepath.Join(elsewhere, "profile.env")
	if err := os.WriteFile(outside, []byte("EDITOR=vi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, ".env")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	r := runDoxls(t, dir, nil, "bearer", "--key", "dox-key.json", "--mode", "envFile", "--env-format", "dotenv", "dox.http")
	if r.code != 1 || !strings.Contains(r.stderr, ".env is reached through a symbolic link that leads out of the workspace") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(outside); string(b) != "EDITOR=vi\n" {
		t.Errorf("the file outside the workspace now holds %d bytes", len(b))
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "dox.http")); string(b) != req {
		t.Errorf("dox.http was edited although its token could not be stored")
	}
}

//go:build unix

package server_test

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/doxls/doxls/auth/uaatest"
)

// A watched-file event naming a FIFO must not stop the read loop: the
// file is read off it, and a hover right behind the event is answered
// while nothing ever writes to the FIFO.
func TestWatchedFIFODoesNotFreezeTheReadLoop(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	fifo := filepath.Join(e.dir, "keys.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	c := e.session(nil)
	if err := c.conn.Notify(t.Context(), "workspace/didChangeWatchedFiles", map[string]any{
		"changes": []any{map[string]any{"uri": fileURI(fifo), "type": 1}},
	}); err != nil {
		t.Fatal(err)
	}
	c.must("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": "file:///none.http"}, "position": map[string]any{"line": 0, "character": 0}}, nil)
	c.shutdown() // a reader still waiting on the FIFO does not hold up exit
}

package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/internal/testbin"
)

// raw drives the binary with hand-written frames, for the cases a client
// library would never send.
type raw struct {
	t       *testing.T
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Reader
	exited  chan struct{} // closed when the process has ended
	exitErr error
	lines   chan map[string]any
}

func startRaw(t *testing.T, dir string) *raw {
	t.Helper()
	bin, err := testbin.Path()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Dir = dir
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &raw{t: t, cmd: cmd, in: in, out: bufio.NewReader(out), exited: make(chan struct{}), lines: make(chan map[string]any, 64)}
	go func() {
		for {
			msg, err := r.read()
			if err != nil {
				close(r.lines)
				r.exitErr = cmd.Wait()
				close(r.exited)
				return
			}
			r.lines <- msg
		}
	}()
	t.Cleanup(func() {
		in.Close()
		select {
		case <-r.exited:
		case <-time.After(wait):
			cmd.Process.Kill()
		}
	})
	return r
}

func (r *raw) send(body string) {
	r.t.Helper()
	if _, err := fmt.Fprintf(r.in, "Content-Length: %d\r\n\r\n%s", len(body), body); err != nil {
		r.t.Fatal(err)
	}
}

func (r *raw) read() (map[string]any, error) {
	length := -1
	for {
		line, err := r.out.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
			length, _ = strconv.Atoi(v)
		}
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(r.out, body); err != nil {
		return nil, err
	}
	var msg map[string]any
	return msg, json.Unmarshal(body, &msg)
}

// reply waits for the next response (skipping notifications).
func (r *raw) reply() map[string]any {
	r.t.Helper()
	for {
		select {
		case msg, ok := <-r.lines:
			if !ok {
				r.t.Fatal("the server closed its output")
			}
			if _, isNote := msg["method"]; !isNote {
				return msg
			}
		case <-time.After(wait):
			r.t.Fatal("no reply")
		}
	}
}

func (r *raw) wantError(body string, code float64, id any) {
	r.t.Helper()
	r.send(body)
	msg := r.reply()
	e, _ := msg["error"].(map[string]any)
	if e == nil || e["code"] != code || fmt.Sprint(msg["id"]) != fmt.Sprint(id) {
		r.t.Errorf("%s\n  answered %v, want error %v for id %v", body, msg, code, id)
	}
}

func (r *raw) exitCode() int {
	r.t.Helper()
	select {
	case <-r.exited:
		if ee, ok := r.exitErr.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		return 0
	case <-time.After(wait):
		r.t.Fatal("the server did not exit")
		return -1
	}
}

const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`

func TestRequestsBeforeInitialize(t *testing.T) {
	r := startRaw(t, t.TempDir())
	r.wantError(`{"jsonrpc":"2.0","id":7,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///a.http"},"position":{"line":0,"character":0}}}`, -32002, 7)
	r.wantError(`{"jsonrpc":"2.0","id":"s","method":"workspace/executeCommand","params":{"command":"doxls.getToken"}}`, -32002, "s")
	r.send(initialize)
	if res := r.reply(); res["result"] == nil {
		t.Fatalf("initialize: %v", res)
	}
}

func TestMalformedInputKeepsTheServerUp(t *testing.T) {
	r := startRaw(t, t.TempDir())
	r.send(initialize)
	r.reply()
	r.send(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)
	r.wantError(`{"jsonrpc":"2.0","id":2,"method":`, -32700, nil)
	r.wantError(`not json at all`, -32700, nil)
	r.wantError(`[1,2,3]`, -32600, nil)
	r.wantError(`{"jsonrpc":"2.0","id":3}`, -32600, 3)
	r.wantError(`{"jsonrpc":"1.0","id":4,"method":"shutdown"}`, -32600, 4)
	r.wantError(`{"jsonrpc":"2.0","id":5,"method":42}`, -32600, 5)
	r.wantError(`{"jsonrpc":"2.0","id":6,"method":"textDocument/hover","params":"x"}`, -32600, 6)
	r.wantError(`{"jsonrpc":"2.0","id":11,"method":"shutdown"} and more`, -32700, nil)
	r.wantError(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":"x"}`, -32600, nil)
	r.wantError(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"text":"\q"}}}`, -32700, nil)
	r.wantError(`{"jsonrpc":"2.0","id":7,"method":"no/such/method","params":{}}`, -32601, 7)
	r.wantError(`{"jsonrpc":"2.0","id":8,"method":"textDocument/hover","params":{"textDocument":{"uri":3},"position":"top"}}`, -32602, 8)
	r.wantError(`{"jsonrpc":"2.0","id":9,"method":"workspace/executeCommand","params":{"command":"doxls.getToken","arguments":{"key":1}}}`, -32602, 9)
	// Still serving.
	r.send(`{"jsonrpc":"2.0","id":10,"method":"textDocument/codeLens","params":{"textDocument":{"uri":"file:///none.http"}}}`)
	if res := r.reply(); res["error"] != nil || res["id"] != float64(10) {
		t.Errorf("after malformed input: %v", res)
	}
	r.send(`{"jsonrpc":"2.0","id":11,"method":"shutdown","params":null}`)
	r.reply()
	r.send(`{"jsonrpc":"2.0","method":"exit"}`)
	if code := r.exitCode(); code != 0 {
		t.Errorf("exit after shutdown: status %d, want 0", code)
	}
}

// Broken frames are answered with -32700 and skipped up to the next
// Content-Length; the server reads on and stays up.
func TestFramingErrorsKeepTheServerUp(t *testing.T) {
	r := startRaw(t, t.TempDir())
	r.send(initialize)
	r.reply()
	hover := func(id int) string {
		return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///none.http"},"position":{"line":0,"character":0}}}`, id)
	}
	for i, broken := range []struct{ name, frame string }{
		{"a Content-Length that is not a number", "Content-Length: 12abc\r\n\r\n" + hover(90)},
		{"a negative Content-Length", "Content-Length: -5\r\n\r\n" + hover(91)},
		{"no Content-Length", "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + hover(92)},
		{"no header at all", hover(93)},
		{"a header line of 1 MiB", "X-Pad: " + strings.Repeat("x", 1<<20) + "\r\n\r\n" + hover(94)},
		{"a header line that is not Name: value", "Content-Length 40\r\n\r\n" + hover(95)},
	} {
		if _, err := io.WriteString(r.in, broken.frame); err != nil {
			t.Fatal(err)
		}
		msg := r.reply()
		e, _ := msg["error"].(map[string]any)
		if e == nil || e["code"] != float64(-32700) || msg["id"] != nil {
			t.Errorf("%s: answered %v, want error -32700 with id null", broken.name, msg)
		}
		r.send(hover(i + 2))
		if msg := r.reply(); msg["error"] != nil || msg["id"] != float64(i+2) {
			t.Fatalf("%s: the next request got %v, want its answer", broken.name, msg)
		}
	}
	// A body above the cap is skipped exactly: its length is known.
	big := 65<<20 + 1
	if _, err := fmt.Fprintf(r.in, "Content-Length: %d\r\n\r\n", big); err != nil {
		t.Fatal(err)
	}
	go func() {
		chunk := []byte(strings.Repeat(" ", 1<<20))
		for n := big; n > 0; n -= len(chunk) {
			_, _ = r.in.Write(chunk[:min(n, len(chunk))])
		}
		r.send(hover(99))
	}()
	if msg := r.reply(); msg["error"] == nil || !strings.Contains(fmt.Sprint(msg["error"]), "limit") {
		t.Errorf("a body of %d bytes: answered %v, want an error naming the limit", big, msg)
	}
	if msg := r.reply(); msg["id"] != float64(99) || msg["error"] != nil {
		t.Errorf("after the large body: %v, want the answer to request 99", msg)
	}
}

func TestExitStatus(t *testing.T) {
	t.Run("exit without shutdown", func(t *testing.T) {
		r := startRaw(t, t.TempDir())
		r.send(initialize)
		r.reply()
		r.send(`{"jsonrpc":"2.0","method":"exit"}`)
		if code := r.exitCode(); code != 1 {
			t.Errorf("status %d, want 1", code)
		}
	})
	t.Run("shutdown without params, then exit", func(t *testing.T) {
		r := startRaw(t, t.TempDir())
		r.send(initialize)
		r.reply()
		r.send(`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`)
		if res := r.reply(); res["error"] != nil {
			t.Fatalf("shutdown: %v", res)
		}
		r.wantError(`{"jsonrpc":"2.0","id":3,"method":"textDocument/codeLens","params":{"textDocument":{"uri":"file:///a.http"}}}`, -32600, 3)
		r.send(`{"jsonrpc":"2.0","method":"exit"}`)
		if code := r.exitCode(); code != 0 {
			t.Errorf("status %d, want 0", code)
		}
	})
	t.Run("shutdown with {} params", func(t *testing.T) {
		r := startRaw(t, t.TempDir())
		r.send(initialize)
		r.reply()
		r.send(`{"jsonrpc":"2.0","id":2,"method":"shutdown","params":{}}`)
		if res := r.reply(); res["error"] != nil {
			t.Fatalf("shutdown: %v", res)
		}
		r.send(`{"jsonrpc":"2.0","method":"exit","params":{}}`)
		if code := r.exitCode(); code != 0 {
			t.Errorf("status %d, want 0", code)
		}
	})
	t.Run("end of input", func(t *testing.T) {
		r := startRaw(t, t.TempDir())
		r.send(initialize)
		r.reply()
		r.in.Close()
		if code := r.exitCode(); code != 1 {
			t.Errorf("status %d after end of input without shutdown, want 1", code)
		}
	})
}

// stalledFetch is a session with a token in an open document while a
// forced getToken hangs at UAA; hover holds the params of a hover on the
// token, stalled the hung call's outcome once e.uaa.Release() ends it.
type stalledFetch struct {
	c       *client
	token   string
	hover   map[string]any
	stalled chan error
}

func (e *env) stallFetch() stalledFetch {
	e.t.Helper()
	c := e.session(nil)
	tok := c.token(nil)
	u := c.open(filepath.Join(e.dir, "a.http"), "GET "+e.apiURL()+"/capabilities\nAuthorization: Bearer "+tok.AccessToken+"\n")
	e.uaa.SetFault(uaatest.Fault{Kind: uaatest.FaultHang})
	s := stalledFetch{c: c, token: tok.AccessToken, stalled: make(chan error, 1),
		hover: map[string]any{"textDocument": map[string]any{"uri": u}, "position": map[string]any{"line": 1, "character": 30}}}
	go func() { s.stalled <- c.command("doxls.getToken", map[string]any{"forceRefresh": true}, nil) }()
	waitTokenRequests(e.t, e.uaa, 2) // the fetch is at UAA, hanging
	return s
}

// stillStalled fails unless the hung call is still waiting.
func (s stalledFetch) stillStalled(tb testing.TB) {
	tb.Helper()
	select {
	case err := <-s.stalled:
		tb.Fatalf("the stalled fetch ended while other requests were answered: %v", err)
	default:
	}
}

func TestHoverAnswersWhileAFetchIsStalled(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	s := e.stallFetch()
	var hover struct {
		Contents struct{ Value string } `json:"contents"`
	}
	s.c.must("textDocument/hover", s.hover, &hover)
	s.stillStalled(t)
	if !strings.Contains(hover.Contents.Value, uaatest.DefaultClient.ID) || strings.Contains(hover.Contents.Value, s.token) {
		t.Errorf("hover shows %q (must name the client and not hold the token)", redactIn(hover.Contents.Value, s.token))
	}
	e.uaa.Release()
	if err := <-s.stalled; err != nil {
		t.Errorf("fetch after release: %v", err)
	}
}

func TestCancelRequestStopsAStalledFetch(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	r := startRaw(t, e.dir)
	r.send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":"` + string(fileURI(e.dir)) + `","capabilities":{}}}`)
	r.reply()
	r.send(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)
	e.uaa.SetFault(uaatest.Fault{Kind: uaatest.FaultHang})
	for i, id := range []string{`42`, `"req-7"`} {
		r.send(`{"jsonrpc":"2.0","id":` + id + `,"method":"workspace/executeCommand","params":{"command":"doxls.getToken","arguments":[{"forceRefresh":true}]}}`)
		if i == 0 {
			waitTokenRequests(t, e.uaa, 1) // hanging at UAA
		}
		// Later requests need no wait: the server registers a request
		// before it reads the next message, so the cancel finds it.
		r.send(`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":` + id + `}}`)
		msg := r.reply()
		e, _ := msg["error"].(map[string]any)
		if e == nil || e["code"] != float64(-32800) || fmt.Sprint(msg["id"]) != strings.Trim(id, `"`) {
			t.Errorf("cancelled request %s answered %v, want error -32800", id, msg)
		}
	}
	e.uaa.Release()
	r.send(`{"jsonrpc":"2.0","id":50,"method":"workspace/executeCommand","params":{"command":"doxls.getToken"}}`)
	if msg := r.reply(); msg["error"] != nil {
		t.Errorf("getToken after cancels: %v", msg)
	}
}

func TestLogsHoldNoSecretAtDebugLevel(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	logFile := filepath.Join(t.TempDir(), "doxls.log")
	c := e.session(nil, "--log-level", "debug", "--log-file", logFile)
	tok := c.token(nil)
	u := c.open(filepath.Join(e.dir, "a.http"), "GET "+e.apiURL()+"/capabilities\n")
	if err := c.command("doxls.insertBearer", map[string]any{"uri": u}, nil); err != nil {
		t.Fatal(err)
	}
	c.must("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": u}, "position": map[string]any{"line": 1, "character": 30}}, nil)
	c.shutdown()
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) == 0 {
		t.Fatal("the debug log is empty")
	}
	for name, secret := range map[string]string{"client secret": uaatest.DefaultClient.Secret, "token": tok.AccessToken} {
		if strings.Contains(string(log), secret) {
			t.Errorf("the debug log holds the %s", name)
		}
	}
	if out := c.stderr.String(); out != "" {
		out = strings.ReplaceAll(redactJWTs(out), uaatest.DefaultClient.Secret, "<secret>")
		t.Errorf("with --log-file, stderr should be quiet; got %d bytes: %q", len(c.stderr.String()), out)
	}
}

// waitTokenRequests waits until the emulator has seen n token requests.
func waitTokenRequests(t testing.TB, s *uaatest.Server, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := s.WaitTokenRequests(ctx, n); err != nil {
		t.Fatal(err)
	}
}

package lspconn

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// pipeConn is a Conn whose other end the test plays: it reads what the
// server writes and writes what the client would send.
type pipeConn struct {
	*Conn
	toServer *io.PipeWriter
	fromSrv  *bufio.Reader
	served   chan error
}

func newPipeConn(t *testing.T, cfg Config) *pipeConn {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	if cfg.Call == nil {
		cfg.Call = func(context.Context, string, json.RawMessage) (any, error) { return nil, nil }
	}
	if cfg.Notify == nil {
		cfg.Notify = func(context.Context, string, json.RawMessage) {}
	}
	c := New(inR, outW, cfg)
	p := &pipeConn{Conn: c, toServer: inW, fromSrv: bufio.NewReader(outR), served: make(chan error, 1)}
	go func() { p.served <- c.Serve(context.Background()) }()
	t.Cleanup(func() { inW.Close(); outR.Close() })
	return p
}

// next reads one message the server wrote.
func (p *pipeConn) next(t *testing.T) map[string]any {
	t.Helper()
	line, err := p.fromSrv.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "Content-Length:")))
	if err != nil {
		t.Fatalf("header %q", line)
	}
	if _, err := p.fromSrv.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(p.fromSrv, body); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return m
}

func (p *pipeConn) send(t *testing.T, body string) {
	t.Helper()
	if _, err := fmt.Fprintf(p.toServer, "Content-Length: %d\r\n\r\n%s", len(body), body); err != nil {
		t.Fatal(err)
	}
}

func TestCallGetsItsAnswer(t *testing.T) {
	p := newPipeConn(t, Config{})
	done := make(chan error, 1)
	var res struct{ Applied bool }
	go func() {
		done <- p.Call(context.Background(), "workspace/applyEdit", map[string]any{"edit": map[string]any{}}, &res)
	}()
	req := p.next(t)
	if req["method"] != "workspace/applyEdit" || req["params"] == nil {
		t.Fatalf("the client got %v", req)
	}
	id, _ := json.Marshal(req["id"])
	p.send(t, `{"jsonrpc":"2.0","id":`+string(id)+`,"result":{"applied":true}}`)
	if err := <-done; err != nil || !res.Applied {
		t.Fatalf("Call = %v, applied %v", err, res.Applied)
	}
}

func TestCallGetsTheClientsError(t *testing.T) {
	p := newPipeConn(t, Config{})
	done := make(chan error, 1)
	go func() {
		done <- p.Call(context.Background(), "workspace/configuration", json.RawMessage(`{"items":[]}`), nil)
	}()
	req := p.next(t)
	id, _ := json.Marshal(req["id"])
	p.send(t, `{"jsonrpc":"2.0","id":`+string(id)+`,"error":{"code":-32601,"message":"no such method"}}`)
	var rpcErr *jsonrpc2.Error
	if err := <-done; !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc2.MethodNotFound {
		t.Fatalf("Call = %v, want the client's -32601", err)
	}
}

func TestCancelledCallTellsTheClient(t *testing.T) {
	p := newPipeConn(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Call(ctx, "workspace/applyEdit", map[string]any{}, nil) }()
	req := p.next(t)
	cancel()
	note := p.next(t)
	params, _ := note["params"].(map[string]any)
	if note["method"] != "$/cancelRequest" || params["id"] != req["id"] {
		t.Fatalf("after the cancel the client got %v, want $/cancelRequest for %v", note, req["id"])
	}
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Call = %v, want context.Canceled", err)
	}
	// The late answer is dropped, and the stream reads on.
	id, _ := json.Marshal(req["id"])
	p.send(t, `{"jsonrpc":"2.0","id":`+string(id)+`,"result":{"applied":true}}`)
	go func() {
		done <- p.Call(context.Background(), "window/workDoneProgress/create", map[string]any{"token": "t"}, nil)
	}()
	again := p.next(t)
	id, _ = json.Marshal(again["id"])
	p.send(t, `{"jsonrpc":"2.0","id":`+string(id)+`,"result":null}`)
	if err := <-done; err != nil {
		t.Fatalf("a call after the cancelled one: %v", err)
	}
}

func TestCallsFailWhenTheInputEnds(t *testing.T) {
	p := newPipeConn(t, Config{})
	done := make(chan error, 1)
	go func() { done <- p.Call(context.Background(), "workspace/applyEdit", map[string]any{}, nil) }()
	p.next(t)
	p.toServer.Close()
	if err := <-done; err == nil || !strings.Contains(err.Error(), "connection to the client ended") {
		t.Fatalf("Call = %v, want the end of the connection", err)
	}
	<-p.served
	if err := p.Call(context.Background(), "workspace/applyEdit", map[string]any{}, nil); err == nil {
		t.Fatal("a call after the end succeeded")
	}
}

// wait bounds how long a test waits for what must happen; reaching it is
// a failure, never a measurement.
const wait = 20 * time.Second

// endless is a client that sends requests without end.
type endless struct {
	n       int
	pending []byte
}

func (e *endless) Read(p []byte) (int, error) {
	for len(e.pending) < len(p) {
		e.n++
		body := `{"jsonrpc":"2.0","id":` + strconv.Itoa(e.n) + `,"method":"big"}`
		e.pending = append(e.pending, "Content-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body...)
	}
	n := copy(p, e.pending)
	e.pending = e.pending[n:]
	return n, nil
}

// stuck is a client's input that it never reads: writes wait for release.
type stuck struct{ release chan struct{} }

func (s stuck) Write(p []byte) (int, error) {
	<-s.release
	return len(p), nil
}

// A client that sends without reading what it is sent stops being read
// once the replies waiting for it pass the bound, so it cannot grow the
// server's memory; when it reads again, the server reads on.
func TestAClientThatDoesNotReadStopsBeingRead(t *testing.T) {
	reply := strings.Repeat("x", 64<<10)
	var handled, target atomic.Int64
	var once sync.Once
	reached := make(chan struct{})
	out := stuck{release: make(chan struct{})}
	c, stop := flood(t, out, func(context.Context, string, json.RawMessage) (any, error) {
		if n, t := handled.Add(1), target.Load(); t != 0 && n >= t {
			once.Do(func() { close(reached) })
		}
		return reply, nil
	})
	c.out.mu.Lock()
	queued := c.out.queued
	c.out.mu.Unlock()
	if limit := maxQueued + maxRunning*(len(reply)+64); queued > limit {
		t.Errorf("%d bytes queued for a client that does not read, want at most %d", queued, limit)
	}
	before := handled.Load()
	if limit := int64(maxQueued/len(reply) + maxRunning + 1); before > limit {
		t.Errorf("%d requests read from a client that does not read, want at most %d", before, limit)
	}

	target.Store(before + 2*(maxRunning+maxQueued/int64(len(reply))))
	close(out.release) // the client reads again
	select {
	case <-reached:
	case <-time.After(wait):
		t.Fatalf("the server did not read on: %d requests handled, %d before", handled.Load(), before)
	}
	stop()
}

// flood serves a client that sends requests without end, answered by
// call, on a connection writing to out, and returns once the read loop has
// stopped for room; stop ends Serve.
func flood(t *testing.T, out io.Writer, call func(context.Context, string, json.RawMessage) (any, error)) (c *Conn, stop func()) {
	t.Helper()
	c = New(&endless{}, out, Config{Call: call, Notify: func(context.Context, string, json.RawMessage) {}})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- c.Serve(ctx) }()
	waitParked(t, c.out)
	return c, func() {
		cancel()
		if err := <-served; !errors.Is(err, context.Canceled) {
			t.Errorf("Serve = %v, want context.Canceled", err)
		}
	}
}

// waitParked waits until the read loop waits for room.
func waitParked(t *testing.T, o *outbox) {
	t.Helper()
	parked := make(chan struct{})
	go func() {
		o.mu.Lock()
		for !o.parked {
			o.cond.Wait()
		}
		o.mu.Unlock()
		close(parked)
	}()
	select {
	case <-parked:
	case <-time.After(wait):
		t.Fatal("the read loop never stopped reading from a client that does not read")
	}
}

// A broken frame is a log line that says what is wrong, and an error the
// client can see; the connection reads on.
func TestBrokenFramesAreReported(t *testing.T) {
	core, logs := observer.New(zap.WarnLevel)
	p := newPipeConn(t, Config{Log: zap.New(core)})
	if _, err := io.WriteString(p.toServer, "Content-Length: ten\r\n\r\n{}"); err != nil {
		t.Fatal(err)
	}
	msg := p.next(t)
	e, _ := msg["error"].(map[string]any)
	if e == nil || e["code"] != float64(-32700) || !strings.Contains(fmt.Sprint(e["message"]), "bad Content-Length") {
		t.Errorf("the client got %v, want -32700 naming the bad Content-Length", msg)
	}
	entries := logs.FilterMessageSnippet("broken message frame").All()
	if len(entries) != 1 || !strings.Contains(fmt.Sprint(entries[0].ContextMap()["error"]), "bad Content-Length") {
		t.Errorf("log: %v, want one line naming the bad Content-Length", logs.All())
	}
	p.send(t, `{"jsonrpc":"2.0","id":1,"method":"x"}`)
	if msg := p.next(t); msg["id"] != float64(1) || msg["error"] != nil {
		t.Errorf("after the broken frame: %v", msg)
	}
}

// A panic in a handler is an error reply and a log line; the connection
// reads on.
func TestPanicBecomesAnErrorReply(t *testing.T) {
	core, logs := observer.New(zap.ErrorLevel)
	p := newPipeConn(t, Config{Log: zap.New(core), Call: func(_ context.Context, method string, _ json.RawMessage) (any, error) {
		if method == "boom" {
			panic("boom")
		}
		return "fine", nil
	}})
	p.send(t, `{"jsonrpc":"2.0","id":1,"method":"boom"}`)
	msg := p.next(t)
	if e, _ := msg["error"].(map[string]any); e == nil || e["code"] != float64(-32603) {
		t.Errorf("a panicking handler answered %v, want -32603", msg)
	}
	p.send(t, `{"jsonrpc":"2.0","id":2,"method":"ok"}`)
	if msg := p.next(t); msg["result"] != "fine" {
		t.Errorf("after the panic: %v", msg)
	}
	if logs.FilterMessage("panic in handler").Len() != 1 {
		t.Errorf("log: %v", logs.All())
	}
}

// Requests that do not finish stop the read loop at maxRunning, so a
// client cannot pile up goroutines; when they finish, it reads on.
func TestRunningRequestsAreBounded(t *testing.T) {
	started := make(chan struct{}, maxRunning+1)
	release := make(chan struct{})
	c, stop := flood(t, io.Discard, func(context.Context, string, json.RawMessage) (any, error) {
		started <- struct{}{}
		<-release
		return nil, nil
	})
	c.out.mu.Lock()
	running := c.out.running
	c.out.mu.Unlock()
	if running != maxRunning {
		t.Errorf("the read loop stopped with %d requests running, want %d", running, maxRunning)
	}
	// Each request counted as running reaches its handler (its goroutine
	// may start a little after the read loop parked).
	for i := 0; i < maxRunning; i++ {
		select {
		case <-started:
		case <-time.After(wait):
			t.Fatalf("%d requests started, want %d", i, maxRunning)
		}
	}
	close(release)
	stop()
}

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
	"testing"

	"go.lsp.dev/jsonrpc2"
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

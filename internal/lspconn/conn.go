package lspconn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sync"
	"time"

	fastjson "github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"
)

// Codes LSP adds to JSON-RPC that the connection itself answers with.
const (
	codeRequestCancelled jsonrpc2.Code = -32800
	codeRequestFailed    jsonrpc2.Code = -32803
)

// Config is what a Conn serves and how.
type Config struct {
	// Call answers a request. Requests run concurrently, each on its own
	// goroutine, so one that waits (on the network, on the client) holds
	// up no other; ctx ends when the client sends $/cancelRequest for it
	// or the connection ends. An error that is a *jsonrpc2.Error goes to
	// the client as it is; context.Canceled becomes -32800; any other
	// error becomes -32803 (RequestFailed) with its text.
	Call func(ctx context.Context, method string, params json.RawMessage) (any, error)
	// Notify handles a notification. Notifications run one at a time on
	// the read loop, in arrival order, so a document change is applied
	// before the requests read after it. It must not wait: no file or
	// network I/O, no calls to the client.
	Notify func(ctx context.Context, method string, params json.RawMessage)
	// InOrder names the requests answered on the read loop, before the
	// next message is read (initialize, shutdown): their effect must be
	// in place for the messages that follow. Like Notify, they must not
	// wait, least of all on the client, whose answer the loop would bring.
	InOrder func(method string) bool
	// Log receives framing errors, panics and (at debug level) each
	// request's outcome; never params. Nil: no log.
	Log *zap.Logger
	// SmallHeap returns the garbage of a burst of messages to the system
	// once the connection is idle, and unless GOMEMLIMIT (Getenv) is set,
	// caps a very large heap at half again what is live (memory.go).
	SmallHeap bool
	Getenv    func(string) string
	// Idle, with SmallHeap, is called once the connection has been quiet
	// for a while (memory.go), on a goroutine of its own, before the
	// garbage goes back to the system: the moment to drop caches that can
	// be rebuilt, so that what they held goes back too.
	Idle func()
}

// Conn is one LSP connection over a byte stream.
type Conn struct {
	cfg   Config
	log   *zap.Logger
	in    *framer
	out   *outbox
	mem   *memory
	calls calls

	mu       sync.Mutex
	inflight map[id]context.CancelFunc
}

// New returns a connection reading messages from in and writing to out.
// Nothing is read until Serve; Call and Notify may be used before.
func New(in io.Reader, out io.Writer, cfg Config) *Conn {
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	if cfg.InOrder == nil {
		cfg.InOrder = func(string) bool { return false }
	}
	gomemlimit := ""
	if cfg.SmallHeap && cfg.Getenv != nil {
		gomemlimit = cfg.Getenv("GOMEMLIMIT")
	}
	mem := newMemory(cfg.SmallHeap, gomemlimit)
	mem.idle = cfg.Idle
	return &Conn{
		cfg: cfg, log: cfg.Log, mem: mem,
		in:       newFramer(in, maxMessage),
		out:      newOutbox(out, mem),
		calls:    calls{pending: map[string]chan answer{}},
		inflight: map[id]context.CancelFunc{},
	}
}

// Serve reads and dispatches messages until the input ends (nil), the
// input fails or ctx is done (the error). When it returns, the requests
// still running are cancelled and the calls waiting for the client fail.
func (c *Conn) Serve(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // the requests still running
	err := c.read(ctx)
	if errors.Is(err, io.EOF) {
		c.calls.close(io.EOF)
		return nil
	}
	c.calls.close(err)
	return err
}

func (c *Conn) read(ctx context.Context) error {
	for {
		c.out.room()
		if err := ctx.Err(); err != nil {
			return err
		}
		body, err := c.in.next(c.mem.expect)
		var fe *frameError
		if errors.As(err, &fe) {
			c.log.Warn("skipped a broken message frame from the client", zap.String("error", fe.msg))
			c.sendError(nullID, jsonrpc2.NewError(jsonrpc2.ParseError, "parse error: "+fe.msg))
			continue
		}
		if err != nil {
			return err
		}
		c.dispatch(ctx, body)
	}
}

func (c *Conn) dispatch(ctx context.Context, body []byte) {
	m, rpcErr := decode(body)
	switch {
	case rpcErr != nil:
		c.log.Debug("invalid message", zap.Int32("code", int32(rpcErr.Code)), zap.String("error", rpcErr.Message))
		c.sendError(m.id, rpcErr)
	case m.answer:
		c.calls.deliver(m.id, m.result, m.err)
	case m.id != "":
		c.request(ctx, m.id, m.method, m.params)
	case m.method == "$/cancelRequest":
		c.cancelRequest(m.params)
	default:
		c.notify(ctx, m.method, m.params)
	}
}

func (c *Conn) notify(ctx context.Context, method string, params json.RawMessage) {
	defer c.mem.handled()
	defer c.recover(method, nil)
	c.cfg.Notify(ctx, method, params)
}

// request registers a request, so that a $/cancelRequest read after it
// finds it, and runs it.
func (c *Conn) request(ctx context.Context, rid id, method string, params json.RawMessage) {
	reqCtx, cancel := context.WithCancel(ctx)
	c.mu.Lock()
	c.inflight[rid] = cancel
	c.mu.Unlock()
	c.out.start()
	run := func() {
		start := time.Now()
		defer func() {
			c.mu.Lock()
			delete(c.inflight, rid)
			c.mu.Unlock()
			cancel()
			c.out.done()
		}()
		answer := func(res any, err error) { c.reply(rid, method, start, res, err) }
		defer c.recover(method, answer)
		res, err := c.cfg.Call(reqCtx, method, params)
		c.mem.handled()
		answer(res, err)
	}
	if c.cfg.InOrder(method) {
		run()
		return
	}
	go run()
}

// cancelRequest cancels the request the client names; jsonrpc2's own
// CancelHandler misses numeric ids (docs/transport.md).
func (c *Conn) cancelRequest(params json.RawMessage) {
	var p struct {
		ID json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		c.log.Debug("malformed $/cancelRequest", zap.Error(err))
		return
	}
	rid, ok := parseID(p.ID)
	if !ok {
		c.log.Debug("$/cancelRequest with a bad id")
		return
	}
	c.mu.Lock()
	cancel := c.inflight[rid]
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// reply answers request rid once, and logs the outcome (never params).
func (c *Conn) reply(rid id, method string, start time.Time, res any, err error) {
	if err != nil {
		rpcErr := toRPCError(method, err)
		c.log.Debug("request failed", zap.String("method", method), zap.Int32("code", int32(rpcErr.Code)), zap.String("error", rpcErr.Message), zap.Duration("took", time.Since(start)))
		c.sendError(rid, rpcErr)
		return
	}
	result, encErr := c.encode(res)
	if encErr != nil {
		c.log.Error("cannot encode a result", zap.String("method", method), zap.Error(encErr))
		c.sendError(rid, jsonrpc2.Errorf(jsonrpc2.InternalError, "%s: cannot encode the result: %v", method, encErr))
		return
	}
	c.log.Debug("request done", zap.String("method", method), zap.Duration("took", time.Since(start)))
	head := `{"jsonrpc":"2.0","id":` + string(rid) + `,"result":`
	if err := c.out.send([]byte(head), result, []byte("}")); err != nil {
		c.log.Warn("cannot send a reply", zap.String("method", method), zap.Error(err))
	}
}

func toRPCError(method string, err error) *jsonrpc2.Error {
	var rpc *jsonrpc2.Error
	switch {
	case errors.Is(err, context.Canceled):
		return jsonrpc2.NewError(codeRequestCancelled, method+" was cancelled")
	case errors.As(err, &rpc):
		return rpc
	}
	return jsonrpc2.NewError(codeRequestFailed, err.Error())
}

func (c *Conn) sendError(rid id, e *jsonrpc2.Error) {
	data, err := json.Marshal(e)
	if err == nil {
		err = c.out.send([]byte(`{"jsonrpc":"2.0","id":`+string(rid)+`,"error":`), data, []byte("}"))
	}
	if err != nil {
		c.log.Warn("cannot send an error reply", zap.Error(err))
	}
}

// recover turns a panic in a handler into an error reply (answer) or, for
// a notification, a log line, instead of a dead server.
func (c *Conn) recover(method string, answer func(any, error)) {
	r := recover()
	if r == nil {
		return
	}
	c.log.Error("panic in handler", zap.String("method", method), zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
	if answer != nil {
		answer(nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error in %s; the server is still running (details in the log)", method))
	}
}

// Notify sends a notification.
func (c *Conn) Notify(ctx context.Context, method string, params any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	msg, err := c.message("", method, params)
	if err != nil {
		return err
	}
	return c.out.send(msg...)
}

// message returns the parts of a call (id is `"id":…,`) or a notification
// (id is "") of method: the params are encoded once and framed as they
// are, not copied into the envelope.
func (c *Conn) message(id, method string, params any) ([][]byte, error) {
	body, err := c.encode(params)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	name, err := json.Marshal(method)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	head := `{"jsonrpc":"2.0",` + id + `"method":` + string(name) + `,"params":`
	return [][]byte{[]byte(head), body, []byte("}")}, nil
}

// Sizer is implemented by params that know about how large their JSON
// will be: a workspace edit putting a token into 5,000 requests is
// megabytes, and the connection allocates its buffer once before encoding
// rather than growing it step by step (and counts it as a large message).
type Sizer interface{ JSONSize() int }

// encode returns v as JSON: json.RawMessage as it is, anything else
// encoded once, with segmentio's encoder (map keys sorted, as
// encoding/json does).
func (c *Conn) encode(v any) ([]byte, error) {
	if raw, ok := v.(json.RawMessage); ok {
		if len(raw) == 0 {
			return []byte("null"), nil
		}
		return raw, nil
	}
	var buf []byte
	if s, ok := v.(Sizer); ok {
		c.mem.expect(s.JSONSize())
		buf = make([]byte, 0, s.JSONSize())
	}
	return fastjson.Append(buf, v, fastjson.SortMapKeys)
}

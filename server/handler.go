package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"

	"github.com/doxls/doxls/commands"
)

// Error codes LSP adds to JSON-RPC.
const (
	codeServerNotInitialized jsonrpc2.Code = -32002
	codeRequestCancelled     jsonrpc2.Code = -32800
)

type (
	callFunc   func(ctx context.Context, params json.RawMessage) (any, error)
	notifyFunc func(ctx context.Context, params json.RawMessage) error
)

// methods builds the tables of what the server answers and hears; newServer
// calls it once, since notifications such as didChange come per keystroke.
func (s *Server) methods() {
	s.callFns = map[string]callFunc{
		"textDocument/hover":       s.hover,
		"textDocument/codeLens":    s.codeLens,
		"textDocument/codeAction":  s.codeAction,
		"textDocument/completion":  s.completion,
		"workspace/executeCommand": s.executeCommand,
	}
	s.notifyFns = map[string]notifyFunc{
		"initialized":                         s.initialized,
		"textDocument/didOpen":                s.didOpen,
		"textDocument/didChange":              s.didChange,
		"textDocument/didClose":               s.didClose,
		"workspace/didChangeConfiguration":    s.didChangeConfiguration,
		"workspace/didChangeWatchedFiles":     s.didChangeWatchedFiles,
		"workspace/didChangeWorkspaceFolders": s.didChangeWorkspaceFolders,
		"$/cancelRequest":                     s.cancelRequest,
		"exit":                                s.exit,
	}
}

// handle is the jsonrpc2 handler; it sees calls only, as the stream hands
// notifications to notify. It always returns nil: an error here would close
// the connection (DESIGN.md §8). Notifications run in order on the read
// loop, so document changes apply before later requests; calls run on their
// own goroutines, so a stalled fetch never holds up a hover.
func (s *Server) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	if c, ok := req.(*jsonrpc2.Call); ok {
		s.call(ctx, reply, c)
	}
	return nil
}

func (s *Server) notify(ctx context.Context, method string, params json.RawMessage) {
	fn, ok := s.notifyFns[method]
	if !ok {
		s.log.Debug("ignored notification", zap.String("method", method))
		return
	}
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	if st == stateNew && method != "exit" {
		s.log.Debug("notification before initialize dropped", zap.String("method", method))
		return
	}
	defer s.recover(method, nil)
	if err := fn(ctx, params); err != nil {
		s.log.Warn("notification failed", zap.String("method", method), zap.Error(err))
	}
	s.stream.mem.trim()
}

func (s *Server) call(ctx context.Context, reply jsonrpc2.Replier, c *jsonrpc2.Call) {
	method := c.Method()
	switch method {
	case "initialize":
		s.reply(ctx, reply, method, time.Now())(s.initialize(ctx, c.Params()))
		return
	case "shutdown":
		// Any params are accepted: clients send null, nothing, or {}.
		s.mu.Lock()
		s.state = stateShutdown
		s.mu.Unlock()
		s.reply(ctx, reply, method, time.Now())(nil, nil)
		return
	}
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	switch st {
	case stateNew:
		s.reply(ctx, reply, method, time.Now())(nil, jsonrpc2.NewError(codeServerNotInitialized, "the server is not initialized: send initialize first"))
		return
	case stateShutdown:
		s.reply(ctx, reply, method, time.Now())(nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the server is shutting down"))
		return
	}
	fn, ok := s.callFns[method]
	if !ok {
		s.reply(ctx, reply, method, time.Now())(nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", method))
		return
	}

	id := idKey(c.ID())
	reqCtx, cancel := context.WithCancel(s.ctx)
	s.mu.Lock()
	s.inflight[id] = cancel
	s.mu.Unlock()
	start := time.Now()
	go func() {
		defer func() {
			s.mu.Lock()
			delete(s.inflight, id)
			s.mu.Unlock()
			cancel()
		}()
		send := s.reply(ctx, reply, method, start)
		defer s.recover(method, send)
		res, err := fn(reqCtx, c.Params())
		s.stream.mem.trim()
		if err != nil && reqCtx.Err() != nil && errors.Is(err, context.Canceled) {
			err = jsonrpc2.NewError(codeRequestCancelled, method+" was cancelled")
		}
		send(res, err)
	}()
}

// reply returns a function that answers a call once, turning any error into
// a *jsonrpc2.Error with the right code, and logs the outcome (never params).
func (s *Server) reply(ctx context.Context, reply jsonrpc2.Replier, method string, start time.Time) func(any, error) {
	return func(res any, err error) {
		rpcErr := toRPCError(err)
		if rpcErr != nil {
			s.log.Debug("request failed", zap.String("method", method), zap.Int32("code", int32(rpcErr.Code)), zap.String("error", rpcErr.Message), zap.Duration("took", time.Since(start)))
			if err := reply(ctx, nil, rpcErr); err != nil {
				s.log.Warn("cannot send reply", zap.String("method", method), zap.Error(err))
			}
			return
		}
		s.log.Debug("request done", zap.String("method", method), zap.Duration("took", time.Since(start)))
		if err := reply(ctx, res, nil); err != nil {
			s.log.Warn("cannot send reply", zap.String("method", method), zap.Error(err))
		}
	}
}

func toRPCError(err error) *jsonrpc2.Error {
	if err == nil {
		return nil
	}
	var rpc *jsonrpc2.Error
	if errors.As(err, &rpc) {
		return rpc
	}
	var ce *commands.Error
	if errors.As(err, &ce) {
		return jsonrpc2.NewError(jsonrpc2.Code(ce.Code), ce.Message)
	}
	if errors.Is(err, context.Canceled) {
		return jsonrpc2.NewError(codeRequestCancelled, "request cancelled")
	}
	return jsonrpc2.NewError(commands.CodeRequestFailed, err.Error())
}

// recover turns a panic in a handler into an error reply (or a log line
// for notifications) instead of a dead server.
func (s *Server) recover(method string, send func(any, error)) {
	r := recover()
	if r == nil {
		return
	}
	s.log.Error("panic in handler", zap.String("method", method), zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
	if send != nil {
		send(nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error in %s; the server is still running (details in the log)", method))
	}
}

// idKey is the same for an id however the client spelled it: jsonrpc2's
// own CancelHandler misses numeric ids (DESIGN.md §8).
func idKey(id jsonrpc2.ID) string { return fmt.Sprintf("%q", id) }

func (s *Server) cancelRequest(ctx context.Context, raw json.RawMessage) error {
	var p struct {
		ID json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("$/cancelRequest: %w", err)
	}
	var id jsonrpc2.ID
	if err := id.UnmarshalJSON(p.ID); err != nil {
		return fmt.Errorf("$/cancelRequest: bad id: %w", err)
	}
	s.mu.Lock()
	cancel := s.inflight[idKey(id)]
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	return nil
}

func (s *Server) exit(ctx context.Context, _ json.RawMessage) error {
	select {
	case <-s.exited:
	default:
		close(s.exited)
	}
	return nil
}

// decodeParams decodes params into v, answering InvalidParams on failure.
func decodeParams(method string, raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: params are required", method)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: invalid params: %v", method, err)
	}
	return nil
}

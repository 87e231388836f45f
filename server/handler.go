package server

import (
	"context"
	"encoding/json"
	"errors"

	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"

	"github.com/doxls/doxls/commands"
)

// codeServerNotInitialized answers requests before initialize (LSP).
const codeServerNotInitialized jsonrpc2.Code = -32002

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
		"exit":                                s.exit,
		"window/workDoneProgress/cancel":      s.cancelJobProgress,
	}
}

// inOrder names the requests whose effect the next messages must see:
// nothing is read after initialize until the server knows the client, and
// an exit right behind shutdown finds the server shut down.
func inOrder(method string) bool { return method == "initialize" || method == "shutdown" }

// notify handles a notification on the connection's read loop, in order,
// so document changes apply before later requests (docs/transport.md).
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
	if err := fn(ctx, params); err != nil {
		s.log.Warn("notification failed", zap.String("method", method), zap.Error(err))
	}
}

// call answers a request; the connection runs each on its own goroutine
// (but initialize and shutdown in order), so a stalled fetch never holds
// up a hover.
func (s *Server) call(ctx context.Context, method string, params json.RawMessage) (any, error) {
	switch method {
	case "initialize":
		return s.initialize(ctx, params)
	case "shutdown":
		// Any params are accepted: clients send null, nothing, or {}.
		s.mu.Lock()
		s.state = stateShutdown
		s.mu.Unlock()
		return nil, nil
	}
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	switch st {
	case stateNew:
		return nil, jsonrpc2.NewError(codeServerNotInitialized, "the server is not initialized: send initialize first")
	case stateShutdown:
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the server is shutting down")
	}
	fn, ok := s.callFns[method]
	if !ok {
		return nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", method)
	}
	res, err := fn(ctx, params)
	return res, toRPCError(err)
}

// toRPCError gives a command's error its code; the connection answers
// cancellation with -32800 and other errors with RequestFailed.
func toRPCError(err error) error {
	var ce *commands.Error
	if err == nil || errors.Is(err, context.Canceled) || !errors.As(err, &ce) {
		return err
	}
	return jsonrpc2.NewError(jsonrpc2.Code(ce.Code), ce.Message)
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

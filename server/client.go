package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/doxls/doxls/commands"
)

// editor is the Server seen as the commands' Client.
type editor Server

func (e *editor) DocumentChanges() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.caps.documentChanges
}

// ResourceCreate reports whether the client creates files in workspace
// edits. Resource operations only exist inside documentChanges, so a client
// that announces them takes documentChanges too, even when it does not say
// so (Neovim 0.7).
func (e *editor) ResourceCreate() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.caps.resourceCreate
}

// ApplyEdit sends workspace/applyEdit and waits for the answer
// (protocol.Client.ApplyEdit cannot decode {"applied": true}, docs/transport.md).
func (e *editor) ApplyEdit(ctx context.Context, label string, edit protocol.WorkspaceEdit) error {
	return e.apply(ctx, label, edit, editSize(edit))
}

// ApplyCreate sends an edit that creates a file, as ApplyEdit does.
func (e *editor) ApplyCreate(ctx context.Context, label string, edit commands.CreateEdit) error {
	return e.apply(ctx, label, edit, 0)
}

// editSize estimates the JSON size of edit. An edit that writes a token
// into thousands of requests is megabytes, and a buffer grown to that size
// step by step costs more than the encoding.
func editSize(edit protocol.WorkspaceEdit) int {
	n := 256
	add := func(edits []protocol.TextEdit) {
		for _, te := range edits {
			n += len(te.NewText) + 112 // the range, the keys, two escaped line breaks
		}
	}
	for _, dc := range edit.DocumentChanges {
		add(dc.Edits)
	}
	for _, edits := range edit.Changes {
		add(edits)
	}
	return n
}

func (e *editor) apply(ctx context.Context, label string, edit any, size int) error {
	e.mu.Lock()
	can := e.caps.applyEdit
	e.mu.Unlock()
	if !can {
		return fmt.Errorf("this editor cannot apply workspace edits (workspace.applyEdit); use \"doxls bearer\" on the command line instead")
	}
	var res struct {
		Applied       bool   `json:"applied"`
		FailureReason string `json:"failureReason"`
	}
	params := applyEditParams{Label: label, Edit: edit, size: size}
	if err := e.conn.Call(ctx, "workspace/applyEdit", params, &res); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("the editor failed to apply the edit: %w", err)
	}
	if !res.Applied {
		reason := res.FailureReason
		if reason == "" {
			reason = "the document probably changed meanwhile; run the command again"
		}
		return fmt.Errorf("the editor did not apply the edit: %s", reason)
	}
	return nil
}

// applyEditParams are the params of workspace/applyEdit; their size lets
// the connection make room before encoding (lspconn.Sizer).
type applyEditParams struct {
	Label string `json:"label,omitempty"`
	Edit  any    `json:"edit"`
	size  int
}

func (p applyEditParams) JSONSize() int { return p.size }

// progress shows work-done progress around fn when the client supports it.
func (s *Server) progress(ctx context.Context, title string, fn func() error) error {
	s.mu.Lock()
	can := s.caps.progress
	s.mu.Unlock()
	if !can {
		return fn()
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	token := "doxls-" + hex.EncodeToString(b[:])
	if err := s.conn.Call(ctx, "window/workDoneProgress/create", map[string]string{"token": token}, nil); err != nil {
		s.log.Debug("progress refused", zap.Error(err))
		return fn()
	}
	s.sendProgress(token, map[string]any{"kind": "begin", "title": title, "cancellable": false})
	err := fn()
	s.sendProgress(token, map[string]any{"kind": "end"})
	return err
}

func (s *Server) sendProgress(token string, value any) {
	if err := s.conn.Notify(s.ctx, "$/progress", map[string]any{"token": token, "value": value}); err != nil {
		s.log.Debug("cannot send progress", zap.Error(err))
	}
}

// showMessage tells the user something through the editor.
func (s *Server) showMessage(typ protocol.MessageType, msg string) {
	if err := s.conn.Notify(s.ctx, "window/showMessage", protocol.ShowMessageParams{Type: typ, Message: msg}); err != nil {
		s.log.Debug("cannot show message", zap.Error(err))
	}
}

// deferMessage keeps a message until the client sent initialized.
func (s *Server) deferMessage(typ protocol.MessageType, msg string) {
	s.mu.Lock()
	s.pending = append(s.pending, protocol.ShowMessageParams{Type: typ, Message: msg})
	s.mu.Unlock()
}

func (s *Server) flushMessages() {
	s.mu.Lock()
	pending := s.pending
	s.pending = nil
	s.mu.Unlock()
	for _, m := range pending {
		s.showMessage(m.Type, m.Message)
	}
}

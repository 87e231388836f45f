package server

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"unicode/utf8"

	fastjson "github.com/segmentio/encoding/json"
	"go.lsp.dev/protocol"

	"github.com/doxls/doxls/commands"
	"github.com/doxls/doxls/internal/lspconn"
)

// documents holds the open documents. Text is kept as bytes exactly as the
// client sent it, so edits computed on it keep every other byte.
type documents struct {
	mu   sync.Mutex
	docs map[protocol.DocumentURI]commands.Document
}

func newDocuments() *documents {
	return &documents{docs: map[protocol.DocumentURI]commands.Document{}}
}

func (d *documents) Get(uri protocol.DocumentURI) (commands.Document, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	doc, ok := d.docs[uri]
	return doc, ok
}

// All returns the open documents in URI order.
func (d *documents) All() []commands.Document {
	d.mu.Lock()
	out := make([]commands.Document, 0, len(d.docs))
	for _, doc := range d.docs {
		out = append(out, doc)
	}
	d.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].URI < out[j].URI })
	return out
}

func (d *documents) set(doc commands.Document) {
	d.mu.Lock()
	d.docs[doc.URI] = doc
	d.mu.Unlock()
}

func (d *documents) remove(uri protocol.DocumentURI) {
	d.mu.Lock()
	delete(d.docs, uri)
	d.mu.Unlock()
}

// textChange is protocol.TextDocumentContentChangeEvent with a pointer
// range: there Range is a value, so a full-text change (no range) cannot be
// told from an edit at 0:0 (DESIGN.md §8).
type textChange struct {
	Range *protocol.Range `json:"range"`
	Text  lspconn.Text    `json:"text"`
}

func (s *Server) didOpen(ctx context.Context, raw json.RawMessage) error {
	var p struct {
		TextDocument struct {
			URI     protocol.DocumentURI `json:"uri"`
			Version int32                `json:"version"`
			Text    lspconn.Text         `json:"text"`
		} `json:"textDocument"`
	}
	if err := fastjson.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("didOpen: %w", err)
	}
	doc := commands.Document{URI: p.TextDocument.URI, Version: p.TextDocument.Version, Text: p.TextDocument.Text}
	s.docs.set(doc)
	s.diags.schedule(doc.URI)
	return nil
}

func (s *Server) didChange(ctx context.Context, raw json.RawMessage) error {
	var p struct {
		TextDocument   protocol.VersionedTextDocumentIdentifier `json:"textDocument"`
		ContentChanges []textChange                             `json:"contentChanges"`
	}
	if err := fastjson.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("didChange: %w", err)
	}
	doc, ok := s.docs.Get(p.TextDocument.URI)
	if !ok {
		return fmt.Errorf("didChange for a document that is not open: %s", p.TextDocument.URI)
	}
	text := doc.Text
	for _, c := range p.ContentChanges {
		if c.Range == nil {
			text = c.Text
			continue
		}
		start, end := offset(text, c.Range.Start), offset(text, c.Range.End)
		if end < start {
			start, end = end, start
		}
		next := make([]byte, 0, len(text)-(end-start)+len(c.Text))
		next = append(next, text[:start]...)
		next = append(next, c.Text...)
		next = append(next, text[end:]...)
		text = next
	}
	doc.Text, doc.Version = text, p.TextDocument.Version
	s.docs.set(doc)
	s.diags.schedule(doc.URI)
	return nil
}

func (s *Server) didClose(ctx context.Context, raw json.RawMessage) error {
	var p protocol.DidCloseTextDocumentParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("didClose: %w", err)
	}
	s.docs.remove(p.TextDocument.URI)
	s.diags.forget(p.TextDocument.URI)
	return nil
}

// offset converts an LSP position (UTF-16 code units; \n, \r\n and \r end
// lines) to a byte offset, clamped to the text.
func offset(text []byte, pos protocol.Position) int {
	i, line := 0, uint32(0)
	for line < pos.Line {
		if i >= len(text) {
			return len(text)
		}
		switch text[i] {
		case '\n':
			line++
		case '\r':
			if i+1 >= len(text) || text[i+1] != '\n' {
				line++
			}
		}
		i++
	}
	units := uint32(0)
	for i < len(text) && units < pos.Character {
		if text[i] == '\n' || text[i] == '\r' {
			break
		}
		r, size := utf8.DecodeRune(text[i:])
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		i += size
	}
	return i
}

package server

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"sync"

	fastjson "github.com/segmentio/encoding/json"
	"go.lsp.dev/protocol"

	"github.com/doxls/doxls/commands"
	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/fileuri"
	"github.com/doxls/doxls/internal/lspconn"
)

// documents holds the open documents. Text is kept as bytes exactly as the
// client sent it, so edits computed on it keep every other byte. They are
// filed under fileuri.Key, so that a path the server computes finds the
// document whichever spelling of its URI the client used.
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
	doc, ok := d.docs[docKey(uri)]
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
	d.docs[docKey(doc.URI)] = doc
	d.mu.Unlock()
}

func (d *documents) remove(uri protocol.DocumentURI) {
	d.mu.Lock()
	delete(d.docs, docKey(uri))
	d.mu.Unlock()
}

// shed drops the parse of every open document while the editor is quiet:
// an open document then holds its text alone until a request reads it
// again (docs/performance.md, "One version, one parse").
func (d *documents) shed() {
	for _, doc := range d.All() {
		doc.Source().Shed()
	}
}

func docKey(u protocol.DocumentURI) protocol.DocumentURI {
	return protocol.DocumentURI(fileuri.Key(string(u)))
}

// textChange is protocol.TextDocumentContentChangeEvent with a pointer
// range: there Range is a value, so a full-text change (no range) cannot be
// told from an edit at 0:0 (docs/architecture.md, "Traps in go.lsp.dev").
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
	doc := commands.OpenDocument(p.TextDocument.URI, p.TextDocument.Version, httpfile.NewBuffer(p.TextDocument.Text))
	s.docs.set(doc)
	s.diags.schedule(doc.URI)
	return nil
}

// didChange applies the changes in one pass when they come as editors send
// a workspace edit, last to first (see httpfile.ApplyChanges): the cost
// grows with the document plus the changes, not with their product.
func (s *Server) didChange(ctx context.Context, raw json.RawMessage) error {
	id, changes, err := decodeChange(raw)
	if err != nil {
		return err
	}
	doc, ok := s.docs.Get(id.URI)
	if !ok {
		return fmt.Errorf("didChange for a document that is not open: %s", id.URI)
	}
	doc = commands.OpenDocument(doc.URI, id.Version, httpfile.ApplyChanges(doc.Source(), changes))
	s.docs.set(doc)
	s.diags.schedule(doc.URI)
	return nil
}

// decodeChange decodes the params of a didChange.
func decodeChange(raw json.RawMessage) (protocol.VersionedTextDocumentIdentifier, []httpfile.Change, error) {
	var p struct {
		TextDocument   protocol.VersionedTextDocumentIdentifier `json:"textDocument"`
		ContentChanges []textChange                             `json:"contentChanges"`
	}
	if err := fastjson.Unmarshal(raw, &p); err != nil {
		return p.TextDocument, nil, fmt.Errorf("didChange: %w", err)
	}
	changes := make([]httpfile.Change, len(p.ContentChanges))
	for i, c := range p.ContentChanges {
		changes[i].NewText = c.Text
		if c.Range != nil {
			changes[i].Range = &httpfile.Range{Start: position(c.Range.Start), End: position(c.Range.End)}
		}
	}
	return p.TextDocument, changes, nil
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

// position converts an LSP position; a value past what int holds on a
// 32-bit platform is past every text.
func position(p protocol.Position) httpfile.Position {
	return httpfile.Position{Line: clampInt(p.Line), Character: clampInt(p.Character)}
}

func clampInt(v uint32) int {
	if uint64(v) > uint64(math.MaxInt) {
		return math.MaxInt
	}
	return int(v)
}

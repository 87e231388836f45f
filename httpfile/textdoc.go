package httpfile

import (
	"sync"
	"unsafe"
)

// Text is one version of a document, never modified: its bytes, with the
// line index, the Document and the token list built on first use and then
// shared by every reader of that version (hover, code lens, diagnostics,
// code actions), so a version costs one scan and one parse however many
// requests ask about it. A new version is a new Text. Safe for concurrent
// use; its bytes must not be changed, as the strings it hands out (token
// values, header names and values) share them.
//
// The parse itself is not kept: for 5,000 requests it is 3 MB beside the
// 2 MB of what the features read, and only edit planning (a command, not
// every keystroke) needs it again. What is kept, Shed drops once the
// editor is quiet (docs/performance.md, "One version, one parse").
type Text struct {
	src    []byte
	buffer bool

	linesMu sync.Mutex
	lines   *source

	readMu sync.Mutex
	doc    *Document
	tokens []TokenRef
	listed bool // tokens holds the token list (nil when there is none)
}

// NewText is src as a file holds it: a leading byte order mark is not a
// character, since editors strip it when they load the file.
func NewText(src []byte) *Text { return &Text{src: src} }

// NewBuffer is src as an editor sent it over LSP. A leading U+FEFF there is
// in the editor's buffer, so it counts as character 0 of line 0; it is
// still a byte order mark to the grammar, and inserted lines go after it.
func NewBuffer(src []byte) *Text { return &Text{src: src, buffer: true} }

// Bytes returns the text; the caller must not change it.
func (t *Text) Bytes() []byte { return t.src }

func (t *Text) source() *source {
	t.linesMu.Lock()
	defer t.linesMu.Unlock()
	if t.lines == nil {
		t.lines = newSource(t.src)
		if t.buffer {
			t.lines.base0 = 0
		}
		// A Text's bytes never change, so a string may share them.
		t.lines.str = unsafe.String(unsafe.SliceData(t.src), len(t.src))
	}
	return t.lines
}

func (t *Text) parse() *parsed { return parseSource(t.source()) }

// read returns what the features read, built from one parse on first use;
// after Shed, the Document is built again (the token list was kept).
// Concurrent readers wait for the one parse.
func (t *Text) read() (*Document, []TokenRef) {
	t.readMu.Lock()
	defer t.readMu.Unlock()
	if t.doc == nil {
		p := t.parse()
		t.doc = p.document()
		if !t.listed {
			t.tokens, t.listed = p.tokens(), true
		}
	}
	return t.doc, t.tokens
}

// Shed drops the line index and the Document: the next reader builds them
// again. A server calls it when the editor is quiet, so that an open
// document costs its bytes and its token list, not its whole parse (for
// 5,000 requests with a token each: 2.6 MB less beside the 9.4 MB of
// text), at the price of one parse on the next request that reads the
// Document (code lens). The token list stays: it is small (one entry per
// token, whose text is the document's bytes), and it is all a hover
// reads, so a hover stays as fast as on a parsed version
// (docs/performance.md, "One version, one parse"). What a reader already
// holds stays valid.
func (t *Text) Shed() {
	t.readMu.Lock()
	t.doc = nil
	t.readMu.Unlock()
	t.linesMu.Lock()
	t.lines = nil
	t.linesMu.Unlock()
}

// Position converts a byte offset (clamped to the text) to an LSP position.
func (t *Text) Position(off int) Position { return t.source().position(off) }

// Offset converts an LSP position to a byte offset; a position past the
// end of its line is at the line's end, a line past the last one at the end
// of the text.
func (t *Text) Offset(p Position) int {
	off, _ := t.source().offset(p)
	return off
}

// Document is Parse of the text, parsed once; the caller must not change it.
func (t *Text) Document() *Document {
	doc, _ := t.read()
	return doc
}

// Tokens is the package's Tokens of the text, listed once; the caller must
// not change the slice.
func (t *Text) Tokens() []TokenRef {
	t.readMu.Lock()
	tokens, listed := t.tokens, t.listed
	t.readMu.Unlock()
	if listed {
		return tokens
	}
	_, tokens = t.read()
	return tokens
}

// PlanEdits is the package's PlanEdits on the text, with its line index.
func (t *Text) PlanEdits(opts Options) Plan { return t.parse().plan(opts) }

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
// every keystroke) needs it again.
type Text struct {
	src    []byte
	buffer bool

	linesOnce sync.Once
	lines     *source

	readOnce sync.Once
	doc      *Document
	tokens   []TokenRef
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
	t.linesOnce.Do(func() {
		t.lines = newSource(t.src)
		if t.buffer {
			t.lines.base0 = 0
		}
		// A Text's bytes never change, so a string may share them.
		t.lines.str = unsafe.String(unsafe.SliceData(t.src), len(t.src))
	})
	return t.lines
}

func (t *Text) parse() *parsed { return parseSource(t.source()) }

// read builds what the features read, from one parse.
func (t *Text) read() {
	t.readOnce.Do(func() {
		p := t.parse()
		t.doc, t.tokens = p.document(), p.tokens()
	})
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
	t.read()
	return t.doc
}

// Tokens is the package's Tokens of the text, listed once; the caller must
// not change the slice.
func (t *Text) Tokens() []TokenRef {
	t.read()
	return t.tokens
}

// PlanEdits is the package's PlanEdits on the text, with its line index.
func (t *Text) PlanEdits(opts Options) Plan { return t.parse().plan(opts) }

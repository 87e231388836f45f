package httpfile

import (
	"bytes"
	"sort"
	"unicode"
	"unicode/utf8"
)

// bom is the UTF-8 byte order mark.
const bom = "\xef\xbb\xbf"

// line is one line of the source: its text is src[start:end] and its line
// ending src[end:next] ("\n", "\r\n", "\r" or "" for the last line).
// LSP counts a lone "\r" as a line break too, so this does as well: the line
// numbers here must be the ones the editor shows.
type line struct{ start, end, next int }

// source is a text split into lines: the line index every position
// conversion uses, built in one pass.
type source struct {
	src []byte
	bom int // 3 when src starts with a byte order mark, else 0
	// base0 is where the characters of line 0 are counted from: after the
	// BOM in a file (editors strip it when they load one), from byte 0 in an
	// editor's buffer that holds it (see NewBuffer).
	base0 int
	lines []line
	// str is src as a string when src never changes (a Text): the strings
	// a parse hands out are then slices of it, not copies. A document of
	// 5,000 requests with a token in each would otherwise hold its 9 MB
	// twice more, in its token list and in its Document.
	str string
}

func newSource(src []byte) *source {
	t := &source{src: src}
	if len(src) >= 3 && string(src[:3]) == bom {
		t.bom = 3
		t.base0 = 3
	}
	// One line per line break, plus the last one (a CRLF counts twice here:
	// a little room to spare beats growing a large slice).
	t.lines = make([]line, 0, bytes.Count(src, []byte{'\n'})+bytes.Count(src, []byte{'\r'})+1)
	start := t.bom
	for {
		seg := src[start:]
		nl := bytes.IndexByte(seg, '\n')
		end := nl
		if nl < 0 {
			end = len(seg)
		}
		cr := bytes.IndexByte(seg[:end], '\r')
		switch {
		case cr >= 0 && (cr < end-1 || nl < 0): // a lone "\r" ends the line
			t.lines = append(t.lines, line{start, start + cr, start + cr + 1})
			start += cr + 1
		case nl < 0:
			t.lines = append(t.lines, line{start, len(src), len(src)})
			return t
		case cr >= 0: // "\r\n" (a lone "\r" was the first case)
			t.lines = append(t.lines, line{start, start + cr, start + nl + 1})
			start += nl + 1
		default:
			t.lines = append(t.lines, line{start, start + nl, start + nl + 1})
			start += nl + 1
		}
	}
}

// lineText returns the content of line n, without its line ending.
func (t *source) lineText(n int) []byte {
	l := t.lines[n]
	return t.src[l.start:l.end]
}

// sub returns the source bytes [from, to) as a string.
func (t *source) sub(from, to int) string {
	if t.str != "" {
		return t.str[from:to]
	}
	return string(t.src[from:to])
}

// eol returns the line ending of line n.
func (t *source) eol(n int) string {
	l := t.lines[n]
	switch l.next - l.end {
	case 0:
		return ""
	case 2:
		return "\r\n"
	}
	if t.src[l.end] == '\r' {
		return "\r"
	}
	return "\n"
}

// eolNear is the line ending to use for a line inserted next to line n: its
// own ending, else (the last line has none) the nearest one above, else "\n".
func (t *source) eolNear(n int) string {
	for i := n; i >= 0; i-- {
		if e := t.eol(i); e != "" {
			return e
		}
	}
	return "\n"
}

// pos converts a byte offset on line n to an LSP position.
func (t *source) pos(n, off int) Position {
	return Position{Line: n, Character: utf16Len(t.src[t.charStart(n):off])}
}

// charStart is the byte offset character 0 of line n stands for.
func (t *source) charStart(n int) int {
	if n == 0 {
		return t.base0
	}
	return t.lines[n].start
}

// position converts a byte offset (clamped to the text) to an LSP position.
// An offset inside a line break or a BOM that is not a character is at the
// end of the line before it, or at character 0.
func (t *source) position(off int) Position {
	off = max(0, min(off, len(t.src)))
	n := sort.Search(len(t.lines), func(i int) bool { return t.lines[i].start > off }) - 1
	n = max(n, 0)
	from, end := t.charStart(n), t.lines[n].end
	off = max(from, min(off, end))
	return Position{Line: n, Character: utf16Len(t.src[from:off])}
}

// offset converts an LSP position to a byte offset. A position past the end
// of its line is at the line's end, a line past the last one at the end of
// the text; exact is false then. A character inside a surrogate pair is
// after it.
func (t *source) offset(p Position) (off int, exact bool) {
	if p.Line < 0 || p.Character < 0 {
		return 0, false
	}
	if p.Line >= len(t.lines) {
		return len(t.src), false
	}
	i, end := t.charStart(p.Line), t.lines[p.Line].end
	for units := 0; units < p.Character; {
		if i >= end {
			return end, false
		}
		c := t.src[i]
		if c < utf8.RuneSelf {
			units++
			i++
			continue
		}
		r, size := utf8.DecodeRune(t.src[i:end])
		if r > 0xFFFF {
			units += 2
		} else {
			units++
		}
		i += size
	}
	return i, true
}

// utf16Len counts the UTF-16 code units of b; an invalid byte counts as one
// unit, as it does once an editor has replaced it with U+FFFD.
func utf16Len(b []byte) int {
	n := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r > 0xFFFF {
			n += 2
		} else {
			n++
		}
		i += size
	}
	return n
}

// isSpace is JavaScript's \s, which httpyac and REST Client use to decide
// what is blank and what is indented.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\ufeff'
}

// leadingSpace returns the length of the white space b starts with.
func leadingSpace(b []byte) int {
	i := 0
	for i < len(b) {
		c := b[i]
		if c < utf8.RuneSelf {
			if c == ' ' || c == '\t' || c == '\v' || c == '\f' {
				i++
				continue
			}
			return i
		}
		r, size := utf8.DecodeRune(b[i:])
		if !isSpace(r) {
			return i
		}
		i += size
	}
	return i
}

// trailingSpace returns the length of the white space b ends with.
func trailingSpace(b []byte) int {
	i := len(b)
	for i > 0 {
		c := b[i-1]
		if c < utf8.RuneSelf {
			if c == ' ' || c == '\t' || c == '\v' || c == '\f' {
				i--
				continue
			}
			break
		}
		r, size := utf8.DecodeLastRune(b[:i])
		if !isSpace(r) {
			break
		}
		i -= size
	}
	return len(b) - i
}

// trimBounds returns the bounds of b without surrounding white space.
func trimBounds(b []byte) (from, to int) {
	from = leadingSpace(b)
	to = len(b) - trailingSpace(b[from:])
	return from, to
}

func isBlank(b []byte) bool { return leadingSpace(b) == len(b) }

package lspconn

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits of one incoming message (docs/transport.md, "Framing").
const (
	// maxMessage bounds one message body. The largest an editor sends is
	// a didOpen or full-text didChange: a 10 MB request file is about
	// 11 MB of JSON, and one full of characters JSON escapes six times
	// over still fits. Handling one costs about five times its size
	// (docs/transport.md, "Memory"), so the cap also bounds what one
	// message can cost.
	maxMessage = 64 << 20
	// maxHeaderLine bounds one header line; LSP has two headers, both short.
	maxHeaderLine = 4 << 10
)

// frameError is a message the framing itself rejects: a header line that
// is not "Name: value" or is too long, a missing or bad Content-Length, a
// body above the cap. The reader has moved on to where the next message
// seems to start, so the connection answers and reads on. Its text never
// quotes what the client sent: after a wrong length, a "header" may be the
// rest of a document, with a token or a secret in it.
type frameError struct{ msg string }

func (e *frameError) Error() string { return e.msg }

// framer reads LSP base-protocol frames: header lines, a blank line, a
// body of Content-Length bytes.
type framer struct {
	r   *bufio.Reader
	max int // body cap
	// pending is a header line found glued to the end of a broken one
	// (a body sent without headers, then a proper message): read next.
	pending string
	// lost: the last message was broken and its length unknown; the
	// next read first skips to where the next message seems to start.
	lost bool
}

func newFramer(r io.Reader, max int) *framer {
	return &framer{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next body. Its size goes to expect before the body is
// read. At the end of input it returns io.EOF; a message cut short by the
// end of input is io.ErrUnexpectedEOF; a *frameError leaves the reader at
// the next message.
func (f *framer) next(expect func(int)) ([]byte, error) {
	if f.lost {
		f.lost = false
		if err := f.skip(); err != nil {
			return nil, err
		}
	}
	length, err := f.header()
	if err != nil {
		return nil, err
	}
	if length > f.max {
		// The length is known, so the body can be skipped exactly and
		// the next message read as usual.
		if _, err := f.r.Discard(length); err != nil {
			return nil, unexpected(err)
		}
		return nil, &frameError{fmt.Sprintf("a message of %d bytes is larger than the %d MiB limit; skipped it", length, f.max>>20)}
	}
	expect(length)
	body := make([]byte, length)
	if _, err := io.ReadFull(f.r, body); err != nil {
		return nil, unexpected(err)
	}
	return body, nil
}

// header reads one header block and returns its Content-Length.
func (f *framer) header() (int, error) {
	length, lines := -1, 0
	for {
		line, err := f.line()
		if err != nil {
			if errors.Is(err, io.EOF) && lines == 0 {
				return 0, io.EOF
			}
			var fe *frameError
			if errors.As(err, &fe) {
				return 0, f.resync(fe)
			}
			return 0, unexpected(err)
		}
		if line == "" {
			if lines == 0 {
				continue // a stray blank line between messages
			}
			if length < 0 {
				return 0, f.resync(&frameError{"a message header without Content-Length"})
			}
			return length, nil
		}
		if i := indexFold([]byte(line), contentLength); i > 0 {
			f.pending = line[i:]
			return 0, &frameError{fmt.Sprintf("%d stray bytes before a message header", i)}
		}
		lines++
		name, value, ok := strings.Cut(line, ":")
		if !ok || !token(strings.TrimSpace(name)) {
			return 0, f.resync(&frameError{fmt.Sprintf("a malformed message header line of %d bytes (want \"Name: value\")", len(line))})
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n < 0 {
				return 0, f.resync(&frameError{"a bad Content-Length (want a number of bytes)"})
			}
			length = n
		}
	}
}

// line reads one header line without its line break, at most maxHeaderLine
// bytes of it.
func (f *framer) line() (string, error) {
	if p := f.pending; p != "" {
		f.pending = ""
		return p, nil
	}
	if b, err := f.r.Peek(1); err == nil && (b[0] == '{' || b[0] == '[') {
		// JSON where a header belongs: it may well not end in a line
		// break, so say so now rather than wait for one.
		return "", &frameError{"a message body without a Content-Length header"}
	}
	var line []byte
	for {
		chunk, err := f.r.ReadSlice('\n')
		if len(line)+len(chunk) > maxHeaderLine {
			return "", &frameError{fmt.Sprintf("a message header line longer than %d KiB", maxHeaderLine>>10)}
		}
		line = append(line, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			if len(line) > 0 && errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		return string(bytes.TrimRight(line, "\r\n")), nil
	}
}

// contentLength is where a message starts, as resync looks for it.
const contentLength = "content-length:"

// resync reports fe and has the next read skip to the next
// "Content-Length:" (in any case), where the next message seems to start.
// With the length unknown there is no telling where the broken message
// ends; a body does not hold the marker unless a string in it does.
func (f *framer) resync(fe *frameError) error {
	f.lost = true
	return fe
}

// skip reads up to the next "Content-Length:".
func (f *framer) skip() error {
	for {
		buf, _ := f.r.Peek(f.r.Buffered()) // what is there, without reading
		if i := indexFold(buf, contentLength); i >= 0 {
			_, _ = f.r.Discard(i)
			return nil
		}
		// Keep a tail that may be the start of a marker cut in two.
		if drop := len(buf) - (len(contentLength) - 1); drop > 0 {
			_, _ = f.r.Discard(drop)
		}
		if _, err := f.r.Peek(f.r.Buffered() + 1); err != nil { // read more
			if errors.Is(err, io.EOF) {
				return io.EOF // nothing more came: a clean end
			}
			return fmt.Errorf("reading a message: %w", err)
		}
	}
}

// token reports whether name is a header name (RFC 9110 token characters).
func token(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range []byte(name) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// indexFold is the index of the ASCII string lower (lower case) in b, in
// any case, or -1.
func indexFold(b []byte, lower string) int {
	for i := 0; i+len(lower) <= len(b); i++ {
		if b[i]|0x20 == lower[0] && bytes.EqualFold(b[i:i+len(lower)], []byte(lower)) {
			return i
		}
	}
	return -1
}

// unexpected turns the end of input inside a message into
// io.ErrUnexpectedEOF, so that only a clean end is io.EOF.
func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("the input ended inside a message: %w", io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("reading a message: %w", err)
}

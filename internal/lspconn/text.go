package lspconn

import (
	"bytes"
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Text is a document's text in a didOpen or didChange, decoded from its
// JSON string straight to the bytes the server keeps. A full-text change
// carries the whole document; a generic decoder unquotes it in small steps
// and then copies it once more into bytes, which for a 10 MB request file
// costs more than everything else the server does with it (docs/transport.md).
type Text []byte

func (t *Text) UnmarshalJSON(raw []byte) error {
	b, err := unquote(raw)
	if err != nil {
		return err
	}
	*t = b
	return nil
}

var errNotString = errors.New("text must be a JSON string")

// unquote decodes a JSON string literal as encoding/json does, invalid
// UTF-8 and lone surrogates becoming U+FFFD, in one pass into one buffer.
func unquote(raw []byte) ([]byte, error) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, errNotString
	}
	s := raw[1 : len(raw)-1]
	out := make([]byte, 0, len(s))
	for len(s) > 0 {
		i := bytes.IndexByte(s, '\\')
		if i < 0 {
			out = append(out, s...)
			break
		}
		out = append(out, s[:i]...)
		s = s[i:]
		if len(s) < 2 {
			return nil, errors.New("text ends inside an escape")
		}
		switch c := s[1]; c {
		case '"', '\\', '/':
			out = append(out, c)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(s[2:])
			if !ok {
				return nil, errors.New("text has a malformed \\u escape")
			}
			s = s[6:]
			if utf16.IsSurrogate(r) {
				// A high surrogate pairs with a \u low surrogate right after
				// it; anything else leaves it alone, and alone it is U+FFFD.
				lo, ok := rune(0), false
				if len(s) >= 6 && s[0] == '\\' && s[1] == 'u' {
					lo, ok = hex4(s[2:])
				}
				if pair := utf16.DecodeRune(r, lo); ok && pair != utf8.RuneError {
					r = pair
					s = s[6:]
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			return nil, errors.New("text has an unknown escape \\" + strconv.QuoteRune(rune(c)))
		}
		s = s[2:]
	}
	if !utf8.Valid(out) {
		out = coerceUTF8(out)
	}
	return out, nil
}

// hex4 reads the four hex digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 32)
	return rune(n), err == nil
}

// coerceUTF8 replaces each byte that is not part of valid UTF-8 with
// U+FFFD, byte by byte as encoding/json does.
func coerceUTF8(b []byte) []byte {
	out := make([]byte, 0, len(b)+16)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
}

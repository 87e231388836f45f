package lspconn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

func frames(bodies ...string) string {
	var b strings.Builder
	for _, body := range bodies {
		b.WriteString("Content-Length: " + itoa(len(body)) + "\r\n\r\n" + body)
	}
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestFramerReadsOnAfterBrokenFrames(t *testing.T) {
	ok := `{"jsonrpc":"2.0","id":1,"method":"x"}`
	for _, tc := range []struct{ name, broken string }{
		{"a Content-Length that is not a number", "Content-Length: 12abc\r\n\r\n{\"a\":1}"},
		{"a negative Content-Length", "Content-Length: -5\r\n\r\n{}"},
		{"no Content-Length", "Content-Type: text/plain\r\n\r\n{\"a\":1}"},
		{"no header at all", `{"jsonrpc":"2.0","id":9}`},
		{"no header, then a line break", "{\"jsonrpc\":\"2.0\",\"id\":9}\r\n"},
		{"a header line of 1 MiB", "X-Pad: " + strings.Repeat("x", 1<<20) + "\r\n\r\n{}"},
		{"a header line that is not Name: value", "Content-Length 40\r\n\r\n{}"},
		{"a body above the cap", frames(strings.Repeat(" ", 100))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFramer(strings.NewReader(tc.broken+frames(ok)), 64)
			_, err := f.next(func(int) {})
			var fe *frameError
			if !errors.As(err, &fe) {
				t.Fatalf("the broken frame: %v, want a framing error", err)
			}
			body, err := f.next(func(int) {})
			if err != nil || string(body) != ok {
				t.Fatalf("the next frame: %q, %v; want %q", body, err, ok)
			}
			if _, err := f.next(func(int) {}); err != io.EOF {
				t.Fatalf("at the end: %v, want io.EOF", err)
			}
		})
	}
}

// Whatever a client sends, the connection neither panics nor hangs: on a
// finite input Serve returns, having answered what it could.
func FuzzServe(f *testing.F) {
	for _, seed := range []string{
		frames(`{"jsonrpc":"2.0","id":1,"method":"x"}`, `{"jsonrpc":"2.0","method":"n","params":{}}`),
		"Content-Length: 12abc\r\n\r\n{}" + frames(`{"jsonrpc":"2.0","id":"a","method":"x"}`),
		"content-length:3\r\n\r\n[1]Content-Length: 2\r\n\r\n{}",
		"X: y\r\n\r\n{\"jsonrpc\":\"2.0\"}",
		frames(`{"jsonrpc":"2.0","id":"doxls/1","result":null}`, `{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}`),
		"\r\n\r\nContent-Length: 99999999999999999999\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		c := New(bytes.NewReader(in), io.Discard, Config{
			Call:   func(context.Context, string, json.RawMessage) (any, error) { return nil, nil },
			Notify: func(context.Context, string, json.RawMessage) {},
		})
		_ = c.Serve(context.Background())
	})
}

// After a Content-Length that is too short, the rest of the body is read
// as headers; the errors say what is wrong without quoting it.
func TestFramingErrorsQuoteNothing(t *testing.T) {
	secret := `s3cr3t!|$+=`
	ok := `{"jsonrpc":"2.0","id":1,"method":"x"}`
	in := "Content-Length: 2\r\n\r\n{}" + `"clientsecret": "` + secret + `"` + "\r\nContent-Length: " + secret + "\r\n\r\n" + frames(ok)
	f := newFramer(strings.NewReader(in), maxMessage)
	for {
		body, err := f.next(func(int) {})
		if err == io.EOF {
			return
		}
		var fe *frameError
		if errors.As(err, &fe) && strings.Contains(fe.msg, secret) {
			t.Fatalf("a framing error quotes the secret: %q", strings.ReplaceAll(fe.msg, secret, "<secret>"))
		}
		if err != nil && fe == nil {
			t.Fatal(err)
		}
		if string(body) == ok {
			return
		}
	}
}

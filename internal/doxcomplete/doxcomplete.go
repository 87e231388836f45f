// Package doxcomplete knows where a DOX request in a .http document takes
// a value the DOX API defines: the v1 paths on a request line, clientId in
// a query, clientId, documentType and extraction field names in the JSON
// of an upload's options part. It offers those values (Complete) and
// flags the ones the instance does not have (Check), over the parse of
// package httpfile and the data of package doxapi (docs/dox-api.md).
package doxcomplete

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf16"

	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/doxapi"
)

// Kind says what an item is.
type Kind int

const (
	KindPath Kind = iota + 1
	KindClient
	KindDocumentType
	KindHeaderField
	KindLineItemField
	KindOptionKey
)

// Item is one completion.
type Item struct {
	Label  string
	Kind   Kind
	Detail string // what it is: "DOX client", "header field · number · amounts", …
	Doc    string
	// Range is replaced by NewText: the part of the value written so far,
	// up to the cursor.
	Range   httpfile.Range
	NewText string
}

const v1 = "/document-information-extraction/v1/"

// lines splits src into lines without their line endings. src is the
// editor's buffer: a U+FEFF it holds is character 0 of line 0 there, so it
// stays (httpfile.NewBuffer reads positions the same way).
func lines(src []byte) [][]byte {
	ls := bytes.Split(src, []byte("\n"))
	for i, l := range ls {
		ls[i] = bytes.TrimSuffix(l, []byte("\r"))
	}
	return ls
}

// byteAt is the byte offset in line of a UTF-16 character position.
func byteAt(line []byte, char int) int {
	n := 0
	for i, r := range string(line) {
		if n >= char {
			return i
		}
		n += utf16.RuneLen(r)
	}
	return len(line)
}

// charAt is the UTF-16 position of a byte offset in line.
func charAt(line []byte, off int) int {
	return len(utf16.Encode([]rune(string(line[:min(off, len(line))]))))
}

func rng(line int, text []byte, from, to int) httpfile.Range {
	return httpfile.Range{
		Start: httpfile.Position{Line: line, Character: charAt(text, from)},
		End:   httpfile.Position{Line: line, Character: charAt(text, to)},
	}
}

// Complete returns the items for pos in req, a request of the document
// src that goes to the key's API host (the caller applies the host rule).
func Complete(src []byte, req *httpfile.Request, pos httpfile.Position, data doxapi.Data) []Item {
	ls := lines(src)
	if pos.Line < 0 || pos.Line >= len(ls) {
		return nil
	}
	text := ls[pos.Line]
	cur := byteAt(text, pos.Character)
	if items := queryClient(req, ls, pos.Line, text, cur, data); items != nil {
		return items
	}
	if pos.Line == req.Line {
		return paths(text, cur, pos.Line)
	}
	if part, ok := optionsPart(req, ls); ok && pos.Line >= part.from && pos.Line < part.to {
		return optionItems(ls, part, pos.Line, cur, data)
	}
	return nil
}

// paths offers the v1 endpoints after …/document-information-extraction/v1/.
func paths(text []byte, cur, line int) []Item {
	before := string(text[:cur])
	i := strings.LastIndex(before, v1)
	if i < 0 {
		return nil
	}
	start := i + len(v1)
	if strings.ContainsAny(before[start:], " \t?#") {
		return nil
	}
	r := rng(line, text, start, cur)
	items := make([]Item, 0, len(endpoints))
	for _, e := range endpoints {
		items = append(items, Item{Label: e.Path, Kind: KindPath, Detail: "DOX API v1 endpoint", Doc: e.Doc, Range: r, NewText: e.Path})
	}
	return items
}

var clientQuery = regexp.MustCompile(`[?&]clientId=([^&#\s]*)$`)

// queryClient offers clients for a clientId= query value on the request
// line or a query continuation line.
func queryClient(req *httpfile.Request, ls [][]byte, line int, text []byte, cur int, data doxapi.Data) []Item {
	if line != req.Line && !(line > req.Line && isQueryLine(ls, req, line)) {
		return nil
	}
	m := clientQuery.FindSubmatchIndex(text[:cur])
	if m == nil {
		return nil
	}
	return clientItems(data, rng(line, text, m[2], cur), false)
}

// isQueryLine reports whether line continues the URL of req with ?… or &….
func isQueryLine(ls [][]byte, req *httpfile.Request, line int) bool {
	for i := req.Line + 1; i <= line && i < len(ls); i++ {
		t := bytes.TrimSpace(ls[i])
		if len(t) == 0 || (t[0] != '?' && t[0] != '&') {
			return false
		}
	}
	return true
}

func clientItems(data doxapi.Data, r httpfile.Range, quote bool) []Item {
	items := []Item{}
	for _, c := range data.Clients {
		items = append(items, Item{Label: c.ID, Kind: KindClient, Detail: "DOX client · " + c.Name, Range: r, NewText: quoted(c.ID, quote)})
	}
	return items
}

func quoted(s string, quote bool) string {
	if quote {
		return `"` + s + `"`
	}
	return s
}

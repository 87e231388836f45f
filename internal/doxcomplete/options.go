package doxcomplete

import (
	"bytes"
	"mime"
	"strings"

	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/doxapi"
)

// part is the content lines [from, to) of the options part of an upload.
type part struct{ from, to int }

// IsUpload reports whether req is POST …/document-information-extraction/v1/document/jobs.
func IsUpload(req *httpfile.Request) bool {
	if !strings.EqualFold(req.Method, "POST") {
		return false
	}
	u := req.URL
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return strings.HasSuffix(strings.TrimRight(u, "/"), strings.TrimSuffix(v1, "/")+"/document/jobs")
}

// optionsPart finds the options part of a multipart upload: the part
// whose Content-Disposition names "options", between boundary lines.
func optionsPart(req *httpfile.Request, ls [][]byte) (part, bool) {
	if !IsUpload(req) {
		return part{}, false
	}
	boundary := ""
	for _, h := range req.Headers {
		if strings.EqualFold(h.Name, "Content-Type") {
			if _, params, err := mime.ParseMediaType(h.Value); err == nil {
				boundary = params["boundary"]
			}
		}
	}
	if boundary == "" {
		return part{}, false
	}
	delim := []byte("--" + boundary)
	end := min(req.EndLine+1, len(ls))
	// The body starts after the blank line that ends the headers.
	body := req.Line + 1
	if n := len(req.Headers); n > 0 {
		body = req.Headers[n-1].Line + 1
	}
	for body < end && len(bytes.TrimSpace(ls[body])) != 0 {
		body++
	}
	for i := body; i < end; i++ {
		if !bytes.HasPrefix(bytes.TrimSpace(ls[i]), delim) {
			continue
		}
		// Part headers up to a blank line.
		j, isOptions := i+1, false
		for ; j < end && len(bytes.TrimSpace(ls[j])) != 0; j++ {
			h := string(ls[j])
			if name, val, ok := strings.Cut(h, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "Content-Disposition") {
				if _, params, err := mime.ParseMediaType(strings.TrimSpace(val)); err == nil && params["name"] == "options" {
					isOptions = true
				}
			}
		}
		if !isOptions {
			continue
		}
		k := j + 1
		for k < end && !bytes.HasPrefix(bytes.TrimSpace(ls[k]), delim) {
			k++
		}
		return part{from: j + 1, to: k}, true
	}
	return part{}, false
}

// jsonAt is where the cursor is in the options JSON.
type jsonAt struct {
	path     []string // keys of the enclosing containers, outermost first
	inArray  bool     // the innermost container is an array
	key      string   // the key whose value is at the cursor (objects)
	inString bool     // the cursor is inside a string value
	start    int      // offset of the value written so far (after its quote)
	onKey    bool     // the cursor is on a key, not a value
}

// locate scans text up to cur, tolerant of the half-written JSON an
// editor holds while the user types.
func locate(text []byte, cur int) (jsonAt, bool) {
	type frame struct {
		key     string // the key this container is the value of
		array   bool
		lastKey string
		// expectKey: in an object, the next string is a key.
		expectKey bool
	}
	stack := []frame{}
	var at jsonAt
	for i := 0; i < cur; i++ {
		c := text[i]
		switch c {
		case '{', '[':
			k := ""
			if n := len(stack); n > 0 {
				if stack[n-1].array {
					k = stack[n-1].key
				} else {
					k = stack[n-1].lastKey
				}
			}
			stack = append(stack, frame{key: k, array: c == '[', expectKey: c == '{'})
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case ',':
			if n := len(stack); n > 0 && !stack[n-1].array {
				stack[n-1].expectKey = true
			}
		case ':':
			if n := len(stack); n > 0 {
				stack[n-1].expectKey = false
			}
		case '"':
			j := i + 1
			for j < cur && text[j] != '"' {
				if text[j] == '\\' {
					j++
				}
				j++
			}
			n := len(stack)
			isKey := n > 0 && !stack[n-1].array && stack[n-1].expectKey
			if j >= cur { // the cursor is in this string
				at.inString, at.start, at.onKey = true, i+1, isKey
				i = cur
				continue
			}
			if isKey {
				stack[n-1].lastKey = string(text[i+1 : j])
			}
			i = j
		}
	}
	if len(stack) == 0 {
		return at, false
	}
	top := stack[len(stack)-1]
	for _, f := range stack[1:] {
		at.path = append(at.path, f.key)
	}
	at.inArray = top.array
	if !top.array {
		if top.expectKey && !at.inString {
			at.onKey = true
		}
		at.key = top.lastKey
	}
	if !at.inString {
		at.start = cur
	}
	return at, true
}

// optionItems offers values at the cursor in the options JSON.
func optionItems(ls [][]byte, p part, line, cur int, data doxapi.Data) []Item {
	// The JSON is the part's lines joined; the cursor's offset in it.
	var buf []byte
	off := 0
	for i := p.from; i < p.to; i++ {
		if i == line {
			off = len(buf) + cur
		}
		buf = append(buf, ls[i]...)
		buf = append(buf, '\n')
	}
	at, ok := locate(buf, off)
	if !ok {
		return nil
	}
	text := ls[line]
	startInLine := cur - (off - at.start)
	if startInLine < 0 {
		return nil // a string value across lines: not one of ours
	}
	r := rng(line, text, startInLine, cur)
	quote := !at.inString
	if at.onKey {
		return keyItems(at.path, r, quote)
	}
	switch {
	case !at.inArray && len(at.path) == 0 && at.key == "clientId":
		return clientItems(data, r, quote)
	case !at.inArray && len(at.path) == 0 && at.key == "documentType":
		items := []Item{}
		for _, t := range data.Capabilities.DocumentTypes {
			items = append(items, Item{Label: t, Kind: KindDocumentType, Detail: "DOX document type", Range: r, NewText: quoted(t, quote)})
		}
		return items
	case at.inArray && len(at.path) == 2 && at.path[0] == "extraction" && at.path[1] == "headerFields":
		return fieldItems(data.Capabilities.Extraction.HeaderFields, KindHeaderField, "header field", DocumentType(buf), r, quote)
	case at.inArray && len(at.path) == 2 && at.path[0] == "extraction" && at.path[1] == "lineItemFields":
		return fieldItems(data.Capabilities.Extraction.LineItemFields, KindLineItemField, "line item field", DocumentType(buf), r, quote)
	}
	return nil
}

func fieldItems(fields []doxapi.Field, kind Kind, what, documentType string, r httpfile.Range, quote bool) []Item {
	items := []Item{}
	for _, f := range fields {
		if documentType != "" && !f.Supports(documentType) {
			continue
		}
		detail := what
		for _, s := range []string{f.Type, f.Category} {
			if s != "" {
				detail += " · " + s
			}
		}
		doc := ""
		if len(f.SupportedDocumentTypes) > 0 {
			doc = "Extracted from: " + strings.Join(f.SupportedDocumentTypes, ", ")
		}
		items = append(items, Item{Label: f.Name, Kind: kind, Detail: detail, Doc: doc, Range: r, NewText: quoted(f.Name, quote)})
	}
	return items
}

// optionKeys are the keys of the upload options SAP's Python client writes
// (helpers.py, create_document_options), by the path of their object.
var optionKeys = map[string][]Item{
	"": {
		{Label: "clientId", Doc: "The client the document is uploaded for"},
		{Label: "documentType", Doc: "The type of the document, from GET /capabilities"},
		{Label: "extraction", Doc: "headerFields and lineItemFields to extract (not with schemaId)"},
		{Label: "schemaId", Doc: "The schema to extract with, instead of extraction"},
		{Label: "templateId", Doc: "The template to use for this document"},
		{Label: "receivedDate", Doc: "The date the document was received"},
		{Label: "enrichment", Doc: "Entities to match the extracted values against"},
	},
	"extraction": {
		{Label: "headerFields", Doc: "Header field names, from GET /capabilities"},
		{Label: "lineItemFields", Doc: "Line-item field names, from GET /capabilities"},
	},
}

func keyItems(path []string, r httpfile.Range, quote bool) []Item {
	keys, ok := optionKeys[strings.Join(path, ".")]
	if !ok {
		return nil
	}
	items := make([]Item, 0, len(keys))
	for _, k := range keys {
		k.Kind, k.Detail, k.Range, k.NewText = KindOptionKey, "upload option", r, quoted(k.Label, quote)
		items = append(items, k)
	}
	return items
}

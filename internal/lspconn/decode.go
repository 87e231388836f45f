package lspconn

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"

	fastjson "github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
)

// probe is the envelope of a message, seen loosely to tell which rule of
// JSON-RPC 2.0 it breaks. It is decoded with segmentio's decoder (the one
// jsonrpc2 itself uses) without copying: params stay a slice of the frame,
// where jsonrpc2.DecodeMessage would copy a body three times over.
type probe struct {
	JSONRPC *string         `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  json.RawMessage `json:"method"`
	Params  json.RawMessage `json:"params"`
	Result  json.RawMessage `json:"result"`
	Error   json.RawMessage `json:"error"`
}

// message is one decoded frame: a request (id set), a notification, or an
// answer to one of our calls.
type message struct {
	id     id
	method string
	params json.RawMessage
	answer bool
	result json.RawMessage
	err    json.RawMessage
}

// id is a request id in canonical JSON: a string literal or an integer.
// "7" and 7 are different ids; "\u0037" and "7" are the same.
type id string

// nullID answers a message whose id is unknown.
const nullID id = "null"

// parseID reads an id as jsonrpc2.ID can carry it: a string or an int32.
func parseID(raw json.RawMessage) (id, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		q, _ := json.Marshal(s)
		return id(q), true
	}
	var n int32
	if json.Unmarshal(raw, &n) == nil {
		return id(strconv.FormatInt(int64(n), 10)), true
	}
	return "", false
}

// decode checks body against JSON-RPC 2.0 and decodes it. On failure it
// returns the id to answer to (nullID when unknown) and the error.
func decode(body []byte) (message, *jsonrpc2.Error) {
	trimmed := bytes.TrimSpace(body)
	var p probe
	rest, err := fastjson.Parse(trimmed, &p, fastjson.ZeroCopy)
	if err == nil && len(bytes.TrimSpace(rest)) > 0 {
		err = errors.New("data after the message")
	}
	if err != nil {
		if !json.Valid(trimmed) {
			return message{id: nullID}, jsonrpc2.NewError(jsonrpc2.ParseError, "parse error: the message body is not valid JSON")
		}
		if len(trimmed) == 0 || trimmed[0] != '{' {
			return message{id: nullID}, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "invalid request: a message must be a JSON object (batches are not used by LSP)")
		}
		return message{id: nullID}, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "invalid request: "+err.Error())
	}
	m := message{id: nullID}
	hasID := len(p.ID) > 0 && !isNull(p.ID)
	if hasID {
		var ok bool
		if m.id, ok = parseID(p.ID); !ok {
			return message{id: nullID}, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "invalid request: id must be a string or an integer")
		}
	}
	invalid := func(msg string) (message, *jsonrpc2.Error) {
		return m, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "invalid request: "+msg)
	}
	if p.JSONRPC == nil || *p.JSONRPC != "2.0" {
		return invalid(`"jsonrpc" must be "2.0"`)
	}
	if len(p.Method) == 0 {
		if len(p.ID) == 0 || (len(p.Result) == 0 && len(p.Error) == 0) {
			return invalid(`a message needs a "method", or an "id" with a "result" or "error"`)
		}
		m.answer, m.result, m.err = true, p.Result, p.Error
		return m, nil
	}
	if err := json.Unmarshal(p.Method, &m.method); err != nil || m.method == "" {
		return invalid(`"method" must be a non-empty string`)
	}
	if len(p.Params) > 0 && !isNull(p.Params) && p.Params[0] != '{' && p.Params[0] != '[' {
		return invalid(`"params" must be an object or an array`)
	}
	if !hasID {
		m.id = ""
	}
	m.params = p.Params
	return m, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

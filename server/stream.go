package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	fastjson "github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
)

// maxMessage bounds one message body; a 1 MB .http file is far below it.
const maxMessage = 64 << 20

// stream frames LSP messages (Content-Length headers) on a reader and a
// writer. Unlike jsonrpc2.NewStream it answers a body that is not valid
// JSON-RPC with the error the spec names and reads on, instead of handing
// the connection an error that closes it. Notifications do not go through
// the connection at all: Read hands them to notify in arrival order, with
// params sliced from the frame, because jsonrpc2.DecodeMessage copies a
// body three times over and a didChange can carry the whole document.
type stream struct {
	in     *bufio.Reader
	out    io.Writer
	closer io.Closer
	notify func(ctx context.Context, method string, params json.RawMessage)
	calls  outgoing   // the server's own calls to the client (outgoing.go)
	mem    *memory    // told the size of every message (memory.go)
	mu     sync.Mutex // serialises writes: replies, notifications, our own errors
}

func newStream(in io.Reader, out io.Writer, closer io.Closer, mem *memory, notify func(context.Context, string, json.RawMessage)) *stream {
	return &stream{in: bufio.NewReaderSize(in, 64<<10), out: out, closer: closer, mem: mem, notify: notify,
		calls: outgoing{pending: map[string]chan answer{}}}
}

// Read returns the next call; notifications and the answers to the
// server's own calls are handled on the way.
func (s *stream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		if err := ctx.Err(); err != nil {
			s.calls.close(err)
			return nil, 0, err
		}
		body, n, err := s.frame()
		if err != nil {
			s.calls.close(err)
			return nil, n, err
		}
		m, id, rpcErr := decode(body)
		switch {
		case rpcErr != nil:
			if err := s.writeError(id, rpcErr); err != nil {
				return nil, n, err
			}
		case m.answer:
			s.calls.deliver(id, m.result, m.err)
		case m.msg != nil:
			return m.msg, n, nil
		default:
			s.notify(ctx, m.method, m.params)
		}
	}
}

// frame reads one header block and its body.
func (s *stream) frame() ([]byte, int64, error) {
	var total int64
	length := -1
	for {
		line, err := s.in.ReadString('\n')
		total += int64(len(line))
		if err != nil {
			if errors.Is(err, io.EOF) && total == 0 {
				return nil, total, io.EOF
			}
			return nil, total, fmt.Errorf("reading message header: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if length < 0 {
				continue // stray blank line between messages
			}
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, total, fmt.Errorf("malformed message header %q", truncate(line, 40))
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			length, err = strconv.Atoi(strings.TrimSpace(value))
			if err != nil || length < 0 || length > maxMessage {
				return nil, total, fmt.Errorf("bad Content-Length %q", truncate(value, 20))
			}
		}
	}
	s.mem.expect(length)
	body := make([]byte, length)
	n, err := io.ReadFull(s.in, body)
	total += int64(n)
	if err != nil {
		return nil, total, fmt.Errorf("reading message body: %w", err)
	}
	return body, total, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// probe is the envelope of a message, seen loosely to tell which rule of
// JSON-RPC 2.0 it breaks. It is decoded with segmentio's decoder, the one
// jsonrpc2 itself uses, without copying: params stay a slice of the frame.
type probe struct {
	JSONRPC *string         `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  json.RawMessage `json:"method"`
	Params  json.RawMessage `json:"params"`
	Result  json.RawMessage `json:"result"`
	Error   json.RawMessage `json:"error"`
}

// message is one decoded frame: a call for the jsonrpc2 connection, a
// notification's method and params, or an answer's result or error.
type message struct {
	msg    jsonrpc2.Message
	method string
	params json.RawMessage
	answer bool
	result json.RawMessage
	err    json.RawMessage
}

// decode checks body against JSON-RPC 2.0 and decodes it. On failure it
// returns the id to answer to (raw JSON, "null" when unknown) and the error.
func decode(body []byte) (message, json.RawMessage, *jsonrpc2.Error) {
	null := json.RawMessage("null")
	trimmed := bytes.TrimSpace(body)
	var p probe
	rest, err := fastjson.Parse(trimmed, &p, fastjson.ZeroCopy)
	if err == nil && len(bytes.TrimSpace(rest)) > 0 {
		err = errors.New("data after the message")
	}
	if err != nil {
		if !json.Valid(trimmed) {
			return message{}, null, jsonrpc2.NewError(jsonrpc2.ParseError, "parse error: the message body is not valid JSON")
		}
		if len(trimmed) == 0 || trimmed[0] != '{' {
			return message{}, null, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "invalid request: a message must be a JSON object (batches are not used by LSP)")
		}
		return message{}, null, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "invalid request: "+err.Error())
	}
	id := null
	hasID := len(p.ID) > 0 && !isNull(p.ID)
	if hasID {
		if !validID(p.ID) {
			return message{}, null, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "invalid request: id must be a string or an integer")
		}
		id = p.ID
	}
	invalid := func(msg string) (message, json.RawMessage, *jsonrpc2.Error) {
		return message{}, id, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "invalid request: "+msg)
	}
	if p.JSONRPC == nil || *p.JSONRPC != "2.0" {
		return invalid(`"jsonrpc" must be "2.0"`)
	}
	var method string
	if len(p.Method) == 0 {
		if len(p.ID) == 0 || (len(p.Result) == 0 && len(p.Error) == 0) {
			return invalid(`a message needs a "method", or an "id" with a "result" or "error"`)
		}
		return message{answer: true, result: p.Result, err: p.Error}, id, nil
	} else {
		if err := json.Unmarshal(p.Method, &method); err != nil || method == "" {
			return invalid(`"method" must be a non-empty string`)
		}
		if len(p.Params) > 0 && !isNull(p.Params) && p.Params[0] != '{' && p.Params[0] != '[' {
			return invalid(`"params" must be an object or an array`)
		}
		if !hasID {
			return message{method: method, params: p.Params}, id, nil
		}
	}
	msg, err := jsonrpc2.DecodeMessage(trimmed)
	if err != nil {
		return invalid(err.Error())
	}
	return message{msg: msg}, id, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// validID accepts what jsonrpc2.ID can carry: a string or an int32.
func validID(raw json.RawMessage) bool {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return true
	}
	var n int32
	return json.Unmarshal(raw, &n) == nil
}

// Write sends what the jsonrpc2 connection sends: replies and the server's
// notifications. Its own calls go through Call (outgoing.go).
func (s *stream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	// The message's own MarshalJSON: json.Marshal(msg) would validate and
	// compact its output once more.
	m, ok := msg.(json.Marshaler)
	if !ok {
		return 0, fmt.Errorf("cannot marshal a %T", msg)
	}
	data, err := m.MarshalJSON()
	if err != nil {
		return 0, fmt.Errorf("marshaling message: %w", err)
	}
	return s.writeBody(data)
}

func (s *stream) writeError(id json.RawMessage, e *jsonrpc2.Error) error {
	data, err := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   *jsonrpc2.Error `json:"error"`
	}{"2.0", id, e})
	if err != nil {
		return err
	}
	_, err = s.writeBody(data)
	return err
}

// writeBody writes one message whose body is the concatenation of parts,
// each written as it is.
func (s *stream) writeBody(parts ...[]byte) (int64, error) {
	length := 0
	for _, p := range parts {
		length += len(p)
	}
	s.mem.expect(length)
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := fmt.Fprintf(s.out, "Content-Length: %d\r\n\r\n", length)
	total := int64(n)
	if err != nil {
		return total, fmt.Errorf("writing message: %w", err)
	}
	for _, p := range parts {
		m, err := s.out.Write(p)
		total += int64(m)
		if err != nil {
			return total, fmt.Errorf("writing message: %w", err)
		}
	}
	return total, nil
}

func (s *stream) Close() error { return s.closer.Close() }

package lspconn

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	fastjson "github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
)

// calls are the server's own requests to the client (applyEdit,
// workspace/configuration, …) waiting for their answers. They bypass
// jsonrpc2.Conn.Call, which marshals params into a pooled buffer, copies
// them out and compacts them again when the message is written: for a
// workspace edit that puts a token into 5,000 requests, three passes over
// 9 MB where one will do.
type calls struct {
	mu      sync.Mutex
	next    int
	pending map[string]chan answer
	closed  error // set once the input has ended: no answer will come
}

// answer is the client's response to one call.
type answer struct {
	result json.RawMessage
	err    error
}

// callPrefix marks the ids of the server's own calls ("doxls/1", …), so
// that their answers are told from anything else without a lookup.
const callPrefix = "doxls/"

// Call sends method with params to the client and waits for the answer,
// decoding its result into result (unless nil). Params that are already
// JSON (json.RawMessage) are sent as they are. When ctx ends first the
// client is told with $/cancelRequest and Call returns ctx.Err(). An error
// the client answers with is a *jsonrpc2.Error.
func (c *Conn) Call(ctx context.Context, method string, params, result any) error {
	o := &c.calls
	o.mu.Lock()
	if o.closed != nil {
		o.mu.Unlock()
		return o.closed
	}
	o.next++
	id := callPrefix + strconv.Itoa(o.next)
	ch := make(chan answer, 1)
	o.pending[id] = ch
	o.mu.Unlock()

	c.out.calling(1)
	defer c.out.calling(-1)
	msg, err := c.message(`"id":"`+id+`",`, method, params)
	if err == nil {
		err = c.out.send(msg...)
	}
	if err != nil {
		o.forget(id)
		return err
	}
	select {
	case a := <-ch:
		if a.err != nil {
			return a.err
		}
		if result == nil {
			return nil
		}
		if err := fastjson.Unmarshal(a.result, result); err != nil {
			return fmt.Errorf("%s: the client's answer: %w", method, err)
		}
		return nil
	case <-ctx.Done():
		o.forget(id)
		cancel := `{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"` + id + `"}}`
		_ = c.out.send([]byte(cancel))
		return ctx.Err()
	}
}

func (o *calls) forget(id string) {
	o.mu.Lock()
	delete(o.pending, id)
	o.mu.Unlock()
}

// deliver hands the answer with id rid to its caller. An answer that no
// caller waits for (it was cancelled, or the id is not one the server
// sent) is dropped.
func (o *calls) deliver(rid id, result, rpcErr json.RawMessage) {
	var id string
	if json.Unmarshal([]byte(rid), &id) != nil || !strings.HasPrefix(id, callPrefix) {
		return
	}
	o.mu.Lock()
	ch := o.pending[id]
	delete(o.pending, id)
	o.mu.Unlock()
	if ch == nil {
		return
	}
	a := answer{result: result}
	if len(rpcErr) > 0 && !isNull(rpcErr) {
		e := &jsonrpc2.Error{}
		if err := json.Unmarshal(rpcErr, e); err != nil {
			e = jsonrpc2.NewError(jsonrpc2.ParseError, "the client answered with a malformed error")
		}
		a.err = e
	}
	ch <- a
}

// close fails the calls still waiting, and any later ones, with err.
func (o *calls) close(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed != nil {
		return
	}
	o.closed = fmt.Errorf("the connection to the client ended: %w", err)
	for id, ch := range o.pending {
		ch <- answer{err: o.closed}
		delete(o.pending, id)
	}
}

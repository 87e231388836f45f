package lspconn

import (
	"fmt"
	"io"
	"strconv"
	"sync"
)

// Bounds on what a client can make the server hold (docs/transport.md,
// "Back-pressure").
const (
	// maxQueued bounds the bytes of messages waiting to be written. Past
	// it the read loop stops reading: a client that sends without reading
	// what it is sent stops being heard, and the pipe's own buffer stops
	// it in turn. A single message larger than this (an 8.6 MB workspace
	// edit) still goes; the read loop just waits until it is out.
	maxQueued = 16 << 20
	// maxRunning bounds the requests handled at once. Past it the read
	// loop waits for one to finish: each holds a goroutine and its params
	// until it is answered. Editors have a handful in flight; 500
	// concurrent getToken calls (a test) fit.
	maxRunning = 1024
)

// outbox is the one way out: replies, notifications, the server's own
// calls and their cancellations all go through send. Senders write in
// turn; what they have not written yet counts against maxQueued, and the
// read loop waits in room while too much is queued or running.
type outbox struct {
	w   io.Writer
	mem *memory

	wmu sync.Mutex // serialises writes

	mu      sync.Mutex
	cond    sync.Cond
	queued  int   // bytes handed to send and not yet written
	writing int   // the size of the message being written
	running int   // requests being handled
	calls   int   // calls to the client waiting for an answer
	parked  bool  // the read loop waits in room
	broken  error // the first write error; later sends fail with it
}

func newOutbox(w io.Writer, mem *memory) *outbox {
	o := &outbox{w: w, mem: mem}
	o.cond.L = &o.mu
	return o
}

// send writes one message whose body is the concatenation of parts.
func (o *outbox) send(parts ...[]byte) error {
	length := 0
	for _, p := range parts {
		length += len(p)
	}
	o.mem.expect(length)
	o.mu.Lock()
	if err := o.broken; err != nil {
		o.mu.Unlock()
		return err
	}
	o.queued += length
	o.mu.Unlock()

	o.wmu.Lock()
	o.mu.Lock()
	o.writing = length
	o.mu.Unlock()
	err := o.write(length, parts)
	o.wmu.Unlock()

	o.mu.Lock()
	o.queued -= length
	o.writing = 0
	if err != nil && o.broken == nil {
		o.broken = err
	}
	o.cond.Broadcast()
	o.mu.Unlock()
	return err
}

func (o *outbox) write(length int, parts [][]byte) error {
	head := append(append([]byte("Content-Length: "), strconv.Itoa(length)...), "\r\n\r\n"...)
	if length <= 16<<10 {
		// One write (one system call on a pipe) for the common message;
		// a large one is written from its parts rather than copied.
		for _, p := range parts {
			head = append(head, p...)
		}
		parts = nil
	}
	if _, err := o.w.Write(head); err != nil {
		return fmt.Errorf("writing a message: %w", err)
	}
	for _, p := range parts {
		if _, err := o.w.Write(p); err != nil {
			return fmt.Errorf("writing a message: %w", err)
		}
	}
	return nil
}

// room waits until the read loop may read another message: no more than
// maxQueued bytes wait behind the message being written, and fewer than
// maxRunning requests run unless one of them waits for the client's answer
// (which only the read loop can bring). A broken output lets it go: the
// next read then ends the session or the input ends by itself.
func (o *outbox) room() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for o.full() {
		if !o.parked {
			o.parked = true
			o.cond.Broadcast() // for tests that wait to see the loop parked
		}
		o.cond.Wait()
	}
	o.parked = false
}

func (o *outbox) full() bool {
	if o.broken != nil {
		return false
	}
	return o.queued-o.writing > maxQueued || (o.running >= maxRunning && o.calls == 0)
}

// start and done count a request being handled.
func (o *outbox) start() {
	o.mu.Lock()
	o.running++
	o.mu.Unlock()
}

func (o *outbox) done() {
	o.mu.Lock()
	o.running--
	o.cond.Broadcast()
	o.mu.Unlock()
}

// calling counts a call to the client waiting for its answer (n = 1) or no
// longer waiting (n = -1).
func (o *outbox) calling(n int) {
	o.mu.Lock()
	o.calls += n
	o.cond.Broadcast()
	o.mu.Unlock()
}

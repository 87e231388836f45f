package lspconn

import (
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// memory returns the server's garbage to the system when the connection is
// idle (docs/transport.md, "Memory"). While messages come, the collector
// paces itself (GOGC, GOMEMLIMIT): the heap may grow to twice what is
// live, and a 9 MB document's next version and its parse get that room. A
// soft limit below that working set (a fixed 24 MB used to be one) made
// the collector run without pause: a hover after an edit took three times
// as long and a 50,000-request insert twice as long; one that follows the
// live heap costs time on every request until it reaches twice the live
// heap, where it no longer binds. What the limit was for, a small process
// beside the editor, the trim does where it costs nothing: once nothing was
// read, written or handled for idleTrim, a collection frees the garbage of
// the last burst and the free pages go back to the system. Never on the
// way to an answer.
type memory struct {
	armed atomic.Bool   // a trim waits for the connection to be idle
	seen  atomic.Uint64 // messages and handler returns so far

	after    func(time.Duration, func()) // time.AfterFunc; tests run it at will
	retained func() uint64               // retainedGarbage
	free     func()                      // debug.FreeOSMemory
}

const (
	// idleTrim is how long the connection must be quiet before memory is
	// returned: longer than the pause between an edit and the requests an
	// editor sends after it, shorter than a user reading the result.
	idleTrim = 500 * time.Millisecond
	// trimMin is the garbage and free memory worth a full collection: a
	// few keystrokes in a 1 MB document, a 4 MB workspace edit. Below it
	// an idle server stays as it is.
	trimMin = 4 << 20
)

// newMemory returns the trimmer of a connection; off, it never trims.
func newMemory(on bool) *memory {
	m := &memory{
		after:    func(d time.Duration, f func()) { time.AfterFunc(d, f) },
		retained: retainedGarbage,
		free:     debug.FreeOSMemory,
	}
	if !on {
		m.armed.Store(true) // never disarmed: no wait starts
	}
	return m
}

// expect is told the size of a message about to be read, encoded or
// written: activity, and a reason to trim once it stops.
func (m *memory) expect(int) {
	m.seen.Add(1)
	if !m.armed.Swap(true) {
		m.wait(m.seen.Load())
	}
}

// handled is told that a handler returned.
func (m *memory) handled() { m.seen.Add(1) }

// wait trims once nothing was read, written or handled for idleTrim since
// seen; activity in between starts the wait over.
func (m *memory) wait(seen uint64) {
	m.after(idleTrim, func() {
		if now := m.seen.Load(); now != seen {
			m.wait(now)
			return
		}
		if m.retained() >= trimMin {
			m.free() // a full collection, then the free pages go back
		}
		m.armed.Store(false)
	})
}

// retainedGarbage is the heap memory the process holds beyond what the
// last collection found live: objects allocated since (mostly garbage once
// a burst is over) and free pages not yet returned to the system.
func retainedGarbage() uint64 {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
	}
	metrics.Read(s)
	for _, v := range s {
		if v.Value.Kind() != metrics.KindUint64 {
			return 0 // a runtime without these: never trim
		}
	}
	objects, live, free := s[0].Value.Uint64(), s[1].Value.Uint64(), s[2].Value.Uint64()
	return objects - min(live, objects) + free
}

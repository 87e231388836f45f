package lspconn

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// memory returns the server's garbage to the system when the connection is
// idle (docs/transport.md, "Memory"). While messages come, the collector
// paces itself: the heap may grow to twice what is live, so a 9 MB
// document's next version and its parse have room. A soft limit below that
// working set (a fixed 24 MB used to be one) made the collector run without
// pause: a hover after an edit took three times as long, a 50,000-request
// insert three times as long; even a limit of half again the live heap
// doubled the processor time of code lens on 5,000 requests. So the limit
// (followLiveHeap) only caps very large heaps. What the fixed limit was
// for, a small process beside the editor, the trim does where it costs
// nothing: once nothing was read, written or handled for idleTrim, a
// collection frees the garbage of the last burst and the free pages go
// back to the system. Never on the way to an answer.
type memory struct {
	armed atomic.Bool   // a trim waits for the connection to be idle
	seen  atomic.Uint64 // messages and handler returns so far

	after    func(time.Duration, func()) // time.AfterFunc; tests run it at will
	retained func() uint64               // retainedGarbage
	free     func()                      // debug.FreeOSMemory
	idle     func()                      // Config.Idle; nil: none
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
// On, and unless the user set GOMEMLIMIT (gomemlimit), the soft limit
// follows the live heap.
func newMemory(on bool, gomemlimit string) *memory {
	if on && gomemlimit == "" {
		followLiveHeap()
	}
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
		if m.idle != nil {
			m.idle()
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

// limitFor is the soft limit for a live heap of live bytes: room for half
// again the live heap, and at least 48 MB. Up to about 48 MB live that is
// the collector's own pace (twice the live heap) or more, so the limit
// does not bind while a 5,000-request document is edited; above, it caps
// the heap a 50,000-request document's parse would otherwise grow to
// (hundreds of megabytes at twice its live heap).
func limitFor(live uint64) int64 {
	return int64(live + max(live/2, minHeadroom))
}

const minHeadroom = 48 << 20

// follow is the process's one limit follower: the limit is process-wide,
// whatever the number of connections.
var follow sync.Once

// followLiveHeap sets the limit after every collection from now on.
func followLiveHeap() {
	follow.Do(func() {
		setLimitFromLiveHeap()
		armAfterNextGC()
	})
}

// armAfterNextGC runs setLimitFromLiveHeap after the next collection: a
// cleanup runs once its object is found unreachable, which only a
// collection does, and each run arms the next.
func armAfterNextGC() {
	p := new(gcSentinel) // with a pointer: not the tiny allocator's
	runtime.AddCleanup(p, func(struct{}) {
		setLimitFromLiveHeap()
		armAfterNextGC()
	}, struct{}{})
}

type gcSentinel struct {
	_ *byte
	_ int64
}

func setLimitFromLiveHeap() { debug.SetMemoryLimit(limitFor(liveHeap())) }

// liveHeap is the heap the last collection found live.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

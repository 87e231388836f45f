package lspconn

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// idleMemory is a memory whose clock, runtime and trims the test runs.
type idleMemory struct {
	*memory
	timers  []func()
	garbage uint64
	trims   int
}

func newIdleMemory(on bool) *idleMemory {
	im := &idleMemory{memory: newMemory(on, "200MiB")}
	im.after = func(d time.Duration, f func()) {
		if d != idleTrim {
			panic("a wait other than idleTrim")
		}
		im.timers = append(im.timers, f)
	}
	im.retained = func() uint64 { return im.garbage }
	im.free = func() { im.trims++; im.garbage = 0 }
	return im
}

// tick runs the timers due, as the clock would after idleTrim.
func (im *idleMemory) tick() {
	due := im.timers
	im.timers = nil
	for _, f := range due {
		f()
	}
}

// quiet lets the clock run with nothing coming in.
func (im *idleMemory) quiet() {
	for len(im.timers) > 0 {
		im.tick()
	}
}

func TestMemoryIsTrimmedOnlyWhenIdle(t *testing.T) {
	m := newIdleMemory(true)
	m.expect(8 << 20) // a workspace edit for 5,000 requests
	m.garbage = 40 << 20
	m.expect(9 << 20) // the client's didChange: still one wait
	if len(m.timers) != 1 || m.trims != 0 {
		t.Fatalf("%d waits and %d trims while messages come, want 1 and 0", len(m.timers), m.trims)
	}
	m.handled() // the request returns: activity, the wait starts over
	m.tick()
	if m.trims != 0 || len(m.timers) != 1 {
		t.Fatalf("trimmed %d times while the connection was busy", m.trims)
	}
	m.tick() // nothing for idleTrim
	if m.trims != 1 || len(m.timers) != 0 {
		t.Fatalf("%d trims and %d waits after idleTrim of quiet, want 1 and 0", m.trims, len(m.timers))
	}

	// Keystrokes in a large document: small messages, garbage all the same.
	for range 20 {
		m.expect(300)
		m.garbage += 1 << 20
	}
	m.quiet()
	if m.trims != 2 {
		t.Errorf("%d trims after 20 MB of keystroke garbage, want 2", m.trims)
	}

	// A hover in a small session leaves too little to be worth a collection.
	m.expect(200)
	m.garbage = 64 << 10
	m.quiet()
	if m.trims != 2 || len(m.timers) != 0 {
		t.Errorf("%d trims after 64 KB of garbage, want none more", m.trims)
	}

	off := newIdleMemory(false)
	off.expect(8 << 20)
	if len(off.timers) != 0 {
		t.Error("a connection without SmallHeap waits to trim")
	}
}

func TestIdleDropsCachesBeforeTheTrim(t *testing.T) {
	m := newIdleMemory(true)
	dropped := 0
	m.idle = func() { dropped++; m.garbage += 3 << 20 } // a parse becomes garbage
	m.expect(300)
	m.garbage = 2 << 20
	m.handled()
	if dropped != 0 {
		t.Fatal("caches dropped while the connection was busy")
	}
	m.quiet()
	if dropped != 1 || m.trims != 1 {
		t.Errorf("%d drops and %d trims once quiet, want 1 and 1 (the dropped caches are worth the collection)", dropped, m.trims)
	}
	m.quiet()
	if dropped != 1 {
		t.Errorf("%d drops with no message in between, want 1", dropped)
	}
}

// The runtime's own figures: a burst's garbage counts until a trim, and
// live data never does.
func TestRetainedGarbageSeesABurst(t *testing.T) {
	// No collection but ours: one in the burst would find it live.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	live := make([]*[1 << 20]byte, 32) // an open 32 MB document
	for i := range live {
		live[i] = new([1 << 20]byte)
	}
	debug.FreeOSMemory()
	if got := retainedGarbage(); got >= 16<<20 {
		t.Fatalf("%d MB retained right after a trim with 32 MB live, want under 16", got>>20)
	}
	var burst []*[1 << 20]byte // the versions and parses of a burst of edits
	for range 64 {
		burst = append(burst, new([1 << 20]byte))
	}
	runtime.KeepAlive(burst) // its last use: garbage from here on
	if got := retainedGarbage(); got < 48<<20 {
		t.Errorf("%d MB retained after 64 MB of garbage, want at least 48", got>>20)
	}
	debug.FreeOSMemory()
	if got := retainedGarbage(); got >= 16<<20 {
		t.Errorf("%d MB retained after the trim, want under 16", got>>20)
	}
	runtime.KeepAlive(live)
}

func TestLimitCapsOnlyLargeHeaps(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })

	for _, c := range []struct{ live, want int64 }{
		{4 << 20, 52 << 20},    // a small session: never binds
		{20 << 20, 68 << 20},   // a 5,000-request document: above twice live
		{200 << 20, 300 << 20}, // a 50,000-request parse: half again
	} {
		if got := limitFor(uint64(c.live)); got != c.want {
			t.Errorf("limit %d MB for %d MB live, want %d MB", got>>20, c.live>>20, c.want>>20)
		}
	}

	// The heap a collection finds live moves the limit.
	doc := make([]*[1 << 20]byte, 128)
	for i := range doc {
		doc[i] = new([1 << 20]byte)
	}
	runtime.GC()
	setLimitFromLiveHeap()
	if got := debug.SetMemoryLimit(-1); got < 192<<20 {
		t.Errorf("limit %d MB with 128 MB live, want at least 192 MB", got>>20)
	}
	runtime.KeepAlive(doc) // its last use: garbage from here on
	runtime.GC()
	setLimitFromLiveHeap()
	if got := debug.SetMemoryLimit(-1); got > 96<<20 {
		t.Errorf("limit %d MB once the document is gone, want it back under 96 MB", got>>20)
	}
}

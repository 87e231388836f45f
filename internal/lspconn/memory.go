package lspconn

import (
	"runtime/debug"
	"sync/atomic"
)

// memory keeps the process small beside the editor. A soft limit (base)
// makes the collector work harder rather than let the heap grow; but a
// large message (a workspace edit putting a token into 5,000 requests, a
// didChange carrying the whole 10 MB document) needs several times its size
// at once, and under a limit below that the collector runs without pause
// and the round trip takes three times as long. So a large message raises
// the limit for as long as it is handled, and afterwards trim returns its
// garbage to the system and restores the limit. The connection calls both:
// expect for every message read or written, trim when a handler returns.
type memory struct {
	base  int64 // 0: the limit is not ours (GOMEMLIMIT is set, or tuning is off)
	large atomic.Bool
}

// baseMemoryLimit is the soft limit while no large message is in flight:
// resident memory stays under 30 MB beside the runtime's own.
const baseMemoryLimit = 24 << 20

// largeMessage is the size from which a message needs room beyond the base
// limit and leaves garbage worth returning: a 1 MB request file, about 500
// requests.
const largeMessage = 1 << 20

// newMemory sets the base limit when tune is on and the user did not set
// GOMEMLIMIT (gomemlimit is its value).
func newMemory(tune bool, gomemlimit string) *memory {
	m := &memory{}
	if tune && gomemlimit == "" {
		m.base = baseMemoryLimit
		debug.SetMemoryLimit(m.base)
	}
	return m
}

// expect is told the size of a message about to be read, encoded or
// written.
func (m *memory) expect(size int) {
	if size < largeMessage {
		return
	}
	m.large.Store(true)
	if m.base == 0 {
		return
	}
	// The message, its decoded or encoded twin, the document it changes
	// and the one it replaces.
	if need := m.base + 4*int64(size); need > debug.SetMemoryLimit(-1) {
		debug.SetMemoryLimit(need)
	}
}

// trim returns memory to the system once the large messages seen so far
// have been handled, and restores the base limit. A request trims before
// its reply, so the memory is back when the client hears it is done.
func (m *memory) trim() {
	if !m.large.Swap(false) {
		return
	}
	debug.FreeOSMemory()
	if m.base != 0 {
		debug.SetMemoryLimit(m.base)
	}
}

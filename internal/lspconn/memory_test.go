package lspconn

import (
	"runtime/debug"
	"testing"
)

func TestMemoryMakesRoomForLargeMessages(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	limit := func() int64 { return debug.SetMemoryLimit(-1) }

	m := newMemory(true, "")
	if limit() != baseMemoryLimit {
		t.Fatalf("limit %d, want the base %d", limit(), baseMemoryLimit)
	}
	m.expect(64 << 10) // an ordinary message
	m.trim()
	if limit() != baseMemoryLimit {
		t.Errorf("a small message moved the limit to %d", limit())
	}
	m.expect(8 << 20) // a workspace edit for 5,000 requests
	if limit() < baseMemoryLimit+4*(8<<20) {
		t.Errorf("limit %d while an 8 MB message is handled, want room for four copies", limit())
	}
	m.trim()
	if limit() != baseMemoryLimit {
		t.Errorf("limit %d after the large message, want the base back", limit())
	}

	// With GOMEMLIMIT set, the limit is the user's and stays put.
	debug.SetMemoryLimit(200 << 20)
	user := newMemory(true, "200MiB")
	user.expect(8 << 20)
	user.trim()
	if limit() != 200<<20 {
		t.Errorf("limit %d, want GOMEMLIMIT's 200 MiB untouched", limit())
	}
}

package httpfile

import (
	"fmt"
	"sort"
)

// Apply applies non-overlapping edits to src and returns the new bytes.
// Edits may come in any order; insertions at the same offset keep theirs.
// Overlapping or out-of-range edits are a programming error and panic.
func Apply(src []byte, edits []Edit) []byte {
	sorted := make([]Edit, len(edits))
	copy(sorted, edits)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	size := len(src)
	for _, e := range sorted {
		size += len(e.NewText) - (e.End - e.Start)
	}
	out := make([]byte, 0, size)
	at := 0
	for _, e := range sorted {
		if e.Start < at || e.End < e.Start || e.End > len(src) {
			panic(fmt.Sprintf("httpfile.Apply: edit [%d,%d) overlaps another or lies outside the %d-byte source", e.Start, e.End, len(src)))
		}
		out = append(out, src[at:e.Start]...)
		out = append(out, e.NewText...)
		at = e.End
	}
	return append(out, src[at:]...)
}

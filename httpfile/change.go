package httpfile

// Change is one content change of an LSP didChange: NewText replaces Range,
// or the whole text when Range is nil.
type Change struct {
	Range   *Range
	NewText []byte
}

// ApplyChanges returns the editor buffer (see NewBuffer) after the content
// changes of one didChange, each relative to the text the ones before it
// left; t is not changed.
//
// An editor applying a workspace edit reports it as one change per text
// edit, last to first (VS Code), so that each range is still valid in the
// text as it was before the first one. A run of changes in that order, each
// ending where the one before it starts or earlier, is applied in one pass
// over the text, every position converted with the line index of the text
// the run starts from: O(size + changes). A change in any other order
// starts a new run on the text so far; the result is the same, only each
// run costs a pass.
func ApplyChanges(t *Text, changes []Change) *Text {
	type span struct {
		start, end int
		text       []byte
	}
	var spans []span
	for len(changes) > 0 {
		if changes[0].Range == nil {
			t = NewBuffer(changes[0].NewText)
			changes = changes[1:]
			continue
		}
		src := t.source()
		spans = spans[:0]
		limit := len(src.src) // a change that joins the run ends at or before this
		i := 0
		for ; i < len(changes) && changes[i].Range != nil; i++ {
			r := changes[i].Range
			start, startExact := src.offset(r.Start)
			end, endExact := src.offset(r.End)
			if end < start {
				start, end = end, start
			}
			// Past the first change, a position must be exact: one clamped
			// to a line's end may, in the text the earlier changes left,
			// lie inside the text they inserted. And a change that ends
			// where the one before it starts, right after a "\r", may end
			// on a line that text made: an inserted "\n" joins the "\r".
			if i > 0 && (!startExact || !endExact || end > limit ||
				end == limit && limit > 0 && src.src[limit-1] == '\r') {
				break
			}
			spans = append(spans, span{start, end, changes[i].NewText})
			limit = start
			if !startExact {
				limit = -1 // nothing can follow a clamped change in this run
			}
		}
		changes = changes[i:]
		size := len(src.src)
		for _, s := range spans {
			size += len(s.text) - (s.end - s.start)
		}
		out := make([]byte, 0, size)
		at := 0
		for k := len(spans) - 1; k >= 0; k-- {
			s := spans[k]
			out = append(out, src.src[at:s.start]...)
			out = append(out, s.text...)
			at = s.end
		}
		t = NewBuffer(append(out, src.src[at:]...))
	}
	return t
}

package httpfile

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func TestPositionCountsUTF16AndLineEnds(t *testing.T) {
	src := []byte(bom + "{\r\n\"k\u00f6\U0001F680\": 1\r\"x\"\n")
	key := bytes.IndexByte(src, '"')
	for _, tc := range []struct {
		off        int
		file, buf  Position
		roundTrips bool
	}{
		{0, Position{0, 0}, Position{0, 0}, false},
		{3, Position{0, 0}, Position{0, 1}, true},
		{4, Position{0, 1}, Position{0, 2}, true},
		{5, Position{0, 1}, Position{0, 2}, false}, // inside "\r\n"
		{6, Position{1, 0}, Position{1, 0}, true},
		{key + 1 + 3 + 4, Position{1, 5}, Position{1, 5}, true}, // k, ö (2 bytes, 1 unit), 🚀 (4 bytes, 2 units)
		{bytes.Index(src, []byte(`"x`)), Position{2, 0}, Position{2, 0}, true},
		{len(src), Position{3, 0}, Position{3, 0}, true},
		{len(src) + 5, Position{3, 0}, Position{3, 0}, false},
	} {
		for _, c := range []struct {
			text *Text
			want Position
		}{{NewText(src), tc.file}, {NewBuffer(src), tc.buf}} {
			if got := c.text.Position(tc.off); got != c.want {
				t.Errorf("buffer=%v: Position(%d) = %v, want %v", c.text.buffer, tc.off, got, c.want)
			}
			if tc.roundTrips {
				if got := c.text.Offset(c.want); got != tc.off {
					t.Errorf("buffer=%v: Offset(%v) = %d, want %d", c.text.buffer, c.want, got, tc.off)
				}
			}
		}
	}
	text := NewBuffer(src)
	for _, tc := range []struct {
		p    Position
		want int
	}{
		{Position{0, 0}, 0},               // before the BOM the buffer holds
		{Position{0, 99}, 4},              // past the end of the line: its end
		{Position{1, 4}, key + 1 + 3 + 4}, // inside the surrogate pair: after it
		{Position{7, 0}, len(src)},        // past the last line
		{Position{-1, 0}, 0},              // nonsense is clamped
	} {
		if got := text.Offset(tc.p); got != tc.want {
			t.Errorf("Offset(%v) = %d, want %d", tc.p, got, tc.want)
		}
	}
}

// A leading U+FEFF that an editor keeps in its buffer is character 0 of
// line 0 there: the variable goes after it, at 0:1.
func TestVariableGoesAfterTheBOMAnEditorHolds(t *testing.T) {
	src := []byte(bom + "GET https://" + doxHost + "/document-information-extraction/v1/capabilities\n")
	opts := Options{Token: tokenA, APIHost: doxHost, Mode: ModeVariable, Line: -1}
	for _, c := range []struct {
		text *Text
		at   Position
	}{{NewText(src), Position{0, 0}}, {NewBuffer(src), Position{0, 1}}} {
		plan := c.text.PlanEdits(opts)
		if len(plan.Edits) != 2 {
			t.Fatalf("buffer=%v: %d edits, want 2", c.text.buffer, len(plan.Edits))
		}
		v := plan.Edits[0]
		if v.Start != 3 || v.Range.Start != c.at || v.Range.End != c.at {
			t.Errorf("buffer=%v: the variable goes to byte %d at %v, want byte 3 at %v", c.text.buffer, v.Start, v.Range.Start, c.at)
		}
	}
	buf := NewBuffer(src)
	after := ApplyChanges(buf, changesOf(buf.PlanEdits(opts).Edits))
	if !bytes.HasPrefix(after.Bytes(), []byte(bom+"@doxToken = ")) {
		t.Errorf("after the edit the buffer starts %q, want the BOM, then the variable", after.Bytes()[:20])
	}
}

// changesOf turns planned edits into the didChange an editor sends for
// them: one change per edit, last to first.
func changesOf(edits []Edit) []Change {
	out := make([]Change, len(edits))
	for i, e := range edits {
		r := e.Range
		out[len(edits)-1-i] = Change{Range: &r, NewText: []byte(e.NewText)}
	}
	return out
}

func TestDropDefinitionOnTheBOMLineKeepsTheBOM(t *testing.T) {
	src := []byte(bom + "@doxToken = " + tokenA + "\nGET https://" + doxHost + "/document-information-extraction/v1/x\nAuthorization: Bearer {{doxToken}}\n")
	buf := NewBuffer(src)
	plan := buf.PlanEdits(Options{Token: tokenA, APIHost: doxHost, Mode: ModeEnvFile, Line: -1})
	after := ApplyChanges(buf, changesOf(plan.Edits))
	if want := Apply(src, plan.Edits); !bytes.Equal(after.Bytes(), want) || !bytes.HasPrefix(want, []byte(bom+"GET ")) {
		t.Errorf("buffer after the edit %q, bytes after it %q; want both to start with the BOM and the request", after.Bytes(), want)
	}
}

// offsetByScan is the conversion as the server made it before the line
// index: a scan from the start. The reference for ApplyChanges.
func offsetByScan(text []byte, p Position) int {
	i, line := 0, 0
	for line < p.Line {
		if i >= len(text) {
			return len(text)
		}
		if text[i] == '\n' || text[i] == '\r' && (i+1 >= len(text) || text[i+1] != '\n') {
			line++
		}
		i++
	}
	for units := 0; i < len(text) && units < p.Character && text[i] != '\n' && text[i] != '\r'; {
		r, size := utf8.DecodeRune(text[i:])
		units += 1 + btoi(r >= 0x10000)
		i += size
	}
	return i
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func applyOneByOne(text []byte, changes []Change) []byte {
	for _, c := range changes {
		if c.Range == nil {
			text = c.NewText
			continue
		}
		s, e := offsetByScan(text, c.Range.Start), offsetByScan(text, c.Range.End)
		if e < s {
			s, e = e, s
		}
		text = append(append(append([]byte{}, text[:s]...), c.NewText...), text[e:]...)
	}
	return text
}

// ApplyChanges gives what applying the changes one by one gives, in every
// order, with positions past line ends, inside surrogate pairs, on a BOM.
func TestApplyChangesMatchesOneByOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "ö", "🚀", "\n", "\r\n", "\r", " ", "Authorization: Bearer x", bom}
	randText := func(n int) []byte {
		var b strings.Builder
		if rng.IntN(4) == 0 {
			b.WriteString(bom)
		}
		for range n {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return []byte(b.String())
	}
	randPos := func(text []byte) Position {
		lines := bytes.Count(text, []byte("\n")) + bytes.Count(text, []byte("\r")) + 1
		return Position{rng.IntN(lines + 1), rng.IntN(12)}
	}
	for iter := range 3000 {
		text := randText(rng.IntN(40))
		var changes []Change
		cur := text
		descending := iter%2 == 0
		prev := Position{1 << 20, 0} // the start of the change before
		for range rng.IntN(6) {
			var c Change
			switch {
			case rng.IntN(20) == 0:
				c = Change{NewText: randText(rng.IntN(10))}
			case descending:
				// As VS Code sends a workspace edit: each change before the
				// last one, positions valid in the text as it is.
				a, b := before(rng, randPos(cur), prev), before(rng, randPos(cur), prev)
				if b.Line < a.Line || b.Line == a.Line && b.Character < a.Character {
					a, b = b, a
				}
				c = Change{Range: &Range{a, b}, NewText: randText(rng.IntN(4))}
				prev = a
			default:
				c = Change{Range: &Range{randPos(cur), randPos(cur)}, NewText: randText(rng.IntN(4))}
			}
			changes = append(changes, c)
			cur = applyOneByOne(cur, []Change{c})
		}
		want := applyOneByOne(text, changes)
		if got := ApplyChanges(NewBuffer(text), changes).Bytes(); !bytes.Equal(got, want) {
			t.Fatalf("text %q, changes %s:\n got %q\nwant %q", text, fmtChanges(changes), got, want)
		}
	}
}

// before returns p, moved up to limit when it lies after it.
func before(rng *rand.Rand, p, limit Position) Position {
	switch {
	case p.Line > limit.Line:
		p.Line = limit.Line
		fallthrough
	case p.Line == limit.Line && p.Character > limit.Character:
		p.Character = rng.IntN(limit.Character + 1)
	}
	return p
}

func fmtChanges(cs []Change) string {
	var b strings.Builder
	for _, c := range cs {
		if c.Range == nil {
			fmt.Fprintf(&b, "[full %q] ", c.NewText)
			continue
		}
		fmt.Fprintf(&b, "[%v-%v %q] ", c.Range.Start, c.Range.End, c.NewText)
	}
	return b.String()
}

// What the features read of a version is made once and shared.
func TestTextParsesOnce(t *testing.T) {
	text := NewBuffer(generate(10))
	if text.Document() != text.Document() || &text.Tokens()[0] != &text.Tokens()[0] {
		t.Error("a second call parsed again")
	}
}

// Shed drops the Document and line index; the next reader gets the same
// result from a new parse, the token list is kept, and what a reader held
// before stays as it was, even while another reader parses again.
func TestTextShedParsesAgain(t *testing.T) {
	text := NewBuffer(generate(10))
	doc, tokens := text.Document(), text.Tokens()
	want := fmt.Sprint(doc, tokens, text.Position(len(text.Bytes())/2))
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(2)
		go func() { defer wg.Done(); text.Shed() }()
		go func() {
			defer wg.Done()
			if got := fmt.Sprint(text.Document(), text.Tokens(), text.Position(len(text.Bytes())/2)); got != want {
				t.Errorf("after Shed: %s, want %s", got, want)
			}
		}()
	}
	wg.Wait()
	text.Shed()
	if text.Document() == doc {
		t.Error("Shed kept the Document")
	}
	if len(tokens) == 0 || &text.Tokens()[0] != &tokens[0] {
		t.Error("Shed dropped the token list")
	}
	if got := fmt.Sprint(doc, tokens); got != fmt.Sprint(text.Document(), text.Tokens()) {
		t.Errorf("what a reader held changed: %s", got)
	}
}

// BenchmarkApplyChanges is a didChange applied in process, positions to
// bytes and the one copy: the 5,000 or 50,000 changes VS Code sends for a
// header-mode insertBearer (last to first), and one keystroke on the
// resulting 9 MB (or 90 MB) document.
//
//	go test -run '^$' -bench ApplyChanges -benchmem ./httpfile
func BenchmarkApplyChanges(b *testing.B) {
	token := "eyJhbGciOiJSUzI1NiJ9." + strings.Repeat("x", 1700)
	for _, n := range []int{5000, 50000} {
		var src strings.Builder
		for i := range n {
			fmt.Fprintf(&src, "### job %d\nGET https://%s/document-information-extraction/v1/document/jobs/%d\nAccept: application/json\n\n", i, doxHost, i)
		}
		text := NewBuffer([]byte(src.String()))
		changes := changesOf(text.PlanEdits(Options{Token: token, APIHost: doxHost, Line: -1}).Edits)
		b.Run(fmt.Sprintf("insert/requests=%d", n), func(b *testing.B) {
			cpu := cpuTime()
			for b.Loop() {
				ApplyChanges(NewBuffer(text.Bytes()), changes) // with the line index of the text before
			}
			reportCPU(b, cpu)
		})
		big := ApplyChanges(text, changes)
		big.Offset(Position{})
		key := []Change{{Range: &Range{Position{n * 3, 3}, Position{n * 3, 3}}, NewText: []byte("x")}}
		b.Run(fmt.Sprintf("keystroke/requests=%d", n), func(b *testing.B) {
			cpu := cpuTime()
			for b.Loop() {
				ApplyChanges(big, key)
			}
			reportCPU(b, cpu)
		})
	}
}

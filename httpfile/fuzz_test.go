package httpfile

import (
	"bytes"
	"strings"
	"testing"
)

// Seeds beside testdata/fuzz (which holds the corpus files and inputs found
// by earlier runs): the corners of the grammar.
var fuzzSeeds = []string{
	"", bom, "\r", "\r\n\r\n", "\n\r", "###", "### t\r###\n",
	"GET https://" + doxHost + "/x",
	"GET https://" + doxHost + "/x\r",
	bom + "GET https://" + doxHost + "/x\rAccept: a\r\r{}",
	"# c\n# @name n\nGET https://" + doxHost + "/x\n  ?a=1\n  &b=2\nAuthorization:\n",
	"@doxToken = old\n###\nGET {{h}}/document-information-extraction/v1/x\nAuthorization: Bearer {{ doxToken }}\n",
	"@a = {{b}}{{b}}\n@b = {{c}}{{c}}\n@c = {{a}}\nGET https://{{a}}/\n",
	"GET https://" + doxHost + "/x\nX: 1\n#x\nAuthorization: bearer t\n",
	"{{\nGET https://" + doxHost + "/x\n}}\n< {%\n%}\nGET /document-information-extraction/v1/x\nHost: " + doxHost + ":443\n",
}

func addSeeds(add func(src []byte)) {
	for _, s := range fuzzSeeds {
		add([]byte(s))
	}
}

// FuzzParse: the parser never panics, never loops, and what it returns is
// consistent: blocks in order, request line inside its block, headers
// after it, ranges on their lines.
func FuzzParse(f *testing.F) {
	addSeeds(func(src []byte) { f.Add(src) })
	f.Fuzz(func(t *testing.T, src []byte) {
		d := Parse(src)
		lines := splitLSP(string(src))
		inLine := func(what string, line int, r Range) {
			if r.Start.Line != line || r.End.Line != line || r.Start.Character > r.End.Character ||
				line >= len(lines) || r.End.Character > utf16Len([]byte(lines[line].text)) {
				t.Fatalf("%s on line %d has range %s outside the line", what, line, fmtRange(r))
			}
		}
		prevEnd := -1
		for i, r := range d.Requests {
			if r.StartLine <= prevEnd || r.Line < r.StartLine || r.EndLine < r.Line || r.EndLine >= len(lines) {
				t.Fatalf("request %d: block %d-%d, request line %d, previous block ended at %d, %d lines",
					i, r.StartLine, r.EndLine, r.Line, prevEnd, len(lines))
			}
			prevEnd = r.EndLine
			if r.Method == "" || strings.TrimSpace(r.RawURL) != r.RawURL {
				t.Fatalf("request %d: method %q, URL %q", i, r.Method, r.RawURL)
			}
			if got := d.RequestAt(r.Line); got != &d.Requests[i] {
				t.Fatalf("RequestAt(%d) does not return the request on that line", r.Line)
			}
			for _, h := range r.Headers {
				if h.Line <= r.Line || h.Line > r.EndLine {
					t.Fatalf("header on line %d outside request %d-%d", h.Line, r.Line, r.EndLine)
				}
				inLine("header "+h.Name, h.Line, h.ValueRange)
			}
		}
		for _, v := range d.Variables {
			inLine("variable "+v.Name, v.Line, v.ValueRange)
		}
		for _, tok := range Tokens(src) {
			inLine("token", tok.Line, tok.Range)
		}
	})
}

// FuzzPlanEdits: applying the planned edits changes nothing but
// Authorization lines and the token variable's line (plus the blank and ###
// lines that come with a new variable); the BOM and every line ending
// survive; planning again with the same token yields no edit.
func FuzzPlanEdits(f *testing.F) {
	addSeeds(func(src []byte) {
		f.Add(src, uint8(0), -1, false, uint8(0))
		f.Add(src, uint8(1), -1, false, uint8(1))
		f.Add(src, uint8(2), -1, false, uint8(0))
		f.Add(src, uint8(3), -1, false, uint8(2))
	})
	f.Add([]byte("@tok = "+tokenA+"\nGET https://"+doxHost+"/x\nAuthorization: Bearer {{tok}}\n"), uint8(0), -1, true, uint8(1))
	f.Add([]byte("###\nGET https://"+doxHost+"/x\n###\nGET https://"+doxHost+"/y\n"), uint8(1), 3, false, uint8(2))
	f.Fuzz(func(t *testing.T, src []byte, mode uint8, line int, refresh bool, pick uint8) {
		opts := Options{
			Token:       []string{tokenA, tokenB, "t0k3n.Sh0rt-_~+/="}[int(pick)%3],
			APIHost:     doxHost,
			ExtraHosts:  []string{"127.0.0.1:4711"},
			Mode:        []Mode{ModeHeader, ModeVariable, ModeEnvFile, ModeEnvFile}[int(mode)%4],
			Dotenv:      mode%4 == 3,
			Line:        line,
			RefreshOnly: refresh,
		}
		if line < -1 {
			opts.Line = -1
		}
		plan := PlanEdits(src, opts)
		at := 0
		for _, e := range plan.Edits {
			if e.Start < at || e.End < e.Start || e.End > len(src) {
				t.Fatalf("edit [%d,%d) out of order, overlapping or out of range", e.Start, e.End)
			}
			at = e.End
			if want := (Range{lspPos(string(src), e.Start), lspPos(string(src), e.End)}); e.Range != want {
				t.Fatalf("edit [%d,%d): range %s, want %s", e.Start, e.End, fmtRange(e.Range), fmtRange(want))
			}
			if refresh && e.Start == e.End {
				t.Fatalf("a refresh inserted %q", redact(e.NewText))
			}
		}
		out := Apply(src, plan.Edits)
		if bytes.HasPrefix(src, []byte(bom)) != bytes.HasPrefix(out, []byte(bom)) || bytes.HasPrefix(out, []byte(bom+bom)) && !bytes.HasPrefix(src, []byte(bom+bom)) {
			t.Fatalf("the BOM did not survive")
		}
		checkOnlyTokenLinesChanged(t, string(src), string(out), opts)
		again := opts
		if opts.Line >= 0 {
			again.Line = shiftLine(src, plan.Edits, opts.Line)
		}
		if p2 := PlanEdits(out, again); len(p2.Edits) != 0 {
			t.Fatalf("planning again gives %d edits:\n%s", len(p2.Edits), dumpPlan(out, p2))
		}
	})
}

// shiftLine is where line n of src is after the edits.
func shiftLine(src []byte, edits []Edit, n int) int {
	start := 0
	if lines := splitLSP(string(src)); n < len(lines) {
		start = lines[n].start
	} else {
		return n
	}
	for _, e := range edits {
		if e.Start <= start {
			n += len(splitLSP(e.NewText)) - len(splitLSP(string(src[e.Start:e.End])))
		}
	}
	return n
}

// lspLine is a line as an LSP client sees it.
type lspLine struct {
	text, eol string
	start     int // byte offset in the source, BOM included
}

// splitLSP splits at "\r\n", "\n" and "\r", after dropping a BOM.
func splitLSP(s string) []lspLine {
	off := 0
	if strings.HasPrefix(s, bom) {
		off = len(bom)
	}
	var out []lspLine
	start := off
	for i := off; i < len(s); i++ {
		if s[i] != '\n' && s[i] != '\r' {
			continue
		}
		eol := s[i : i+1]
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			eol = "\r\n"
		}
		out = append(out, lspLine{s[start:i], eol, start})
		i += len(eol) - 1
		start = i + 1
	}
	return append(out, lspLine{s[start:], "", start})
}

// checkOnlyTokenLinesChanged walks both files line by line: every line of
// the result is a line of the source, byte for byte with its line ending,
// or a changed Authorization / token variable line in its place, or an
// inserted Authorization, token variable, blank or ### line.
func checkOnlyTokenLinesChanged(t *testing.T, src, out string, o Options) {
	t.Helper()
	name := o.VariableName
	if name == "" {
		name = DefaultVariable
	}
	sl, ol := splitLSP(src), splitLSP(out)
	eols := map[string]bool{}
	for _, l := range sl {
		eols[l.eol] = true
	}
	if len(sl) == 1 {
		eols["\n"] = true // a one-line file has no ending to copy
	}
	kind := func(text string) string {
		b := []byte(text)
		rest := b[leadingSpace(b):]
		if len(rest) > 0 && rest[0] == '@' {
			// A variable line only with its "=": "@name" alone is none.
			if i := bytes.IndexAny(rest, " \t=:"); i > 0 {
				after := bytes.TrimLeft(rest[i:], " \t")
				if bytes.HasPrefix(after, []byte("=")) || bytes.HasPrefix(after, []byte(":=")) {
					return "var " + string(rest[1:i])
				}
			}
		}
		if i := bytes.IndexByte(rest, ':'); i > 0 && strings.EqualFold(strings.TrimSpace(string(rest[:i])), "Authorization") {
			return "auth"
		}
		return ""
	}
	ref := "{{" + name + "}}"
	// envFile mode removes the token variable's definitions.
	dropsVar := o.Mode == ModeEnvFile && !o.RefreshOnly && !o.Dotenv
	if o.Mode == ModeEnvFile && o.Dotenv {
		ref = "{{$dotenv " + name + "}}"
	}
	inserted := map[string]bool{
		"": true, "###": true,
		"Authorization: Bearer " + o.Token: true,
		"Authorization: Bearer " + ref:     true,
		"@" + name + " = " + o.Token:       true,
	}
	i := 0
	for j, l := range ol {
		for dropsVar && i < len(sl) && l.text != sl[i].text && kind(sl[i].text) == "var "+name {
			i++
		}
		last := i == len(sl)-1 && sl[i].eol == ""
		if i < len(sl) && l.text == sl[i].text && (l.eol == sl[i].eol || last) {
			i++
			continue
		}
		if i < len(sl) && kind(sl[i].text) != "" && kind(l.text) == kind(sl[i].text) && (l.eol == sl[i].eol || last) &&
			(strings.Contains(l.text, o.Token) || strings.Contains(l.text, ref)) {
			i++
			continue
		}
		if inserted[l.text] && (eols[l.eol] || j == len(ol)-1) {
			continue
		}
		t.Fatalf("line %d of the result, %q, is neither a source line kept, nor a changed token line, nor an inserted one (source line %d: %q)",
			j, redact(l.text+l.eol), i, redact(lineAt(sl, i)))
	}
	for dropsVar && i < len(sl) && kind(sl[i].text) == "var "+name {
		i++
	}
	if i != len(sl) {
		t.Fatalf("source lines from %d on (%q) are missing from the result", i, redact(lineAt(sl, i)))
	}
}

func lineAt(l []lspLine, i int) string {
	if i < len(l) {
		return l[i].text + l[i].eol
	}
	return ""
}

package httpfile

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden .out files in testdata")

// corpus returns the request files of testdata, written the way users of
// REST Client, JetBrains HTTP Client and httpyac write them.
func corpus(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{"testdata/*.http", "testdata/*.rest"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 8 {
		t.Fatalf("corpus has %d files, want the whole testdata corpus", len(files))
	}
	return files
}

// golden compares got with the golden file, or rewrites it under -update.
// Failure messages show the first differing line (tokens are redacted
// before they get here).
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./httpfile -update to create it)", err)
	}
	if got == string(want) {
		return
	}
	g, w := strings.SplitAfter(got, "\n"), strings.SplitAfter(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Fatalf("%s differs at line %d:\n got: %q\nwant: %q\n(go test ./httpfile -update rewrites it after review)", path, i+1, gl, wl)
		}
	}
}

func outPath(file, kind string) string {
	return strings.TrimSuffix(file, filepath.Ext(file)) + "." + kind + ".out"
}

func TestGoldenParse(t *testing.T) {
	for _, file := range corpus(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, outPath(file, "parse"), dumpDocument(Parse(src)))
		})
	}
}

// TestGoldenEdits plans the edits in both modes for every corpus file, then
// a refresh with a newer token on the header-mode result.
func TestGoldenEdits(t *testing.T) {
	for _, file := range corpus(t) {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range []Mode{ModeHeader, ModeVariable} {
			t.Run(filepath.Base(file)+"/"+string(mode), func(t *testing.T) {
				opts := Options{Token: tokenA, APIHost: doxHost, Mode: mode, Line: -1}
				plan := PlanEdits(src, opts)
				golden(t, outPath(file, string(mode)), dumpPlan(src, plan))
				out := Apply(src, plan.Edits)
				checkKept(t, src, out)
				if again := PlanEdits(out, opts); len(again.Edits) != 0 {
					t.Errorf("planning again with the same token gives %d edits:\n%s", len(again.Edits), dumpPlan(out, again))
				}
				if mode != ModeHeader {
					return
				}
				refresh := Options{Token: tokenB, APIHost: doxHost, Line: -1, RefreshOnly: true}
				rp := PlanEdits(out, refresh)
				golden(t, outPath(file, "refresh"), dumpPlan(out, rp))
				for _, e := range rp.Edits {
					if e.Start == e.End {
						t.Errorf("a refresh inserted %q at %s; it must only replace", redact(e.NewText), fmtPos(e.Range.Start))
					}
				}
			})
		}
	}
}

// checkKept asserts what every edit must keep: the BOM and the final line
// break (or its absence).
func checkKept(t *testing.T, src, out []byte) {
	t.Helper()
	if bytes.HasPrefix(src, []byte(bom)) != bytes.HasPrefix(out, []byte(bom)) || bytes.HasPrefix(out, []byte(bom+bom)) {
		t.Errorf("the byte order mark was not kept")
	}
	endsNL := func(b []byte) bool { return len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') }
	if len(src) > 0 && endsNL(src) != endsNL(out) {
		t.Errorf("final line break: before %v, after %v", endsNL(src), endsNL(out))
	}
}

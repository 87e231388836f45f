package httpfile

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/doxls/doxls/internal/testbin"
)

var fileOpts = Options{Token: tokenA, APIHost: doxHost, Line: -1}

const doxRequest = "GET https://" + doxHost + "/document-information-extraction/v1/capabilities\r\n"

func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // umask
		t.Fatal(err)
	}
	return path
}

func TestEditFileReplacesAtomicallyAndKeepsTheMode(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "dox.http", doxRequest, 0o640)
	plan, err := EditFile(context.Background(), path, nil, fileOpts)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Edits) != 1 {
		t.Fatalf("%d edits, want 1", len(plan.Edits))
	}
	got, _ := os.ReadFile(path)
	if want := doxRequest + "Authorization: Bearer " + tokenA + "\r\n"; string(got) != want {
		t.Errorf("file now holds %q, want %q", redact(string(got)), redact(want))
	}
	fi, _ := os.Stat(path)
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 { // Windows keeps no mode bits
		t.Errorf("mode %v, want -rw-r-----", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the folder holds %d entries, want only dox.http (no temporary file left)", len(entries))
	}
}

func TestEditFileWithNothingToDoDoesNotWrite(t *testing.T) {
	path := writeFile(t, t.TempDir(), "other.http", "GET https://api.example.com/\n", 0o600)
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	plan, err := EditFile(context.Background(), path, nil, fileOpts)
	if err != nil || len(plan.Edits) != 0 || len(plan.Skipped) != 1 {
		t.Fatalf("EditFile = %d edits, %d skipped, %v; want 0, 1, nil", len(plan.Edits), len(plan.Skipped), err)
	}
	if fi, _ := os.Stat(path); !fi.ModTime().Equal(old) {
		t.Errorf("the file was written although nothing changed")
	}
}

func TestEditFileFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	target := writeFile(t, dir, "real.http", doxRequest, 0o644)
	link := filepath.Join(dir, "link.http")
	testbin.SkipUnderWine(t, "a symbolic link it makes cannot be opened")
	if err := os.Symlink("real.http", link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if _, err := EditFile(context.Background(), link, []string{dir}, fileOpts); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link.http is no longer a symbolic link")
	}
	if got, _ := os.ReadFile(target); !strings.Contains(string(got), "Authorization: Bearer ") {
		t.Errorf("the link target was not edited")
	}
}

func TestEditFileLeavesBadFilesUntouched(t *testing.T) {
	dir := t.TempDir()
	latin1 := "# Gr\xfc\xdfe\nGET https://" + doxHost + "/x\n"
	tests := []struct {
		name, path, want string
	}{
		{"not UTF-8", writeFile(t, dir, "latin1.http", latin1, 0o644), "latin1.http is not UTF-8 text (line 1, byte 5); left untouched"},
		{"missing", filepath.Join(dir, "gone.http"), "gone.http does not exist"},
		{"a folder", filepath.Join(dir, "folder.http"), "folder.http is a folder, not a regular file; doxls reads and writes only regular files"},
	}
	if err := os.Mkdir(filepath.Join(dir, "folder.http"), 0o755); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && os.Geteuid() != 0 { // root reads anything; mode 0 is only read-only on Windows
		tests = append(tests, struct{ name, path, want string }{"unreadable",
			writeFile(t, dir, "secret.http", doxRequest, 0o000), "secret.http cannot be read: permission denied"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(tt.path)
			plan, err := EditFile(context.Background(), tt.path, nil, fileOpts)
			if err == nil {
				t.Fatalf("no error; plan %d edits", len(plan.Edits))
			}
			if msg := err.Error(); msg != filepath.Join(dir, tt.want) {
				t.Errorf("error %q, want %q", msg, filepath.Join(dir, tt.want))
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans several lines")
			}
			if after, _ := os.ReadFile(tt.path); string(after) != string(before) {
				t.Errorf("the file was changed")
			}
		})
	}
}

package userfile

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/doxls/doxls/internal/testbin"
)

func write(t *testing.T, p, content string, mode os.FileMode) string {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // umask
		t.Fatal(err)
	}
	return p
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	testbin.SkipUnderWine(t, "a symbolic link it makes cannot be opened")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
}

func TestReadRegularFiles(t *testing.T) {
	dir := t.TempDir()
	p := write(t, filepath.Join(dir, "dox.http"), "GET https://x/\n", 0o644)
	got, st, err := Read(context.Background(), p, MaxSize)
	if err != nil || string(got) != "GET https://x/\n" || st.Size() != int64(len(got)) {
		t.Fatalf("Read = %q, %v, %v", got, st, err)
	}
	// A link to a regular file is read; the cap is the file's, not the link's.
	link := filepath.Join(dir, "link.http")
	symlink(t, "dox.http", link)
	if got, _, err := Read(context.Background(), link, MaxSize); err != nil || string(got) != "GET https://x/\n" {
		t.Errorf("Read through a link = %q, %v", got, err)
	}
	// Empty is a file too.
	empty := write(t, filepath.Join(dir, "empty.http"), "", 0o644)
	if got, _, err := Read(context.Background(), empty, MaxSize); err != nil || len(got) != 0 {
		t.Errorf("Read of an empty file = %q, %v", got, err)
	}
}

// Each refusal is one line naming the file, with an error errors.Is finds.
func TestReadRefuses(t *testing.T) {
	dir := t.TempDir()
	big := write(t, filepath.Join(dir, "big.http"), strings.Repeat("x", 101), 0o644)
	if err := os.Mkdir(filepath.Join(dir, "folder.http"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path, want string
		is         error
	}{
		{filepath.Join(dir, "gone.http"), "gone.http does not exist", fs.ErrNotExist},
		{big, "big.http is larger than 100 bytes; doxls leaves it alone", ErrTooLarge},
		{filepath.Join(dir, "folder.http"), "folder.http is a folder, not a regular file", ErrNotRegular},
	}
	if dev := os.DevNull; dev != "" {
		// NUL on Windows, /dev/null elsewhere: a device either way.
		cases = append(cases, struct {
			path, want string
			is         error
		}{dev, "is a device, not a regular file", ErrNotRegular})
	}
	for _, c := range cases {
		_, _, err := Read(context.Background(), c.path, 100)
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, c.is) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Read(%s) = %v, want …%s…", filepath.Base(c.path), err, c.want)
		}
	}
	if _, _, err := Read(context.Background(), filepath.Join(dir, "a\n!b.http"), 100); err == nil || strings.ContainsAny(err.Error(), "\n") {
		t.Errorf("an error about a path with a line break spans lines: %q", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Read(ctx, big, MaxSize); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "big.http was not read") {
		t.Errorf("Read with a cancelled context = %v", err)
	}
}

// /dev/zero behind a link named like a request file: refused at once, not
// read until memory runs out.
func TestReadRefusesADeviceBehindALink(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	link := filepath.Join(t.TempDir(), "z.http")
	symlink(t, "/dev/zero", link)
	_, _, err := Read(context.Background(), link, MaxSize)
	if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "z.http is a device") {
		t.Errorf("Read(/dev/zero behind a link) = %v", err)
	}
}

// A FIFO is refused without blocking: before the open (Lstat) and, were
// it swapped in after that, by the non-blocking open and the fstat.
func TestReadNeverBlocksOnAFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pipe.json")
	if err := mkfifo(p); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if _, _, err := Read(context.Background(), p, MaxSize); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("Read(FIFO) = %v", err)
	}
	// The open itself: no writer, still no wait.
	f, err := openRead(p)
	if err != nil {
		t.Fatalf("non-blocking open of a FIFO: %v", err)
	}
	defer f.Close()
	st, _ := f.Stat()
	if err := regular(p, st); !errors.Is(err, ErrNotRegular) {
		t.Errorf("the opened FIFO passes as regular: %v", err)
	}
}

// A file that grows past the cap while it is read is refused: the read
// stops at limit+1 bytes whatever the size said before.
func TestReadStopsAtTheCap(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	// /dev/zero stands for a file that never ends; Read is asked to take
	// it as regular by going round the checks before the loop.
	f, err := os.Open("/dev/zero")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := readCapped(context.Background(), "zero", f, 1000)
	if !errors.Is(err, ErrTooLarge) || data != nil {
		t.Errorf("reading past the cap: %d bytes, %v", len(data), err)
	}
}

func TestUpdateKeepsModeAndCreatesPrivately(t *testing.T) {
	dir := t.TempDir()
	p := write(t, filepath.Join(dir, "dox.http"), "old", 0o640)
	res, err := Update(context.Background(), p, []string{dir}, func(old []byte, exists bool) ([]byte, error) {
		if !exists || string(old) != "old" {
			t.Errorf("change got %q, %v", old, exists)
		}
		return []byte("new"), nil
	})
	if err != nil || !res.Changed || res.Created {
		t.Fatalf("Update = %+v, %v", res, err)
	}
	if st, _ := os.Stat(p); runtime.GOOS != "windows" && st.Mode().Perm() != 0o640 { // Windows keeps no mode bits
		t.Errorf("mode %v after the edit, want 0640 kept", st.Mode().Perm())
	}
	// Same bytes: nothing written.
	st0, _ := os.Stat(p)
	if res, err := Update(context.Background(), p, nil, func(old []byte, _ bool) ([]byte, error) { return old, nil }); err != nil || res.Changed {
		t.Errorf("an edit that changes nothing: %+v, %v", res, err)
	}
	if st1, _ := os.Stat(p); !os.SameFile(st0, st1) {
		t.Error("the file was replaced although nothing changed")
	}
	created := filepath.Join(dir, ".env")
	res, err = Update(context.Background(), created, []string{dir}, func(old []byte, exists bool) ([]byte, error) {
		if exists || old != nil {
			t.Errorf("change of a missing file got %q, %v", old, exists)
		}
		return []byte("T=1\n"), nil
	})
	if err != nil || !res.Created {
		t.Fatalf("creating: %+v, %v", res, err)
	}
	if st, _ := os.Stat(created); st.Mode().Perm() != NewFileMode && st.Mode().Perm() != 0o666 /* Windows has no owner-only bits */ {
		t.Errorf("created with mode %v, want %v", st.Mode().Perm(), NewFileMode)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("the folder holds %d entries, want 2 (no temporary file left)", len(entries))
	}
}

func TestUpdateRefusesWhatItCannotRead(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "d.http"), 0o755); err != nil {
		t.Fatal(err)
	}
	called := false
	_, err := Update(context.Background(), filepath.Join(dir, "d.http"), []string{dir}, func([]byte, bool) ([]byte, error) {
		called = true
		return nil, nil
	})
	if called || !errors.Is(err, ErrNotRegular) {
		t.Errorf("Update of a folder: change called %v, error %v", called, err)
	}
}

// A link (the file's or a folder's) that leads out of the roots is not
// written through; one that stays inside is; with no roots none is.
func TestConfine(t *testing.T) {
	ws, elsewhere := t.TempDir(), t.TempDir()
	outside := write(t, filepath.Join(elsewhere, "profile"), "PATH=/bin\n", 0o644)
	inside := write(t, filepath.Join(ws, "real.env"), "A=1\n", 0o644)
	symlink(t, outside, filepath.Join(ws, ".env"))
	symlink(t, "real.env", filepath.Join(ws, "ok.env"))
	symlink(t, elsewhere, filepath.Join(ws, "conf"))
	symlink(t, filepath.Join(ws, "nowhere"), filepath.Join(ws, "dangling.env"))

	for _, p := range []string{filepath.Join(ws, ".env"), filepath.Join(ws, "conf", "new.json"), filepath.Join(ws, "conf", "profile")} {
		if _, err := Confine(p, []string{ws}); err == nil || !strings.Contains(err.Error(), "leads out of the workspace") {
			t.Errorf("Confine(%s) = %v", p, err)
		}
	}
	if got, err := Confine(filepath.Join(ws, "ok.env"), []string{ws}); err != nil || !sameFile(got, inside) {
		t.Errorf("a link inside the workspace: %s, %v", got, err)
	}
	if _, err := Confine(filepath.Join(ws, "ok.env"), nil); err == nil {
		t.Error("with no roots a link was written through")
	}
	if _, err := Confine(filepath.Join(ws, "dangling.env"), []string{ws}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("a dangling link: %v", err)
	}
	// A plain file outside every root is the caller's choice.
	if got, err := Confine(outside, []string{ws}); err != nil || !sameFile(got, outside) {
		t.Errorf("a plain file outside: %s, %v", got, err)
	}
	// A root reached through a link of its own still counts as itself.
	wsLink := filepath.Join(elsewhere, "ws-link")
	symlink(t, ws, wsLink)
	if _, err := Confine(filepath.Join(wsLink, "ok.env"), []string{wsLink}); err != nil {
		t.Errorf("a workspace opened through a link: %v", err)
	}
	_, err := Update(context.Background(), filepath.Join(ws, ".env"), []string{ws}, func(old []byte, _ bool) ([]byte, error) {
		return append(old, "TOKEN=x\n"...), nil
	})
	if err == nil {
		t.Error("Update wrote through a link that leads out")
	}
	if b, _ := os.ReadFile(outside); string(b) != "PATH=/bin\n" {
		t.Errorf("the file outside now holds %q", b)
	}
}

func TestInside(t *testing.T) {
	ws, elsewhere := t.TempDir(), t.TempDir()
	write(t, filepath.Join(ws, "a.http"), "", 0o644)
	symlink(t, filepath.Join(elsewhere), filepath.Join(ws, "out"))
	for p, want := range map[string]bool{
		filepath.Join(ws, "a.http"):       true,
		filepath.Join(ws, "new.http"):     true,
		filepath.Join(ws, "out", "x"):     false,
		filepath.Join(elsewhere, "x"):     false,
		filepath.Join(ws, "..", "x.http"): false,
	} {
		if got := Inside(p, []string{ws}); got != want {
			t.Errorf("Inside(%s) = %v, want %v", p, got, want)
		}
	}
	if Inside(filepath.Join(ws, "a.http"), nil) {
		t.Error("inside no workspace folder at all")
	}
}

func TestReplaceLeavesAFileChangedMeanwhile(t *testing.T) {
	dir := t.TempDir()
	p := write(t, filepath.Join(dir, "dox.http"), "old", 0o644)
	before, _ := os.Stat(p)
	write(t, p, "edited by the user meanwhile", 0o644)
	err := Replace("dox.http", p, before, []byte("stale"))
	if got, _ := os.ReadFile(p); err == nil || !strings.Contains(err.Error(), "changed while") || string(got) != "edited by the user meanwhile" {
		t.Errorf("stale replace: %v, file %q", err, got)
	}
	created := filepath.Join(dir, "new.json")
	write(t, created, "{}", 0o644)
	if err := Replace("new.json", created, nil, []byte("{\"x\":1}")); err == nil || !strings.Contains(err.Error(), "appeared") {
		t.Errorf("creating over a file that appeared: %v", err)
	}
}

func TestCreateNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "dox.http")
	if err := Create(p, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := Create(p, []byte("two")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create over a file: %v", err)
	}
	// A link there (even a dangling one) is not followed.
	link := filepath.Join(dir, "link.http")
	symlink(t, filepath.Join(dir, "target.http"), link)
	if err := Create(link, []byte("x")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create over a dangling link: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "target.http")); err == nil {
		t.Error("Create wrote through a link")
	}
}

// On Windows a rename over a file another program holds open fails for a
// moment with ERROR_SHARING_VIOLATION; it is tried again, and only such
// errors are.
func TestRetryOnTransientErrors(t *testing.T) {
	busy := syscall.Errno(32)
	n := 0
	err := retry(func() error {
		n++
		if n < 3 {
			return &os.LinkError{Op: "rename", Err: busy}
		}
		return nil
	}, func(err error) bool { return errors.Is(err, busy) }, 0)
	if err != nil || n != 3 {
		t.Errorf("retry = %v after %d tries, want success on the 3rd", err, n)
	}
	n = 0
	err = retry(func() error { n++; return fs.ErrPermission }, func(err error) bool { return errors.Is(err, busy) }, 0)
	if n != 1 || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("a lasting error was tried %d times", n)
	}
	n = 0
	retry(func() error { n++; return busy }, func(error) bool { return true }, 0)
	if n != renameTries {
		t.Errorf("a transient error was tried %d times, want %d", n, renameTries)
	}
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

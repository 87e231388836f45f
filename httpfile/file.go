package httpfile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"unicode/utf8"
)

// EditFile plans and applies the edits to the file at path in place: it
// writes beside the file, syncs and renames, keeping the file mode. A file
// that is unreadable or not UTF-8 is left untouched and reported.
//
// Errors are one line that names the file (as given). A symbolic link is
// followed: the file it points to is replaced, the link stays. When the file
// changes or disappears while it is being edited, it is left alone.
func EditFile(path string, opts Options) (Plan, error) {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return Plan{}, readError(path, err)
	}
	before, err := os.Stat(target)
	if err != nil {
		return Plan{}, readError(path, err)
	}
	if before.IsDir() {
		return Plan{}, fmt.Errorf("%s is a directory, not a request file", path)
	}
	src, err := os.ReadFile(target)
	if err != nil {
		return Plan{}, readError(path, err)
	}
	if !utf8.Valid(src) {
		line, col := firstInvalid(src)
		return Plan{}, fmt.Errorf("%s is not UTF-8 text (line %d, byte %d); left untouched", path, line, col)
	}
	plan := PlanEdits(src, opts)
	if len(plan.Edits) == 0 {
		return plan, nil
	}
	if err := replaceFile(path, target, before, Apply(src, plan.Edits)); err != nil {
		return Plan{}, err
	}
	return plan, nil
}

func readError(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s does not exist", path)
	}
	return fmt.Errorf("%s cannot be read: %v", path, unwrapPath(err))
}

// firstInvalid returns the 1-based line and byte column of the first byte
// that is not UTF-8.
func firstInvalid(src []byte) (line, col int) {
	off := 0
	for off < len(src) {
		r, size := utf8.DecodeRune(src[off:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		off += size
	}
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	return bytes.Count(src[:off], []byte("\n")) + 1, off - start + 1
}

// replaceFile writes data to a temporary file beside target, syncs it, and
// renames it over target, unless target changed since before was taken.
func replaceFile(path, target string, before fs.FileInfo, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".doxls-*")
	if err != nil {
		return fmt.Errorf("%s cannot be written: %v", path, unwrapPath(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	mode := before.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	if _, err = tmp.Write(data); err == nil {
		if err = tmp.Chmod(mode); err == nil {
			err = tmp.Sync()
		}
	}
	if err != nil {
		return fmt.Errorf("%s cannot be written: %v", path, unwrapPath(err))
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("%s cannot be written: %v", path, unwrapPath(err))
	}
	now, err := os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s vanished while it was being edited; nothing written", path)
	case err != nil:
		return fmt.Errorf("%s cannot be written: %v", path, unwrapPath(err))
	case !now.ModTime().Equal(before.ModTime()) || now.Size() != before.Size():
		return fmt.Errorf("%s changed while it was being edited; left as it is now", path)
	}
	if err = os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("%s cannot be replaced: %v", path, unwrapPath(err))
	}
	syncDir(filepath.Dir(target))
	return nil
}

// syncDir makes the rename durable; a failure only loses durability, not
// data, so it is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// unwrapPath drops the operation and temporary path from an *fs.PathError:
// the message names the user's file instead.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

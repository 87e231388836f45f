package userfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/doxls/doxls/internal/fileuri"
)

// NewFileMode is the mode of every file doxls creates: the files it writes
// hold tokens or sit beside them, so they are the owner's alone.
const NewFileMode fs.FileMode = 0o600

// Result says what Update did.
type Result struct {
	Target  string // the file written: a symbolic link's target, the link stays
	Changed bool
	Created bool
}

// Update edits the file at path: change gets its bytes (nil and false when
// it does not exist) and returns the new ones; different bytes replace the
// file atomically (written beside it, synced, renamed over it, its mode
// and owner kept), a missing file is created with NewFileMode. The file is
// read as Read reads it, up to MaxSize. A symbolic link, the file's or a
// folder's, is written through only when it leads to a place inside roots
// (see Confine). A file that changes while change runs is left as it is.
// Errors name path; an error from change is returned as it is.
func Update(ctx context.Context, path string, roots []string, change func(old []byte, exists bool) ([]byte, error)) (Result, error) {
	target, err := Confine(path, roots)
	if err != nil {
		return Result{}, err
	}
	res := Result{Target: target}
	old, before, err := Read(ctx, target, MaxSize)
	exists := err == nil
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return res, rename(err, path)
		}
		old = nil
	}
	data, err := change(old, exists)
	if err != nil {
		return res, err
	}
	if exists && bytes.Equal(old, data) {
		return res, nil
	}
	if err := ctx.Err(); err != nil {
		return res, &Error{Path: path, Problem: "was not written: the request was cancelled", Err: err}
	}
	if err := Replace(path, target, before, data); err != nil {
		return res, err
	}
	res.Changed, res.Created = true, !exists
	return res, nil
}

// rename makes an Error about a link's target name the path the user gave.
func rename(err error, path string) error {
	var e *Error
	if errors.As(err, &e) {
		c := *e
		c.Path = path
		return &c
	}
	return err
}

// Confine returns the file that writing to path changes: path itself, or
// where its symbolic links lead. A link, the file's own or one of its
// folders', may lead only into one of roots (the workspace folders; on the
// command line the current folder): a repository can hold a link named
// .env that points at a file elsewhere, and writing a token there would
// put it where the user does not look. With no roots, no link is written
// through. A path outside every root that holds no link of its own is the
// caller's choice and stays allowed.
func Confine(path string, roots []string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", &Error{Path: path, Problem: "cannot be written: " + err.Error(), Err: err}
	}
	dir := filepath.Dir(abs)
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", &Error{Path: path, Problem: "cannot be written: its folder " + problemOf(err), Err: err}
	}
	real := filepath.Join(realDir, filepath.Base(abs))
	st, err := os.Lstat(real)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", pathError(path, err)
	}
	linked := err == nil && st.Mode()&fs.ModeSymlink != 0
	if linked {
		if real, err = filepath.EvalSymlinks(real); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return "", &Error{Path: path, Problem: "is a symbolic link to a file that does not exist; doxls does not create files through links", Err: err}
			}
			return "", pathError(path, err)
		}
	}
	// A link in the folders only matters when path claims to be inside.
	viaFolder := realDir != dir && within(dir, cleanRoots(roots, false))
	if (linked || viaFolder) && !within(real, cleanRoots(roots, true)) {
		return "", &Error{Path: path, Problem: "is reached through a symbolic link that leads out of the workspace (to " + shown(real) + "); doxls does not write there"}
	}
	return real, nil
}

func problemOf(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "does not exist"
	}
	return Bare(err).Error()
}

// cleanRoots makes roots absolute and, with real, resolves their links.
func cleanRoots(roots []string, real bool) []string {
	var out []string
	for _, r := range roots {
		if r == "" {
			continue
		}
		r, err := filepath.Abs(r)
		if err != nil {
			continue
		}
		if real {
			if rr, err := filepath.EvalSymlinks(r); err == nil {
				r = rr
			}
		}
		out = append(out, r)
	}
	return out
}

// Within reports whether path lies in one of roots (all absolute, clean).
func within(path string, roots []string) bool {
	for _, r := range roots {
		if fileuri.Within(r, path) { // case-insensitive where names are
			return true
		}
	}
	return false
}

// Inside reports whether path, its links resolved, lies in one of roots
// (their links resolved too): the test for reading a file the editor does
// not have open.
func Inside(path string, roots []string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		// Not there (yet): its folder decides.
		d, derr := filepath.EvalSymlinks(filepath.Dir(abs))
		if derr != nil {
			return false
		}
		real = filepath.Join(d, filepath.Base(abs))
	}
	return within(real, cleanRoots(roots, true))
}

// Replace writes data over target. before is target's state when it was
// read; nil means target did not exist and is created with NewFileMode. If
// target changed, vanished or appeared since, nothing is written and the
// error says so. name is how errors call the file (the path the user gave);
// an existing file keeps its mode, and its owner where the system allows.
func Replace(name, target string, before fs.FileInfo, data []byte) (err error) {
	name = shown(name)
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".doxls-*")
	if err != nil {
		return fmt.Errorf("%s cannot be written: %v", name, Bare(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	mode := NewFileMode
	if before != nil {
		mode = before.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
		keepOwner(tmp, before)
	}
	if _, err = tmp.Write(data); err == nil {
		if err = tmp.Chmod(mode); err == nil {
			err = tmp.Sync()
		}
	}
	if err == nil {
		err = tmp.Close()
	}
	if err != nil {
		return fmt.Errorf("%s cannot be written: %v", name, Bare(err))
	}
	now, err := os.Lstat(target)
	existed := before != nil
	switch {
	case existed && errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s vanished while it was being edited; nothing written", name)
	case !existed && err == nil:
		return fmt.Errorf("%s appeared while doxls was creating it; left as it is", name)
	case existed && err != nil:
		return fmt.Errorf("%s cannot be written: %v", name, Bare(err))
	case existed && (!os.SameFile(now, before) || !now.ModTime().Equal(before.ModTime()) || now.Size() != before.Size()):
		return fmt.Errorf("%s changed while it was being edited; left as it is now", name)
	}
	if err = replaceFile(tmp.Name(), target); err != nil {
		return fmt.Errorf("%s cannot be replaced: %v", name, Bare(err))
	}
	// Make the rename durable; failing that loses durability, not data.
	if d, derr := os.Open(filepath.Dir(target)); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Create writes data to a new file at path with NewFileMode and fails with
// an error satisfying errors.Is(err, fs.ErrExist) when something (a file,
// a link, a FIFO) is there already: the name is claimed with O_EXCL, which
// does not follow links.
func Create(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, NewFileMode)
	if errors.Is(err, fs.ErrExist) {
		return &Error{Path: path, Problem: "exists already", Err: err}
	}
	if err != nil {
		return &Error{Path: path, Problem: "cannot be created: " + Bare(err).Error(), Err: err}
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return &Error{Path: path, Problem: "cannot be written: " + Bare(err).Error(), Err: err}
	}
	return nil
}

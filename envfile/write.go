package envfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Result says what Update did.
type Result struct {
	Path    string // the file written (a symbolic link's target stays behind the link)
	Changed bool
	Created bool
}

// Update sets name to value in the environment file at path (for JSON, in
// environment env), creating the file (mode 0600) when it does not exist.
// The file is replaced atomically: written beside, synced, renamed, its
// mode kept. A file that changes while it is being edited is left alone.
// Errors are one line that names the file and never hold the value.
func Update(path string, f Format, env, name, value string) (Result, error) {
	res := Result{Path: path}
	target := path
	if t, err := filepath.EvalSymlinks(path); err == nil {
		target = t
	}
	before, statErr := os.Stat(target)
	if statErr != nil && !errors.Is(statErr, fs.ErrNotExist) {
		return res, fmt.Errorf("%s cannot be read: %v", path, pathless(statErr))
	}
	src, exists, err := ReadFile(target)
	if err != nil {
		return res, err
	}
	e, changed, err := Set(f, src, env, name, value)
	if err != nil {
		return res, fmt.Errorf("%s %v", path, err)
	}
	if !changed {
		return res, nil
	}
	if err := replace(path, target, before, exists, Apply(src, e)); err != nil {
		return res, err
	}
	res.Changed, res.Created = true, !exists
	return res, nil
}

// replace writes data over target, or creates it when it did not exist.
func replace(path, target string, before fs.FileInfo, existed bool, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".doxls-*")
	if err != nil {
		return fmt.Errorf("%s cannot be written: %v", path, pathless(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	mode := fs.FileMode(0o600) // a new file holds a secret: the owner's only
	if existed {
		mode = before.Mode() & fs.ModePerm
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
		return fmt.Errorf("%s cannot be written: %v", path, pathless(err))
	}
	now, err := os.Stat(target)
	switch {
	case existed && errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s vanished while it was being edited; nothing written", path)
	case !existed && err == nil:
		return fmt.Errorf("%s appeared while doxls was creating it; left as it is", path)
	case existed && err != nil:
		return fmt.Errorf("%s cannot be written: %v", path, pathless(err))
	case existed && (!now.ModTime().Equal(before.ModTime()) || now.Size() != before.Size()):
		return fmt.Errorf("%s changed while it was being edited; left as it is now", path)
	}
	if err = os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("%s cannot be replaced: %v", path, pathless(err))
	}
	if d, derr := os.Open(filepath.Dir(target)); derr == nil {
		d.Sync() // durability of the rename; its failure loses no data
		d.Close()
	}
	return nil
}

// pathless drops the operation and path of an *fs.PathError: messages name
// the user's file instead of a temporary one.
func pathless(err error) error {
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

// Package atomicfile replaces a user's file as a whole or not at all: the
// new bytes go to a temporary file beside it, are synced, and are renamed
// over it, so a crash or a full disk never leaves half a file.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Replace writes data over target. before is target's state when it was
// read; nil means target did not exist and is created with newMode. If
// target changed, vanished or appeared since, nothing is written and the
// error says so. name is how errors call the file (the path the user gave);
// an existing file keeps its mode, and its owner where the system allows.
func Replace(name, target string, before fs.FileInfo, data []byte, newMode fs.FileMode) (err error) {
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
	mode := newMode
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
	now, err := os.Stat(target)
	existed := before != nil
	switch {
	case existed && errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s vanished while it was being edited; nothing written", name)
	case !existed && err == nil:
		return fmt.Errorf("%s appeared while doxls was creating it; left as it is", name)
	case existed && err != nil:
		return fmt.Errorf("%s cannot be written: %v", name, Bare(err))
	case existed && (!now.ModTime().Equal(before.ModTime()) || now.Size() != before.Size()):
		return fmt.Errorf("%s changed while it was being edited; left as it is now", name)
	}
	if err = os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("%s cannot be replaced: %v", name, Bare(err))
	}
	// Make the rename durable; failing that loses durability, not data.
	if d, derr := os.Open(filepath.Dir(target)); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Bare drops the operation and path of an *fs.PathError or *os.LinkError,
// so that a message names the user's file rather than a temporary one.
func Bare(err error) error {
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

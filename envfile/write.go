package envfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/doxls/doxls/internal/atomicfile"
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
		return res, fmt.Errorf("%s cannot be read: %v", path, atomicfile.Bare(statErr))
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
	var prior fs.FileInfo // nil: create, with a mode for a secret (owner only)
	if exists {
		prior = before
	}
	if err := atomicfile.Replace(path, target, prior, Apply(src, e), 0o600); err != nil {
		return res, err
	}
	res.Changed, res.Created = true, !exists
	return res, nil
}

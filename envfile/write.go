package envfile

import (
	"context"
	"fmt"

	"github.com/doxls/doxls/internal/userfile"
)

// Result says what Update did.
type Result struct {
	Path    string // the file written (a symbolic link's target stays behind the link)
	Changed bool
	Created bool
}

// Update sets name to value in the environment file at path (for JSON, in
// environment env), creating the file (mode 0600) when it does not exist.
// The file is read and replaced through userfile (docs/security-files.md):
// a regular file only, size-capped, replaced atomically with its mode
// kept, and never written through a symbolic link that leads out of roots.
// A file that changes while it is being edited is left alone. Errors are
// one line that names the file and never hold the value.
func Update(ctx context.Context, path string, roots []string, f Format, env, name, value string) (Result, error) {
	res := Result{Path: path}
	up, err := userfile.Update(ctx, path, roots, func(src []byte, exists bool) ([]byte, error) {
		if err := checkText(path, src); err != nil {
			return nil, err
		}
		e, changed, err := Set(f, src, env, name, value)
		if err != nil {
			return nil, fmt.Errorf("%s %v", path, err)
		}
		if !changed && exists {
			return src, nil
		}
		return Apply(src, e), nil
	})
	if err != nil {
		return res, err
	}
	res.Changed, res.Created = up.Changed, up.Created
	return res, nil
}

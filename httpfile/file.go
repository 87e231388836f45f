package httpfile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/doxls/doxls/internal/atomicfile"
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
	if err := atomicfile.Replace(path, target, before, Apply(src, plan.Edits), 0); err != nil {
		return Plan{}, err
	}
	return plan, nil
}

func readError(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s does not exist", path)
	}
	return fmt.Errorf("%s cannot be read: %v", path, atomicfile.Bare(err))
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

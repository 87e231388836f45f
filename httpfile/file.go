package httpfile

import (
	"bytes"
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/doxls/doxls/internal/userfile"
)

// EditFile plans and applies the edits to the request file at path in
// place, through userfile (docs/security-files.md): a regular file up to
// userfile.MaxSize, replaced atomically with its mode kept. A symbolic
// link is followed only to a file inside roots (on the command line, the
// current folder). A file that is unreadable or not UTF-8 is left
// untouched and reported; one that changes while it is edited is left
// alone. Errors are one line that names the file (as given) and never
// quote its content.
func EditFile(ctx context.Context, path string, roots []string, opts Options) (Plan, error) {
	var plan Plan
	_, err := userfile.Update(ctx, path, roots, func(src []byte, exists bool) ([]byte, error) {
		if !exists {
			return nil, fmt.Errorf("%s does not exist", path)
		}
		if !utf8.Valid(src) {
			line, col := firstInvalid(src)
			return nil, fmt.Errorf("%s is not UTF-8 text (line %d, byte %d); left untouched", path, line, col)
		}
		plan = PlanEdits(src, opts)
		return Apply(src, plan.Edits), nil
	})
	if err != nil {
		return Plan{}, err
	}
	return plan, nil
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

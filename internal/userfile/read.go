// Package userfile is the one way doxls reads and writes the user's files
// (request, environment, key, .gitignore files): regular files only, read
// up to a size cap without ever blocking on a FIFO or a device, replaced
// as a whole or not at all, and never written through a symbolic link that
// leads out of the workspace. The rules and their reasons are in
// docs/security-files.md.
package userfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"unicode"
)

// MaxSize caps the request, environment and .gitignore files doxls reads:
// far above any such file a person writes (an inline Base64 body of a
// multi-page scan included), far below what would strain the server's
// memory while it holds a file and its edited copy.
const MaxSize = 8 << 20

// chunk is how much is read between two looks at the context.
const chunk = 64 << 10

// Error is a file doxls cannot use. Its text is the file's name and the
// problem; it never quotes the file's content.
type Error struct {
	Path    string // the path as the caller named it
	Problem string // "does not exist", "is a named pipe (FIFO), not a regular file", …
	Err     error  // fs.ErrNotExist, context.Canceled, …, for errors.Is
}

func (e *Error) Error() string { return shown(e.Path) + " " + e.Problem }

// shown is path as a message names it: quoted when it holds a line break
// or another control character, so that the message stays one line.
func shown(path string) string {
	if strings.IndexFunc(path, unicode.IsControl) >= 0 {
		return strconv.Quote(path)
	}
	return path
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNotRegular is what errors.Is finds in an Error about a folder, FIFO,
// device or socket.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is what errors.Is finds in an Error about a file over the cap.
var ErrTooLarge = errors.New("file too large")

// Read returns the content of the regular file at path and its state, at
// most limit bytes. A symbolic link is followed (its target must be a
// regular file too); a folder, FIFO, device or socket is refused before it
// is opened, and a file swapped for one in between is opened without
// blocking and refused. A file that grows past limit while it is read is
// refused. ctx stops a slow read.
func Read(ctx context.Context, path string, limit int64) ([]byte, fs.FileInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, cancelled(path, err)
	}
	st, err := os.Lstat(path)
	if err == nil && st.Mode()&fs.ModeSymlink != 0 {
		st, err = os.Stat(path)
	}
	if err != nil {
		return nil, nil, pathError(path, err)
	}
	if err := regular(path, st); err != nil {
		return nil, nil, err
	}
	if st.Size() > limit {
		return nil, nil, tooLarge(path, limit)
	}
	f, err := openRead(path)
	if err != nil {
		return nil, nil, pathError(path, err)
	}
	defer f.Close()
	fst, err := f.Stat()
	if err != nil {
		return nil, nil, pathError(path, err)
	}
	if err := regular(path, fst); err != nil {
		return nil, nil, err
	}
	data, err := readCapped(ctx, path, f, limit)
	if err != nil {
		return nil, nil, err
	}
	return data, fst, nil
}

// readCapped reads r to its end, stopping with ErrTooLarge at limit+1
// bytes (a file that grows while it is read) and at ctx's end.
func readCapped(ctx context.Context, path string, r io.Reader, limit int64) ([]byte, error) {
	var data []byte
	buf := make([]byte, chunk)
	for {
		if err := ctx.Err(); err != nil {
			return nil, cancelled(path, err)
		}
		n, err := r.Read(buf[:min(int64(chunk), limit+1-int64(len(data)))])
		data = append(data, buf[:n]...)
		if int64(len(data)) > limit {
			return nil, tooLarge(path, limit)
		}
		if errors.Is(err, io.EOF) {
			if data == nil {
				data = []byte{}
			}
			return data, nil
		}
		if err != nil {
			return nil, pathError(path, err)
		}
	}
}

// regular refuses anything but a regular file, naming what it is.
func regular(path string, st fs.FileInfo) error {
	m := st.Mode()
	var what string
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		what = "a folder"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		what = "a device"
	case m&fs.ModeSymlink != 0:
		what = "a symbolic link"
	default:
		what = "a special file"
	}
	return &Error{Path: path, Problem: "is " + what + ", not a regular file; doxls reads and writes only regular files", Err: ErrNotRegular}
}

func tooLarge(path string, limit int64) error {
	return &Error{Path: path, Problem: "is larger than " + size(limit) + "; doxls leaves it alone", Err: ErrTooLarge}
}

func cancelled(path string, err error) error {
	return &Error{Path: path, Problem: "was not read: the request was cancelled", Err: err}
}

// size writes a cap the way people say it.
func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// pathError turns an error from the os package into an Error that names
// path, without the operation and the path the os package repeats.
func pathError(path string, err error) error {
	var ue *Error
	if errors.As(err, &ue) {
		return err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &Error{Path: path, Problem: "does not exist", Err: err}
	case errors.Is(err, fs.ErrPermission):
		return &Error{Path: path, Problem: "cannot be read: permission denied", Err: err}
	}
	return &Error{Path: path, Problem: "cannot be read: " + Bare(err).Error(), Err: err}
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

//go:build unix

package userfile

import (
	"os"
	"syscall"
)

// openRead opens without blocking: a FIFO swapped in after the Lstat would
// otherwise hold the open until a writer comes, and O_NOCTTY keeps a
// terminal device from becoming the controlling one. The caller checks
// the opened file is regular, for which O_NONBLOCK changes nothing.
func openRead(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
}

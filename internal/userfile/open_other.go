//go:build !unix

package userfile

import "os"

// openRead: Windows has no FIFOs in the file system (its named pipes live
// under \\.\pipe\, which is not a workspace path), so a plain open cannot
// block on one; the caller checks the opened file is regular.
func openRead(path string) (*os.File, error) {
	return os.Open(path)
}

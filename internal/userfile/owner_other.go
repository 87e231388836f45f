//go:build !unix

package userfile

import (
	"io/fs"
	"os"
)

// keepOwner: files elsewhere have no owner to keep the way Unix ones do.
func keepOwner(*os.File, fs.FileInfo) {}

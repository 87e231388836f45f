//go:build !unix

package atomicfile

import (
	"io/fs"
	"os"
)

// keepOwner: files elsewhere have no owner to keep the way Unix ones do.
func keepOwner(*os.File, fs.FileInfo) {}

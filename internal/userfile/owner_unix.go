//go:build unix

package userfile

import (
	"io/fs"
	"os"
	"syscall"
)

// keepOwner gives tmp the owner and group of the file it replaces, so that
// doxls run as another user (root, say, in a container) does not hand the
// user's file over to itself. Only a privileged process may give a file
// away; an unprivileged one already creates it with the user's owner unless
// the group differs, and then keeping the group is tried and may fail
// quietly: the bytes matter more than the group.
func keepOwner(tmp *os.File, before fs.FileInfo) {
	st, ok := before.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	_ = tmp.Chown(int(st.Uid), int(st.Gid))
}

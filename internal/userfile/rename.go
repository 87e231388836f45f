package userfile

import (
	"os"
	"time"
)

// renameTries bounds how often a rename that the system refused for a
// moment (see transient) is tried.
const renameTries = 5

// replaceFile renames src over dst. On Windows another program (a virus
// scanner, an indexer, the editor) may hold dst open for a moment without
// sharing delete access; the rename is tried again a few times then.
func replaceFile(src, dst string) error {
	return retry(func() error { return os.Rename(src, dst) }, transient, 20*time.Millisecond)
}

// retry calls op until it succeeds, fails for good, or renameTries ran
// out, waiting pause, then twice as long, between tries.
func retry(op func() error, again func(error) bool, pause time.Duration) error {
	var err error
	for i := 0; i < renameTries; i++ {
		if err = op(); err == nil || !again(err) {
			return err
		}
		if i < renameTries-1 {
			time.Sleep(pause << i)
		}
	}
	return err
}

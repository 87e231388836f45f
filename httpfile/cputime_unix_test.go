//go:build unix

package httpfile

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used, garbage collector
// included. On a machine other processes keep busy, the wall time per
// operation says more about them than about this code; the CPU time does
// not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

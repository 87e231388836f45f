//go:build !unix

package httpfile

import "time"

// cpuTime is unknown here: reportCPU then reports nothing.
func cpuTime() time.Duration { return 0 }

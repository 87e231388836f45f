//go:build !unix

package httpfile

import "time"

// cpuTime is unknown here (no getrusage): the benchmarks report wall time only.
func cpuTime() time.Duration { return 0 }

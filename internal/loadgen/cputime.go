package loadgen

import (
	"syscall"
	"time"
)

// CPUTime is the CPU time (user + system) this process has used so far.
// On a machine shared with others it measures the work done, leaving out
// the time spent waiting for a core.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// LoadAverage returns the 1-minute load average from /proc/loadavg, or -1.
func LoadAverage() float64 {
	var info syscall.Sysinfo_t
	if err := syscall.Sysinfo(&info); err != nil {
		return -1
	}
	return float64(info.Loads[0]) / 65536
}

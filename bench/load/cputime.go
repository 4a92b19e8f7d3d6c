package load

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

// PerOp is d per operation in milliseconds (0 for no operation).
func PerOp(d time.Duration, n int64) float64 {
	if n == 0 {
		return 0
	}
	return float64(d) / float64(n) / float64(time.Millisecond)
}

// A Measurement is one timing of a function by Measure.
type Measurement struct {
	N         int           // iterations run
	Wall, CPU time.Duration // over the N iterations
}

// Measure times f for a benchmark without the testing package: it runs
// f(n), which must do n iterations of the work measured, with n growing
// until one call takes at least d, and reports the last call's iterations
// with its wall-clock and process CPU time. Set-up belongs outside f.
func Measure(d time.Duration, f func(n int)) Measurement {
	n := 1
	for {
		c0, t0 := CPUTime(), time.Now()
		f(n)
		m := Measurement{N: n, Wall: time.Since(t0), CPU: CPUTime() - c0}
		if m.Wall >= d || n >= 1e9 {
			return m
		}
		// Aim 20% past d from this call's rate, growing at most 100-fold
		// and at least by one (as testing.B does).
		next := n * 100
		if m.Wall > 0 {
			next = min(next, int(float64(n)*1.2*float64(d)/float64(m.Wall)))
		}
		n = max(next, n+1)
	}
}

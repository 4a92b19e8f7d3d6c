//go:build race

package audit

// raceEnabled: the race detector slows the 40-bit table's walks about 6×.
const raceEnabled = true

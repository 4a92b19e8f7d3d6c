//go:build race

package elgamal

// raceEnabled: the race detector slows the 40-bit table's walks about 6×.
const raceEnabled = true

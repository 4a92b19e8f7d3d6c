//go:build race

package group

// raceEnabled: the race detector's sync.Pool drops a share of its puts.
const raceEnabled = true

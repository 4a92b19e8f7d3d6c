//go:build !race

package faults_test

// raceFlags builds helper binaries as this test binary was built, so the
// packages they share come from the build cache.
var raceFlags []string

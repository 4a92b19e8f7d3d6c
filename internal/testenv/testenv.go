// Package testenv says whether a test that lacks what it needs (a browser,
// a database server) must fail rather than skip.
//
// The README's test command (`make test`) and CI install and start what the
// tests need, so there a missing dependency is a defect in the set-up, never
// a reason to pass quietly: they set TIERCHAIN_TEST_STRICT=1 (CI also sets
// CI=true). An ad-hoc `go test ./some/pkg` on a laptop without them may skip.
package testenv

import "os"

// StrictEnv names the variable that makes missing test dependencies fatal.
const StrictEnv = "TIERCHAIN_TEST_STRICT"

// Strict reports whether a test that cannot run must fail: under CI, or
// when StrictEnv is set.
func Strict() bool {
	return set(os.Getenv("CI")) || set(os.Getenv(StrictEnv))
}

func set(v string) bool { return v != "" && v != "false" && v != "0" }

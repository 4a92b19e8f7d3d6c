package testrand

import "testing"

// VectorsOf is Vectors with one vector per case: with update it regenerates
// the file as gen(c) for each case, and it fails t unless the file holds
// exactly one vector per case.
func VectorsOf[C, T any](t testing.TB, path string, update bool, cases []C, gen func(C) T) []T {
	t.Helper()
	vs := Vectors(t, path, update, func() []T {
		out := make([]T, 0, len(cases))
		for _, c := range cases {
			out = append(out, gen(c))
		}
		return out
	})
	if len(vs) != len(cases) {
		t.Fatalf("%s: %d vectors for %d cases", path, len(vs), len(cases))
	}
	return vs
}

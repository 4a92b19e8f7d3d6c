package testrand

import (
	"encoding/json"
	"os"
	"testing"
)

// Vectors loads the known-answer vectors at path. With update it first
// regenerates them with generate and writes them.
func Vectors[T any](t testing.TB, path string, update bool, generate func() []T) []T {
	t.Helper()
	if update {
		b, err := json.MarshalIndent(generate(), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var vs []T
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return vs
}

package main

import (
	"errors"
	"io"
	"testing"
)

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"start"}, {"up", "extra"}, {"down", "-dir", "x", "y"}} {
		if err := run(io.Discard, args); !errors.Is(err, errUsage) {
			t.Errorf("run(%q) = %v, want the usage error", args, err)
		}
	}
}

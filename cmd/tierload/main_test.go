package main

import (
	"slices"
	"testing"
)

func TestParseCounts(t *testing.T) {
	got, err := parseCounts("8, 32,96")
	if err != nil || !slices.Equal(got, []int{8, 32, 96}) {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"", "8,", "0", "-1", "x"} {
		if _, err := parseCounts(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

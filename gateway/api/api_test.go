package api

import (
	"testing"
	"time"
)

func TestFormatMinor(t *testing.T) {
	for _, c := range []struct {
		v    uint64
		exp  int
		want string
	}{
		{0, 2, "0.00"}, {5, 2, "0.05"}, {100, 2, "1.00"}, {100000000, 2, "1000000.00"},
		{1<<64 - 1, 2, "184467440737095516.15"}, {1 << 63, 2, "92233720368547758.08"}, {7, 0, "7"}, {12, 3, "0.012"},
	} {
		if got := formatMinor(c.v, c.exp); got != c.want {
			t.Errorf("formatMinor(%d, %d) = %s, want %s", c.v, c.exp, got, c.want)
		}
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(3, time.Minute)
	t0 := time.Unix(1000, 0)
	for i := range 3 {
		if !l.allow("a", t0.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("event %d refused", i)
		}
	}
	if l.allow("a", t0.Add(10*time.Second)) {
		t.Error("fourth event in the window allowed")
	}
	if !l.allow("b", t0.Add(10*time.Second)) {
		t.Error("another key shares the budget")
	}
	if !l.allow("a", t0.Add(61*time.Second)) {
		t.Error("a new window did not reset the budget")
	}
	if len(l.start) != 2 {
		t.Errorf("limiter keeps %d keys", len(l.start))
	}
}

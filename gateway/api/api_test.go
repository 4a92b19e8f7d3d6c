package api

import (
	"testing"
	"time"
)

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

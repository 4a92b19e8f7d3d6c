package failurelimit

import (
	"strconv"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	l := New(3, time.Minute, 100)
	t0 := time.Unix(1_000_000, 0)
	for i := range 3 {
		if blocked, _ := l.Blocked("a", t0); blocked {
			t.Fatalf("blocked after %d failures", i)
		}
		if got := l.Fail("a", t0.Add(time.Duration(i)*time.Second)); got != (i == 2) {
			t.Fatalf("failure %d: blocked %v", i, got)
		}
	}
	blocked, wait := l.Blocked("a", t0.Add(10*time.Second))
	if !blocked || wait != 50*time.Second {
		t.Fatalf("after three failures: blocked %v, wait %v; want true, 50s", blocked, wait)
	}
	if blocked, _ := l.Blocked("b", t0.Add(10*time.Second)); blocked {
		t.Fatal("another key shares the budget")
	}
	if blocked, _ := l.Blocked("a", t0.Add(time.Minute)); blocked {
		t.Fatal("still blocked when the window ended")
	}
	if l.Len() != 0 {
		t.Fatalf("a finished window is still tracked (%d keys)", l.Len())
	}
}

// TestLimiterBounded: however many keys fail, at most keys are tracked,
// and a key that is blocked stays blocked while newer keys churn, as long
// as the table holds keys that started later.
func TestLimiterBounded(t *testing.T) {
	l := New(2, time.Hour, 64)
	t0 := time.Unix(1_000_000, 0)
	l.Fail("attacker", t0)
	l.Fail("attacker", t0)
	for i := range 10_000 {
		l.Fail("k"+strconv.Itoa(i), t0.Add(time.Duration(i+1)*time.Millisecond))
		if l.Len() > 64 {
			t.Fatalf("%d keys tracked, bound 64", l.Len())
		}
	}
	// The oldest window is dropped first: the attacker's went first.
	if blocked, _ := l.Blocked("attacker", t0.Add(time.Minute)); blocked {
		t.Fatal("the oldest entry was kept over newer ones")
	}
	l2 := New(2, time.Hour, 64)
	for i := range 63 {
		l2.Fail("k"+strconv.Itoa(i), t0)
	}
	l2.Fail("attacker", t0.Add(time.Second))
	l2.Fail("attacker", t0.Add(time.Second))
	l2.Fail("new", t0.Add(2*time.Second)) // evicts one of the older k…
	if blocked, _ := l2.Blocked("attacker", t0.Add(3*time.Second)); !blocked {
		t.Fatal("a newer blocked key was evicted before older ones")
	}
	// Finished windows make room before any live one is dropped.
	l3 := New(2, time.Minute, 4)
	for i := range 4 {
		l3.Fail("old"+strconv.Itoa(i), t0)
	}
	l3.Fail("x", t0.Add(2*time.Minute))
	if l3.Len() != 1 {
		t.Fatalf("finished windows kept: %d keys", l3.Len())
	}
}

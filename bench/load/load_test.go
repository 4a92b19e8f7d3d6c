package load

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCountBounded(t *testing.T) {
	var mu sync.Mutex
	seen := map[int64]bool{}
	r, err := Run(context.Background(), Config{Name: "count", Clients: 4, Count: 100}, func(_ context.Context, _ int, seq int64) error {
		mu.Lock()
		defer mu.Unlock()
		if seen[seq] {
			t.Errorf("sequence %d used twice", seq)
		}
		seen[seq] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.OK != 100 || len(seen) != 100 || r.Failed() != 0 {
		t.Fatalf("ok=%d seen=%d failed=%d, want exactly 100", r.OK, len(seen), r.Failed())
	}
}

func TestDurationBounded(t *testing.T) {
	r, err := Run(context.Background(), Config{Name: "time", Clients: 2, Duration: 200 * time.Millisecond},
		func(ctx context.Context, _ int, _ int64) error { time.Sleep(10 * time.Millisecond); return nil })
	if err != nil {
		t.Fatal(err)
	}
	// Loose bounds: the machine is shared, and a loaded one may run the
	// clients late.
	if r.Elapsed < 200*time.Millisecond || r.Elapsed > 2*time.Second {
		t.Fatalf("ran %s for a 200 ms bound", r.Elapsed)
	}
	if r.OK < 2 || r.OK > 45 {
		t.Fatalf("%d ops of 10 ms from 2 clients in 200 ms", r.OK)
	}
	if r.P50 < 10*time.Millisecond || r.Throughput <= 0 {
		t.Fatalf("p50 %s, throughput %.1f", r.P50, r.Throughput)
	}
}

var errTimeout = errors.New("timeout")

func TestErrorsByKind(t *testing.T) {
	r, err := Run(context.Background(), Config{Name: "errors", Clients: 3, Count: 90,
		Classify: func(err error) string {
			if errors.Is(err, errTimeout) {
				return "timeout"
			}
			return "other"
		}},
		func(_ context.Context, _ int, seq int64) error {
			switch seq % 3 {
			case 0:
				return errTimeout
			case 1:
				return errors.New("boom")
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if r.OK != 30 || r.Errors["timeout"] != 30 || r.Errors["other"] != 30 {
		t.Fatalf("ok=%d errors=%v", r.OK, r.Errors)
	}
}

func TestBadConfig(t *testing.T) {
	op := func(context.Context, int, int64) error { return nil }
	if _, err := Run(context.Background(), Config{Clients: 1}, op); err == nil {
		t.Error("unbounded run accepted")
	}
	if _, err := Run(context.Background(), Config{Count: 1}, op); err == nil {
		t.Error("zero clients accepted")
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 95: 95 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := Percentile(d, p); got != want {
			t.Errorf("p%.0f = %s, want %s", p, got, want)
		}
	}
	if Percentile(nil, 50) != 0 {
		t.Error("empty")
	}
}

func TestProgress(t *testing.T) {
	var progress bytes.Buffer
	_, err := Run(context.Background(), Config{Name: "progress", Clients: 2, Duration: 120 * time.Millisecond,
		Progress: &progress, ProgressEvery: 30 * time.Millisecond},
		func(context.Context, int, int64) error { time.Sleep(5 * time.Millisecond); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress.String(), "op/s") {
		t.Fatalf("no progress line: %q", progress.String())
	}
}

func TestPools(t *testing.T) {
	p := NewPool([]int{1, 2, 3})
	var got []int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				v, err := p.Take()
				if errors.Is(err, ErrExhausted) {
					return
				}
				mu.Lock()
				got = append(got, v)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(got)
	if !slices.Equal(got, []int{1, 2, 3}) || p.Remaining() != 0 {
		t.Fatalf("took %v, %d remaining", got, p.Remaining())
	}
	q := NewQueues([][]string{{"a1", "a2"}, {"b1"}})
	if v, _ := q.Take(1); v != "b1" {
		t.Fatalf("queue 1 gave %q", v)
	}
	if _, err := q.Take(1); !errors.Is(err, ErrExhausted) {
		t.Fatal("queue 1 not exhausted")
	}
	if _, err := q.Take(5); !errors.Is(err, ErrExhausted) {
		t.Fatal("a client without a queue got something")
	}
	if v, _ := q.Take(0); v != "a1" || q.Remaining() != 1 {
		t.Fatalf("queue 0 gave %q, %d remaining", v, q.Remaining())
	}
}

// TestExhaustedStopsTheRun: a pool-bounded run ends when the pool does,
// and running out is no failure.
func TestExhaustedStopsTheRun(t *testing.T) {
	p := NewPool(make([]struct{}, 10))
	r, err := Run(context.Background(), Config{Name: "pool", Clients: 3, Duration: 5 * time.Second},
		func(context.Context, int, int64) error { _, err := p.Take(); return err })
	if err != nil {
		t.Fatal(err)
	}
	if r.OK != 10 || r.Failed() != 0 || r.Elapsed > time.Second {
		t.Fatalf("ok=%d failed=%d in %s", r.OK, r.Failed(), r.Elapsed)
	}
}

// Package load is the home of TierChain's load and benchmark tools. This
// package drives an operation from N concurrent clients for a bounded time
// and count and reports throughput, latency percentiles and errors by kind,
// with a live progress line; it meters the CPU time of a network's
// processes (CPUMeter), profiles a run (StartProfile) and times a function
// for a benchmark without the testing package (Measure). It knows nothing
// of Fabric and imports only the standard library, so the benchmark module
// bench/peers can use it too.
//
// Its drivers and the named workloads live beside it: chain (requests
// pre-built against a real network), rest (the REST gateways end to end),
// workloads (what cmd/tierload runs) and chart (the PNG report).
package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Op performs one request. worker is the client's index, seq the request's
// global sequence number (unique within a run).
type Op func(ctx context.Context, worker int, seq int64) error

// Config bounds a run. At least one of Duration and Count must be set; the
// run stops at whichever comes first.
type Config struct {
	Name     string
	Clients  int
	Duration time.Duration
	Count    int64
	// Classify names an error's kind for the report ("timeout",
	// "endorse", …); nil reports every error as "error".
	Classify func(error) string
	// Progress receives a live line every ProgressEvery (1 s if 0); nil for none.
	Progress      io.Writer
	ProgressEvery time.Duration
}

// Result is one run's report.
type Result struct {
	Name       string
	Clients    int
	OK         int64
	Errors     map[string]int64
	Elapsed    time.Duration
	Throughput float64 // successful operations per second
	P50        time.Duration
	P95        time.Duration
	P99        time.Duration
	Max        time.Duration
	// CPU is this process's CPU time during the run (the client side's
	// work: for a proving run, the proofs' cost).
	CPU time.Duration
	// Load is the 1-minute load average when the run ended.
	Load float64
}

// Failed returns the total number of failed operations.
func (r Result) Failed() int64 {
	var n int64
	for _, v := range r.Errors {
		n += v
	}
	return n
}

// String is the one-line report.
func (r Result) String() string {
	return fmt.Sprintf("%-22s clients=%-4d ok=%-7d failed=%-5d %8.1f op/s  p50=%-7s p95=%-7s p99=%-7s max=%-7s load=%.1f",
		r.Name, r.Clients, r.OK, r.Failed(), r.Throughput, ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max), r.Load)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond)) }

// Run drives op and returns the report. It returns early if ctx ends.
func Run(ctx context.Context, cfg Config, op Op) (Result, error) {
	if cfg.Clients <= 0 {
		return Result{}, fmt.Errorf("load: %d clients", cfg.Clients)
	}
	if cfg.Duration <= 0 && cfg.Count <= 0 {
		return Result{}, fmt.Errorf("load: unbounded run: set a duration or a count")
	}
	classify := cfg.Classify
	if classify == nil {
		classify = func(error) string { return "error" }
	}
	runCtx := ctx
	var cancel context.CancelFunc
	if cfg.Duration > 0 {
		runCtx, cancel = context.WithTimeout(ctx, cfg.Duration)
	} else {
		runCtx, cancel = context.WithCancel(ctx)
	}
	defer cancel()

	var (
		seq    atomic.Int64
		ok     atomic.Int64
		failed atomic.Int64
		mu     sync.Mutex
		lat    []time.Duration
		errs   = map[string]int64{}
	)
	start, cpu0 := time.Now(), CPUTime()
	stopProgress := progress(cfg, start, &ok, &failed, func() []time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Duration(nil), lat...)
	})
	var wg sync.WaitGroup
	for w := 0; w < cfg.Clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for runCtx.Err() == nil {
				n := seq.Add(1)
				if cfg.Count > 0 && n > cfg.Count {
					return
				}
				t0 := time.Now()
				// The request itself runs under the caller's context, so a
				// deadline reached mid-request does not turn it into a failure.
				err := op(ctx, w, n)
				d := time.Since(t0)
				if errors.Is(err, ErrExhausted) {
					return
				}
				mu.Lock()
				if err == nil {
					lat = append(lat, d)
				} else {
					errs[classify(err)]++
				}
				mu.Unlock()
				if err == nil {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopProgress()

	r := Result{Name: cfg.Name, Clients: cfg.Clients, OK: ok.Load(), Errors: errs, Elapsed: elapsed,
		CPU: CPUTime() - cpu0, Load: LoadAverage()}
	if elapsed > 0 {
		r.Throughput = float64(r.OK) / elapsed.Seconds()
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r.P50, r.P95, r.P99, r.Max = Percentile(lat, 50), Percentile(lat, 95), Percentile(lat, 99), Percentile(lat, 100)
	return r, ctx.Err()
}

// Percentile returns the p-th percentile (nearest rank) of sorted latencies.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.999999) - 1
	if rank < 0 {
		rank = 0
	}
	if rank >= len(sorted) {
		rank = len(sorted) - 1
	}
	return sorted[rank]
}

// progress prints a live line until the returned function is called.
func progress(cfg Config, start time.Time, ok, failed *atomic.Int64, snapshot func() []time.Duration) func() {
	if cfg.Progress == nil {
		return func() {}
	}
	every := cfg.ProgressEvery
	if every <= 0 {
		every = time.Second
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprintln(cfg.Progress)
				return
			case <-t.C:
				lat := snapshot()
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				el := time.Since(start)
				fmt.Fprintf(cfg.Progress, "\r%-22s %5.1fs ok=%-7d failed=%-5d %7.1f op/s p50=%-7s",
					cfg.Name, el.Seconds(), ok.Load(), failed.Load(), float64(ok.Load())/el.Seconds(), ms(Percentile(lat, 50)))
			}
		}
	}()
	return func() { close(done); <-finished }
}

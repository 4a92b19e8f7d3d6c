package gateway

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/gateway/idempotency"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// counterRoutes registers POST /v1/test/count, which counts its executions
// and answers 201 with the count; a body {"fail":N} answers with status N,
// and a body {"block":true} waits for release to close.
type counter struct {
	runs    atomic.Int64
	release chan struct{}
	started chan struct{}
}

func (ct *counter) routes(r *Routes) {
	r.POST("/test/count", func(c *gin.Context) error {
		var body struct {
			Fail  int  `json:"fail"`
			Block bool `json:"block"`
			Panic bool `json:"panic"`
		}
		if err := DecodeJSON(c, &body); err != nil {
			return err
		}
		n := ct.runs.Add(1)
		if body.Block {
			ct.started <- struct{}{}
			<-ct.release
		}
		if body.Panic {
			panic("boom")
		}
		switch {
		case body.Fail == http.StatusConflict:
			return problem.New(http.StatusConflict, problem.CodeLedgerConflict, "retry")
		case body.Fail == http.StatusServiceUnavailable:
			// Unreachable before anything was submitted: nothing applied.
			return &fabricclient.Error{Op: "submit baseline:Mint", Kind: fabricclient.ErrUnavailable}
		case body.Fail >= 500:
			return fmt.Errorf("failure %d", body.Fail)
		case body.Fail >= 400:
			return Invalid("refused")
		}
		c.Header("Location", fmt.Sprintf("/v1/test/count/%d", n))
		c.Header("X-Not-Replayed", "1")
		c.JSON(http.StatusCreated, gin.H{"run": n})
		return nil
	})
}

func newCounterServer(t *testing.T, db *store.DB) (*testServer, *counter) {
	ct := &counter{release: make(chan struct{}), started: make(chan struct{}, 64)}
	ts := newTestServer(t, db, Config{IdempotencyTTL: time.Hour, IdempotencyLock: time.Minute}, Deps{Routes: []func(*Routes){ct.routes}})
	return ts, ct
}

func post(token, key, body string) req {
	return req{method: "POST", path: "/v1/test/count", token: token, body: body, header: map[string]string{HeaderIdempotencyKey: key}}
}

func TestIdempotency(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ts, ct := newCounterServer(t, db)

		t.Run("replay", func(t *testing.T) {
			first := ts.do(t, post("tok-core", "replay-1", `{}`))
			if first.Code != http.StatusCreated {
				t.Fatalf("first: %d %s", first.Code, first.Body)
			}
			runs := ct.runs.Load()
			again := ts.do(t, post("tok-core", "replay-1", `{}`))
			if again.Code != http.StatusCreated || again.Body.String() != first.Body.String() {
				t.Fatalf("replay: %d %s, want %d %s", again.Code, again.Body, first.Code, first.Body)
			}
			if ct.runs.Load() != runs {
				t.Fatal("the replay ran the handler again")
			}
			if again.Header().Get(HeaderIdempotentReplayed) != "true" || first.Header().Get(HeaderIdempotentReplayed) != "" {
				t.Error("Idempotent-Replayed header wrong")
			}
			if again.Header().Get("Location") != first.Header().Get("Location") || again.Header().Get("X-Not-Replayed") != "" {
				t.Errorf("replayed headers: %v", again.Header())
			}
			if again.Header().Get(HeaderRequestID) == first.Header().Get(HeaderRequestID) {
				t.Error("the replay reused the first request's ID")
			}
		})

		t.Run("mismatch", func(t *testing.T) {
			ts.do(t, post("tok-core", "mismatch-1", `{}`))
			rec := ts.do(t, post("tok-core", "mismatch-1", `{"fail":0, "block":false}`))
			decodeProblemBody(t, rec, http.StatusUnprocessableEntity, problem.CodeIdempotencyKeyReused)
		})

		t.Run("scoped per principal", func(t *testing.T) {
			before := ct.runs.Load()
			a := ts.do(t, post("tok-supplier", "shared-key", `{}`))
			b := ts.do(t, post("tok-supplier2", "shared-key", `{}`))
			if a.Code != http.StatusCreated || b.Code != http.StatusCreated || ct.runs.Load() != before+2 {
				t.Fatalf("%d %d, runs %d", a.Code, b.Code, ct.runs.Load()-before)
			}
			if b.Header().Get(HeaderIdempotentReplayed) != "" {
				t.Fatal("another principal got a replay")
			}
		})

		t.Run("4xx is stored", func(t *testing.T) {
			before := ct.runs.Load()
			first := ts.do(t, post("tok-core", "bad-1", `{"fail":400}`))
			again := ts.do(t, post("tok-core", "bad-1", `{"fail":400}`))
			if first.Code != 400 || again.Code != 400 || ct.runs.Load() != before+1 {
				t.Fatalf("%d %d runs %d", first.Code, again.Code, ct.runs.Load()-before)
			}
			if again.Header().Get("Content-Type") != problem.MediaType {
				t.Errorf("replayed problem has Content-Type %q", again.Header().Get("Content-Type"))
			}
		})

		for _, tc := range []struct {
			name, body string
			status     int
		}{
			{"ledger unavailable releases the key", `{"fail":503}`, 503},
			{"ledger conflict releases the key", `{"fail":409}`, 409},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := ct.runs.Load()
				key := strings.ReplaceAll(tc.name, " ", "-")
				for range 2 {
					if rec := ts.do(t, post("tok-core", key, tc.body)); rec.Code != tc.status {
						t.Fatalf("status %d", rec.Code)
					}
				}
				if ct.runs.Load() != before+2 {
					t.Fatalf("runs %d, want 2: the retry must run again", ct.runs.Load()-before)
				}
			})
		}

		// A failure that may have come after a commit, or a panic: the key
		// is held until IdempotencyLock, then a retry runs again.
		for _, tc := range []struct{ name, body string }{
			{"unknown outcome holds the key", `{"fail":500}`},
			{"panic holds the key", `{"panic":true}`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := ct.runs.Load()
				key := strings.ReplaceAll(tc.name, " ", "-")
				if rec := ts.do(t, post("tok-core", key, tc.body)); rec.Code != 500 {
					t.Fatalf("status %d", rec.Code)
				}
				decodeProblemBody(t, ts.do(t, post("tok-core", key, tc.body)), http.StatusConflict, problem.CodeIdempotencyInFlight)
				if ct.runs.Load() != before+1 {
					t.Fatal("a held key let the retry run")
				}
				ts.clock.Advance(2 * time.Minute) // past IdempotencyLock
				if rec := ts.do(t, post("tok-core", key, tc.body)); rec.Code != 500 || ct.runs.Load() != before+2 {
					t.Fatalf("after the lock: %d, runs %d", rec.Code, ct.runs.Load()-before)
				}
			})
		}

		t.Run("in flight", func(t *testing.T) {
			done := make(chan int)
			go func() {
				done <- ts.do(t, post("tok-core", "flight-1", `{"block":true}`)).Code
			}()
			<-ct.started
			rec := ts.do(t, post("tok-core", "flight-1", `{"block":true}`))
			decodeProblemBody(t, rec, http.StatusConflict, problem.CodeIdempotencyInFlight)
			if rec.Header().Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
			ct.release <- struct{}{}
			if code := <-done; code != http.StatusCreated {
				t.Fatalf("first: %d", code)
			}
			if rec := ts.do(t, post("tok-core", "flight-1", `{"block":true}`)); rec.Code != http.StatusCreated || rec.Header().Get(HeaderIdempotentReplayed) != "true" {
				t.Fatalf("after: %d %v", rec.Code, rec.Header())
			}
		})

		t.Run("expiry", func(t *testing.T) {
			before := ct.runs.Load()
			ts.do(t, post("tok-core", "expire-1", `{}`))
			ts.clock.Advance(59 * time.Minute)
			ts.do(t, post("tok-core", "expire-1", `{}`))
			if ct.runs.Load() != before+1 {
				t.Fatal("replay before expiry ran again")
			}
			ts.clock.Advance(2 * time.Minute)
			// After expiry the key is free, even for another body.
			if rec := ts.do(t, post("tok-core", "expire-1", `{"fail":0}`)); rec.Code != http.StatusCreated || ct.runs.Load() != before+2 {
				t.Fatalf("after expiry: %d, runs %d", rec.Code, ct.runs.Load()-before)
			}
			n, err := ts.idem.Sweep(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			ts.clock.Advance(2 * time.Hour)
			if n2, err := ts.idem.Sweep(context.Background()); err != nil || n2 == 0 {
				t.Fatalf("sweep after TTL removed %d (%v); before %d", n2, err, n)
			}
		})

		t.Run("stale in-flight key is taken over", func(t *testing.T) {
			// A process died holding the key: its row stays pending.
			if begun, err := ts.idem.Begin(context.Background(), "core-1", "orphan-1", idempotency.RequestHash(newRequest(t, "POST", "/v1/test/count", "", `{}`), []byte(`{}`))); err != nil || begun.Outcome != idempotency.BeginNew {
				t.Fatalf("begin: %v %v", begun.Outcome, err)
			}
			rec := ts.do(t, post("tok-core", "orphan-1", `{}`))
			decodeProblemBody(t, rec, http.StatusConflict, problem.CodeIdempotencyInFlight)
			ts.clock.Advance(2 * time.Minute) // past IdempotencyLock
			if rec := ts.do(t, post("tok-core", "orphan-1", `{}`)); rec.Code != http.StatusCreated {
				t.Fatalf("takeover: %d %s", rec.Code, rec.Body)
			}
		})
	})
}

// TestIdempotencyConcurrent fires the same key from many goroutines: the
// handler runs once; every other answer is the replay or 409 in flight.
func TestIdempotencyConcurrent(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ts, ct := newCounterServer(t, db)
		const n = 32
		for round := range 3 {
			key := fmt.Sprintf("race-%d", round)
			before := ct.runs.Load()
			var wg sync.WaitGroup
			codes := make([]int, n)
			replayed := make([]bool, n)
			for i := range n {
				wg.Go(func() {
					rec := ts.do(t, post("tok-core", key, `{}`))
					codes[i] = rec.Code
					replayed[i] = rec.Header().Get(HeaderIdempotentReplayed) == "true"
				})
			}
			wg.Wait()
			if runs := ct.runs.Load() - before; runs != 1 {
				t.Fatalf("round %d: the handler ran %d times", round, runs)
			}
			fresh := 0
			for i, c := range codes {
				switch {
				case c == http.StatusCreated && !replayed[i]:
					fresh++
				case c == http.StatusCreated, c == http.StatusConflict:
				default:
					t.Errorf("round %d: status %d", round, c)
				}
			}
			if fresh != 1 {
				t.Fatalf("round %d: %d fresh responses", round, fresh)
			}
		}
	})
}

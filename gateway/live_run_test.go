package gateway

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"github.com/tierchain/tierchain/gateway/idempotency"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// pausedLedger is a lostLedger whose next submit can stop, as a request of
// another live process would: "endorsing" before its transaction is
// recorded with its key, "recorded" after it and before the orderer.
type pausedLedger struct {
	*lostLedger
	mu      sync.Mutex
	at      string
	reached chan struct{}
	proceed chan struct{}
}

func (p *pausedLedger) pauseNext(at string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.at = at
}

func (p *pausedLedger) submit(ctx context.Context, contract, fn string, args ...string) (fabricclient.Result, error) {
	p.mu.Lock()
	at := p.at
	p.at = ""
	p.mu.Unlock()
	pause := func() { p.reached <- struct{}{}; <-p.proceed }
	switch at {
	case "endorsing":
		pause()
	case "recorded":
		outer := ctx
		ctx = fabricclient.WithBeforeSubmit(ctx, func(_ context.Context, txID string) error {
			err := fabricclient.BeforeSubmit(outer, txID)
			pause()
			return err
		})
	}
	return p.lostLedger.submit(ctx, contract, fn, args...)
}

// runBeat is the run's heartbeat (the database's clock), or invalid.
func runBeat(t *testing.T, db *store.DB, run string) sql.NullInt64 {
	t.Helper()
	var beat sql.NullInt64
	err := db.SQL.QueryRow(db.Rebind(`SELECT beat_at FROM gateway_runs WHERE run = ?`), run).Scan(&beat)
	if err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	return beat
}

// mintOK decodes a 200 mint.
func mintOK(t *testing.T, rec *httptest.ResponseRecorder) MintResponse {
	t.Helper()
	var out MintResponse
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
		t.Fatalf("mint: %d %s", rec.Code, rec.Body)
	}
	return out
}

// TestLiveRunKeepsItsKeys: two gateways with the same instance name on one
// database (two processes on one host, both named after it). A key that A
// claimed is in flight at B for as long as A's run beats, whether A is
// still endorsing (no transaction recorded) or has recorded its
// transaction and is submitting it: B neither runs the request again nor
// asks the ledger, and replays A's answer once A has it. Once A has
// stopped serving and its heartbeat is stale, B takes A's leftover keys
// over at once, by the crash rules (TestCrashedRunSettles).
func TestLiveRunKeepsItsKeys(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		l := &lostLedger{}
		p := &pausedLedger{lostLedger: l, reached: make(chan struct{}), proceed: make(chan struct{})}
		cfg := Config{IdempotencyLock: 2 * time.Minute, Instance: "gw"}
		a := newTestServer(t, db, cfg, Deps{Routes: []func(*Routes){BaselineRoutes(fakeLedger{submit: p.submit})}, LookupTx: l.lookup})
		b := newTestServer(t, db, cfg, Deps{Routes: []func(*Routes){BaselineRoutes(fakeLedger{submit: l.submit})}, LookupTx: l.lookup})
		_, stopA := serveRun(t, a)

		for _, at := range []string{"endorsing", "recorded"} {
			t.Run("A "+at+": in flight at B", func(t *testing.T) {
				key := "live-" + at
				p.pauseNext(at)
				answered := make(chan *httptest.ResponseRecorder, 1)
				go func() { answered <- a.do(t, mintWithKey(key)) }()
				<-p.reached
				if got := storedTxID(t, db, key); got.Valid != (at == "recorded") {
					t.Fatalf("transaction recorded while %s: %v", at, got)
				}
				submits, lookups := l.counts()
				decodeProblemBody(t, b.do(t, mintWithKey(key)), http.StatusConflict, problem.CodeIdempotencyInFlight)
				if s, lk := l.counts(); s != submits || lk != lookups {
					t.Fatalf("B beside a live A: submits %d→%d, lookups %d→%d", submits, s, lookups, lk)
				}
				p.proceed <- struct{}{}
				first := mintOK(t, <-answered)
				rec := b.do(t, mintWithKey(key))
				if again := mintOK(t, rec); again != first || rec.Header().Get(HeaderIdempotentReplayed) != "true" {
					t.Fatalf("B after A answered %+v: %+v, replayed %q", first, again, rec.Header().Get(HeaderIdempotentReplayed))
				}
			})
		}

		t.Run("A stopped and stale: B settles its keys at once", func(t *testing.T) {
			// A leaves a key with its transaction recorded (its request
			// panicked after the hook) and one it claimed before submitting.
			l.mu.Lock()
			l.crash = "after the hook"
			l.mu.Unlock()
			decodeProblemBody(t, a.do(t, mintWithKey("left-recorded")), http.StatusInternalServerError, problem.CodeInternal)
			txID := storedTxID(t, db, "left-recorded").String
			hash := idempotency.RequestHash(mintRequest(t), []byte(`{"amount":5}`))
			if begun, err := a.idem.Begin(context.Background(), "core-1", "left-early", hash); err != nil || begun.Outcome != idempotency.BeginNew {
				t.Fatalf("begin: %v %v", begun.Outcome, err)
			}
			// A's run beats while it serves.
			first := runBeat(t, db, a.idem.Run())
			for deadline := time.Now().Add(3 * idempotency.RunHeartbeat); runBeat(t, db, a.idem.Run()).Int64 == first.Int64; time.Sleep(50 * time.Millisecond) {
				if !first.Valid || time.Now().After(deadline) {
					t.Fatalf("A's run did not beat: %v", first)
				}
			}
			stopA()
			// Stopped, A's run stays until it is stale: a handler of it
			// may have outlived the shutdown.
			for _, key := range []string{"left-recorded", "left-early"} {
				decodeProblemBody(t, b.do(t, mintWithKey(key)), http.StatusConflict, problem.CodeIdempotencyInFlight)
			}
			beatAgo(t, db, a.idem, dead)

			l.set(func(txID string) (*fabricclient.Transaction, error) {
				return &fabricclient.Transaction{TxID: txID, Code: peer.TxValidationCode_VALID, Function: "baseline:Mint"}, nil
			})
			submits, lookups := l.counts()
			if out := mintOK(t, b.do(t, mintWithKey("left-recorded"))); out.TxID != txID {
				t.Fatalf("resumed tx %s, recorded %s", out.TxID, txID)
			}
			mintOK(t, b.do(t, mintWithKey("left-early")))
			if s, lk := l.counts(); s != submits+1 || lk != lookups+1 {
				t.Fatalf("submits %d→%d, lookups %d→%d: want one of each", submits, s, lookups, lk)
			}
		})
	})
}

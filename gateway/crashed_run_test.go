package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"github.com/tierchain/tierchain/gateway/idempotency"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// mintWithKey is the baseline mint of 5 as core-1, with an Idempotency-Key.
func mintWithKey(key string) req {
	return req{method: "POST", path: "/v1/ledger/baseline/acc-1/mint", token: "tok-core", body: `{"amount":5}`,
		header: map[string]string{HeaderIdempotencyKey: key}}
}

// beatAgo registers st's run (on db) and sets its heartbeat to the database's
// clock minus ago: 0 is a live run, more than RunStaleAfter a dead one.
func beatAgo(t testing.TB, db *store.DB, st *idempotency.Store, ago time.Duration) {
	t.Helper()
	ctx := context.Background()
	if err := st.Beat(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.ExecContext(ctx, db.Rebind(`UPDATE gateway_runs SET beat_at = beat_at - ? WHERE run = ?`),
		ago.Microseconds(), st.Run()); err != nil {
		t.Fatal(err)
	}
}

// dead is a heartbeat older than RunStaleAfter.
const dead = RunStaleAfter + time.Second

// TestCrashedRunSettles: a gateway that dies after recording a write's
// transaction with its key (the hook runs before the orderer sees it)
// leaves the key pending and locked. Once the dead run's heartbeat is
// stale, the next retry, at any other run, settles it through the ledger
// like a lost answer: committed → the committed answer, invalidated → runs
// again, not found → 504 until the bound, then runs again. A key the dead
// run claimed but recorded no transaction for was never submitted: it runs
// at once. While the run still beats, or when it never did, its keys wait
// (TestLiveRunKeepsItsKeys).
func TestCrashedRunSettles(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		l := &lostLedger{}
		run := func(instance string) *testServer {
			return newTestServer(t, db, Config{IdempotencyLock: 2 * time.Minute, Instance: instance},
				Deps{Routes: []func(*Routes){BaselineRoutes(fakeLedger{submit: l.submit})}, LookupTx: l.lookup})
		}
		crashed := run("gw-1")
		// crash: the first request records its transaction, then its
		// process dies (a panic leaves the key as a crash would) and its
		// heartbeat goes stale.
		crash := func(t *testing.T, key string) string {
			t.Helper()
			beatAgo(t, db, crashed.idem, 0)
			l.mu.Lock()
			l.crash = "SIGKILL"
			l.mu.Unlock()
			decodeProblemBody(t, crashed.do(t, mintWithKey(key)), http.StatusInternalServerError, problem.CodeInternal)
			tx := storedTxID(t, db, key)
			if !tx.Valid {
				t.Fatal("no transaction recorded before the submit")
			}
			// The run that claimed it cannot tell a panic from a request
			// still running: in flight.
			decodeProblemBody(t, crashed.do(t, mintWithKey(key)), http.StatusConflict, problem.CodeIdempotencyInFlight)
			beatAgo(t, db, crashed.idem, dead)
			return tx.String
		}
		answer := func(code peer.TxValidationCode) func(string) (*fabricclient.Transaction, error) {
			return func(txID string) (*fabricclient.Transaction, error) {
				return &fabricclient.Transaction{TxID: txID, Code: code, Function: "baseline:Mint", BlockNumber: 21}, nil
			}
		}
		ok := func(t *testing.T, ts *testServer, key string) MintResponse {
			t.Helper()
			rec := ts.do(t, mintWithKey(key))
			var out MintResponse
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
				t.Fatalf("retry after the restart: %d %s", rec.Code, rec.Body)
			}
			return out
		}

		t.Run("committed: resumed", func(t *testing.T) {
			txID := crash(t, "crash-valid")
			l.set(answer(peer.TxValidationCode_VALID))
			submits, lookups := l.counts()
			if out := ok(t, run("gw-1"), "crash-valid"); out.TxID != txID || out.BlockNumber != 21 {
				t.Fatalf("resumed tx %s in block %d, recorded %s in block 21", out.TxID, out.BlockNumber, txID)
			}
			if s, lk := l.counts(); s != submits || lk != lookups+1 {
				t.Fatalf("submits %d→%d, lookups %d→%d: want no submit, one lookup", submits, s, lookups, lk)
			}
		})

		t.Run("until the crashed run is known dead: 409 with Retry-After until then", func(t *testing.T) {
			beatAgo(t, db, crashed.idem, 0)
			l.mu.Lock()
			l.crash = "SIGKILL"
			l.mu.Unlock()
			decodeProblemBody(t, crashed.do(t, mintWithKey("crash-wait")), http.StatusInternalServerError, problem.CodeInternal)
			next := run("gw-1")
			retryAfter := func(t *testing.T) int {
				t.Helper()
				rec := next.do(t, mintWithKey("crash-wait"))
				decodeProblemBody(t, rec, http.StatusConflict, problem.CodeIdempotencyInFlight)
				ra, err := strconv.Atoi(rec.Header().Get("Retry-After"))
				if err != nil {
					t.Fatalf("Retry-After %q", rec.Header().Get("Retry-After"))
				}
				return ra
			}
			// Beating: the request is likely about to finish.
			if ra := retryAfter(t); ra != 1 {
				t.Errorf("beside a live run: Retry-After %d, want 1", ra)
			}
			// Silent for 10 s: presumed dead, its key is settled once the
			// heartbeat is RunStaleAfter old, 5 s from now, not in 1 s.
			beatAgo(t, db, crashed.idem, 10*time.Second)
			if ra := retryAfter(t); ra < 5 || ra > 6 {
				t.Errorf("beside a silent run: Retry-After %d, want the 5 s until its heartbeat is stale", ra)
			}
			beatAgo(t, db, crashed.idem, dead)
			l.set(answer(peer.TxValidationCode_VALID))
			ok(t, next, "crash-wait")
		})

		t.Run("invalidated: runs again", func(t *testing.T) {
			txID := crash(t, "crash-invalid")
			l.set(answer(peer.TxValidationCode_MVCC_READ_CONFLICT))
			submits, _ := l.counts()
			if out := ok(t, run("gw-1"), "crash-invalid"); out.TxID == txID {
				t.Fatal("answered with the invalidated transaction")
			}
			if s, _ := l.counts(); s != submits+1 {
				t.Fatalf("submits %d, want one more", s-submits)
			}
		})

		t.Run("not found: unknown until the bound, then runs again", func(t *testing.T) {
			txID := crash(t, "crash-absent")
			l.set(func(string) (*fabricclient.Transaction, error) {
				return nil, &fabricclient.Error{Kind: fabricclient.ErrTransactionNotFound}
			})
			submits, _ := l.counts()
			next := run("gw-1")
			decodeProblemBody(t, next.do(t, mintWithKey("crash-absent")), http.StatusGatewayTimeout, problem.CodeOutcomeUnknown)
			if storedTxID(t, db, "crash-absent").String != txID {
				t.Fatal("the key lost its transaction")
			}
			next.clock.Advance(2*time.Minute + time.Second) // past IdempotencyLock since the dead run's claim
			ok(t, next, "crash-absent")
			if s, _ := l.counts(); s != submits+1 {
				t.Fatalf("submits %d, want one more", s-submits)
			}
		})

		t.Run("no transaction recorded: never submitted, runs at once", func(t *testing.T) {
			// The dead run claimed the key and died before its submit.
			hash := idempotency.RequestHash(mintRequest(t), []byte(`{"amount":5}`))
			if begun, err := crashed.idem.Begin(context.Background(), "core-1", "crash-early", hash); err != nil || begun.Outcome != idempotency.BeginNew {
				t.Fatalf("begin: %v %v", begun.Outcome, err)
			}
			beatAgo(t, db, crashed.idem, dead)
			submits, lookups := l.counts()
			ok(t, run("gw-1"), "crash-early")
			if s, lk := l.counts(); s != submits+1 || lk != lookups {
				t.Fatalf("submits %d→%d, lookups %d→%d: want one submit, no lookup", submits, s, lookups, lk)
			}
		})

		t.Run("the name plays no part: another instance settles it too", func(t *testing.T) {
			txID := crash(t, "crash-elsewhere")
			l.set(answer(peer.TxValidationCode_VALID))
			if out := ok(t, run("gw-2"), "crash-elsewhere"); out.TxID != txID {
				t.Fatalf("resumed tx %s, recorded %s", out.TxID, txID)
			}
		})

		t.Run("a run that never beat: in flight until the lock", func(t *testing.T) {
			// A Server used only through its Handler has no heartbeat: no
			// one can tell that it died.
			quiet := run("gw-1")
			hash := idempotency.RequestHash(mintRequest(t), []byte(`{"amount":5}`))
			if begun, err := quiet.idem.Begin(context.Background(), "core-1", "never-beat", hash); err != nil || begun.Outcome != idempotency.BeginNew {
				t.Fatalf("begin: %v %v", begun.Outcome, err)
			}
			next := run("gw-1")
			rec := next.do(t, mintWithKey("never-beat"))
			decodeProblemBody(t, rec, http.StatusConflict, problem.CodeIdempotencyInFlight)
			// Only the lock frees it: Retry-After says when.
			if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 60 || ra > 120 {
				t.Errorf("Retry-After %q, want the rest of the 2 min lock", rec.Header().Get("Retry-After"))
			}
			next.clock.Advance(2*time.Minute + time.Second)
			ok(t, next, "never-beat")
		})
	})
}

// TestRecordTx: a run records each transaction it is about to submit with
// its key, the last one winning (a read-conflict retry); a key that is no
// longer the run's refuses it, and so stops the submit, and the run's
// settlements of it (release, hold, complete) leave it to its new holder.
// A live run's key is taken over only once its heartbeat is stale.
func TestRecordTx(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := MigrateDB(ctx, db); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		clock := func() time.Time { return now }
		first := idempotency.NewStore(db, idempotency.Options{Now: clock, TTL: time.Hour, Lock: time.Minute, Instance: "gw-1", Run: "run-1"})
		next := idempotency.NewStore(db, idempotency.Options{Now: clock, TTL: time.Hour, Lock: time.Minute, Instance: "gw-1", Run: "run-2"})
		beatAgo(t, db, first, 0)
		if begun, err := first.Begin(ctx, "core-1", "k", "h"); err != nil || begun.Outcome != idempotency.BeginNew {
			t.Fatalf("begin: %v %v", begun.Outcome, err)
		}
		for _, tx := range []string{"tx-a", "tx-b"} {
			if err := first.RecordTx(ctx, "core-1", "k", tx); err != nil {
				t.Fatal(err)
			}
		}
		if got := storedTxID(t, db, "k"); got.String != "tx-b" {
			t.Fatalf("stored %v, want the last attempt's tx-b", got)
		}
		for _, tc := range []struct {
			st   *idempotency.Store
			key  string
			name string
		}{{next, "k", "another run's key"}, {first, "nobody", "no such key"}} {
			if err := tc.st.RecordTx(ctx, "core-1", tc.key, "tx-c"); !errors.Is(err, idempotency.ErrKeyNotHeld) {
				t.Errorf("%s: %v, want idempotency.ErrKeyNotHeld", tc.name, err)
			}
		}
		// While the first run beats, its key is in flight for the next.
		if begun, err := next.Begin(ctx, "core-1", "k", "h"); err != nil || begun.Outcome != idempotency.BeginInFlight {
			t.Fatalf("next run's begin beside a live run: %v %v", begun.Outcome, err)
		}
		// Its heartbeat stale, the next run takes the key over to settle
		// tx-b. The first run, if it were alive after all (a stalled
		// process), may no longer submit under the key, nor settle it.
		beatAgo(t, db, first, dead)
		if begun, err := next.Begin(ctx, "core-1", "k", "h"); err != nil || begun.Outcome != idempotency.BeginResolve || begun.Lost.TxID != "tx-b" {
			t.Fatalf("next run's begin: %v %+v %v", begun.Outcome, begun.Lost, err)
		}
		if err := first.RecordTx(ctx, "core-1", "k", "tx-d"); !errors.Is(err, idempotency.ErrKeyNotHeld) {
			t.Fatalf("the first run recorded under a taken-over key: %v", err)
		}
		for name, settle := range map[string]func() error{
			"release":  func() error { return first.Release(ctx, "core-1", "k") },
			"hold":     func() error { return first.Hold(ctx, "core-1", "k", "tx-d") },
			"complete": func() error { return first.Complete(ctx, "core-1", "k", idempotency.Response{Status: 200}) },
		} {
			if err := settle(); !errors.Is(err, idempotency.ErrKeyNotHeld) {
				t.Errorf("the first run's %s of a taken-over key: %v", name, err)
			}
		}
		if begun, err := next.Begin(ctx, "core-1", "k", "h"); err != nil || begun.Outcome != idempotency.BeginInFlight || storedTxID(t, db, "k").String != "tx-b" {
			t.Fatalf("the next run's claim after the first run's settlements: %v %v", begun.Outcome, err)
		}
	})
}

// TestRecordTxRefusedStopsTheSubmit: when the key cannot take the
// transaction, nothing is submitted; the write is 503 with the key
// released, and a retry runs. A write that succeeds leaves its transaction
// with its key.
func TestRecordTxRefusedStopsTheSubmit(t *testing.T) {
	db := storetest.SQLite(t)
	l := &lostLedger{}
	var drop bool
	submit := func(ctx context.Context, contract, fn string, args ...string) (fabricclient.Result, error) {
		if drop { // the key disappears under the running request
			drop = false
			if _, err := db.SQL.ExecContext(ctx, `DELETE FROM gateway_idempotency`); err != nil {
				return fabricclient.Result{}, err
			}
		}
		return l.submit(ctx, contract, fn, args...)
	}
	ts := newTestServer(t, db, Config{}, Deps{Routes: []func(*Routes){BaselineRoutes(fakeLedger{submit: submit})}})
	drop = true
	decodeProblemBody(t, ts.do(t, mintWithKey("refused")), http.StatusServiceUnavailable, problem.CodeUnavailable)
	if !strings.Contains(ts.logs.String(), idempotency.ErrKeyNotHeld.Error()) {
		t.Errorf("the refusal is not logged:\n%s", ts.logs)
	}
	rec := ts.do(t, mintWithKey("refused"))
	var out MintResponse
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
		t.Fatalf("retry: %d %s", rec.Code, rec.Body)
	}
	if got := storedTxID(t, db, "refused"); got.String != out.TxID {
		t.Fatalf("key holds %v, the write committed %s", got, out.TxID)
	}
}

// BenchmarkRecordTx is the cost a write pays before its submit: one UPDATE
// of its key's row (SQLite, a file in the test's directory).
func BenchmarkRecordTx(b *testing.B) {
	db := storetest.SQLite(b)
	ctx := context.Background()
	if err := MigrateDB(ctx, db); err != nil {
		b.Fatal(err)
	}
	st := idempotency.NewStore(db, idempotency.Options{Now: time.Now, TTL: time.Hour, Lock: time.Minute, Instance: "gw-1", Run: "run-1"})
	if _, err := st.Begin(ctx, "core-1", "k", "h"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := st.RecordTx(ctx, "core-1", "k", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestIdempotencyOwnerColumnsMigration: a database from before the owner
// columns, with a locked pending key, gains them and gateway_runs; the old
// claim has no run, so no run takes it for abandoned: it waits for its
// lock. So does a claim made under the owner columns before gateway_runs
// (by a run of the same instance name): its run never beat.
func TestIdempotencyOwnerColumnsMigration(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		insert := func(key string, columns string, values ...any) {
			t.Helper()
			args := append([]any{"core-1", key, "h", "pending", now.UnixMicro(),
				now.Add(time.Hour).UnixMicro(), now.Add(time.Minute).UnixMicro(), "tx-old"}, values...)
			if _, err := db.SQL.ExecContext(ctx, db.Rebind(`
				INSERT INTO gateway_idempotency (principal, idem_key, request_hash, state, created_at, expires_at, locked_until, tx_id`+columns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?`+strings.Repeat(", ?", len(values))+`)`), args...); err != nil {
				t.Fatal(err)
			}
		}
		ms := dialectMigrations(db.Dialect)
		if err := db.Migrate(ctx, migrationComponent, ms[:2]); err != nil {
			t.Fatal(err)
		}
		insert("old", "")
		if err := db.Migrate(ctx, migrationComponent, ms[:3]); err != nil {
			t.Fatal(err)
		}
		insert("named", ", owner, owner_run", "gw-1", "run-1")
		if err := MigrateDB(ctx, db); err != nil {
			t.Fatal(err)
		}
		st := idempotency.NewStore(db, idempotency.Options{Now: func() time.Time { return now }, TTL: time.Hour, Lock: time.Minute, Instance: "gw-1", Run: "run-2"})
		for _, key := range []string{"old", "named"} {
			if begun, err := st.Begin(ctx, "core-1", key, "h"); err != nil || begun.Outcome != idempotency.BeginInFlight {
				t.Errorf("begin on the locked key %q: %v %v", key, begun.Outcome, err)
			}
		}
	})
}

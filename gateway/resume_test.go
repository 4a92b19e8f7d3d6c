package gateway

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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

// lostLedger is a ledger whose submits fail as told, and whose lookups
// answer as told. Like fabricclient.Client, a submit that gets past its
// endorsement tells the context's hook (fabricclient.BeforeSubmit) its
// transaction's ID before it is ordered.
type lostLedger struct {
	mu      sync.Mutex
	submits int
	fail    error  // the next submit's error (then cleared)
	crash   string // the next submit panics with this after its hook (then cleared)
	lookups int
	asked   []Principal
	answer  func(txID string) (*fabricclient.Transaction, error)
}

func (l *lostLedger) submit(ctx context.Context, _, _ string, _ ...string) (fabricclient.Result, error) {
	l.mu.Lock()
	l.submits++
	txID, fail, crash := fmt.Sprintf("tx-run-%d", l.submits), l.fail, l.crash
	l.fail, l.crash = nil, ""
	l.mu.Unlock()
	var fe *fabricclient.Error
	if errors.As(fail, &fe) && fe.TxID != "" {
		txID = fe.TxID
	}
	if !errors.Is(fail, fabricclient.ErrUnavailable) { // endorsed: about to be ordered
		if err := fabricclient.BeforeSubmit(ctx, txID); err != nil {
			return fabricclient.Result{}, &fabricclient.Error{Op: "submit baseline:Mint", TxID: txID, Kind: fabricclient.ErrUnavailable, Cause: err}
		}
	}
	if crash != "" {
		panic(crash)
	}
	if fail != nil {
		return fabricclient.Result{}, fail
	}
	return fabricclient.Result{TxID: txID, BlockNumber: 9}, nil
}

func (l *lostLedger) lookup(_ context.Context, p Principal, txID string) (*fabricclient.Transaction, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lookups++
	l.asked = append(l.asked, p)
	return l.answer(txID)
}

func (l *lostLedger) counts() (submits, lookups int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.submits, l.lookups
}

// lose makes the next submit an answer lost after ordering.
func (l *lostLedger) lose(txID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fail = &fabricclient.Error{Op: "submit baseline:Mint", TxID: txID, Kind: fabricclient.ErrUnknownOutcome}
}

func (l *lostLedger) set(answer func(txID string) (*fabricclient.Transaction, error)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.answer = answer
}

func storedTxID(t *testing.T, db *store.DB, key string) sql.NullString {
	t.Helper()
	var tx sql.NullString
	if err := db.SQL.QueryRow(db.Rebind(`SELECT tx_id FROM gateway_idempotency WHERE principal = ? AND idem_key = ?`),
		"core-1", key).Scan(&tx); err != nil {
		t.Fatal(err)
	}
	return tx
}

// TestLostWriteResolution drives the baseline mint (which submits through
// Submit, like every write) into an unknown outcome and retries it with
// the same key against each answer the ledger can give.
func TestLostWriteResolution(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		l := &lostLedger{}
		ts := newTestServer(t, db, Config{IdempotencyLock: 2 * time.Minute},
			Deps{Routes: []func(*Routes){BaselineRoutes(fakeLedger{submit: l.submit})}, LookupTx: l.lookup})
		mint := mintWithKey
		committed := func(fn string) func(string) (*fabricclient.Transaction, error) {
			return func(txID string) (*fabricclient.Transaction, error) {
				return &fabricclient.Transaction{TxID: txID, Code: peer.TxValidationCode_VALID, Function: fn, BlockNumber: 12}, nil
			}
		}
		answer := func(err error) func(string) (*fabricclient.Transaction, error) {
			return func(string) (*fabricclient.Transaction, error) { return nil, err }
		}
		// lost sends a first request whose answer is lost with txID.
		lost := func(t *testing.T, key, txID string) {
			t.Helper()
			l.lose(txID)
			rec := ts.do(t, mint(key))
			decodeProblemBody(t, rec, http.StatusGatewayTimeout, problem.CodeOutcomeUnknown)
			if rec.Header().Get("Retry-After") == "" {
				t.Error("504 OUTCOME_UNKNOWN without Retry-After")
			}
			if got := storedTxID(t, db, key); got.String != txID {
				t.Fatalf("stored tx_id %v, want %s", got, txID)
			}
		}

		// lostThen loses a first request's answer with txID and makes the
		// ledger answer lookups with answer; it returns the submits so far.
		lostThen := func(t *testing.T, key, txID string, answer func(string) (*fabricclient.Transaction, error)) int {
			t.Helper()
			lost(t, key, txID)
			l.set(answer)
			submits, _ := l.counts()
			return submits
		}
		// ranAgain: the retry ran the request afresh, submitting once more.
		ranAgain := func(t *testing.T, key string, submits int) {
			t.Helper()
			if rec := ts.do(t, mint(key)); rec.Code != http.StatusOK {
				t.Fatalf("retry: %d %s", rec.Code, rec.Body)
			}
			if s, _ := l.counts(); s != submits+1 {
				t.Fatalf("submits %d, want one more", s-submits)
			}
		}
		// held: the retry was answered with status and code, and the key
		// still holds txID.
		held := func(t *testing.T, key, txID string, status int, code string) {
			t.Helper()
			rec := ts.do(t, mint(key))
			decodeProblemBody(t, rec, status, code)
			if rec.Header().Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
			if storedTxID(t, db, key).String != txID {
				t.Fatal("the key lost its transaction")
			}
		}

		t.Run("committed: the retry resumes it", func(t *testing.T) {
			lostThen(t, "lost-valid", "tx-lost-1", committed("baseline:Mint"))
			submits, lookups := l.counts()
			rec := ts.do(t, mint("lost-valid"))
			var out MintResponse
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil || out.TxID != "tx-lost-1" || out.Amount != 5 {
				t.Fatalf("retry: %d %s", rec.Code, rec.Body)
			}
			// The block the transaction committed in, as the first run
			// would have answered, not 0.
			if out.BlockNumber != 12 {
				t.Errorf("resumed mint reports block %d, want 12", out.BlockNumber)
			}
			if rec.Header().Get(HeaderIdempotentReplayed) != "" {
				t.Error("the resumed answer is marked replayed")
			}
			if s, lk := l.counts(); s != submits || lk != lookups+1 {
				t.Fatalf("submits %d→%d, lookups %d→%d: want no submit, one lookup", submits, s, lookups, lk)
			}
			if p := l.asked[len(l.asked)-1]; p.EnterpriseID != "core-1" || p.MSPID != "CoreMSP" {
				t.Errorf("looked up as %+v, want the caller", p)
			}
			again := ts.do(t, mint("lost-valid"))
			if again.Code != http.StatusOK || again.Body.String() != rec.Body.String() || again.Header().Get(HeaderIdempotentReplayed) != "true" {
				t.Fatalf("replay: %d %s %v", again.Code, again.Body, again.Header())
			}
			if _, lk := l.counts(); lk != lookups+1 {
				t.Fatal("the replay asked the ledger again")
			}
		})

		t.Run("invalidated: the retry runs again", func(t *testing.T) {
			submits := lostThen(t, "lost-invalid", "tx-lost-2", func(txID string) (*fabricclient.Transaction, error) {
				return &fabricclient.Transaction{TxID: txID, Code: peer.TxValidationCode_MVCC_READ_CONFLICT, Function: "baseline:Mint"}, nil
			})
			ranAgain(t, "lost-invalid", submits)
		})

		t.Run("not found: unknown until the bound, then runs again", func(t *testing.T) {
			submits := lostThen(t, "lost-absent", "tx-lost-3", answer(&fabricclient.Error{Kind: fabricclient.ErrTransactionNotFound}))
			held(t, "lost-absent", "tx-lost-3", http.StatusGatewayTimeout, problem.CodeOutcomeUnknown)
			ts.clock.Advance(2*time.Minute + time.Second) // past IdempotencyLock since the claim
			ranAgain(t, "lost-absent", submits)
		})

		t.Run("peer unreachable: 503, key held with its transaction", func(t *testing.T) {
			submits := lostThen(t, "lost-down", "tx-lost-4", answer(&fabricclient.Error{Kind: fabricclient.ErrUnavailable}))
			held(t, "lost-down", "tx-lost-4", http.StatusServiceUnavailable, problem.CodeUnavailable)
			l.set(committed("baseline:Mint"))
			rec := ts.do(t, mint("lost-down"))
			if rec.Code != http.StatusOK || !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("once the peer is back: %d %s", rec.Code, rec.Body)
			}
			if s, _ := l.counts(); s != submits {
				t.Fatal("the retry submitted again")
			}
		})

		t.Run("another function: 500, key held", func(t *testing.T) {
			submits := lostThen(t, "lost-other", "tx-lost-5", committed("tierchain:Split"))
			decodeProblemBody(t, ts.do(t, mint("lost-other")), http.StatusInternalServerError, problem.CodeInternal)
			if s, _ := l.counts(); s != submits {
				t.Fatal("submitted again")
			}
			if storedTxID(t, db, "lost-other").String != "tx-lost-5" {
				t.Fatal("the key lost its transaction")
			}
		})

		t.Run("unavailable before submit: released, though the error names a transaction", func(t *testing.T) {
			// An endorsement that failed carries its proposal's TxID; nothing
			// was ordered, so the key must be free at once.
			l.mu.Lock()
			l.fail = &fabricclient.Error{Op: "submit baseline:Mint", TxID: "tx-endorse", Kind: fabricclient.ErrUnavailable}
			l.mu.Unlock()
			decodeProblemBody(t, ts.do(t, mint("endorse-down")), http.StatusServiceUnavailable, problem.CodeUnavailable)
			submits, lookups := l.counts()
			ranAgain(t, "endorse-down", submits)
			if _, lk := l.counts(); lk != lookups {
				t.Fatal("asked the ledger about a transaction that was never submitted")
			}
		})

		t.Run("while the first runs: in flight", func(t *testing.T) {
			// A claimed key with no transaction yet is the running request's.
			_, lookups := l.counts()
			hash := idempotency.RequestHash(mintRequest(t), []byte(`{"amount":5}`))
			if begun, err := ts.idem.Begin(context.Background(), "core-1", "lost-running", hash); err != nil || begun.Outcome != idempotency.BeginNew {
				t.Fatalf("begin: %v %v", begun.Outcome, err)
			}
			decodeProblemBody(t, ts.do(t, mint("lost-running")), http.StatusConflict, problem.CodeIdempotencyInFlight)
			if _, lk := l.counts(); lk != lookups {
				t.Fatal("looked up a running request")
			}
		})
	})
}

func mintRequest(t *testing.T) *http.Request {
	return newRequest(t, "POST", "/v1/ledger/baseline/acc-1/mint", "tok-core", `{"amount":5}`)
}

// TestIdempotencyTxColumnMigration: a database at the first gateway schema,
// with a pending key, gains the nullable tx_id column; the old row reads as
// having no transaction.
func TestIdempotencyTxColumnMigration(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx, migrationComponent, dialectMigrations(db.Dialect)[:1]); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		st := idempotency.NewStore(db, idempotency.Options{Now: func() time.Time { return now }, TTL: time.Hour, Lock: time.Minute})
		if _, err := db.SQL.ExecContext(ctx, db.Rebind(`
			INSERT INTO gateway_idempotency (principal, idem_key, request_hash, state, created_at, expires_at, locked_until)
			VALUES (?, ?, ?, ?, ?, ?, ?)`), "core-1", "old", "h", "pending", now.UnixMicro(),
			now.Add(time.Hour).UnixMicro(), now.Add(-time.Second).UnixMicro()); err != nil {
			t.Fatal(err)
		}
		if err := MigrateDB(ctx, db); err != nil {
			t.Fatal(err)
		}
		if tx := storedTxID(t, db, "old"); tx.Valid {
			t.Fatalf("old row has tx_id %v", tx)
		}
		// A stale pending row without a transaction is taken over as before.
		if begun, err := st.Begin(ctx, "core-1", "old", "h"); err != nil || begun.Outcome != idempotency.BeginNew || begun.Lost != nil {
			t.Fatalf("begin on the old row: %v %v %v", begun.Outcome, begun.Lost, err)
		}
		if err := st.Hold(ctx, "core-1", "old", "tx-7"); err != nil {
			t.Fatal(err)
		}
		begun, err := st.Begin(ctx, "core-1", "old", "h")
		if err != nil || begun.Outcome != idempotency.BeginResolve || begun.Lost == nil || begun.Lost.TxID != "tx-7" || !begun.Lost.ClaimedAt.Equal(now.Truncate(time.Microsecond)) {
			t.Fatalf("begin on a held row: %v %+v %v", begun.Outcome, begun.Lost, err)
		}
		// Claimed for resolution: another retry meanwhile is in flight.
		if begun, err := st.Begin(ctx, "core-1", "old", "h"); err != nil || begun.Outcome != idempotency.BeginInFlight {
			t.Fatalf("second begin: %v %v", begun.Outcome, err)
		}
		if err := st.Rerun(ctx, "core-1", "old"); err != nil {
			t.Fatal(err)
		}
		if tx := storedTxID(t, db, "old"); tx.Valid {
			t.Fatalf("a rerun kept tx_id %v", tx)
		}
	})
}

package indexer

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// A peer can deliver a block's event before its state database has the
// block's writes; the indexer waits for the record.
func TestFetchWaitsForTheRecord(t *testing.T) {
	c := newChain(t, newFakeLedger())
	c.register("operator", model.RoleOperator)
	c.ledger.hide(3, "GetEnterprise", "operator")
	ix := newIndexer(t, storetest.SQLite(t), c.ledger, Options{})
	if res, err := ix.apply(t.Context(), c.events); err != nil || res.applied != 1 {
		t.Fatalf("apply: %+v %v", res, err)
	}
	if n := c.ledger.calls.Load(); n != 4 {
		t.Errorf("%d ledger calls, want 3 NOT_FOUND and 1 found", n)
	}
}

// A record older than its event is read again until the new one shows,
// and taken as it is after StaleWait (a later transaction may carry an
// earlier timestamp).
func TestFetchWaitsForTheNewRecord(t *testing.T) {
	c := newChain(t, newFakeLedger())
	c.register("operator", model.RoleOperator)
	fresh := c.ledger.records[ledgerKey("GetEnterprise", "operator")]
	var old model.Enterprise
	if err := json.Unmarshal(fresh, &old); err != nil {
		t.Fatal(err)
	}
	old.UpdatedAt, old.Name = old.UpdatedAt.Add(-time.Hour), "old name"
	c.ledger.put(t, old, "GetEnterprise", "operator")
	go func() {
		time.Sleep(30 * time.Millisecond)
		c.ledger.mu.Lock()
		c.ledger.records[ledgerKey("GetEnterprise", "operator")] = fresh
		c.ledger.mu.Unlock()
	}()
	ix := newIndexer(t, storetest.SQLite(t), c.ledger, Options{})
	if _, err := ix.apply(t.Context(), c.events); err != nil {
		t.Fatal(err)
	}
	if e, err := ix.Enterprise(t.Context(), "operator"); err != nil || e.Name != "operator AS" {
		t.Fatalf("got %+v %v, want the record as of its event", e, err)
	}

	c.register("tier1", model.RoleSupplier)
	old.ID, old.Name = "tier1", "clock skew"
	c.ledger.put(t, old, "GetEnterprise", "tier1")
	ix = newIndexer(t, storetest.SQLite(t), c.ledger, Options{StaleWait: 20 * time.Millisecond})
	if _, err := ix.apply(t.Context(), c.events); err != nil {
		t.Fatal(err)
	}
	if e, err := ix.Enterprise(t.Context(), "tier1"); err != nil || e.Name != "clock skew" || e.Status != model.EnterpriseActive {
		t.Fatalf("got %+v %v", e, err)
	}
}

// A record the ledger never has, or a ledger that fails, stops the batch
// before anything is written; Run retries until the ledger answers.
func TestLedgerFailureWritesNothing(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		c := newChain(t, newFakeLedger())
		st := c.story()
		ix := newIndexer(t, db, c.ledger, Options{StaleWait: 10 * time.Millisecond})
		empty := dump(t, db)
		c.ledger.hide(1<<30, "GetToken", st.l2[0])
		_, err := ix.apply(t.Context(), c.events)
		var ce *fabricclient.ChaincodeError
		if !errors.As(err, &ce) || ce.Code != "NOT_FOUND" {
			t.Fatalf("apply with a record missing: %v", err)
		}
		if got := dump(t, db); got != empty {
			t.Fatalf("a failed batch wrote:\n%s", got)
		}
		c.ledger.hide(0, "GetToken", st.l2[0])

		down := errors.New("peer unreachable")
		c.ledger.setFail(down)
		src := &fakeSource{t: t, events: c.events, ix: ix}
		r := start(ix, src)
		for src.opened.Load() < 3 {
			sleepMillis(1)
		}
		if cp, _ := ix.Checkpoint(t.Context()); !cp.IsZero() {
			t.Fatalf("checkpoint %+v while the ledger is down", cp)
		}
		c.ledger.setFail(nil)
		waitCheckpoint(t, ix, lastCheckpoint(c))
		r.stop(t)
		assertLog(t, ix, c)
	})
}

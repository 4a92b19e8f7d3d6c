package indexer

import (
	"testing"

	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// The checkpoint moves forward, within a block too, and never back to an
// earlier block (a source repeating old events).
func TestCheckpointNeverMovesBack(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ix := newIndexer(t, db, newFakeLedger(), Options{})
		for _, step := range []struct{ save, want Checkpoint }{
			{Checkpoint{Block: 10, TxID: "a"}, Checkpoint{Block: 10, TxID: "a"}},
			{Checkpoint{Block: 10, TxID: "b"}, Checkpoint{Block: 10, TxID: "b"}},
			{Checkpoint{Block: 9, TxID: "z"}, Checkpoint{Block: 10, TxID: "b"}},
			{Checkpoint{Block: 12, TxID: "c"}, Checkpoint{Block: 12, TxID: "c"}},
			{Checkpoint{Block: 0, TxID: "x"}, Checkpoint{Block: 12, TxID: "c"}},
		} {
			if err := ix.SaveCheckpoint(t.Context(), step.save); err != nil {
				t.Fatal(err)
			}
			if cp, err := ix.Checkpoint(t.Context()); err != nil || cp != step.want {
				t.Fatalf("after saving %+v: %+v %v, want %+v", step.save, cp, err, step.want)
			}
		}
		other := newIndexer(t, db, newFakeLedger(), Options{Name: "other"})
		if cp, err := other.Checkpoint(t.Context()); err != nil || !cp.IsZero() {
			t.Fatalf("another name's checkpoint: %+v %v", cp, err)
		}
	})
}

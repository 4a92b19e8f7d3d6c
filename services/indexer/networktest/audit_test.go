package networktest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tierchain/tierchain/services/audit"
)

// TestAuditSnapshotAsOfIsARegulatorHeight: a regulator's snapshot, read
// from its own peer, says a block height that peer has: at most its
// height after the read, at least the block of an invoice the snapshot
// shows, and the block that holds the transaction asOf names.
func TestAuditSnapshotAsOfIsARegulatorHeight(t *testing.T) {
	w := members(t)
	w.register(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	inv, filed := w.registerInvoice(t, w.tier1, time.Now().UTC().AddDate(0, 6, 0).Truncate(time.Second), openings(t, 5_00)[0])

	reg := w.regulator.ledger
	svc, err := audit.New(audit.Config{Ledger: reg, AuditKey: w.auditKey, EnvelopeKey: w.regulator.key, DLogBits: 16})
	if err != nil {
		t.Fatal(err)
	}
	var snap *audit.Snapshot
	var took time.Duration
	for { // the regulator's peer commits the invoice's block in its own time
		start := time.Now()
		if snap, err = svc.Snapshot(ctx); err != nil {
			t.Fatal(err)
		}
		took = time.Since(start)
		if slices.ContainsFunc(snap.Invoices, func(it audit.InvoiceItem) bool { return it.Invoice.ID == inv.ID }) {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the regulator's snapshot at %+v never showed invoice %s (block %d)", snap.AsOf, inv.ID, filed.BlockNumber)
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Logf("snapshot of %d tokens, %d invoices, %d enterprises at block %d in %v", len(snap.Tokens), len(snap.Invoices), len(snap.Enterprises), snap.AsOf.Block, took)
	height, _, err := reg.ChainHeight(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.AsOf.Block < filed.BlockNumber || snap.AsOf.Block > height {
		t.Fatalf("asOf %+v: the snapshot shows block %d's invoice; the peer's height is %d", snap.AsOf, filed.BlockNumber, height)
	}
	if snap.AsOf.TxID == "" {
		t.Fatalf("asOf %+v names no transaction", snap.AsOf)
	}
	tx, err := reg.Transaction(ctx, snap.AsOf.TxID)
	if err != nil {
		t.Fatalf("the regulator's peer does not have asOf's transaction: %v", err)
	}
	if tx.BlockNumber != snap.AsOf.Block {
		t.Fatalf("asOf %+v, but its transaction is in block %d", snap.AsOf, tx.BlockNumber)
	}
}

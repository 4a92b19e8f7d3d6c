package audit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/services/audit"
)

type reuseLog []audit.ReuseAttempt

func (l reuseLog) ReuseAttempts(context.Context) ([]audit.ReuseAttempt, error) { return l, nil }

type failingReuse struct{}

func (failingReuse) ReuseAttempts(context.Context) ([]audit.ReuseAttempt, error) {
	return nil, errors.New("db down")
}

// TestReport: the full report joins the gateway's recorded reuse attempts
// with the ledger's invoice records.
func TestReport(t *testing.T) {
	w := world(t)
	at := reportTime.Add(-time.Hour)
	log := reuseLog{
		{At: at, Supplier: w.S2.ID, Number: "INV-1", Fingerprint: rulestest.InvoiceID("INV-1"), Reason: "registered-on-ledger"},
		{At: at.Add(-time.Minute), Supplier: w.S1.ID, Number: "INV-2", Fingerprint: rulestest.InvoiceID("INV-2"), Reason: "duplicate-upload"},
		{At: at, Supplier: w.S3.ID, Number: "X-9", Fingerprint: "00ff", Reason: "duplicate-upload"},
	}
	svc := w.service(t, w.ledger(), func(c *audit.Config) { c.Reuse = log })
	r := must(svc.Report(context.Background(), reportTime))
	if len(r.Reuse) != 3 {
		t.Fatalf("%d reuse items", len(r.Reuse))
	}
	first, second, third := r.Reuse[0], r.Reuse[1], r.Reuse[2]
	if first.Number != "INV-2" || !first.SameSupplier || first.Invoice == nil || first.Invoice.Amount.Minor != 400 {
		t.Errorf("first %+v", first)
	}
	if second.Fingerprint != "00ff" || second.Invoice != nil || second.SameSupplier {
		t.Errorf("second %+v", second)
	}
	if third.Number != "INV-1" || third.SameSupplier || third.Invoice == nil || third.Invoice.Invoice.UsedBy != w.root1 {
		t.Errorf("third %+v", third)
	}
	if len(r.Overdue.Items) != 3 || r.Concentration.Totals[0].ByCore.Total != 750 || r.Snapshot.Summary.Tokens != 8 {
		t.Errorf("report %+v %+v", r.Overdue, r.Concentration.Totals[0].ByCore)
	}

	if _, err := w.service(t, w.ledger(), func(c *audit.Config) { c.Reuse = failingReuse{} }).Report(context.Background(), reportTime); err == nil {
		t.Fatal("a failing reuse source passed silently")
	}
	none := must(w.service(t, w.ledger()).Report(context.Background(), reportTime))
	if none.Reuse == nil || len(none.Reuse) != 0 {
		t.Fatalf("without a source: %v", none.Reuse)
	}
}

// TestLedgerErrors: a failing peer, a bad page and a looping bookmark are
// errors, not partial reports.
func TestLedgerErrors(t *testing.T) {
	w := world(t)
	for _, tc := range []struct {
		name string
		l    audit.Ledger
	}{
		{"peer down", ledgerFunc(func(string, ...string) ([]byte, error) { return nil, errors.New("unavailable") })},
		{"not JSON", ledgerFunc(func(string, ...string) ([]byte, error) { return []byte("<html>"), nil })},
		{"same bookmark", ledgerFunc(func(string, ...string) ([]byte, error) {
			return []byte(`{"items":[],"bookmark":"k"}`), nil
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := w.service(t, tc.l).Snapshot(context.Background()); err == nil {
				t.Fatal("no error")
			}
		})
	}
	if _, err := audit.New(audit.Config{Ledger: w.ledger(), AuditKey: w.AuditKey}); err == nil {
		t.Fatal("New without the envelope key")
	}
	if _, err := audit.New(audit.Config{Ledger: w.ledger(), AuditKey: w.AuditKey, EnvelopeKey: w.Regulator.Key, DLogBits: 64}); err == nil {
		t.Fatal("New with a 64-bit table")
	}
}

type ledgerFunc func(fn string, args ...string) ([]byte, error)

func (f ledgerFunc) Evaluate(_ context.Context, _, fn string, args ...string) ([]byte, error) {
	return f(fn, args...)
}

func (f ledgerFunc) ChainHeight(context.Context) (uint64, string, error) { return 7, "tx-7", nil }

package audit_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/services/audit"
)

// movingLedger is a peer that commits a block while a report's queries
// run: after its commitAt-th Evaluate, it runs commit (a real write to the
// ledger's state, or nothing) and its height moves one block on.
type movingLedger struct {
	*fakeLedger
	commitAt map[int]bool // Evaluate counts after which a block commits
	commit   func()
	commits  int
	heights  int // ChainHeight calls
}

func (m *movingLedger) ChainHeight(ctx context.Context) (uint64, string, error) {
	m.heights++
	return m.fakeLedger.ChainHeight(ctx)
}

func (m *movingLedger) Evaluate(ctx context.Context, contract, fn string, args ...string) ([]byte, error) {
	out, err := m.fakeLedger.Evaluate(ctx, contract, fn, args...)
	if m.commitAt[m.calls] {
		if m.commit != nil {
			m.commit()
		}
		m.block++
		m.commits++
	}
	return out, err
}

// A block that commits between two of a snapshot's queries (after the
// first core's tokens were read, before its invoices) declares B2 paid:
// the snapshot must not show B2 as the tokens query saw it together with
// what the later queries saw; it reads again and shows the new block
// throughout.
func TestSnapshotStraddlingACommitIsReadAgain(t *testing.T) {
	w := world(t)
	sc := w.Scenario.Clone() // this test writes to the ledger
	l := &movingLedger{fakeLedger: &fakeLedger{w: sc.World, now: reportTime, pageSize: 2, block: 41}}
	before := l.block
	l.commit = func() {
		must(sc.Rules.DeclarePayment(sc.As(sc.Core), &model.TokenActionRequest{Token: w.b2, Reason: "PAY-2"}))
	}
	// Count one snapshot's queries on a still ledger, then commit in the
	// middle of the first attempt.
	still := &fakeLedger{w: sc.World, now: reportTime, pageSize: 2, block: 41}
	must(w.service(t, still).Snapshot(context.Background()))
	perRead := still.calls
	l.commitAt = map[int]bool{3: true}

	snap := must(w.service(t, l).Snapshot(context.Background()))
	if l.commits != 1 {
		t.Fatalf("%d commits, want 1", l.commits)
	}
	if l.calls != 2*perRead {
		t.Fatalf("%d queries, want two reads of %d: the straddled read was not read again", l.calls, perRead)
	}
	if want := (audit.AsOf{Block: before + 1, TxID: "tx-42"}); snap.AsOf != want {
		t.Fatalf("asOf %+v, want %+v", snap.AsOf, want)
	}
	stored := must(sc.Rules.GetToken(sc.Clone().As(sc.Regulator), w.b2))
	if got := byID(snap)[w.b2].Token.Status; got != stored.Status || got == model.TokenActive {
		t.Fatalf("B2 %s in the snapshot, %s on the ledger at asOf", got, stored.Status)
	}
}

// A ledger that commits during every attempt is refused with
// ErrLedgerMoving after Config.SnapshotAttempts reads, never answered with a
// mixed snapshot; a trace likewise.
func TestSnapshotRefusedWhenTheLedgerKeepsMoving(t *testing.T) {
	w := world(t)
	l := &movingLedger{fakeLedger: w.ledger()}
	l.commitAt = map[int]bool{}
	for i := 1; i < 1000; i++ {
		l.commitAt[i] = true
	}
	svc := w.service(t, l, func(c *audit.Config) { c.SnapshotAttempts = 4 })
	if _, err := svc.Snapshot(context.Background()); !errors.Is(err, audit.ErrLedgerMoving) {
		t.Fatalf("snapshot: %v, want ErrLedgerMoving", err)
	}
	if l.heights != 2*4 {
		t.Fatalf("%d height reads, want two for each of 4 attempts", l.heights)
	}
	calls := l.calls
	if _, err := svc.Report(context.Background(), reportTime); !errors.Is(err, audit.ErrLedgerMoving) {
		t.Fatalf("report: %v, want ErrLedgerMoving", err)
	}
	if _, err := svc.Trace(context.Background(), w.root1); !errors.Is(err, audit.ErrLedgerMoving) {
		t.Fatalf("trace: %v, want ErrLedgerMoving", err)
	}
	if l.calls == calls {
		t.Fatal("the report and the trace queried nothing")
	}
}

// A still ledger: every report says the height it was read at, the same
// for the snapshot and each report made from it.
func TestReportsSayTheirHeight(t *testing.T) {
	w := world(t)
	svc := w.service(t, w.ledger())
	rep := must(svc.Report(context.Background(), reportTime))
	want := audit.AsOf{Block: 41, TxID: "tx-41"}
	for name, got := range map[string]audit.AsOf{"report": rep.AsOf, "snapshot": rep.Snapshot.AsOf, "overdue": rep.Overdue.AsOf,
		"concentration": rep.Concentration.AsOf, "financing": rep.Financing.AsOf} {
		if got != want {
			t.Errorf("%s asOf %+v, want %+v", name, got, want)
		}
	}
	if tr := must(svc.Trace(context.Background(), w.root1)); tr.AsOf != want {
		t.Errorf("trace asOf %+v, want %+v", tr.AsOf, want)
	}
}

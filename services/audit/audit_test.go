package audit_test

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/services/audit"
)

func byID(snap *audit.Snapshot) map[string]audit.TokenItem {
	m := map[string]audit.TokenItem{}
	for _, t := range snap.Tokens {
		m[t.Token.ID] = t
	}
	return m
}

// TestSnapshot opens every amount of the fixture ledger: the honest ones
// reconcile, the ones whose regulator envelope was sealed to another key
// open through their handle and are flagged, and the large one with a bad
// envelope is UNOPENABLE, never a silent pass.
func TestSnapshot(t *testing.T) {
	w := world(t)
	snap := must(w.service(t, w.ledger()).Snapshot(context.Background()))
	tokens := byID(snap)
	want := map[string]audit.Amount{
		w.root1: {Minor: 1000, Status: audit.Reconciled},
		w.a:     {Minor: 400, Status: audit.Reconciled},
		w.a1:    {Minor: 150, Status: audit.Reconciled},
		w.a2:    {Minor: 250, Status: audit.Reconciled},
		w.b:     {Minor: 600, Status: audit.Reconciled},
		w.b1:    {Minor: 100, Status: audit.EnvelopeMismatch, Envelope: audit.FaultUndecryptable},
		w.b2:    {Minor: 500, Status: audit.EnvelopeMismatch, Envelope: audit.FaultUndecryptable},
		w.root2: {Status: audit.Unopenable, Envelope: audit.FaultUndecryptable, Unopened: audit.AboveBound},
	}
	if len(tokens) != len(want) {
		t.Fatalf("%d tokens, want %d", len(tokens), len(want))
	}
	for id, a := range want {
		if got := tokens[id].Amount; got != a {
			t.Errorf("token %s: %+v, want %+v", id[:8], got, a)
		}
	}
	if len(snap.Invoices) != 4 {
		t.Fatalf("%d invoices, want 4", len(snap.Invoices))
	}
	for _, inv := range snap.Invoices {
		if inv.Amount.Status != audit.Reconciled {
			t.Errorf("invoice %s: %+v", inv.Invoice.ID[:8], inv.Amount)
		}
	}
	wantSum := audit.Summary{Tokens: 8, Invoices: 4, Reconciled: 9, EnvelopeMismatch: 2, Unopenable: 1, Checks: 7, Breaks: 2, Disputes: 2, FinancingChecks: 1}
	if snap.Summary != wantSum {
		t.Errorf("summary %+v, want %+v", snap.Summary, wantSum)
	}
	// root2's checks cannot be verified: its amount is unknown.
	for _, b := range snap.Breaks {
		if b.Root != w.root2 || b.Result != audit.CheckUnverified {
			t.Errorf("break %+v", b)
		}
	}
	if snap.Role(w.BankB.ID) != model.RoleBank {
		t.Errorf("role of bankB: %q", snap.Role(w.BankB.ID))
	}
}

// TestTamperedEnvelope: a regulator envelope tampered on the way from the
// peer (a flipped byte), removed, or paired with another token's handle
// is never trusted: the amount is opened through the handle and flagged,
// or reported UNOPENABLE when the handle does not give it either.
func TestTamperedEnvelope(t *testing.T) {
	w := world(t)
	tests := []struct {
		name   string
		tamper func(w *auditWorld, v *model.TokenView)
		want   audit.Amount
	}{
		{"flipped byte", func(_ *auditWorld, v *model.TokenView) { v.RegulatorEnvelope[40] ^= 1 },
			audit.Amount{Minor: 400, Status: audit.EnvelopeMismatch, Envelope: audit.FaultUndecryptable}},
		{"missing", func(_ *auditWorld, v *model.TokenView) { v.RegulatorEnvelope = nil },
			audit.Amount{Minor: 400, Status: audit.EnvelopeMismatch, Envelope: audit.FaultMissing}},
		{"another token's envelope", func(w *auditWorld, v *model.TokenView) {
			v.RegulatorEnvelope = must(w.Rules.GetToken(w.Clone().As(w.Regulator), w.b)).RegulatorEnvelope
		}, audit.Amount{Minor: 400, Status: audit.EnvelopeMismatch, Envelope: audit.FaultUndecryptable}},
		{"another token's handle", func(w *auditWorld, v *model.TokenView) {
			v.Handle = must(w.Rules.GetToken(w.Clone().As(w.Regulator), w.b)).Handle
		}, audit.Amount{Status: audit.Unopenable, Envelope: audit.FaultHandleMismatch, Unopened: audit.AboveBound}},
		{"malformed handle", func(_ *auditWorld, v *model.TokenView) { v.Handle = make([]byte, 32) },
			audit.Amount{Status: audit.Unopenable, Unopened: audit.Malformed}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := w.ledger()
			l.tamper = func(v *model.TokenView) {
				if v.ID == w.a {
					tc.tamper(w, v)
				}
			}
			snap := must(w.service(t, l).Snapshot(context.Background()))
			if got := byID(snap)[w.a].Amount; got != tc.want {
				t.Fatalf("%+v, want %+v", got, tc.want)
			}
			// The other tokens are untouched.
			if got := byID(snap)[w.root1].Amount; got.Status != audit.Reconciled {
				t.Fatalf("root: %+v", got)
			}
		})
	}
}

// TestAboveBound: an amount above 2^DLogBits whose envelope is good still
// reconciles (CheckValue takes any v < 2^64); with a bad envelope it is
// UNOPENABLE until the bound is raised.
func TestAboveBound(t *testing.T) {
	w := world(t)
	var big audit.InvoiceItem
	snap := must(w.service(t, w.ledger()).Snapshot(context.Background()))
	for _, inv := range snap.Invoices {
		if inv.Amount.Known() && inv.Amount.Minor == 100_000 {
			big = inv
		}
	}
	if big.Amount.Status != audit.Reconciled {
		t.Fatalf("the 100 000 invoice (above 2^%d, good envelope): %+v", testBits, big.Amount)
	}
	if got := byID(snap)[w.root2].Amount; got.Status != audit.Unopenable || got.Unopened != audit.AboveBound {
		t.Fatalf("root2 at %d bits: %+v", testBits, got)
	}
	wide := w.service(t, w.ledger(), func(c *audit.Config) { c.DLogBits = 18 })
	snap = must(wide.Snapshot(context.Background()))
	want := audit.Amount{Minor: Big, Status: audit.EnvelopeMismatch, Envelope: audit.FaultUndecryptable}
	if got := byID(snap)[w.root2].Amount; got != want {
		t.Fatalf("root2 at 18 bits: %+v, want %+v", got, want)
	}
	if snap.Summary.Breaks != 0 {
		t.Fatalf("breaks once every amount opens: %+v", snap.Breaks)
	}
}

// TestConservation: a token whose amount was swapped on the way from the
// peer (another token's commitment, handle and envelope) breaks its
// spend and its receivable's sum, and the checks name them.
func TestConservation(t *testing.T) {
	w := world(t)
	other := must(w.Rules.GetToken(w.Clone().As(w.Regulator), w.a2))
	l := w.ledger()
	l.tamper = func(v *model.TokenView) {
		if v.ID == w.a1 {
			v.Commitment, v.Handle, v.RegulatorEnvelope = other.Commitment, other.Handle, other.RegulatorEnvelope
		}
	}
	snap := must(w.service(t, l, func(c *audit.Config) { c.DLogBits = 18 }).Snapshot(context.Background()))
	var spend, root *audit.Break
	for i, b := range snap.Breaks {
		switch {
		case b.Kind == audit.CheckSpend && b.TxID == byID(snap)[w.a1].Token.TxID:
			spend = &snap.Breaks[i]
		case b.Kind == audit.CheckRoot && b.Root == w.root1:
			root = &snap.Breaks[i]
		default:
			t.Errorf("unexpected break %+v", b)
		}
	}
	if spend == nil || spend.Result != audit.CheckBroken || spend.In != 400 || spend.Out != 500 || spend.Inputs[0] != w.a {
		t.Fatalf("spend break %+v", spend)
	}
	// Unspent: A1 (now 250), A2 250, B1 100, B2 500 = 1100 vs 1000.
	if root == nil || root.Result != audit.CheckBroken || root.In != 1000 || root.Out != 1100 {
		t.Fatalf("root break %+v", root)
	}
	// A parent that does not list its child is a break too.
	l.tamper = func(v *model.TokenView) {
		if v.ID == w.b {
			v.Children = v.Children[:1]
		}
	}
	snap = must(w.service(t, l, func(c *audit.Config) { c.DLogBits = 18 }).Snapshot(context.Background()))
	if len(snap.Breaks) != 1 || !strings.Contains(snap.Breaks[0].Detail, "does not list child") {
		t.Fatalf("breaks %+v", snap.Breaks)
	}
}

func TestCreditLines(t *testing.T) {
	w := world(t)
	snap := must(w.service(t, w.ledger()).Snapshot(context.Background()))
	if len(snap.CreditLines) != 2 {
		t.Fatalf("%d credit lines", len(snap.CreditLines))
	}
	a, b := snap.CreditLines[0], snap.CreditLines[1]
	if a.Bank != w.BankA.ID || a.Outstanding != (audit.Amount{Minor: 1000, Status: audit.Reconciled}) || !a.Consistent ||
		a.Headroom != 9000 || a.Utilisation != 0.1 || len(a.Roots) != 1 || a.Roots[0] != w.root1 {
		t.Errorf("BankA line %+v", a)
	}
	if b.Bank != w.BankB.ID || b.Outstanding.Status != audit.Unopenable || !b.Consistent || b.Limit != 200_000 {
		t.Errorf("BankB line %+v", b)
	}
	wide := must(w.service(t, w.ledger(), func(c *audit.Config) { c.DLogBits = 18 }).Snapshot(context.Background()))
	if got := wide.CreditLines[1].Outstanding; got != (audit.Amount{Minor: Big, Status: audit.EnvelopeMismatch}) {
		t.Errorf("BankB outstanding at 18 bits: %+v", got)
	}
	// A root left out of the listing no longer adds up to the ledger's sum.
	l := w.ledger()
	l.tamper = func(v *model.TokenView) {
		if v.ID == w.root1 {
			v.Bank = w.BankB.ID
		}
	}
	snap = must(w.service(t, l).Snapshot(context.Background()))
	if snap.CreditLines[0].Consistent || snap.CreditLines[1].Consistent {
		t.Errorf("moved root: lines still consistent: %+v", snap.CreditLines)
	}
}

func TestOverdue(t *testing.T) {
	w := world(t)
	snap := must(w.service(t, w.ledger()).Snapshot(context.Background()))
	r := snap.Overdue(reportTime)
	got := map[string]int{}
	for _, it := range r.Items {
		got[it.Token] = it.DaysOverdue
		if it.Holder == "" || it.Issuer != w.Core.ID {
			t.Errorf("item %+v", it)
		}
	}
	// A1 (financed, held by BankB), B1, B2: 15 days; A2 is settled, root2
	// matures later.
	if len(got) != 3 || got[w.a1] != 15 || got[w.b1] != 15 || got[w.b2] != 15 || len(r.Totals) != 1 ||
		r.Totals[0].Total != 750 || r.Totals[0].Unopened != 0 || r.Totals[0].Items != 3 {
		t.Fatalf("overdue %+v", r)
	}
	after := snap.Overdue(maturity2.AddDate(0, 0, 1))
	if len(after.Items) != 4 || after.Totals[0].Unopened != 1 || after.Items[0].DaysOverdue <= after.Items[3].DaysOverdue {
		t.Fatalf("after root2's maturity: %+v", after)
	}
	if before := snap.Overdue(rulestest.Maturity); len(before.Items) != 0 {
		t.Fatalf("at maturity: %+v", before)
	}
}

func TestConcentrationReport(t *testing.T) {
	w := world(t)
	snap := must(w.service(t, w.ledger()).Snapshot(context.Background()))
	rep := snap.Concentration()
	if len(rep.Totals) != 1 {
		t.Fatalf("%d currencies, want 1: %+v", len(rep.Totals), rep)
	}
	r := rep.Totals[0]
	// Live: A1 150 (BankB), B1 100 (S3), B2 500 (S1); root2 unopenable.
	if r.ByCore.Total != 750 || r.ByCore.HHI != 10_000 || r.ByCore.Unopened != 1 {
		t.Errorf("by core %+v", r.ByCore)
	}
	if r.ByBank.Total != 150 || len(r.ByBank.Shares) != 1 || r.ByBank.Shares[0].Name != w.BankB.ID || r.ByBank.Unopened != 0 {
		t.Errorf("by bank %+v", r.ByBank)
	}
	h := r.ByHolder
	if h.Total != 750 || h.Shares[0].Name != w.S1.ID || h.Shares[1].Name != w.BankB.ID || h.Shares[2].Name != w.S3.ID || h.Unopened != 1 {
		t.Errorf("by holder %+v", h)
	}
	// (500² + 150² + 100²)/750² · 10 000 = 5022.2…
	if d := h.HHI - 5022.222222222222; d > 1e-9 || d < -1e-9 {
		t.Errorf("holder HHI %v", h.HHI)
	}
}

func TestTrace(t *testing.T) {
	w := world(t)
	tr := must(w.service(t, w.ledger()).Trace(context.Background(), w.root1))
	var shape func(n audit.TraceNode) string
	shape = func(n audit.TraceNode) string {
		s := n.Token.ID[:4] + ":" + string(n.Amount.Status[:1]) + ":" + itoa(n.Amount.Minor)
		if len(n.Children) > 0 {
			var cs []string
			for _, c := range n.Children {
				cs = append(cs, shape(c))
			}
			s += "(" + strings.Join(cs, ",") + ")"
		}
		return s
	}
	name := func(id string, v uint64, st string) string { return id[:4] + ":" + st + ":" + itoa(v) }
	want := name(w.root1, 1000, "R") + "(" + name(w.a, 400, "R") + "(" + name(w.a1, 150, "R") + "," + name(w.a2, 250, "R") + ")," +
		name(w.b, 600, "R") + "(" + name(w.b1, 100, "E") + "," + name(w.b2, 500, "E") + "))"
	if got := shape(tr.Root); got != want {
		t.Fatalf("trace %s\nwant  %s", got, want)
	}
	if tr.Checks != 4 || len(tr.Breaks) != 0 {
		t.Fatalf("checks %d, breaks %+v", tr.Checks, tr.Breaks)
	}
	if tr.Root.Children[0].Children[0].Token.Status != model.TokenOverdue {
		t.Fatalf("A1 reads %s at the peer's time", tr.Root.Children[0].Children[0].Token.Status)
	}
	if _, err := w.service(t, w.ledger()).Trace(context.Background(), w.a); !strings.Contains(errString(err), "not a root") {
		t.Fatalf("trace of a non-root: %v", err)
	}
}

// TestAmountRedacted: an opened amount never reaches a log line.
func TestAmountRedacted(t *testing.T) {
	var buf bytes.Buffer
	a := audit.Amount{Minor: 123456789, Status: audit.Reconciled}
	var tok audit.TokenItem
	tok.Amount = a
	var inv audit.InvoiceItem
	inv.Amount = a
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "amount", a, "token", tok, "invoice", inv)
	if strings.Contains(buf.String(), "123456789") || !strings.Contains(buf.String(), "RECONCILED") {
		t.Fatalf("log line %q", buf.String())
	}
}

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestDisputes: the reconciliation lists each holder's dispute with the
// sender the ledger names, the amount the regulator opened itself, and
// whether its own envelope copy was bad too.
func TestDisputes(t *testing.T) {
	w := world(t)
	snap := must(w.service(t, w.ledger()).Snapshot(context.Background()))
	if snap.Summary.Disputes != 2 || len(snap.Disputes) != 2 {
		t.Fatalf("%d disputes (summary %d), want 2", len(snap.Disputes), snap.Summary.Disputes)
	}
	b1, a1 := snap.Disputes[0], snap.Disputes[1] // by filing time
	if b1.Dispute.Token != w.b1 || b1.Dispute.Holder != w.S3.ID || b1.Dispute.Sender != w.S1.ID ||
		b1.Dispute.Reason != model.DisputeWrongOpening || b1.Dispute.Envelope != model.DisputedHolderEnvelope {
		t.Fatalf("B1's dispute %+v", b1.Dispute)
	}
	if b1.Amount.Minor != 100 || b1.Amount.Status != audit.EnvelopeMismatch || !b1.RegulatorEnvelopeBad {
		t.Fatalf("B1 opened %+v, regulator envelope bad %v; want 100 through the handle", b1.Amount, b1.RegulatorEnvelopeBad)
	}
	if a1.Dispute.Token != w.a1 || a1.Dispute.Holder != w.BankB.ID || a1.Dispute.Sender != w.S3.ID ||
		a1.Dispute.Envelope != model.DisputedBankEnvelope {
		t.Fatalf("A1's dispute %+v", a1.Dispute)
	}
	if a1.Amount.Minor != 150 || a1.Amount.Status != audit.Reconciled || a1.RegulatorEnvelopeBad {
		t.Fatalf("A1 opened %+v, regulator envelope bad %v; want 150 reconciled", a1.Amount, a1.RegulatorEnvelopeBad)
	}
}

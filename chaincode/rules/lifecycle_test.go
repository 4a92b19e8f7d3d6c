package rules_test

import (
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

func opened(id string, o pedersen.Opening) []protocol.OpenedToken {
	return []protocol.OpenedToken{{ID: id, Currency: rulestest.Currency, Opening: o}}
}

// TestLifecycle runs a receivable from issue to settlement: split down
// three tiers, merge, transfer, financing rejected, cancelled and
// approved, freeze and unfreeze, overdue, payment and confirmation, with
// the credit line's outstanding back to zero at the end.
func TestLifecycle(t *testing.T) {
	s := newScenario(t)
	r, st := s.Rules, s.State

	// The issue: root held by S1, invoices used, outstanding = the root.
	root := must(r.GetToken(s.As(s.Regulator), s.Root))
	if root.Status != model.TokenActive || root.Holder != s.S1.ID || root.Tier != 1 {
		t.Fatalf("root %+v", root)
	}
	for _, inv := range s.Invoices[:2] {
		if got := must(r.GetInvoice(s.As(s.S1), inv.ID)); got.Status != model.InvoiceUsed || got.UsedBy != s.Root {
			t.Fatalf("invoice %s: %s used by %q", inv.ID[:8], got.Status, got.UsedBy)
		}
	}
	// The holder and the regulator can open the root from the ledger.
	rc, _ := pedersen.DecodeCommitment(root.Commitment)
	if o, err := envelope.Open(s.S1.Key, root.HolderEnvelope, protocol.OutputBinding(rc, protocol.PurposeHolder)); err != nil || o.Value != rulestest.RootAmount {
		t.Fatalf("holder envelope: %v", err)
	}
	if v, err := s.AuditKey.CheckValue(rc, must(auditHandle(root.Handle)), rulestest.RootAmount), error(nil); !v || err != nil {
		t.Fatal("regulator cannot check the root's amount")
	}

	// Split: S1 keeps 700, S2 gets 300 (tier 2).
	a, b := rulestest.Opening(300), rulestest.Opening(700)
	req := s.SplitRequest(protocol.KindSplit, s.S1, opened(s.Root, s.RootOpening), rulestest.To(s.S2, a), rulestest.To(s.S1, b))
	out := must(r.Split(s.As(s.S1), req))
	ev := lastEvent(t, st)
	if ev.Kind != protocol.KindSplit || len(ev.Tokens) != 3 || ev.Tokens[0].Status != model.TokenSplit {
		t.Fatalf("split event %+v", ev)
	}
	A, B := out[0], out[1]
	if A.Tier != 2 || B.Tier != 1 || A.Root != s.Root || A.Parents[0] != s.Root || A.Holder != s.S2.ID {
		t.Fatalf("outputs %+v %+v", A, B)
	}

	// S1 splits its change into two pieces for itself, then merges them.
	b1, b2 := rulestest.Opening(300), rulestest.Opening(400)
	out = must(r.Split(s.As(s.S1), s.SplitRequest(protocol.KindSplit, s.S1, opened(B.ID, b), rulestest.To(s.S1, b1), rulestest.To(s.S1, b2))))
	B1, B2 := out[0], out[1]
	m := rulestest.Opening(700)
	out = must(r.Merge(s.As(s.S1), s.SplitRequest(protocol.KindMerge, s.S1,
		[]protocol.OpenedToken{{ID: B1.ID, Currency: rulestest.Currency, Opening: b1}, {ID: B2.ID, Currency: rulestest.Currency, Opening: b2}}, rulestest.To(s.S1, m))))
	M := out[0]
	if len(M.Parents) != 2 || M.Tier != 1 {
		t.Fatalf("merged %+v", M)
	}

	// S2 transfers its piece to S3 (tier 3).
	x := rulestest.Opening(300)
	out = must(r.Transfer(s.As(s.S2), s.SplitRequest(protocol.KindTransfer, s.S2, opened(A.ID, a), rulestest.To(s.S3, x))))
	X := out[0]
	if X.Tier != 3 || X.Holder != s.S3.ID {
		t.Fatalf("transferred %+v", X)
	}

	// Financing: rejected by BankA, cancelled at BankB, approved by BankA.
	fin := func(bank *rulestest.Party) *model.FinanceRequest {
		return must(protocol.BuildFinance(X.ID, mustCommitment(X.Commitment), x, bank.Recipient(), nil))
	}
	must(r.RequestFinancing(s.As(s.S3), fin(s.BankA)))
	if got := must(r.FinancingRequests(s.As(s.BankA), &model.PageRequest{Owner: s.BankA.ID, PageSize: 10})); len(got.Items) != 1 {
		t.Fatalf("BankA sees %d financing requests", len(got.Items))
	}
	if got := must(r.RejectFinancing(s.As(s.BankA), &model.TokenActionRequest{Token: X.ID, Reason: "no"})); got.Status != model.TokenActive {
		t.Fatalf("after reject: %s", got.Status)
	}
	must(r.RequestFinancing(s.As(s.S3), fin(s.BankB)))
	if got := must(r.CancelFinancing(s.As(s.S3), &model.TokenActionRequest{Token: X.ID})); got.Status != model.TokenActive {
		t.Fatalf("after cancel: %s", got.Status)
	}
	freq := fin(s.BankA)
	must(r.RequestFinancing(s.As(s.S3), freq))
	// The bank opens the amount from the request's envelope.
	if o, err := envelope.Open(s.BankA.Key, freq.BankEnvelope, envelope.Binding{Commitment: mustCommitment(X.Commitment), TokenID: X.ID, Purpose: protocol.PurposeBank}); err != nil || o.Value != 300 {
		t.Fatalf("bank envelope: %v", err)
	}
	got := must(r.ApproveFinancing(s.As(s.BankA), &model.ApproveFinancingRequest{Token: X.ID, DisbursementRef: "WIRE-1", AgreementHash: make([]byte, 32)}))
	if got.Status != model.TokenFinanced || got.Holder != s.BankA.ID {
		t.Fatalf("after approve: %s held by %s", got.Status, got.Holder)
	}
	if ev := lastEvent(t, st); ev.Tokens[0].Bank != s.BankA.ID || ev.Actor != s.BankA.ID {
		t.Fatalf("approve event %+v", ev)
	}

	// Freeze and unfreeze M.
	must(r.Freeze(s.As(s.Operator), &model.TokenActionRequest{Token: M.ID, Reason: "court order 7"}))
	if got := must(r.GetToken(s.As(s.S1), M.ID)); got.Status != model.TokenFrozen {
		t.Fatalf("frozen token reads %s", got.Status)
	}
	if got := must(r.Unfreeze(s.As(s.Operator), &model.TokenActionRequest{Token: M.ID})); got.Status != model.TokenActive {
		t.Fatalf("unfrozen token is %s", got.Status)
	}

	// Provenance: root → A → X, root → B → B1 → M, B → B2.
	tree := must(r.Provenance(s.As(s.Regulator), s.Root))
	names := map[string]string{s.Root: "root", A.ID: "A", B.ID: "B", B1.ID: "B1", B2.ID: "B2", M.ID: "M", X.ID: "X"}
	if shape := renameShape(treeShape(tree), names); shape != "root(A(X),B(B1(M),B2))" {
		t.Fatalf("provenance %s", shape)
	}

	// Pagination: the core's seven tokens, two per page.
	var ids []string
	page := &model.PageRequest{Owner: s.Core.ID, PageSize: 2}
	for {
		p := must(r.TokensByIssuer(s.As(s.Regulator), page))
		for _, v := range p.Items {
			ids = append(ids, v.ID)
		}
		if p.Bookmark == "" {
			break
		}
		page.Bookmark = p.Bookmark
	}
	if len(ids) != 7 {
		t.Fatalf("paged %d tokens, want 7", len(ids))
	}
	held := must(r.TokensByHolder(s.As(s.S1), &model.PageRequest{Owner: s.S1.ID}))
	if len(held.Items) != 1 || held.Items[0].ID != M.ID {
		t.Fatalf("S1 holds %d tokens, want only M", len(held.Items))
	}

	// Past maturity, unpaid tokens read OVERDUE.
	s.Now = rulestest.Maturity.Add(48 * time.Hour)
	if got := must(r.GetToken(s.As(s.S1), M.ID)); got.Status != model.TokenOverdue || got.LedgerStatus != model.TokenActive {
		t.Fatalf("past maturity M reads %s (%s)", got.Status, got.LedgerStatus)
	}

	// Payment: the core pays X (to BankA) and M (to S1); both confirm.
	for _, p := range []struct {
		tok    string
		holder *rulestest.Party
	}{{X.ID, s.BankA}, {M.ID, s.S1}} {
		must(r.DeclarePayment(s.As(s.Core), &model.TokenActionRequest{Token: p.tok, Reason: "PAY-" + p.tok[:6]}))
		if got := must(r.ConfirmPayment(s.As(p.holder), &model.TokenActionRequest{Token: p.tok})); got.Status != model.TokenSettled {
			t.Fatalf("after confirm: %s", got.Status)
		}
	}
	if ev := lastEvent(t, st); len(ev.CreditLines) != 1 {
		t.Fatalf("the last confirmation should release the root: %+v", ev)
	}
	ex := must(r.GetCreditLine(s.As(s.BankA), s.Core.ID, s.BankA.ID, rulestest.Currency))
	if !pedersen.Identity().Equal(pedersen.FromElement(mustElement(ex.Outstanding))) || ex.Settled != 1 {
		t.Fatalf("credit line after settlement: settled %d, outstanding not zero", ex.Settled)
	}
	if got := must(r.GetToken(s.As(s.S1), M.ID)); got.Status != model.TokenSettled {
		t.Fatalf("settled token past maturity reads %s", got.Status)
	}
}

// TestInvoiceRejectAndRevoke covers the other invoice outcomes.
func TestInvoiceRejectAndRevoke(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	inv := must(r.RegisterInvoice(s.As(s.S2), s.InvoiceRequest(s.S2, "INV-R", rulestest.Opening(5))))
	if ev := lastEvent(t, s.State); ev.Invoices[0].Status != model.InvoiceRegistered {
		t.Fatalf("event %+v", ev)
	}
	if got := must(r.RejectInvoice(s.As(s.Core), &model.InvoiceActionRequest{Invoice: inv.ID, Reason: "not ours"})); got.Status != model.InvoiceRejected {
		t.Fatalf("rejected invoice is %s", got.Status)
	}
	inv = must(r.RegisterInvoice(s.As(s.S2), s.InvoiceRequest(s.S2, "INV-V", rulestest.Opening(6))))
	must(r.ConfirmInvoice(s.As(s.Core), &model.InvoiceActionRequest{Invoice: inv.ID, Fingerprint: inv.Fingerprint}))
	if got := must(r.RevokeInvoice(s.As(s.S2), &model.InvoiceActionRequest{Invoice: inv.ID})); got.Status != model.InvoiceRevoked {
		t.Fatalf("revoked invoice is %s", got.Status)
	}
	p := must(r.InvoicesBySupplier(s.As(s.S2), &model.PageRequest{Owner: s.S2.ID}))
	if len(p.Items) != 2 {
		t.Fatalf("S2 has %d invoices, want 2", len(p.Items))
	}
	if p := must(r.InvoicesByBuyer(s.As(s.Core), &model.PageRequest{Owner: s.Core.ID, PageSize: 3})); len(p.Items) != 3 || p.Bookmark == "" {
		t.Fatalf("core's first page: %d invoices, bookmark %q", len(p.Items), p.Bookmark)
	}
}

// TestSuspendAndReactivate: a suspended enterprise cannot act until
// reactivated.
func TestSuspendAndReactivate(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	must(r.SuspendEnterprise(s.As(s.Operator), s.S2.ID))
	expectRefused(t, s.State, model.ErrUnauthorized, func() (*model.Invoice, error) {
		return r.RegisterInvoice(s.As(s.S2), s.InvoiceRequest(s.S2, "INV-S", rulestest.Opening(1)))
	})
	must(r.ReactivateEnterprise(s.As(s.Operator), s.S2.ID))
	if e := must(r.Whoami(s.As(s.S2))); e.Status != model.EnterpriseActive {
		t.Fatalf("reactivated enterprise is %s", e.Status)
	}
}

package rules_test

import (
	"encoding/json"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// TestUsedInvoiceMarked: an issue leaves its invoices' records CONFIRMED
// and writes a small used marker beside each; GetInvoice shows them USED
// by the receivable, a second issue on one of them is a CONFLICT and the
// supplier can no longer revoke it. Without the marker (or a reader that
// ignored it) the invoice would back a second receivable.
func TestUsedInvoiceMarked(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	snap := s.State.Snapshot()
	for _, inv := range s.Invoices[:2] {
		var rec model.Invoice
		if err := json.Unmarshal(snap[rules.CompositeKey("tc.invoice", inv.ID)], &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Status != model.InvoiceConfirmed || rec.UsedBy != "" {
			t.Fatalf("invoice record rewritten by the issue: %s used by %q", rec.Status, rec.UsedBy)
		}
		if m := snap[rules.CompositeKey("tc.invoice.used", inv.ID)]; len(m) == 0 || len(m) > 80 {
			t.Fatalf("used marker %d bytes, want 1..80", len(m))
		}
		got := must(r.GetInvoice(s.As(s.S1), inv.ID))
		if got.Status != model.InvoiceUsed || got.UsedBy != s.Root {
			t.Fatalf("GetInvoice: %s used by %q, want USED by %s", got.Status, got.UsedBy, s.Root)
		}
	}
	page := must(r.InvoicesByBuyer(s.As(s.Core), &model.PageRequest{Owner: s.Core.ID, PageSize: 10}))
	used := 0
	for _, inv := range page.Items {
		if inv.Status == model.InvoiceUsed {
			used++
		}
	}
	if used != 2 {
		t.Fatalf("InvoicesByBuyer shows %d USED invoices, want 2", used)
	}

	again := s.IssueRequest(s.Outstanding, s.Invoices[1:], rulestest.Opening(1_500))
	expectRefused(t, s.State, model.ErrConflict, func() (*model.Token, error) { return r.Issue(s.As(s.Core), again) })
	expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Invoice, error) {
		return r.RevokeInvoice(s.As(s.S1), &model.InvoiceActionRequest{Invoice: s.Invoices[0].ID, Reason: "withdrawn"})
	})
	// The spare invoice, never used, still backs an issue.
	must(r.Issue(s.As(s.Core), s.IssueRequest(s.Outstanding, s.Invoices[2:], rulestest.Opening(1_500))))
}

// TestUsedInvoiceOldRecord: an invoice used before the marker existed was
// rewritten whole (USED, usedBy); it still reads so and backs nothing else.
func TestUsedInvoiceOldRecord(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	key := rules.CompositeKey("tc.invoice", s.Invoices[2].ID)
	var old model.Invoice
	if err := json.Unmarshal(s.State.Snapshot()[key], &old); err != nil {
		t.Fatal(err)
	}
	old.Status, old.UsedBy = model.InvoiceUsed, "tolderroot"
	s.State.Begin(rules.Identity{}, "rewrite-old", s.State.Now)
	if err := s.State.PutState(key, must(json.Marshal(old))); err != nil {
		t.Fatal(err)
	}
	got := must(r.GetInvoice(s.As(s.S1), s.Invoices[2].ID))
	if got.Status != model.InvoiceUsed || got.UsedBy != "tolderroot" {
		t.Fatalf("old used record reads %s by %q", got.Status, got.UsedBy)
	}
	req := s.IssueRequest(s.Outstanding, s.Invoices[2:], rulestest.Opening(1_500))
	expectRefused(t, s.State, model.ErrConflict, func() (*model.Token, error) { return r.Issue(s.As(s.Core), req) })
}

package api

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/audit"
)

// TestReconItemsLinkTheirToken: every reconciliation row names the token
// it is about and that token's receivable, so the regulator's page links
// each row to its provenance tree.
func TestReconItemsLinkTheirToken(t *testing.T) {
	minor := func(v uint64) audit.Amount { return audit.Amount{Minor: v, Status: audit.Reconciled} }
	snap := &audit.Snapshot{
		Tokens: []audit.TokenItem{
			{Token: model.Token{ID: "root1", Root: "root1"}, Amount: minor(100)},
			{Token: model.Token{ID: "piece1", Root: "root1"}, Amount: minor(40)},
		},
		Invoices: []audit.InvoiceItem{
			{Invoice: model.Invoice{ID: "inv-used", UsedBy: "root1"}, Amount: minor(100)},
			{Invoice: model.Invoice{ID: "inv-free"}, Amount: minor(7)},
		},
		Financing: []audit.FinancingItem{{Token: "piece1", Root: "root1", Advance: ptr(minor(35)), Fee: ptr(minor(1)),
			Resales: []audit.ResaleItem{{Price: minor(38)}}}},
	}
	got := reconItems(snap)
	want := []struct{ kind, id, token, root string }{
		{"token", "root1", "root1", "root1"},
		{"token", "piece1", "piece1", "root1"},
		{"invoice", "inv-used", "root1", "root1"},
		{"invoice", "inv-free", "", ""},
		{"advance", "piece1", "piece1", "root1"},
		{"fee", "piece1", "piece1", "root1"},
		{"price", "piece1", "piece1", "root1"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d items, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.kind || g.ID != w.id || g.Token != w.token || g.Root != w.root {
			t.Errorf("item %d = %s %s token %q root %q, want %s %s token %q root %q", i, g.Kind, g.ID, g.Token, g.Root, w.kind, w.id, w.token, w.root)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestOneHeightRefusal: a report refused because the ledger kept moving
// is a 503 UNAVAILABLE with Retry-After, and other errors pass through.
func TestOneHeightRefusal(t *testing.T) {
	moving := oneHeight(func(*gin.Context) error { return fmt.Errorf("snapshot: %w", audit.ErrLedgerMoving) })(nil)
	var p *problem.Problem
	if !errors.As(moving, &p) || p.Status != http.StatusServiceUnavailable || p.Code != problem.CodeUnavailable {
		t.Fatalf("%v, want 503 UNAVAILABLE", moving)
	}
	other := errors.New("other")
	if got := oneHeight(func(*gin.Context) error { return other })(nil); got != other {
		t.Fatalf("%v, want the handler's own error", got)
	}
}

package audit

import (
	"fmt"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
)

// TestReportsPerCurrency: a ledger with a CNY and a USD receivable gives
// one total per currency in every report, never one sum of both.
func TestReportsPerCurrency(t *testing.T) {
	maturity := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	tok := func(id, currency, holder string, v uint64) TokenItem {
		return TokenItem{Token: model.Token{ID: id, Root: id, Tier: 1, Issuer: "core", Bank: "bankA", Holder: holder,
			Currency: currency, Status: model.TokenActive, Maturity: maturity}, Amount: Amount{Minor: v, Status: Reconciled}}
	}
	snap := &Snapshot{
		Tokens: []TokenItem{tok("c1", "CNY", "s1", 1_000_000_00), tok("c2", "CNY", "bankB", 500_000_00),
			tok("u1", "USD", "s1", 120_000_00), {Token: model.Token{ID: "u2", Root: "u2", Issuer: "core", Bank: "bankA",
				Holder: "s2", Currency: "USD", Status: model.TokenActive, Maturity: maturity}, Amount: Amount{Status: Unopenable}}},
		roles: map[string]model.Role{"bankB": model.RoleBank, "s1": model.RoleSupplier, "s2": model.RoleSupplier},
	}

	od := snap.Overdue(maturity.AddDate(0, 0, 3))
	if len(od.Items) != 4 || len(od.Totals) != 2 {
		t.Fatalf("overdue: %+v", od)
	}
	if c, u := od.Totals[0], od.Totals[1]; c.Currency != "CNY" || c.Total != 1_500_000_00 || c.Items != 2 ||
		u.Currency != "USD" || u.Total != 120_000_00 || u.Items != 2 || u.Unopened != 1 {
		t.Errorf("overdue totals %+v", od.Totals)
	}
	for _, it := range od.Items {
		if it.Currency == "" {
			t.Errorf("overdue item without its currency: %+v", it)
		}
	}

	cr := snap.Concentration()
	if len(cr.Totals) != 2 {
		t.Fatalf("concentration: %+v", cr)
	}
	cny, usd := cr.Totals[0], cr.Totals[1]
	if cny.Currency != "CNY" || cny.ByCore.Total != 1_500_000_00 || cny.ByBank.Total != 500_000_00 || len(cny.ByHolder.Shares) != 2 {
		t.Errorf("CNY concentration %+v", cny)
	}
	if usd.Currency != "USD" || usd.ByCore.Total != 120_000_00 || usd.ByCore.Unopened != 1 || usd.ByBank.Total != 0 ||
		usd.ByCore.HHI != 10_000 {
		t.Errorf("USD concentration %+v", usd)
	}

	// One line per currency counts only the receivables in its currency
	// (these have no commitments: the sums are not reconciled here).
	lines := creditLines([]ledgerLine{
		{CreditLine: model.CreditLine{Core: "core", Bank: "bankA", Currency: "USD", Limit: 500_000_00}},
		{CreditLine: model.CreditLine{Core: "core", Bank: "bankA", Currency: "CNY", Limit: 5_000_000_00}},
	}, snap.Tokens)
	if len(lines) != 2 || lines[0].Currency != "CNY" || fmt.Sprint(lines[0].Roots) != "[c1 c2]" ||
		lines[1].Currency != "USD" || fmt.Sprint(lines[1].Roots) != "[u1 u2]" {
		t.Errorf("lines %+v", lines)
	}
}

package audit

import (
	"cmp"
	"slices"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
)

// OverdueItem is an unpaid token past its maturity.
type OverdueItem struct {
	Token        string            `json:"token"`
	Root         string            `json:"root"`
	Issuer       string            `json:"issuer"` // the core that owes it
	Holder       string            `json:"holder"`
	Bank         string            `json:"bank"`     // the credit line's bank
	Currency     string            `json:"currency"` // the amount's (ISO 4217; "" legacy)
	Tier         int               `json:"tier"`
	LedgerStatus model.TokenStatus `json:"ledgerStatus"` // ACTIVE, FINANCING or FINANCED
	Maturity     time.Time         `json:"maturity"`
	DaysOverdue  int               `json:"daysOverdue"` // whole days since maturity (0 on the first day)
	Amount       Amount            `json:"amount"`
}

// OverdueReport lists the tokens overdue at At, most overdue first, with
// their totals per currency (amounts of two currencies are never summed).
type OverdueReport struct {
	At     time.Time      `json:"at"`
	AsOf   AsOf           `json:"asOf"` // the snapshot's block height
	Items  []OverdueItem  `json:"items"`
	Totals []OverdueTotal `json:"totals"` // by currency
}

// OverdueTotal is the overdue sum of one currency: Total sums the known
// amounts; Unopened counts the items left out of it (UNOPENABLE).
type OverdueTotal struct {
	Currency string `json:"currency"` // ISO 4217; "" for legacy tokens
	Items    int    `json:"items"`
	Total    uint64 `json:"total"`
	Unopened int    `json:"unopened"`
	Overflow bool   `json:"overflow,omitempty"` // Total exceeds 2^64 − 1
}

// Overdue lists the tokens unpaid (ACTIVE, FINANCING, FINANCED on the
// ledger) whose maturity is before at: the chaincode's own OVERDUE rule,
// at a time of the caller's choosing.
func (s *Snapshot) Overdue(at time.Time) OverdueReport {
	r := OverdueReport{At: at, AsOf: s.AsOf, Items: []OverdueItem{}, Totals: []OverdueTotal{}}
	totals := map[string]*sum{}
	byCurrency := map[string]*OverdueTotal{}
	for _, t := range s.Tokens {
		if t.Token.EffectiveStatus(at) != model.TokenOverdue {
			continue
		}
		r.Items = append(r.Items, OverdueItem{
			Token: t.Token.ID, Root: t.Token.Root, Issuer: t.Token.Issuer, Holder: t.Token.Holder, Bank: t.Token.Bank,
			Currency: t.Token.Currency, Tier: t.Token.Tier, LedgerStatus: t.Token.Status, Maturity: t.Token.Maturity,
			DaysOverdue: daysOverdue(t.Token.Maturity, at), Amount: t.Amount,
		})
		c := t.Token.Currency
		if byCurrency[c] == nil {
			byCurrency[c], totals[c] = &OverdueTotal{Currency: c}, &sum{}
		}
		byCurrency[c].Items++
		if t.Amount.Known() {
			totals[c].add(t.Amount)
		} else {
			byCurrency[c].Unopened++
		}
	}
	for c, tot := range byCurrency {
		tot.Total, tot.Overflow = totals[c].v, totals[c].overflow
		r.Totals = append(r.Totals, *tot)
	}
	slices.SortFunc(r.Totals, func(a, b OverdueTotal) int { return cmp.Compare(a.Currency, b.Currency) })
	slices.SortFunc(r.Items, func(a, b OverdueItem) int {
		return cmp.Or(cmp.Compare(b.DaysOverdue, a.DaysOverdue), a.Maturity.Compare(b.Maturity), cmp.Compare(a.Token, b.Token))
	})
	return r
}

// daysOverdue is the number of whole days from maturity to at.
func daysOverdue(maturity, at time.Time) int {
	if !at.After(maturity) {
		return 0
	}
	return int(at.Sub(maturity) / (24 * time.Hour))
}

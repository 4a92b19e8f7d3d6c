package invoice

import (
	"time"
)

// Near-duplicate bounds: two invoices of one seller to one buyer whose
// amounts differ by at most NearAmountPermille ‰ of the larger and whose
// issue dates are at most NearDays apart are held for the buyer's review
// before either can be confirmed: the fingerprint keys only the seller,
// the buyer and the number, so an invoice re-filed under a new number (or
// a number retyped beyond what NumberKey folds) is caught here.
const (
	NearAmountPermille = 10 // 1 %
	NearDays           = 7
)

// NearDuplicate reports whether two filings look like one invoice filed
// twice: same seller and buyer, amounts within 1 % and issue dates within
// 7 days. Amounts are compared exactly in integers:
// |a − b| · 1000 ≤ 10 · max(a, b).
func NearDuplicate(a, b *Filing) bool {
	if a.SellerID != b.SellerID || a.BuyerID != b.BuyerID || a.Currency != b.Currency {
		return false
	}
	if a.AmountMinor <= 0 || b.AmountMinor <= 0 {
		return false
	}
	hi, lo := max(a.AmountMinor, b.AmountMinor), min(a.AmountMinor, b.AmountMinor)
	// diff·100 ≤ hi, in uint64: the first test bounds diff so that the
	// product cannot wrap.
	diff := uint64(hi - lo)
	if diff > uint64(hi)/(1000/NearAmountPermille)+1 || diff*(1000/NearAmountPermille) > uint64(hi) {
		return false
	}
	da, err1 := time.Parse(DateLayout, a.IssueDate)
	db, err2 := time.Parse(DateLayout, b.IssueDate)
	if err1 != nil || err2 != nil {
		return false
	}
	gap := da.Sub(db)
	if gap < 0 {
		gap = -gap
	}
	return gap <= NearDays*24*time.Hour
}

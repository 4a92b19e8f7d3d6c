package audit

import (
	"bytes"
	"cmp"
	"math/big"
	"slices"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// CreditLineItem is a bank's credit line for a core in one currency (its
// limit's and its receivables') with its outstanding
// sum opened: the sum of the amounts of the receivables issued against it
// and not yet settled (the roots the chaincode adds to the line's
// outstanding commitment and subtracts when the last piece is settled).
type CreditLineItem struct {
	Core     string    `json:"core"`
	Bank     string    `json:"bank"`
	Currency string    `json:"currency"` // ISO 4217; "" for a legacy line
	Limit    uint64    `json:"limit"`
	Expiry   time.Time `json:"expiry"`
	Expired  bool      `json:"expired"`
	Issued   uint64    `json:"issued"`
	Settled  uint64    `json:"settled"`
	// Outstanding is the opened sum: RECONCILED when every root was,
	// ENVELOPE_MISMATCH when one was opened through its handle,
	// UNOPENABLE when one could not be opened.
	Outstanding Amount   `json:"outstanding"`
	Roots       []string `json:"roots"` // the unsettled receivables counted
	// Headroom is Limit − Outstanding (0 when over or not known).
	Headroom uint64 `json:"headroom"`
	// Utilisation is Outstanding / Limit (0 when not known or no limit).
	Utilisation float64 `json:"utilisation"`
	// Consistent reports whether the ledger's outstanding commitment is
	// the sum of the counted roots' commitments. False is a finding (or a
	// transaction committed between two of the snapshot's queries).
	Consistent bool `json:"consistent"`
}

type ledgerLine struct {
	model.CreditLine
	expired bool
}

// unsettled reports the roots with at least one piece neither spent nor
// settled: those the chaincode still counts in a line's outstanding.
func unsettled(tokens []TokenItem) map[string]bool {
	open := map[string]bool{}
	for _, t := range tokens {
		if s := t.Token.Status; s != model.TokenSplit && s != model.TokenSettled {
			open[t.Token.Root] = true
		}
	}
	return open
}

func creditLines(lines []ledgerLine, tokens []TokenItem) []CreditLineItem {
	open := unsettled(tokens)
	out := make([]CreditLineItem, 0, len(lines))
	for _, l := range lines {
		it := CreditLineItem{Core: l.Core, Bank: l.Bank, Currency: l.Currency, Limit: l.Limit, Expiry: l.Expiry, Expired: l.expired,
			Issued: l.Issued, Settled: l.Settled, Roots: []string{}}
		var total sum
		worst := Reconciled
		commitments := pedersen.Identity()
		for _, t := range tokens {
			if t.Token.ID != t.Token.Root || t.Token.Issuer != l.Core || t.Token.Bank != l.Bank ||
				t.Token.Currency != l.Currency || !open[t.Token.ID] {
				continue
			}
			it.Roots = append(it.Roots, t.Token.ID)
			total.add(t.Amount)
			worst = worse(worst, t.Amount.Status)
			if c, err := pedersen.DecodeCommitment(t.Token.Commitment); err == nil {
				commitments.Add(commitments, c)
			} else {
				worst = Unopenable
			}
		}
		it.Consistent = outstandingMatches(l.Outstanding, commitments)
		switch {
		case worst == Unopenable || total.unknown || total.overflow:
			it.Outstanding = Amount{Status: Unopenable}
		default:
			it.Outstanding = Amount{Minor: total.v, Status: worst}
			if total.v <= l.Limit {
				it.Headroom = l.Limit - total.v
			}
			if l.Limit > 0 {
				it.Utilisation, _ = new(big.Rat).SetFrac(new(big.Int).SetUint64(total.v), new(big.Int).SetUint64(l.Limit)).Float64()
			}
		}
		out = append(out, it)
	}
	slices.SortFunc(out, func(a, b CreditLineItem) int {
		return cmp.Or(cmp.Compare(a.Core, b.Core), cmp.Compare(a.Bank, b.Bank), cmp.Compare(a.Currency, b.Currency))
	})
	return out
}

// outstandingMatches compares the ledger's outstanding element (the
// identity when nothing is outstanding) with a sum of commitments.
func outstandingMatches(ledger []byte, sum *pedersen.Commitment) bool {
	e, err := group.NewIdentity().SetCanonicalBytes(ledger)
	if err != nil {
		return len(ledger) == 0 && sum.Element().IsIdentity()
	}
	return bytes.Equal(e.Bytes(), sum.Bytes())
}

// worse returns the worse of two statuses.
func worse(a, b Status) Status {
	rank := func(s Status) int { return slices.Index([]Status{Reconciled, EnvelopeMismatch, Unopenable}, s) }
	if rank(b) > rank(a) {
		return b
	}
	return a
}

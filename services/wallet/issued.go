package wallet

import (
	"context"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// readRoots reads every token of the receivables a core issued and returns
// the roots, each with its IssuerEnvelope. A root is live (counts in its
// credit line's outstanding) until its receivable has no token left that
// is neither spent nor settled: the chaincode releases the root commitment
// when the last open leaf is confirmed.
func (w *Wallet) readRoots(ctx context.Context, l Ledger, coreID string) ([]sealedItem, error) {
	tokens, err := listAll[model.TokenView](ctx, l, w.cfg.Contract, "TokensByIssuer", coreID, w.cfg.PageSize)
	if err != nil {
		return nil, err
	}
	open := map[string]bool{}
	for _, t := range tokens {
		if t.LedgerStatus != model.TokenSplit && t.LedgerStatus != model.TokenSettled {
			open[t.Root] = true
		}
	}
	var out []sealedItem
	for _, t := range tokens {
		if t.ID != t.Root || t.Issuer != coreID {
			continue
		}
		it, ok := tokenItem(kindRoot, &t, t.IssuerEnvelope, protocol.PurposeIssuer, "")
		if !ok {
			continue
		}
		it.live = open[t.Root]
		out = append(out, it)
	}
	return out, nil
}

// OutstandingOpening returns the opening of a credit line's outstanding
// sum: the sum of the openings of the core's unsettled roots issued
// against the bank's line, as of the core's last Sync. It checks the sum
// against the line's outstanding element on the ledger; when they differ
// (a root issued or settled since the last Sync) it syncs once and checks
// again, and then refuses with ErrCommitmentMismatch.
//
// The line is the bank's in currency (ISO 4217; "" for a legacy line), and
// the sum counts only the roots issued in that currency.
func (w *Wallet) OutstandingOpening(ctx context.Context, coreID, bankID, currency string, l Ledger) (pedersen.Opening, *model.CreditLine, error) {
	if err := validEnterprise(bankID); err != nil {
		return pedersen.Opening{}, nil, err
	}
	line, err := evaluate[model.CreditLine](ctx, l, w.cfg.Contract, "GetCreditLine", coreID, bankID, currency)
	if err != nil {
		return pedersen.Opening{}, nil, err
	}
	ledgerSum, err := group.NewIdentity().SetCanonicalBytes(line.Outstanding)
	if err != nil {
		return pedersen.Opening{}, nil, ErrCommitmentMismatch.with("credit line " + coreID + "/" + bankID + ": malformed outstanding")
	}
	for attempt := 0; ; attempt++ {
		o, err := w.outstandingSum(ctx, coreID, bankID, currency)
		if err != nil {
			return pedersen.Opening{}, nil, err
		}
		if o.Commitment().Element().Equal(ledgerSum) == 1 {
			return o, line, nil
		}
		if attempt == 1 {
			return pedersen.Opening{}, nil, ErrCommitmentMismatch.with("credit line " + coreID + "/" + bankID + ": outstanding")
		}
		if _, err := w.Sync(ctx, coreID, l); err != nil {
			return pedersen.Opening{}, nil, err
		}
	}
}

// outstandingSum adds the stored openings of the core's live roots of the
// bank's line. Sums wrap modulo the group order like the commitments do;
// a sum past 2^64 cannot be a real outstanding and is refused.
func (w *Wallet) outstandingSum(ctx context.Context, coreID, bankID, currency string) (pedersen.Opening, error) {
	rs, err := w.records(ctx, coreID, kindRoot, true)
	if err != nil {
		return pedersen.Opening{}, err
	}
	sum := pedersen.Opening{Value: 0, Blinding: group.NewScalar()}
	for _, r := range rs {
		if r.bank != bankID || r.currency != currency {
			continue
		}
		o, err := w.openRecord(coreID, r)
		if err != nil {
			return pedersen.Opening{}, err
		}
		if sum.Value+o.Value < sum.Value {
			return pedersen.Opening{}, ErrCommitmentMismatch.with("credit line " + coreID + "/" + bankID + ": outstanding exceeds 2^64")
		}
		sum.Value += o.Value
		sum.Blinding.Add(sum.Blinding, o.Blinding)
	}
	return sum, nil
}

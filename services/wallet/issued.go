package wallet

import (
	"bytes"
	"context"
	"errors"

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
	return w.issuedRoots(ctx, l, coreID, func(t *model.TokenView) ([]byte, string, bool) {
		return t.IssuerEnvelope, protocol.PurposeIssuer, true
	})
}

// readLineRoots reads, for a bank, the roots issued against its credit
// lines that carry a BankEnvelope, core by core (every registered core
// enterprise), each with that envelope. Liveness is the core's: a root
// counts in the line's use until its receivable is settled.
func (w *Wallet) readLineRoots(ctx context.Context, l Ledger, bankID string) ([]sealedItem, error) {
	cores, err := listAll[model.Enterprise](ctx, l, w.cfg.Contract, "Enterprises", string(model.RoleCore), w.cfg.PageSize)
	if err != nil {
		return nil, err
	}
	var out []sealedItem
	for _, core := range cores {
		got, err := w.issuedRoots(ctx, l, core.ID, func(t *model.TokenView) ([]byte, string, bool) {
			return t.BankEnvelope, protocol.PurposeLineBank, t.Bank == bankID && len(t.BankEnvelope) > 0
		})
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// lineRoots reads the roots of a core for which pick reports ok, each with
// whether it is live (see readRoots).
func (w *Wallet) lineRoots(ctx context.Context, l Ledger, coreID string) ([]model.TokenView, map[string]bool, error) {
	tokens, err := listAll[model.TokenView](ctx, l, w.cfg.Contract, "TokensByIssuer", coreID, w.cfg.PageSize)
	if err != nil {
		return nil, nil, err
	}
	open := map[string]bool{}
	var roots []model.TokenView
	for _, t := range tokens {
		if t.LedgerStatus != model.TokenSplit && t.LedgerStatus != model.TokenSettled {
			open[t.Root] = true
		}
		if t.ID == t.Root && t.Issuer == coreID {
			roots = append(roots, t)
		}
	}
	return roots, open, nil
}

func (w *Wallet) issuedRoots(ctx context.Context, l Ledger, coreID string, pick func(*model.TokenView) ([]byte, string, bool)) ([]sealedItem, error) {
	roots, open, err := w.lineRoots(ctx, l, coreID)
	if err != nil {
		return nil, err
	}
	var out []sealedItem
	for i := range roots {
		env, purpose, ok := pick(&roots[i])
		if !ok {
			continue
		}
		it, ok := tokenItem(kindRoot, &roots[i], env, purpose, "")
		if !ok {
			continue
		}
		it.live = open[roots[i].Root]
		out = append(out, it)
	}
	return out, nil
}

// LineUsage is how much of a credit line its bank sees used: the sum of
// the unsettled roots issued against the line that the bank opened
// (Used), and how many unsettled roots it could not open (Sealed: issued
// without a bank envelope, or with one that lied). Sealed > 0 makes Used
// a lower bound.
type LineUsage struct {
	Used   uint64
	Roots  int // unsettled roots counted in Used
	Sealed int
}

// LineUsage sums, for the bank, the openings of the core's unsettled
// roots issued against its line in currency, as of the bank's last Sync,
// each checked against the ledger's commitment. A root without a stored
// opening counts as Sealed.
func (w *Wallet) LineUsage(ctx context.Context, bankID, coreID, currency string, l Ledger) (LineUsage, error) {
	var u LineUsage
	if err := validEnterprise(coreID); err != nil {
		return u, err
	}
	roots, open, err := w.lineRoots(ctx, l, coreID)
	if err != nil {
		return u, err
	}
	for _, t := range roots {
		if t.Bank != bankID || t.Currency != currency || !open[t.Root] {
			continue
		}
		r, err := w.record(ctx, bankID, kindRoot, t.ID)
		if errors.Is(err, ErrNotFound) || (err == nil && !bytes.Equal(r.commitment, t.Commitment)) {
			u.Sealed++
			continue
		}
		if err != nil {
			return LineUsage{}, err
		}
		o, err := w.openRecord(bankID, r)
		if err != nil {
			return LineUsage{}, err
		}
		if u.Used+o.Value < u.Used {
			return LineUsage{}, ErrCommitmentMismatch.With("credit line " + coreID + "/" + bankID + ": use exceeds 2^64")
		}
		u.Used += o.Value
		u.Roots++
	}
	return u, nil
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
		return pedersen.Opening{}, nil, ErrCommitmentMismatch.With("credit line " + coreID + "/" + bankID + ": malformed outstanding")
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
			return pedersen.Opening{}, nil, ErrCommitmentMismatch.With("credit line " + coreID + "/" + bankID + ": outstanding")
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
			return pedersen.Opening{}, ErrCommitmentMismatch.With("credit line " + coreID + "/" + bankID + ": outstanding exceeds 2^64")
		}
		sum.Value += o.Value
		sum.Blinding.Add(sum.Blinding, o.Blinding)
	}
	return sum, nil
}

package audit

import (
	"cmp"
	"context"
	"log/slog"
	"slices"

	"github.com/tierchain/tierchain/chaincode/model"
)

// fnDisputes is the chaincode query of every dispute.
const fnDisputes = "Disputes"

// DisputeItem is a holder's dispute as the regulator reconciles it: the
// ledger's record (token, holder, the sender the ledger names) and the
// token's amount as the regulator opened it itself, through its own
// envelope or, when that is bad too, the verified audit handle.
type DisputeItem struct {
	Dispute model.Dispute `json:"dispute"`
	Amount  Amount        `json:"amount"`
	// RegulatorEnvelopeBad reports that the sender's envelope to the
	// regulator did not reconcile either (Amount.Envelope says how): the
	// sender sealed at least one lie, whatever the holder's claim.
	RegulatorEnvelopeBad bool `json:"regulatorEnvelopeBad"`
}

// LogValue names the token and the parties, never the amount.
func (d DisputeItem) LogValue() slog.Value {
	return slog.GroupValue(slog.String("token", d.Dispute.Token), slog.String("holder", d.Dispute.Holder),
		slog.String("sender", d.Dispute.Sender), slog.Any("amount", d.Amount))
}

// disputes lists every dispute on the ledger.
func (r reader) disputes(ctx context.Context) ([]model.Dispute, error) {
	return all[model.Dispute](ctx, r, fnDisputes, "")
}

// reconcileDisputes pairs each dispute with its token's opened amount
// (tokens: the snapshot's, every token on the ledger), by filing time.
func reconcileDisputes(ds []model.Dispute, tokens []TokenItem) []DisputeItem {
	byID := make(map[string]*TokenItem, len(tokens))
	for i := range tokens {
		byID[tokens[i].Token.ID] = &tokens[i]
	}
	out := make([]DisputeItem, 0, len(ds))
	for _, d := range ds {
		it := DisputeItem{Dispute: d, Amount: Amount{Status: Unopenable, Unopened: Malformed}}
		if t, ok := byID[d.Token]; ok {
			it.Amount = t.Amount
		}
		it.RegulatorEnvelopeBad = it.Amount.Status != Reconciled
		out = append(out, it)
	}
	slices.SortFunc(out, func(a, b DisputeItem) int {
		return cmp.Or(a.Dispute.FiledAt.Compare(b.Dispute.FiledAt), cmp.Compare(a.Dispute.Token, b.Dispute.Token))
	})
	return out
}

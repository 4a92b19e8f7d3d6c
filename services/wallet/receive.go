package wallet

import (
	"context"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/envelope"
)

// Receive opens and stores the openings of tokens a transaction just gave
// the enterprise (a split's change, as the chaincode returned it), without
// reading the ledger: the next spend of them needs no Sync. Tokens held by
// others are skipped; an envelope that does not open to its token's
// commitment is refused in the report and nothing is stored for it.
// Unlike Sync it marks nothing else as spent: a Sync later refreshes that.
func (w *Wallet) Receive(ctx context.Context, enterpriseID string, tokens []model.Token) (*SyncReport, error) {
	key, err := w.privateKey(ctx, enterpriseID)
	if err != nil {
		return nil, err
	}
	report := &SyncReport{At: w.cfg.Now()}
	var fresh []*record
	for i := range tokens {
		t := &tokens[i]
		if t.Holder != enterpriseID || t.Financing != nil {
			continue
		}
		view := t.View(w.cfg.Now())
		it, ok := tokenItem(kindToken, &view, t.HolderEnvelope, protocol.PurposeHolder, "")
		if !ok {
			report.Refused = append(report.Refused, Refusal{Kind: kindToken, ID: t.ID, Err: ErrCommitmentMismatch.with("malformed commitment")})
			continue
		}
		o, err := envelope.Open(key, it.envelope, it.binding)
		if err != nil || !o.Opens(it.binding.Commitment) {
			report.Refused = append(report.Refused, Refusal{Kind: kindToken, ID: t.ID, Err: ErrCommitmentMismatch.with("envelope does not open to the token's commitment")})
			continue
		}
		if it.sealed, err = w.sealOpening(enterpriseID, it.kind, it.id, it.commitment, o); err != nil {
			return nil, err
		}
		fresh = append(fresh, &it.record)
	}
	if len(fresh) > 0 {
		if err := w.store(ctx, enterpriseID, nil, fresh, nil); err != nil {
			return nil, err
		}
	}
	report.Opened = len(fresh)
	return report, nil
}

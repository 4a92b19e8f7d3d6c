package wallet

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/envelope"
)

// Receive opens and stores the openings of tokens a transaction just gave
// the enterprise (a split's change, as the chaincode returned it), without
// reading the ledger: the next spend of them needs no Sync. Tokens held by
// others are skipped; an envelope that does not open to its token's
// commitment is refused in the report, no opening is stored for it, and it
// is recorded as bad (SyncReport.Bad) with its sender, which l (nil: not
// named) names for a split's output. Unlike Sync it marks nothing else as
// spent: a Sync later refreshes that.
func (w *Wallet) Receive(ctx context.Context, enterpriseID string, l Ledger, tokens []model.Token) (*SyncReport, error) {
	key, err := w.privateKey(ctx, enterpriseID)
	if err != nil {
		return nil, err
	}
	known, err := w.knownBad(ctx, enterpriseID)
	if err != nil {
		return nil, err
	}
	report := &SyncReport{At: w.cfg.Now()}
	var fresh []*record
	var bad []badItem
	for i := range tokens {
		t := &tokens[i]
		if t.Holder != enterpriseID || t.Financing != nil {
			continue
		}
		view := t.View(w.cfg.Now())
		it, ok := tokenItem(kindToken, &view, t.HolderEnvelope, protocol.PurposeHolder, "")
		if !ok {
			report.Refused = append(report.Refused, Refusal{Kind: kindToken, ID: t.ID, Err: ErrCommitmentMismatch.With("malformed commitment")})
			continue
		}
		if h, ok := known[kindToken+"\x00"+t.ID]; ok && bytes.Equal(h, envelopeHash(it.envelope)) {
			report.KnownBad++
			continue
		}
		o, err := envelope.Open(key, it.envelope, it.binding)
		if err != nil {
			report.Refused = append(report.Refused, Refusal{Kind: kindToken, ID: t.ID, Err: ErrCommitmentMismatch.With("envelope does not open to the token's commitment")})
			bad = append(bad, badItem{it: &it, reason: reasonOf(err)})
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
	if report.Bad, err = w.recordBad(ctx, enterpriseID, l, bad); err != nil {
		return nil, err
	}
	report.Opened = len(fresh)
	return report, nil
}

// ReceiveHosted is Receive for every holder among tokens that the wallet
// has a key for: a split's change for its spender and, when the gateway
// hosts the payee too, the payment. Each envelope is opened with its
// holder's key and checked against the commitment, exactly as Receive does;
// the gateway's receipt check then finds the openings held and reads
// nothing from the ledger (ReceiveToken). Holders without a key here are
// skipped (their own gateways receive them). The reports are by holder.
func (w *Wallet) ReceiveHosted(ctx context.Context, l Ledger, tokens []model.Token) (map[string]*SyncReport, error) {
	reports := map[string]*SyncReport{}
	seen := map[string]bool{}
	var errs []error
	for _, t := range tokens {
		if seen[t.Holder] || validEnterprise(t.Holder) != nil {
			continue
		}
		seen[t.Holder] = true
		rep, err := w.Receive(ctx, t.Holder, l, tokens)
		switch {
		case errors.Is(err, ErrNoKey): // not hosted here
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", t.Holder, err))
		default:
			reports[t.Holder] = rep
		}
	}
	return reports, errors.Join(errs...)
}

// ReceiveToken opens one token the enterprise holds, as the ledger has it
// (one GetToken): what a spend of a token received since the last Sync
// needs, where Sync would list every holding. A token held by another, or
// under financing, opens nothing (SyncReport.Opened 0). A token whose
// opening the wallet holds already (a split's change, stored by Receive from
// the transaction's result) is not read again: SyncReport.Kept 1, no ledger
// call. A token's commitment never changes, so the stored opening stays
// right; the gateway's receipt check, which sees every token a split
// creates, would otherwise evaluate GetToken for the change it just stored.
func (w *Wallet) ReceiveToken(ctx context.Context, enterpriseID string, l Ledger, tokenID string) (*SyncReport, error) {
	if err := model.ValidateID("token", tokenID); err != nil {
		return nil, ErrInvalidArgument.With("token ID")
	}
	switch _, err := w.record(ctx, enterpriseID, kindToken, tokenID); {
	case err == nil:
		return &SyncReport{Kept: 1, At: w.cfg.Now()}, nil
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	v, err := evaluate[model.TokenView](ctx, l, w.cfg.Contract, "GetToken", tokenID)
	if err != nil {
		return nil, err
	}
	t := v.Token
	if v.LedgerStatus != "" {
		t.Status = v.LedgerStatus // the stored status, not the one derived at the query's time
	}
	return w.Receive(ctx, enterpriseID, l, []model.Token{t})
}

package wallet

import (
	"context"
	"errors"
	"fmt"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// bankEnvelopeTokenID is the token ID a financing's bank envelope is bound
// to: the token's own for a request without terms, none (the commitment
// alone) for one with terms, whose piece may be split off in the request's
// transaction and so has no ID when the envelope is sealed.
func bankEnvelopeTokenID(t *model.TokenView) string {
	if t.Financing != nil && (t.Financing.Terms != nil || t.Financing.Quote != nil) {
		return ""
	}
	return t.ID
}

// TermFinanceSpec is a holder's request for financing with terms: the
// bank's terms and fee (from its quote) and, for a partial financing, the
// piece to finance (0: the whole token).
type TermFinanceSpec struct {
	Holder  string
	Token   string
	Bank    protocol.Recipient
	Auditor protocol.Auditor
	Terms   terms.Terms
	Fee     uint64
	Piece   uint64
}

// Quote is what a financing with terms would pay the holder, against the
// channel's policy cap.
type Quote struct {
	Advance      terms.Advance
	MaxAdvanceBP int64
	WithinCap    bool
}

// termInputs loads what a financing of s needs: the holder's key, the
// token and its opening (spendable by the holder), the face financed and
// the channel's policy.
func (w *Wallet) termInputs(ctx context.Context, l Ledger, s TermFinanceSpec) (*envelope.PublicKey, *model.TokenView, pedersen.Opening, uint64, *model.FinancingPolicy, error) {
	self, err := w.PublicKey(ctx, s.Holder)
	if err != nil {
		return nil, nil, pedersen.Opening{}, 0, nil, err
	}
	t, o, err := w.spendable(ctx, l, s.Holder, s.Token)
	if err != nil {
		return nil, nil, pedersen.Opening{}, 0, nil, err
	}
	face := o.Value
	if s.Piece != 0 {
		if s.Piece >= o.Value {
			return nil, nil, pedersen.Opening{}, 0, nil, ErrInvalidArgument.With(fmt.Sprintf("the piece must be less than the token's value %d", o.Value))
		}
		face = s.Piece
	}
	policy, err := evaluate[model.FinancingPolicy](ctx, l, w.cfg.Contract, "GetFinancingPolicy")
	if err != nil {
		return nil, nil, pedersen.Opening{}, 0, nil, err
	}
	return self, t, o, face, policy, nil
}

// QuoteTermFinance returns the advance the terms of s would pay the holder
// for its token (or the piece), by the terms' one rounding rule, and
// whether the channel's cap allows it. It submits nothing. Terms the
// arithmetic refuses are ErrInvalidArgument.
func (w *Wallet) QuoteTermFinance(ctx context.Context, l Ledger, s TermFinanceSpec) (*Quote, error) {
	_, t, _, face, policy, err := w.termInputs(ctx, l, s)
	if err != nil {
		return nil, err
	}
	adv, err := terms.Compute(&s.Terms, face, s.Fee, t.Maturity)
	if err != nil {
		return nil, ErrInvalidArgument.With("terms: " + err.Error())
	}
	ok, err := terms.WithinCap(policy.MaxAdvanceBP, face, adv.Advance)
	return &Quote{Advance: adv, MaxAdvanceBP: policy.MaxAdvanceBP, WithinCap: ok && err == nil}, nil
}

// BuildTermFinance returns a TermFinanceRequest for the holder's token
// and the advance it will receive, computed by the terms' one rounding
// rule and proven to the chaincode against the channel's policy cap (read
// from the ledger). Terms the arithmetic refuses, a piece not below the
// token's value and an advance above the cap are ErrInvalidArgument.
func (w *Wallet) BuildTermFinance(ctx context.Context, l Ledger, s TermFinanceSpec) (*model.TermFinanceRequest, terms.Advance, error) {
	var none terms.Advance
	self, t, o, _, policy, err := w.termInputs(ctx, l, s)
	if err != nil {
		return nil, none, err
	}
	req, adv, err := protocol.BuildTermFinance(w.cfg.Context, protocol.FinanceInput{
		Requester: protocol.Recipient{ID: s.Holder, Key: self}, Bank: s.Bank,
		Token: protocol.OpenedToken{ID: t.ID, Currency: t.Currency, Opening: o}, Maturity: t.Maturity, Terms: s.Terms,
		MaxAdvanceBP: policy.MaxAdvanceBP, Fee: s.Fee, Piece: s.Piece,
	}, s.Auditor, w.random)
	if err != nil {
		if errors.Is(err, model.ErrInvalidArgument) {
			return nil, none, ErrInvalidArgument.With(err.Error())
		}
		return nil, none, err
	}
	financed := t.Commitment // the piece's, for a partial financing
	if req.Partial != nil {
		financed = req.Partial.Outputs[0].Commitment
	}
	if req.Refs, err = w.sealRefsTo(ctx, s.Holder, t.Root, s.Bank, financed); err != nil {
		return nil, none, err
	}
	return req, adv, req.Validate()
}

// FinancingAmounts are a financing's amounts as the holder that requested
// it or its bank opens them from the ledger, with the terms' own figures
// for the same face, so either side sees that the advance is the terms'.
type FinancingAmounts struct {
	Terms        terms.Terms
	MaxAdvanceBP int64 // the cap the advance was proven against
	Face         uint64
	Advance      uint64
	Fee          uint64
	Quote        terms.Advance // Compute(Terms, Face, Fee, maturity)
}

// OpenFinancing opens the face, advance and fee of a token's financing
// with terms for enterpriseID, which must be its requester or its bank:
// the requester opens the holder envelopes, the bank the bank envelopes.
// A token without terms, or an envelope that does not open to its
// commitment, is ErrNotFound or ErrCommitmentMismatch.
func (w *Wallet) OpenFinancing(ctx context.Context, enterpriseID string, t *model.TokenView) (*FinancingAmounts, error) {
	if t.Financing == nil || (t.Financing.Terms == nil && t.Financing.Quote == nil) {
		return nil, ErrNotFound.With("token " + t.ID + " has no financing with terms")
	}
	fin := t.Financing
	advance, fee := fin.Amounts()
	var asBank bool
	switch enterpriseID {
	case fin.Bank:
		asBank = true
	case fin.Requester:
	default:
		return nil, ErrNotFound.With("the financing of token " + t.ID + " is not addressed to " + enterpriseID)
	}
	key, err := w.privateKey(ctx, enterpriseID)
	if err != nil {
		return nil, err
	}
	open := func(env, commitment []byte, purpose, tokenID string) (uint64, error) {
		c, err := pedersen.DecodeCommitment(commitment)
		if err != nil {
			return 0, ErrCommitmentMismatch.With("token " + t.ID)
		}
		o, err := envelope.Open(key, env, envelope.Binding{Commitment: c, Purpose: purpose, TokenID: tokenID})
		if err != nil {
			return 0, ErrCommitmentMismatch.With(purpose + " envelope of token " + t.ID)
		}
		return o.Value, nil
	}
	out := &FinancingAmounts{}
	if fin.Terms != nil {
		out.Terms, out.MaxAdvanceBP = fin.Terms.Terms, fin.Terms.MaxAdvanceBP
	} else {
		sealed := fin.Quote.HolderSealedTerms
		if asBank {
			sealed = fin.Quote.BankSealedTerms
		}
		qt, err := protocol.OpenQuoteTerms(key, fin.Quoted(), sealed)
		if err != nil {
			return nil, ErrCommitmentMismatch.With("token " + t.ID + ": " + err.Error())
		}
		out.Terms, out.MaxAdvanceBP = qt.Terms, fin.Quote.MaxAdvanceBP
	}
	pick := func(a *model.SealedAmount) []byte {
		if asBank {
			return a.BankEnvelope
		}
		return a.HolderEnvelope
	}
	if asBank {
		out.Face, err = open(fin.BankEnvelope, t.Commitment, protocol.PurposeBank, "")
	} else {
		out.Face, err = open(t.HolderEnvelope, t.Commitment, protocol.PurposeHolder, "")
	}
	if err != nil {
		return nil, err
	}
	if out.Advance, err = open(pick(advance), advance.Commitment, protocol.PurposeAdvance, ""); err != nil {
		return nil, err
	}
	if out.Fee, err = open(pick(fee), fee.Commitment, protocol.PurposeFee, ""); err != nil {
		return nil, err
	}
	if out.Quote, err = terms.Compute(&out.Terms, out.Face, out.Fee, t.Maturity); err != nil {
		return nil, ErrCommitmentMismatch.With("token " + t.ID + ": " + err.Error())
	}
	return out, nil
}

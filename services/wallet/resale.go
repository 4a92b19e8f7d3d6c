package wallet

import (
	"bytes"
	"context"
	"errors"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// ResaleSpec is a bank's offer to sell a financed piece it holds.
type ResaleSpec struct {
	Seller  string
	Token   string
	Buyer   protocol.Recipient
	Auditor protocol.Auditor
	Price   uint64
}

// BuildResale returns the selling bank's offer: the piece's face opening
// (from the seller's wallet) sealed to the buyer and the price committed
// and proven at most the face. A price above the face is
// ErrInvalidArgument; a piece the seller does not hold FINANCED is
// ErrNotSpendable.
func (w *Wallet) BuildResale(ctx context.Context, l Ledger, s ResaleSpec) (*model.OfferResaleRequest, error) {
	r, err := w.record(ctx, s.Seller, kindToken, s.Token)
	if err != nil {
		return nil, err
	}
	o, err := w.openRecord(s.Seller, r)
	if err != nil {
		return nil, err
	}
	t, err := evaluate[model.TokenView](ctx, l, w.cfg.Contract, "GetToken", s.Token)
	if err != nil {
		return nil, err
	}
	switch {
	case t.Holder != s.Seller:
		return nil, ErrNotSpendable.With("token " + s.Token + " is not held by " + s.Seller)
	case t.Status != model.TokenFinanced:
		return nil, ErrNotSpendable.With("token " + s.Token + " is " + string(t.Status))
	case !bytes.Equal(t.Commitment, r.commitment):
		return nil, ErrCommitmentMismatch.With("token " + s.Token)
	}
	self, err := w.PublicKey(ctx, s.Seller)
	if err != nil {
		return nil, err
	}
	req, err := protocol.BuildResale(w.cfg.Context, protocol.ResaleInput{Token: protocol.OpenedToken{ID: t.ID, Currency: t.Currency, Opening: o},
		Seller: protocol.Recipient{ID: s.Seller, Key: self}, Buyer: s.Buyer, Price: s.Price}, s.Auditor, w.random)
	if err != nil {
		if errors.Is(err, model.ErrInvalidArgument) {
			return nil, ErrInvalidArgument.With(err.Error())
		}
		return nil, err
	}
	if req.Refs, err = w.sealResaleRefs(ctx, s.Seller, t, s.Buyer); err != nil {
		return nil, err
	}
	return req, req.Validate()
}

// sealResaleRefs seals the invoice numbers the selling bank holds for the
// piece (heldBankRefs) to the buyer, bound to the piece's commitment; nil
// when it holds none (a legacy piece).
func (w *Wallet) sealResaleRefs(ctx context.Context, seller string, t *model.TokenView, buyer protocol.Recipient) ([]byte, error) {
	refs, err := w.heldBankRefs(ctx, seller, t)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c, err := pedersen.DecodeCommitment(t.Commitment)
	if err != nil {
		return nil, ErrCommitmentMismatch.With("token " + t.ID)
	}
	return protocol.SealInvoiceRefs(buyer, c, refs, w.random)
}

// ResaleAmounts are a resale offer's face and price as the seller or the
// buyer opens them.
type ResaleAmounts struct {
	Face  uint64
	Price uint64
}

// OpenResale opens the pending offer on t for enterpriseID, its seller or
// its buyer.
func (w *Wallet) OpenResale(ctx context.Context, enterpriseID string, t *model.TokenView) (*ResaleAmounts, error) {
	rs := t.Resale
	if rs == nil || (enterpriseID != rs.Seller && enterpriseID != rs.Buyer) {
		return nil, ErrNotFound.With("token " + t.ID + " has no resale offer addressed to " + enterpriseID)
	}
	key, err := w.privateKey(ctx, enterpriseID)
	if err != nil {
		return nil, err
	}
	open := func(env, commitment []byte, purpose string) (uint64, error) {
		o, err := openBound(key, commitment, env, purpose, "token "+t.ID, purpose+" envelope of token "+t.ID)
		return o.Value, err
	}
	out := &ResaleAmounts{}
	priceEnv := rs.Price.HolderEnvelope
	if enterpriseID == rs.Buyer {
		priceEnv = rs.Price.BankEnvelope
		if out.Face, err = open(rs.BankEnvelope, t.Commitment, protocol.PurposeBank); err != nil {
			return nil, err
		}
	} else if o, err := w.TokenOpening(ctx, enterpriseID, t.ID); err == nil {
		out.Face = o.Value
	}
	if out.Price, err = open(priceEnv, rs.Price.Commitment, protocol.PurposePrice); err != nil {
		return nil, err
	}
	return out, nil
}

package rules

import (
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
)

// OfferResale is the holding bank's offer to sell a FINANCED piece to
// another bank (forfaiting) at a confidential price proven 0 ≤ price ≤
// face, with the face's opening sealed to the buyer. The piece stays the
// seller's until the buyer accepts; one offer at a time.
func (r *Rules) OfferResale(st State, req *model.OfferResaleRequest) (*model.Token, error) {
	tx, t, err := r.beginTokenWrite(st, protocol.KindOfferResale, req, req.Token, model.RoleBank)
	if err != nil {
		return nil, err
	}
	if t.Holder != tx.caller.ID {
		return nil, denied("token %s is not held by %s", t.ID, tx.caller.ID)
	}
	if s := t.EffectiveStatus(tx.now); s != model.TokenFinanced {
		return nil, invalidState("token %s is %s, not FINANCED", t.ID, s)
	}
	if t.Resale != nil {
		return nil, model.Errorf(model.CodeConflict, "token %s is already offered to %s", t.ID, t.Resale.Buyer)
	}
	if req.Buyer == tx.caller.ID {
		return nil, model.Errorf(model.CodeInvalidArgument, "buyer: %s holds the token already", req.Buyer)
	}
	if _, err := tx.activeEnterprise("buyer", req.Buyer, model.RoleBank); err != nil {
		return nil, err
	}
	face, err := protocol.DecodeCommitment("token commitment", t.Commitment)
	if err != nil {
		return nil, internal("stored token commitment: %v", err)
	}
	price, err := protocol.DecodeAmountRef("price", &req.Price)
	if err != nil {
		return nil, err
	}
	stmt := &protocol.ResaleStatement{Currency: t.Currency, Token: t.ID, Seller: tx.caller.ID, Buyer: req.Buyer, Face: face, BankEnvelope: req.BankEnvelope, Price: price}
	if stmt.AuditKey, err = tx.auditKey(); err != nil {
		return nil, err
	}
	if err := stmt.Verify(tx.ctx, req); err != nil {
		return nil, err
	}
	t.Resale = &model.Resale{Seller: tx.caller.ID, Buyer: req.Buyer, BankEnvelope: req.BankEnvelope, Price: req.Price.Stored(),
		OfferedAt: tx.now, OfferTxID: tx.id, Refs: req.Refs}
	if err := tx.putToken(t); err != nil {
		return nil, err
	}
	tx.putIndex(objResaleForBank, req.Buyer, t.ID)
	return t, tx.commit()
}

// AcceptResale is the buyer's acceptance: it paid the price (PaymentRef)
// and becomes the holder of the FINANCED piece, which the core pays at
// maturity; with the piece goes the financing's recourse against its
// seller.
func (r *Rules) AcceptResale(st State, req *model.AcceptResaleRequest) (*model.Token, error) {
	tx, t, err := r.beginTokenWrite(st, protocol.KindAcceptResale, req, req.Token, model.RoleBank)
	if err != nil {
		return nil, err
	}
	if t.Resale == nil || t.Resale.Buyer != tx.caller.ID {
		return nil, denied("token %s is not offered to %s", t.ID, tx.caller.ID)
	}
	if s := t.EffectiveStatus(tx.now); s != model.TokenFinanced || t.Holder != t.Resale.Seller {
		return nil, invalidState("token %s is %s with %s since the offer", t.ID, s, t.Holder)
	}
	sale := *t.Resale
	sale.PaymentRef, sale.AcceptedAt = req.PaymentRef, tx.now
	tx.delIndex(objResaleForBank, sale.Buyer, t.ID)
	tx.delIndex(objTokenByHolder, t.Holder, t.ID)
	t.Holder, t.Resale, t.Resales = tx.caller.ID, nil, append(t.Resales, sale)
	if err := tx.putToken(t); err != nil {
		return nil, err
	}
	tx.putIndex(objTokenByHolder, t.Holder, t.ID)
	return t, tx.commit()
}

// CancelResale withdraws a pending offer: the seller's withdrawal or the
// buyer's refusal.
func (r *Rules) CancelResale(st State, req *model.TokenActionRequest) (*model.Token, error) {
	tx, t, err := r.beginTokenWrite(st, protocol.KindCancelResale, req, req.Token, model.RoleBank)
	if err != nil {
		return nil, err
	}
	if t.Resale == nil {
		return nil, invalidState("token %s has no resale offer", t.ID)
	}
	if c := tx.caller.ID; c != t.Resale.Seller && c != t.Resale.Buyer {
		return nil, denied("the resale of token %s is not %s's", t.ID, c)
	}
	tx.delIndex(objResaleForBank, t.Resale.Buyer, t.ID)
	t.Resale = nil
	return tx.commitToken(t)
}

// ResaleOffers lists the resale offers pending at a bank.
func (r *Rules) ResaleOffers(st State, req *model.PageRequest) (*model.Page[model.TokenView], error) {
	return listPage(r, st, objResaleForBank, req, func(now time.Time, id string) (*model.TokenView, error) { return loadView(st, now, id) })
}

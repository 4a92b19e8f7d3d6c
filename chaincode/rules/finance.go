package rules

import (
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
)

// RequestFinancing locks the caller's ACTIVE token for a bank, with the
// opening sealed to the bank.
func (r *Rules) RequestFinancing(st State, req *model.FinanceRequest) (*model.Token, error) {
	tx, err := r.beginWrite(st, protocol.KindRequestFinancing, req, model.RoleSupplier)
	if err != nil {
		return nil, err
	}
	t, err := tx.financeable(req.Token, req.Bank)
	if err != nil {
		return nil, err
	}
	if p, err := tx.financingPolicy(); err != nil {
		return nil, err
	} else if p.Set {
		return nil, invalidState("the channel's financing policy requires terms: request with RequestTermFinancing")
	}
	t.Status = model.TokenFinancing
	t.Financing = &model.Financing{Bank: req.Bank, Requester: tx.caller.ID, BankEnvelope: req.BankEnvelope, Refs: req.Refs, RequestedAt: tx.now}
	if err := tx.putToken(t); err != nil {
		return nil, err
	}
	tx.putIndex(objFinancingForBank, req.Bank, t.ID)
	return t, tx.commit()
}

// financeable loads the caller's spendable token and checks the bank is
// an ACTIVE bank.
func (tx *txn) financeable(token, bank string) (*model.Token, error) {
	t, err := tx.spendable(token)
	if err != nil {
		return nil, err
	}
	if _, err := tx.activeEnterprise("bank", bank, model.RoleBank); err != nil {
		return nil, err
	}
	return t, nil
}

// financingFor loads a token in FINANCING and checks who may act on it:
// the bank it was requested at, or (asHolder) the requester.
func (tx *txn) financingFor(id string, asHolder bool) (*model.Token, error) {
	t, err := loadToken(tx.st, id)
	if err != nil {
		return nil, err
	}
	if t.Status != model.TokenFinancing || t.Financing == nil {
		return nil, invalidState("token %s is %s, not FINANCING", id, t.EffectiveStatus(tx.now))
	}
	party := t.Financing.Bank
	if asHolder {
		party = t.Holder
	}
	if party != tx.caller.ID {
		return nil, denied("the financing of token %s is not %s's to decide", id, tx.caller.ID)
	}
	return t, nil
}

// ApproveFinancing is the bank's approval: it records the disbursement and
// becomes the holder (FINANCED).
func (r *Rules) ApproveFinancing(st State, req *model.ApproveFinancingRequest) (*model.Token, error) {
	tx, err := r.beginWrite(st, protocol.KindApproveFinancing, req, model.RoleBank)
	if err != nil {
		return nil, err
	}
	t, err := tx.financingFor(req.Token, false)
	if err != nil {
		return nil, err
	}
	if t.EffectiveStatus(tx.now) == model.TokenOverdue {
		return nil, invalidState("token %s is past maturity", t.ID)
	}
	if ft := t.Financing.Terms; ft != nil && tx.now.After(ft.Terms.Expiry) {
		return nil, invalidState("the terms of token %s's financing expired at %s", t.ID, ft.Terms.Expiry.UTC().Format(time.RFC3339))
	}
	tx.delIndex(objTokenByHolder, t.Holder, t.ID)
	tx.delIndex(objFinancingForBank, t.Financing.Bank, t.ID)
	t.Status, t.Holder = model.TokenFinanced, tx.caller.ID
	t.Financing.DisbursementRef, t.Financing.AgreementHash, t.Financing.ApprovedAt = req.DisbursementRef, req.AgreementHash, tx.now
	if err := tx.putToken(t); err != nil {
		return nil, err
	}
	tx.putIndex(objTokenByHolder, t.Holder, t.ID)
	return t, tx.commit()
}

// RejectFinancing is the bank's refusal: the token is ACTIVE again.
func (r *Rules) RejectFinancing(st State, req *model.TokenActionRequest) (*model.Token, error) {
	return r.unlockFinancing(st, req, protocol.KindRejectFinancing, model.RoleBank, false)
}

// CancelFinancing is the holder's withdrawal before the bank decides.
func (r *Rules) CancelFinancing(st State, req *model.TokenActionRequest) (*model.Token, error) {
	return r.unlockFinancing(st, req, protocol.KindCancelFinancing, model.RoleSupplier, true)
}

func (r *Rules) unlockFinancing(st State, req *model.TokenActionRequest, kind string, role model.Role, asHolder bool) (*model.Token, error) {
	tx, err := r.beginWrite(st, kind, req, role)
	if err != nil {
		return nil, err
	}
	t, err := tx.financingFor(req.Token, asHolder)
	if err != nil {
		return nil, err
	}
	tx.delIndex(objFinancingForBank, t.Financing.Bank, t.ID)
	bank := t.Financing.Bank
	t.Status, t.Financing = model.TokenActive, nil
	if err := tx.putToken(t); err != nil {
		return nil, err
	}
	tx.event.Tokens[len(tx.event.Tokens)-1].Bank = bank
	return t, tx.commit()
}

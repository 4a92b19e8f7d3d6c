package rules

import (
	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// GrantCreditLine sets the calling bank's limit and expiry for a core
// enterprise in one currency: a line is per (core, bank, currency), so a
// bank may grant a core lines in several currencies, each limiting the
// receivables issued in it. Re-granting changes the limit and expiry and
// keeps the outstanding sum; a limit below the outstanding only blocks new
// issues.
func (r *Rules) GrantCreditLine(st State, req *model.GrantCreditLineRequest) (*model.CreditLine, error) {
	tx, err := r.beginWrite(st, protocol.KindGrantCreditLine, req, model.RoleBank)
	if err != nil {
		return nil, err
	}
	if _, err := tx.activeEnterprise("core", req.Core, model.RoleCore); err != nil {
		return nil, err
	}
	if !req.Expiry.After(tx.now) {
		return nil, model.Errorf(model.CodeInvalidArgument, "expiry: must be after the transaction time")
	}
	key := creditLineKey(req.Core, tx.caller.ID, req.Currency)
	cl, err := getJSON[model.CreditLine](st, key)
	if err != nil {
		return nil, err
	}
	if cl == nil {
		cl = &model.CreditLine{Core: req.Core, Bank: tx.caller.ID, Currency: req.Currency, Outstanding: pedersen.Identity().Bytes(), GrantedAt: tx.now}
	}
	cl.Limit, cl.Expiry, cl.UpdatedAt = req.Limit, req.Expiry.UTC(), tx.now
	if err := tx.put(key, cl); err != nil {
		return nil, err
	}
	tx.creditLineChanged(cl)
	return cl, tx.commit()
}

func (tx *txn) creditLineChanged(cl *model.CreditLine) {
	tx.event.CreditLines = append(tx.event.CreditLines, model.CreditLineChange{Core: cl.Core, Bank: cl.Bank, Currency: cl.Currency, Limit: cl.Limit, Outstanding: cl.Outstanding})
}

// outstanding decodes a credit line's stored sum (the identity allowed).
func outstanding(cl *model.CreditLine) (*group.Element, error) {
	e, err := group.NewIdentity().SetCanonicalBytes(cl.Outstanding)
	if err != nil {
		return nil, internal("credit line %s/%s %s: corrupt outstanding", cl.Core, cl.Bank, cl.Currency)
	}
	return e, nil
}

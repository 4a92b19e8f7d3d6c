package rules

import (
	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/group"
)

// DeclarePayment is the issuer's declaration, at or after maturity, that it
// paid the holder of an ACTIVE or FINANCED token (Reason carries the payment
// reference).
func (r *Rules) DeclarePayment(st State, req *model.TokenActionRequest) (*model.Token, error) {
	tx, t, err := r.beginTokenWrite(st, protocol.KindDeclarePayment, req, req.Token, model.RoleCore)
	if err != nil {
		return nil, err
	}
	if t.Issuer != tx.caller.ID {
		return nil, denied("token %s was not issued by %s", t.ID, tx.caller.ID)
	}
	if t.Status != model.TokenActive && t.Status != model.TokenFinanced && t.Status != model.TokenDefaulted {
		return nil, invalidState("token %s is %s", t.ID, t.EffectiveStatus(tx.now))
	}
	if tx.now.Before(t.Maturity) {
		return nil, invalidState("token %s matures at %s", t.ID, t.Maturity.Format("2006-01-02T15:04:05Z"))
	}
	t.Payment = &model.Payment{Ref: req.Reason, Payee: t.Holder, PriorStatus: t.Status, DeclaredAt: tx.now}
	t.Status = model.TokenPaying
	return tx.commitToken(t)
}

// ConfirmPayment is the holder's receipt: the token is SETTLED. Settling the
// last open leaf of a receivable releases its root commitment from the
// credit line's outstanding sum.
func (r *Rules) ConfirmPayment(st State, req *model.TokenActionRequest) (*model.Token, error) {
	tx, t, err := r.beginTokenWrite(st, protocol.KindConfirmPayment, req, req.Token, model.RoleSupplier, model.RoleBank)
	if err != nil {
		return nil, err
	}
	if t.Holder != tx.caller.ID {
		return nil, denied("token %s is not held by %s", t.ID, tx.caller.ID)
	}
	if t.Status != model.TokenPaying || t.Payment == nil {
		return nil, invalidState("token %s is %s, not PAYING", t.ID, t.EffectiveStatus(tx.now))
	}
	t.Payment.ConfirmedAt = tx.now
	if err := tx.settle(t); err != nil {
		return nil, err
	}
	return t, tx.commit()
}

// settle turns t SETTLED and drops it from its receivable's open leaves.
// Settling the last open leaf releases the root commitment from the credit
// line's outstanding sum.
func (tx *txn) settle(t *model.Token) error {
	last, err := tx.lastOpenLeaf(t)
	if err != nil {
		return err
	}
	var cl *model.CreditLine
	var newOutstanding []byte
	if last {
		root, err := loadToken(tx.st, t.Root)
		if err != nil {
			return err
		}
		if cl, err = mustGet[model.CreditLine](tx.st, creditLineKey(root.Issuer, root.Bank, root.Currency), "credit line", root.Issuer+"/"+root.Bank); err != nil {
			return err
		}
		out, err := outstanding(cl)
		if err != nil {
			return err
		}
		rc, err := group.NewIdentity().SetCanonicalBytes(root.Commitment)
		if err != nil {
			return internal("stored root commitment: %v", err)
		}
		newOutstanding = group.NewIdentity().Add(out, group.NewIdentity().Negate(rc)).Bytes()
	}

	t.Status = model.TokenSettled
	if err := tx.putToken(t); err != nil {
		return err
	}
	tx.delIndex(objLeaf, t.Root, t.ID)
	if cl != nil {
		cl.Outstanding, cl.UpdatedAt = newOutstanding, tx.now
		cl.Settled++
		if err := tx.put(creditLineKey(cl.Core, cl.Bank, cl.Currency), cl); err != nil {
			return err
		}
		tx.creditLineChanged(cl)
	}
	return nil
}

// lastOpenLeaf reports whether t is the only unspent, unsettled token of
// its receivable. It reads the receivable's leaf index (at most two
// entries): each spend and settlement writes only its own leaf keys, so
// spends of sibling tokens never conflict, and Fabric's phantom-read check
// on this range invalidates a confirmation whose leaves changed before it
// committed (two last-leaf confirmations in one block: the second retries
// and then sees itself alone).
func (tx *txn) lastOpenLeaf(t *model.Token) (bool, error) {
	kvs, err := tx.st.GetStateByPartialCompositeKey(objLeaf, []string{t.Root}, 1)
	if err != nil {
		return false, internal("range read: %v", err)
	}
	self := false
	for _, kv := range kvs {
		id, err := lastAttr(kv.Key)
		if err != nil {
			return false, err
		}
		if id != t.ID {
			return false, nil
		}
		self = true
	}
	if !self {
		return false, internal("token %s is not a leaf of receivable %s", t.ID, t.Root)
	}
	return true, nil
}

// Freeze stops every action on a token (operator or court order).
func (r *Rules) Freeze(st State, req *model.TokenActionRequest) (*model.Token, error) {
	tx, t, err := r.beginTokenWrite(st, protocol.KindFreeze, req, req.Token, model.RoleOperator)
	if err != nil {
		return nil, err
	}
	switch t.Status {
	case model.TokenSplit, model.TokenSettled, model.TokenFrozen:
		return nil, invalidState("token %s is %s", t.ID, t.Status)
	}
	t.Freeze = &model.Freeze{Reason: req.Reason, PriorStatus: t.Status, By: tx.caller.ID, At: tx.now}
	t.Status = model.TokenFrozen
	return tx.commitToken(t)
}

// Unfreeze returns a frozen token to the status it had.
func (r *Rules) Unfreeze(st State, req *model.TokenActionRequest) (*model.Token, error) {
	tx, t, err := r.beginTokenWrite(st, protocol.KindUnfreeze, req, req.Token, model.RoleOperator)
	if err != nil {
		return nil, err
	}
	if t.Status != model.TokenFrozen || t.Freeze == nil {
		return nil, invalidState("token %s is %s, not FROZEN", t.ID, t.Status)
	}
	t.Status, t.Freeze = t.Freeze.PriorStatus, nil
	return tx.commitToken(t)
}

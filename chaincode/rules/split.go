package rules

import (
	"fmt"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
)

// Split spends one ACTIVE token of the caller into 2..8 outputs.
func (r *Rules) Split(st State, req *model.SplitRequest) ([]*model.Token, error) {
	return r.spend(st, req, protocol.KindSplit)
}

// Merge spends 2..8 ACTIVE tokens of one root held by the caller into one.
func (r *Rules) Merge(st State, req *model.SplitRequest) ([]*model.Token, error) {
	return r.spend(st, req, protocol.KindMerge)
}

// Transfer spends one ACTIVE token of the caller into one output.
func (r *Rules) Transfer(st State, req *model.SplitRequest) ([]*model.Token, error) {
	return r.spend(st, req, protocol.KindTransfer)
}

func checkShape(kind string, in, out int) error {
	ok := false
	switch kind {
	case protocol.KindSplit:
		ok = in == 1 && out >= 2
	case protocol.KindMerge:
		ok = in >= 2 && out == 1
	case protocol.KindTransfer:
		ok = in == 1 && out == 1
	}
	if !ok {
		return model.Errorf(model.CodeInvalidArgument, "%s: %d inputs → %d outputs is not a %s", kind, in, out, kind)
	}
	return nil
}

// spend is split, merge and transfer: the inputs become SPLIT, the outputs
// record parents, root, tier and holder; the proofs show the outputs sum to
// the inputs with no negative or wrapped piece, each openable by the
// regulator.
func (r *Rules) spend(st State, req *model.SplitRequest, kind string) ([]*model.Token, error) {
	tx, err := r.beginWrite(st, kind, req, model.RoleSupplier)
	if err != nil {
		return nil, err
	}
	if err := checkShape(kind, len(req.Inputs), len(req.Outputs)); err != nil {
		return nil, err
	}
	inputs := make([]*model.Token, len(req.Inputs))
	stmt := &protocol.SplitStatement{Kind: kind, Spender: tx.caller.ID}
	tier := 0
	for i, id := range req.Inputs {
		t, err := tx.spendable(id)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			if err := model.SameCurrency("input "+id, t.Currency, inputs[0].Currency); err != nil {
				return nil, err
			}
		}
		if i > 0 && t.Root != inputs[0].Root {
			return nil, model.Errorf(model.CodeInvalidArgument, "inputs: %s and %s belong to different receivables", inputs[0].ID, id)
		}
		c, err := protocol.DecodeCommitment("input commitment", t.Commitment)
		if err != nil {
			return nil, internal("stored token commitment: %v", err)
		}
		inputs[i] = t
		tier = max(tier, t.Tier)
		stmt.Inputs = append(stmt.Inputs, protocol.InputRef{ID: id, Commitment: c})
	}
	for i, o := range req.Outputs {
		// The caller was authorized as an ACTIVE supplier: its change needs
		// no second read.
		if o.Holder != tx.caller.ID {
			if _, err := tx.activeEnterprise("outputs.holder", o.Holder, model.RoleSupplier); err != nil {
				return nil, err
			}
		}
		c, h, err := protocol.DecodeAudited(fmt.Sprintf("outputs[%d]", i), o.Commitment, o.Handle)
		if err != nil {
			return nil, err
		}
		stmt.Outputs = append(stmt.Outputs, protocol.OutputRef{Holder: req.Outputs[i].Holder, Commitment: c, Handle: h,
			HolderEnvelope: o.HolderEnvelope, RegulatorEnvelope: o.RegulatorEnvelope})
	}
	root := inputs[0]
	stmt.Currency = root.Currency
	if stmt.AuditKey, err = tx.auditKey(); err != nil {
		return nil, err
	}
	if err := stmt.Verify(tx.ctx, req); err != nil {
		return nil, err
	}

	made := protocol.SpendOutputs(root, tier, tx.caller.ID, req, tx.id, tx.now)
	children := make([]string, len(made))
	for i := range made {
		children[i] = made[i].ID
	}
	for _, t := range inputs {
		tx.markSpent(t, children)
		tx.delIndex(objTokenByHolder, t.Holder, t.ID)
		tx.delIndex(objLeaf, t.Root, t.ID)
	}
	outputs := make([]*model.Token, len(made))
	for i := range made {
		t := &made[i]
		if err := tx.putNewToken(t); err != nil {
			return nil, err
		}
		tx.putIndex(objLeaf, t.Root, t.ID)
		outputs[i] = t
	}
	return outputs, tx.commit()
}

// spendable loads an input: held by the caller, ACTIVE, not overdue.
func (tx *txn) spendable(id string) (*model.Token, error) {
	t, err := loadToken(tx.st, id)
	if err != nil {
		return nil, err
	}
	if t.Holder != tx.caller.ID {
		return nil, denied("token %s is not held by %s", id, tx.caller.ID)
	}
	switch t.EffectiveStatus(tx.now) {
	case model.TokenActive:
		return t, nil
	case model.TokenSplit:
		return nil, model.Errorf(model.CodeConflict, "token %s is already spent", id)
	default:
		return nil, invalidState("token %s is %s", id, t.EffectiveStatus(tx.now))
	}
}

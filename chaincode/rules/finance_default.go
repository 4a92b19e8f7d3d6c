package rules

import (
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
)

// DeclareDefault is the holder's (or the operator's) declaration that an
// ACTIVE or FINANCED piece is unpaid past maturity plus the channel's
// grace days: the token becomes DEFAULTED, and stays payable by the core.
func (r *Rules) DeclareDefault(st State, req *model.TokenActionRequest) (*model.Token, error) {
	tx, t, err := r.beginTokenWrite(st, protocol.KindDeclareDefault, req, req.Token, model.RoleSupplier, model.RoleBank, model.RoleOperator)
	if err != nil {
		return nil, err
	}
	if tx.caller.Role != model.RoleOperator && t.Holder != tx.caller.ID {
		return nil, denied("token %s is not held by %s", t.ID, tx.caller.ID)
	}
	if t.Status != model.TokenActive && t.Status != model.TokenFinanced {
		return nil, invalidState("token %s is %s", t.ID, t.EffectiveStatus(tx.now))
	}
	policy, err := tx.financingPolicy()
	if err != nil {
		return nil, err
	}
	due := t.Maturity.AddDate(0, 0, policy.GraceDays)
	if !tx.now.After(due) {
		return nil, invalidState("token %s is in its grace period until %s", t.ID, due.UTC().Format(time.RFC3339))
	}
	t.Default = &model.Default{PriorStatus: t.Status, GraceDays: policy.GraceDays, DeclaredBy: tx.caller.ID,
		DeclaredAt: tx.now, Reason: req.Reason}
	t.Status = model.TokenDefaulted
	return tx.commitToken(t)
}

// ExerciseRecourse is the bank's claim against the seller of a defaulted
// piece it financed with recourse (Reason carries the bank's reference):
// the token becomes RECOURSE, naming the seller, who then owes the bank.
// Without recourse (factoring) the bank bears the loss: refused.
func (r *Rules) ExerciseRecourse(st State, req *model.TokenActionRequest) (*model.Token, error) {
	tx, t, err := r.beginTokenWrite(st, protocol.KindExerciseRecourse, req, req.Token, model.RoleBank)
	if err != nil {
		return nil, err
	}
	// The financing bank, or a bank that bought the piece from it (the
	// claim against the seller goes with the piece).
	if t.Holder != tx.caller.ID || t.Financing == nil {
		return nil, denied("token %s is not financed by %s", t.ID, tx.caller.ID)
	}
	if t.Status != model.TokenDefaulted || t.Default == nil {
		return nil, invalidState("token %s is %s, not DEFAULTED", t.ID, t.EffectiveStatus(tx.now))
	}
	if !t.Financing.WithRecourse() {
		return nil, invalidState("token %s was financed without recourse: the bank bears the loss", t.ID)
	}
	t.Default.RecourseAgainst, t.Default.RecourseRef, t.Default.RecourseAt = t.Financing.Requester, req.Reason, tx.now
	t.Status = model.TokenRecourse
	return tx.commitToken(t)
}

// SettleRecourse is the bank's confirmation that the seller repaid a piece
// it claimed under recourse (Reason carries the repayment reference): the
// token is SETTLED, and, as for a paid token, settling the receivable's
// last open piece releases it from the credit line's outstanding sum.
func (r *Rules) SettleRecourse(st State, req *model.TokenActionRequest) (*model.Token, error) {
	tx, t, err := r.beginTokenWrite(st, protocol.KindSettleRecourse, req, req.Token, model.RoleBank)
	if err != nil {
		return nil, err
	}
	if t.Holder != tx.caller.ID {
		return nil, denied("token %s is not held by %s", t.ID, tx.caller.ID)
	}
	if t.Status != model.TokenRecourse || t.Default == nil {
		return nil, invalidState("token %s is %s, not RECOURSE", t.ID, t.EffectiveStatus(tx.now))
	}
	t.Default.RepaidRef, t.Default.RepaidAt = req.Reason, tx.now
	if err := tx.settle(t); err != nil {
		return nil, err
	}
	return t, tx.commit()
}

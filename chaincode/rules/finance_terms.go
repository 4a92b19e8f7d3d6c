package rules

import (
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/elgamal"
)

// financingPolicyKey holds the channel's FinancingPolicy.
func financingPolicyKey() string { return CompositeKey(objPlatform, "financing") }

// financingPolicy reads the channel's policy, or the defaults when the
// operator set none.
func (tx *txn) financingPolicy() (*model.FinancingPolicy, error) {
	p, err := getJSON[model.FinancingPolicy](tx.st, financingPolicyKey())
	if err != nil {
		return nil, err
	}
	if p == nil {
		return model.DefaultFinancingPolicy(), nil
	}
	return p, nil
}

// SetFinancingPolicy is the operator's setting of the channel's financing
// policy: the cap on advances as a share of face, and the grace period
// after maturity. Financings already requested keep the cap they were
// proven against.
func (r *Rules) SetFinancingPolicy(st State, req *model.SetFinancingPolicyRequest) (*model.FinancingPolicy, error) {
	tx, err := r.beginWrite(st, protocol.KindFinancingPolicy, req, model.RoleOperator)
	if err != nil {
		return nil, err
	}
	p := &model.FinancingPolicy{MaxAdvanceBP: req.MaxAdvanceBP, GraceDays: req.GraceDays, Set: true,
		UpdatedBy: tx.caller.ID, UpdatedAt: tx.now, TxID: tx.id}
	if err := tx.put(financingPolicyKey(), p); err != nil {
		return nil, err
	}
	return p, tx.commit()
}

// FinancingPolicy returns the channel's financing policy (any registered
// enterprise may read it).
func (r *Rules) FinancingPolicy(st State) (*model.FinancingPolicy, error) {
	tx, err := r.authorizeRead(st)
	if err != nil {
		return nil, err
	}
	return tx.financingPolicy()
}

// RequestTermFinancing locks the caller's ACTIVE token for a bank under
// public terms, with the advance and fee as commitments whose proofs show
// 0 ≤ advance ≤ face, advance ≤ the policy cap's share of face, and
// advance + fee = the terms' net advance on face. With Partial, the token
// is split in the same transaction: the piece (Outputs[0]) is what is
// financed, the change (Outputs[1]) stays ACTIVE with the caller. It
// returns the token in FINANCING first, then the change if any.
func (r *Rules) RequestTermFinancing(st State, req *model.TermFinanceRequest) ([]*model.Token, error) {
	tx, err := r.beginWrite(st, protocol.KindFinanceTerms, req, model.RoleSupplier)
	if err != nil {
		return nil, err
	}
	t, err := tx.financeable(req.Token, req.Bank)
	if err != nil {
		return nil, err
	}
	policy, err := tx.financingPolicy()
	if err != nil {
		return nil, err
	}
	if tx.now.After(req.Terms.Expiry) {
		return nil, invalidState("the terms expired at %s", req.Terms.Expiry.UTC().Format(time.RFC3339))
	}
	if today := tx.now.Truncate(24 * time.Hour); req.Terms.ValueDate.Before(today) {
		return nil, model.Errorf(model.CodeInvalidArgument, "terms: value date %s is before today (%s)",
			req.Terms.ValueDate.UTC().Format(time.DateOnly), today.Format(time.DateOnly))
	}
	in, err := protocol.DecodeCommitment("token commitment", t.Commitment)
	if err != nil {
		return nil, internal("stored token commitment: %v", err)
	}
	stmt := &protocol.FinanceStatement{
		Currency: t.Currency, Requester: tx.caller.ID, Bank: req.Bank, Token: t.ID, Input: in, Maturity: t.Maturity,
		Terms: req.Terms, MaxAdvanceBP: policy.MaxAdvanceBP, BankEnvelope: req.BankEnvelope,
	}
	if req.Partial != nil {
		if stmt.Outputs, err = tx.partialOutputs(req.Partial.Outputs); err != nil {
			return nil, err
		}
	}
	if stmt.Advance, stmt.Fee, stmt.AuditKey, err = tx.advanceAndFee(&req.Advance, &req.Fee); err != nil {
		return nil, err
	}
	if err := stmt.Verify(tx.ctx, req); err != nil {
		return nil, err
	}

	fin := &model.Financing{Bank: req.Bank, Requester: tx.caller.ID, BankEnvelope: req.BankEnvelope, Refs: req.Refs, RequestedAt: tx.now,
		Terms: &model.FinancingTerms{Terms: req.Terms, MaxAdvanceBP: policy.MaxAdvanceBP,
			Advance: req.Advance.Stored(), Fee: req.Fee.Stored()}}
	if req.Partial == nil {
		t.Status, t.Financing = model.TokenFinancing, fin
		if err := tx.putToken(t); err != nil {
			return nil, err
		}
		tx.putIndex(objFinancingForBank, req.Bank, t.ID)
		return []*model.Token{t}, tx.commit()
	}

	fin.Terms.SplitFrom = t.ID
	out, err := tx.splitFinanced(t, req.Partial.Outputs, fin)
	if err != nil {
		return nil, err
	}
	return out, tx.commit()
}

// partialOutputs decodes the piece and the change of a partial financing
// or a request for quotes on a piece: both must be the caller's.
func (tx *txn) partialOutputs(outputs []model.Output) ([]protocol.OutputRef, error) {
	refs := make([]protocol.OutputRef, 0, len(outputs))
	for i, o := range outputs {
		if o.Holder != tx.caller.ID {
			return nil, model.Errorf(model.CodeInvalidArgument, "partial.outputs[%d].holder: the piece and the change stay with %s", i, tx.caller.ID)
		}
		c, h, err := protocol.DecodeAudited("partial.outputs", o.Commitment, o.Handle)
		if err != nil {
			return nil, err
		}
		refs = append(refs, protocol.OutputRef{Holder: o.Holder, Commitment: c, Handle: h,
			HolderEnvelope: o.HolderEnvelope, RegulatorEnvelope: o.RegulatorEnvelope})
	}
	return refs, nil
}

// splitFinanced spends t into the piece (outputs[0]), FINANCING under fin,
// and the change (outputs[1]), ACTIVE with the holder: a partial financing
// with terms, or the acceptance of a quote on part of a token. The
// outputs' proofs were verified by the caller.
func (tx *txn) splitFinanced(t *model.Token, outputs []model.Output, fin *model.Financing) ([]*model.Token, error) {
	children := []string{protocol.TokenID(tx.id, 0), protocol.TokenID(tx.id, 1)}
	t.Status, t.Children = model.TokenSplit, children
	if err := tx.putToken(t); err != nil {
		return nil, err
	}
	tx.delIndex(objTokenByHolder, t.Holder, t.ID)
	tx.delIndex(objLeaf, t.Root, t.ID)
	out := make([]*model.Token, 2)
	for i, o := range outputs {
		n := &model.Token{
			ID: children[i], Root: t.Root, Parents: []string{t.ID}, Tier: t.Tier,
			Issuer: t.Issuer, Bank: t.Bank, Currency: t.Currency, Holder: o.Holder, Commitment: o.Commitment, Handle: o.Handle,
			HolderEnvelope: o.HolderEnvelope, RegulatorEnvelope: o.RegulatorEnvelope, Maturity: t.Maturity,
			Status: model.TokenActive, CreatedAt: tx.now, UpdatedAt: tx.now, TxID: tx.id,
		}
		if i == 0 {
			n.Status, n.Financing = model.TokenFinancing, fin
		}
		if err := tx.putNewToken(n); err != nil {
			return nil, err
		}
		tx.putIndex(objLeaf, n.Root, n.ID)
		out[i] = n
	}
	tx.putIndex(objFinancingForBank, fin.Bank, out[0].ID)
	return out, nil
}

// advanceAndFee decodes the advance and the fee of a financing with terms
// or a quote ("advance", "fee" in their errors), then reads the audit key
// their statement binds.
func (tx *txn) advanceAndFee(advance, fee *model.SealedAmount) (a, f protocol.AmountRef, audit *elgamal.PublicKey, err error) {
	if a, err = protocol.DecodeAmountRef("advance", advance); err != nil {
		return a, f, nil, err
	}
	if f, err = protocol.DecodeAmountRef("fee", fee); err != nil {
		return a, f, nil, err
	}
	audit, err = tx.auditKey()
	return a, f, audit, err
}

package rules

import (
	"encoding/json"

	"github.com/tierchain/tierchain/chaincode/model"
)

// objDispute keys the disputes: token → Dispute.
const objDispute = "tc.dispute"

func disputeKey(token string) string { return CompositeKey(objDispute, token) }

// FileDispute records the holder's claim that its token's envelope does
// not open the token's commitment. Only the token's current holder may
// file it, once per token; a token it spent or settled cannot be disputed
// (spending needed the opening). The chaincode cannot open the envelope:
// it records who sealed it, from the ledger's own facts, and the regulator
// judges the claim by opening the amount through the audit handle. The
// token itself is left as it is.
func (r *Rules) FileDispute(st State, req *model.FileDisputeRequest) (*model.Dispute, error) {
	tx, t, err := r.beginTokenWrite(st, model.KindFileDispute, req, req.Token, model.RoleSupplier, model.RoleBank)
	if err != nil {
		return nil, err
	}
	if t.Holder != tx.caller.ID {
		return nil, denied("token %s is not held by %s", t.ID, tx.caller.ID)
	}
	if t.Status == model.TokenSplit || t.Status == model.TokenSettled {
		return nil, invalidState("token %s is %s: its holder used its opening", t.ID, t.Status)
	}
	existing, err := getJSON[model.Dispute](tx.st, disputeKey(t.ID))
	if err != nil {
		return nil, err
	}
	if existing != nil {
		return nil, model.Errorf(model.CodeConflict, "token %s is already disputed (transaction %s)", t.ID, existing.TxID)
	}
	d := &model.Dispute{Token: t.ID, Root: t.Root, Issuer: t.Issuer, Holder: t.Holder, Reason: req.Reason,
		FiledAt: tx.now, TxID: tx.id}
	if d.Sender, d.Envelope, d.SealedIn, err = tx.envelopeSender(t); err != nil {
		return nil, err
	}
	if err := tx.put(disputeKey(t.ID), d); err != nil {
		return nil, err
	}
	tx.event.Disputes = append(tx.event.Disputes, model.DisputeChange{Token: d.Token, Holder: d.Holder, Sender: d.Sender, Reason: d.Reason})
	return d, tx.commit()
}

// envelopeSender names the envelope the holder of t opens and the
// enterprise whose transaction sealed it: a bank holding a financed token
// opens the financing requester's envelope; any other holder the holder
// envelope of t's own transaction, sealed by the issuer (a root) or by
// the spender of its parents (who held them: spending keeps the holder).
func (tx *txn) envelopeSender(t *model.Token) (sender, envelope, sealedIn string, err error) {
	if t.Financing != nil && t.Financing.Bank == t.Holder {
		return t.Financing.Requester, model.DisputedBankEnvelope, "", nil
	}
	if len(t.Parents) == 0 {
		return t.Issuer, model.DisputedHolderEnvelope, t.TxID, nil
	}
	p, err := loadToken(tx.st, t.Parents[0])
	if err != nil {
		return "", "", "", internal("parent of %s: %v", t.ID, err)
	}
	return p.Holder, model.DisputedHolderEnvelope, t.TxID, nil
}

// GetDispute returns the dispute of a token.
func (r *Rules) GetDispute(st State, token string) (*model.Dispute, error) {
	if _, err := r.authorizeRead(st); err != nil {
		return nil, err
	}
	if err := model.ValidateID("token", token); err != nil {
		return nil, err
	}
	return mustGet[model.Dispute](st, disputeKey(token), "dispute of token", token)
}

// Disputes lists every dispute, by token ID (req.Owner must be empty).
func (r *Rules) Disputes(st State, req *model.PageRequest) (*model.Page[model.Dispute], error) {
	if _, err := r.authorizeRead(st); err != nil {
		return nil, err
	}
	if err := req.ValidateAll(); err != nil {
		return nil, err
	}
	return recordPage[model.Dispute](st, objDispute, req, "dispute")
}

// recordPage reads one page of the records stored under objectType (keys
// with one attribute, values the records themselves).
func recordPage[T any](st State, objectType string, req *model.PageRequest, what string) (*model.Page[T], error) {
	kvs, next, err := st.GetStateByPartialCompositeKeyWithPagination(objectType, nil, int32(req.PageSize), req.Bookmark)
	if err != nil {
		return nil, internal("range read: %v", err)
	}
	page := &model.Page[T]{Items: make([]T, len(kvs)), Bookmark: next}
	for i, kv := range kvs {
		if err := json.Unmarshal(kv.Value, &page.Items[i]); err != nil {
			return nil, internal("corrupt %s record: %v", what, err)
		}
	}
	return page, nil
}

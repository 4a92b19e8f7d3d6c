package rules

import (
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/group"
)

// Issue creates a receivable: a root token held by the supplier of the
// backing invoices, issued by the calling core enterprise against a bank's
// credit line. The proofs show the amount is in range, at most the
// confirmed invoice total and within the remaining credit; the chaincode
// computes both difference commitments from the ledger.
func (r *Rules) Issue(st State, req *model.IssueRequest) (*model.Token, error) {
	tx, err := r.beginWrite(st, protocol.KindIssue, req, model.RoleCore)
	if err != nil {
		return nil, err
	}
	if _, err := tx.activeEnterprise("holder", req.Holder, model.RoleSupplier); err != nil {
		return nil, err
	}
	if _, err := tx.activeEnterprise("bank", req.Bank, model.RoleBank); err != nil {
		return nil, err // a suspended bank's line backs no new receivable
	}
	if !req.Maturity.After(tx.now) {
		return nil, model.Errorf(model.CodeInvalidArgument, "maturity: must be after the transaction time")
	}
	cl, err := tx.issueLine(req)
	if err != nil {
		return nil, err
	}
	if !cl.Expiry.After(tx.now) {
		return nil, invalidState("credit line %s/%s expired", cl.Core, cl.Bank)
	}
	// The bank's commitment ends at the line's expiry: a receivable due
	// after it would be backed by credit the bank no longer extends.
	if req.Maturity.After(cl.Expiry) {
		return nil, model.Errorf(model.CodeInvalidArgument, "maturity: %s is after the credit line's expiry %s",
			req.Maturity.UTC().Format(time.RFC3339), cl.Expiry.UTC().Format(time.RFC3339))
	}
	invoices := make([]*model.Invoice, len(req.Invoices))
	refs := make([]protocol.InvoiceRef, len(req.Invoices))
	for i, id := range req.Invoices {
		inv, err := loadInvoice(st, id)
		if err != nil {
			return nil, err
		}
		switch {
		case inv.Buyer != tx.caller.ID:
			return nil, denied("invoice %s… is not owed by %s", id[:16], tx.caller.ID)
		case inv.Supplier != req.Holder:
			return nil, model.Errorf(model.CodeInvalidArgument, "invoice %s… is %s's, not the holder's", id[:16], inv.Supplier)
		case inv.Status == model.InvoiceUsed:
			return nil, model.Errorf(model.CodeConflict, "invoice %s… already backs receivable %s", id[:16], inv.UsedBy)
		case inv.Status != model.InvoiceConfirmed:
			return nil, invalidState("invoice %s… is %s, not CONFIRMED", id[:16], inv.Status)
		}
		if err := model.SameCurrency("invoice "+id[:16]+"…", inv.Currency, req.Currency); err != nil {
			return nil, err
		}
		c, err := protocol.DecodeCommitment("invoice commitment", inv.Commitment)
		if err != nil {
			return nil, internal("stored invoice commitment: %v", err)
		}
		invoices[i], refs[i] = inv, protocol.InvoiceRef{ID: id, Commitment: c}
	}
	key, err := tx.auditKey()
	if err != nil {
		return nil, err
	}
	out, err := outstanding(cl)
	if err != nil {
		return nil, err
	}
	amount, handle, err := protocol.DecodeAudited("issue", req.Commitment, req.Handle)
	if err != nil {
		return nil, err
	}
	stmt := &protocol.IssueStatement{
		Currency: req.Currency, Issuer: tx.caller.ID, Bank: req.Bank, Holder: req.Holder, Invoices: refs, Limit: cl.Limit,
		Outstanding: out, Maturity: req.Maturity, Amount: amount, Handle: handle,
		HolderEnvelope: req.HolderEnvelope, RegulatorEnvelope: req.RegulatorEnvelope, IssuerEnvelope: req.IssuerEnvelope,
		BankEnvelope: req.BankEnvelope, AuditKey: key,
	}
	if err := stmt.Verify(tx.ctx, req.RangeProofs, req.HandleProof); err != nil {
		return nil, err
	}

	id := protocol.TokenID(tx.id, 0)
	t := &model.Token{
		ID: id, Root: id, Tier: 1, Issuer: tx.caller.ID, Bank: req.Bank, Currency: req.Currency, Holder: req.Holder,
		Commitment: req.Commitment, Handle: req.Handle, HolderEnvelope: req.HolderEnvelope,
		RegulatorEnvelope: req.RegulatorEnvelope, IssuerEnvelope: req.IssuerEnvelope, BankEnvelope: req.BankEnvelope,
		Maturity: req.Maturity.UTC(), Invoices: req.Invoices, Refs: req.Refs,
		Status: model.TokenActive, CreatedAt: tx.now, UpdatedAt: tx.now, TxID: tx.id,
	}
	if err := tx.putNewToken(t); err != nil {
		return nil, err
	}
	tx.putIndex(objLeaf, id, id)
	for _, inv := range invoices {
		tx.markUsed(inv, id)
	}
	cl.Outstanding = group.NewIdentity().Add(out, amount.Element()).Bytes()
	cl.Issued++
	cl.UpdatedAt = tx.now
	if err := tx.put(creditLineKey(cl.Core, cl.Bank, cl.Currency), cl); err != nil {
		return nil, err
	}
	tx.creditLineChanged(cl)
	return t, tx.commit()
}

// issueLine loads the calling core's line at the issue's bank in the
// issue's currency. A line in another currency of the same bank makes the
// refusal a CURRENCY_MISMATCH rather than a missing line; a legacy issue
// (currency "") reads the legacy line only.
func (tx *txn) issueLine(req *model.IssueRequest) (*model.CreditLine, error) {
	cl, err := getJSON[model.CreditLine](tx.st, creditLineKey(tx.caller.ID, req.Bank, req.Currency))
	if err != nil || cl != nil {
		return cl, err
	}
	kvs, err := tx.st.GetStateByPartialCompositeKey(objCreditLine, []string{tx.caller.ID, req.Bank}, 1)
	if err != nil {
		return nil, internal("range read: %v", err)
	}
	if len(kvs) > 0 {
		if _, attrs := SplitCompositeKey(kvs[0].Key); len(attrs) >= 2 {
			other := ""
			if len(attrs) == 3 {
				other = attrs[2]
			}
			return nil, model.SameCurrency("the credit line of "+req.Bank, other, req.Currency)
		}
	}
	return nil, model.Errorf(model.CodeNotFound, "credit line %s/%s in %s", tx.caller.ID, req.Bank, model.CurrencyName(req.Currency))
}

// putNewToken writes a new token with its holder, issuer and root indexes.
func (tx *txn) putNewToken(t *model.Token) error {
	if err := tx.put(tokenKey(t.ID), t); err != nil {
		return err
	}
	tx.putIndex(objTokenByHolder, t.Holder, t.ID)
	tx.putIndex(objTokenByIssuer, t.Issuer, t.ID)
	tx.tokenChanged(t, true)
	return nil
}

func (tx *txn) tokenChanged(t *model.Token, created bool) {
	c := model.TokenChange{ID: t.ID, Root: t.Root, Holder: t.Holder, Status: t.Status, Currency: t.Currency}
	if created {
		c.Commitment = t.Commitment
	}
	if t.Financing != nil {
		c.Bank = t.Financing.Bank
	}
	tx.event.Tokens = append(tx.event.Tokens, c)
}

// putToken rewrites an existing token and reports it in the event.
func (tx *txn) putToken(t *model.Token) error {
	t.UpdatedAt = tx.now
	if err := tx.put(tokenKey(t.ID), t); err != nil {
		return err
	}
	tx.tokenChanged(t, false)
	return nil
}

package rules

import (
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
)

// maxQuotesPerRFQ bounds the quotes read when an RFQ is decided: each
// invited bank holds at most one OPEN quote, and withdrawn ones count.
const maxQuotesPerRFQ = 4 * model.MaxRFQBanks

// RequestQuotes is the holder's request for quotes on its ACTIVE token
// from several banks at once, with the face's opening sealed to each. The
// token stays ACTIVE until the holder accepts a quote.
func (r *Rules) RequestQuotes(st State, req *model.RequestQuotesRequest) (*model.RFQ, error) {
	tx, err := r.beginWrite(st, protocol.KindRequestQuotes, req, model.RoleSupplier)
	if err != nil {
		return nil, err
	}
	t, err := tx.spendable(req.Token)
	if err != nil {
		return nil, err
	}
	if !req.Expiry.After(tx.now) {
		return nil, model.Errorf(model.CodeInvalidArgument, "expiry: %s is not in the future", req.Expiry.UTC().Format(time.RFC3339))
	}
	if req.Expiry.After(t.Maturity) {
		return nil, model.Errorf(model.CodeInvalidArgument, "expiry: after the token's maturity")
	}
	banks := make([]string, len(req.Banks))
	for i, b := range req.Banks {
		if _, err := tx.activeEnterprise("banks", b.Bank, model.RoleBank); err != nil {
			return nil, err
		}
		banks[i] = b.Bank
	}
	q := &model.RFQ{ID: protocol.RFQID(tx.id), Token: t.ID, Requester: tx.caller.ID, Banks: req.Banks, Expiry: req.Expiry,
		Status: model.RFQOpen, CreatedAt: tx.now, UpdatedAt: tx.now, TxID: tx.id}
	if req.Partial != nil {
		if q.Piece, err = tx.verifyPiece(t, req); err != nil {
			return nil, err
		}
	}
	if err := tx.put(rfqKey(q.ID), q); err != nil {
		return nil, err
	}
	tx.putIndex(objRFQByHolder, q.Requester, q.ID)
	for _, b := range banks {
		tx.putIndex(objRFQForBank, b, q.ID)
	}
	tx.event.Quotes = append(tx.event.Quotes, model.QuoteChange{RFQ: q.ID, Token: q.Token, Requester: q.Requester,
		Banks: banks, Status: string(q.Status)})
	return q, tx.commit()
}

// verifyPiece checks a request for quotes on part of t: both outputs are
// the caller's and the split's proofs hold (protocol.PieceStatement). It
// returns the outputs to keep on the RFQ, without their proofs.
func (tx *txn) verifyPiece(t *model.Token, req *model.RequestQuotesRequest) ([]model.Output, error) {
	in, err := protocol.DecodeCommitment("token commitment", t.Commitment)
	if err != nil {
		return nil, internal("stored token commitment: %v", err)
	}
	stmt := &protocol.PieceStatement{Currency: t.Currency, Requester: tx.caller.ID, Token: t.ID, Input: in, Expiry: req.Expiry, Banks: req.Banks}
	if stmt.Outputs, err = tx.partialOutputs(req.Partial.Outputs); err != nil {
		return nil, err
	}
	kept := make([]model.Output, len(req.Partial.Outputs))
	for i, o := range req.Partial.Outputs {
		kept[i] = model.Output{Holder: o.Holder, Commitment: o.Commitment, Handle: o.Handle,
			HolderEnvelope: o.HolderEnvelope, RegulatorEnvelope: o.RegulatorEnvelope}
	}
	if stmt.AuditKey, err = tx.auditKey(); err != nil {
		return nil, err
	}
	if err := stmt.Verify(tx.ctx, req.Partial); err != nil {
		return nil, err
	}
	return kept, nil
}

// SubmitQuote is an invited bank's sealed quote: its terms sealed to the
// holder and the regulator under a digest, its advance and fee as
// commitments proven within 0 ≤ advance ≤ face and the channel's cap.
// One OPEN quote per bank and RFQ: a bank re-prices by withdrawing first.
func (r *Rules) SubmitQuote(st State, req *model.SubmitQuoteRequest) (*model.Quote, error) {
	tx, rfq, err := beginRecordWrite[model.RFQ](r, st, protocol.KindSubmitQuote, req, rfqKey(req.RFQ), "rfq", req.RFQ, model.RoleBank)
	if err != nil {
		return nil, err
	}
	if rfq.Invited(tx.caller.ID) == nil {
		return nil, denied("bank %s is not invited to quote on %s", tx.caller.ID, rfq.ID)
	}
	if s := rfq.EffectiveStatus(tx.now); s != model.RFQOpen {
		return nil, invalidState("request for quotes %s is %s", rfq.ID, s)
	}
	if !req.Expiry.After(tx.now) {
		return nil, model.Errorf(model.CodeInvalidArgument, "expiry: %s is not in the future", req.Expiry.UTC().Format(time.RFC3339))
	}
	quotes, err := tx.quotesOf(rfq.ID)
	if err != nil {
		return nil, err
	}
	for _, q := range quotes {
		if q.Bank == tx.caller.ID && q.EffectiveStatus(tx.now) == model.QuoteOpen {
			return nil, model.Errorf(model.CodeConflict, "bank %s already has quote %s open on %s: withdraw it first", q.Bank, q.ID, rfq.ID)
		}
	}
	t, err := loadToken(st, rfq.Token)
	if err != nil {
		return nil, err
	}
	if t.Holder != rfq.Requester || t.EffectiveStatus(tx.now) != model.TokenActive {
		return nil, invalidState("token %s is no longer ACTIVE with %s", t.ID, rfq.Requester)
	}
	policy, err := tx.financingPolicy()
	if err != nil {
		return nil, err
	}
	face, err := protocol.DecodeCommitment("face commitment", rfq.Face(t.Commitment))
	if err != nil {
		return nil, internal("stored face commitment: %v", err)
	}
	stmt := &protocol.QuoteStatement{Currency: t.Currency, RFQ: rfq.ID, Token: t.ID, Requester: rfq.Requester, Bank: tx.caller.ID, Face: face,
		Expiry: req.Expiry, Recourse: req.Recourse, MaxAdvanceBP: policy.MaxAdvanceBP, TermsDigest: req.TermsDigest,
		HolderSealedTerms: req.HolderSealedTerms, BankSealedTerms: req.BankSealedTerms, RegulatorSealedTerms: req.RegulatorSealedTerms}
	if stmt.Advance, stmt.Fee, stmt.AuditKey, err = tx.advanceAndFee(&req.Advance, &req.Fee); err != nil {
		return nil, err
	}
	if err := stmt.Verify(tx.ctx, req); err != nil {
		return nil, err
	}
	q := &model.Quote{ID: protocol.QuoteID(tx.id), RFQ: rfq.ID, Token: t.ID, Requester: rfq.Requester, Bank: tx.caller.ID,
		QuoteOffer: model.QuoteOffer{Expiry: req.Expiry, Recourse: req.Recourse, MaxAdvanceBP: policy.MaxAdvanceBP, TermsDigest: req.TermsDigest,
			HolderSealedTerms: req.HolderSealedTerms, BankSealedTerms: req.BankSealedTerms, RegulatorSealedTerms: req.RegulatorSealedTerms,
			Advance: req.Advance.Stored(), Fee: req.Fee.Stored()},
		Status: model.QuoteOpen, CreatedAt: tx.now, UpdatedAt: tx.now, TxID: tx.id}
	if err := tx.putQuote(q); err != nil {
		return nil, err
	}
	tx.putIndex(objQuoteByRFQ, rfq.ID, q.ID)
	return q, tx.commit()
}

// WithdrawQuote is the bank's withdrawal of its OPEN quote.
func (r *Rules) WithdrawQuote(st State, req *model.QuoteActionRequest) (*model.Quote, error) {
	tx, q, err := beginRecordWrite[model.Quote](r, st, protocol.KindWithdrawQuote, req, quoteKey(req.Quote), "quote", req.Quote, model.RoleBank)
	if err != nil {
		return nil, err
	}
	if q.Bank != tx.caller.ID {
		return nil, denied("quote %s is not %s's", q.ID, tx.caller.ID)
	}
	if s := q.EffectiveStatus(tx.now); s != model.QuoteOpen {
		return nil, invalidState("quote %s is %s", q.ID, s)
	}
	q.Status = model.QuoteWithdrawn
	if err := tx.putQuote(q); err != nil {
		return nil, err
	}
	return q, tx.commit()
}

// CancelQuotes is the holder's withdrawal of its request for quotes before
// it accepts one: every OPEN quote lapses.
func (r *Rules) CancelQuotes(st State, req *model.RFQActionRequest) (*model.RFQ, error) {
	tx, rfq, err := beginRecordWrite[model.RFQ](r, st, protocol.KindCancelQuotes, req, rfqKey(req.RFQ), "rfq", req.RFQ, model.RoleSupplier)
	if err != nil {
		return nil, err
	}
	if rfq.Requester != tx.caller.ID {
		return nil, denied("request for quotes %s is not %s's", rfq.ID, tx.caller.ID)
	}
	if rfq.Status != model.RFQOpen {
		return nil, invalidState("request for quotes %s is %s", rfq.ID, rfq.Status)
	}
	if err := tx.closeRFQ(rfq, model.RFQCancelled, ""); err != nil {
		return nil, err
	}
	return rfq, tx.commit()
}

// AcceptQuote is the holder's acceptance of one OPEN, unexpired quote: the
// token becomes FINANCING at the quote's bank with the quote's advance and
// fee (as a financing with terms, awaiting the bank's ApproveFinancing),
// the RFQ is ACCEPTED and every other OPEN quote on it LAPSES. The holder
// has checked, off the chain, that the sealed terms open to the digest
// and that the advance is what they pay (protocol.CheckQuoteAmounts).
func (r *Rules) AcceptQuote(st State, req *model.QuoteActionRequest) (*model.Token, error) {
	tx, q, err := beginRecordWrite[model.Quote](r, st, protocol.KindAcceptQuote, req, quoteKey(req.Quote), "quote", req.Quote, model.RoleSupplier)
	if err != nil {
		return nil, err
	}
	rfq, err := mustGet[model.RFQ](st, rfqKey(q.RFQ), "rfq", q.RFQ)
	if err != nil {
		return nil, err
	}
	if rfq.Requester != tx.caller.ID {
		return nil, denied("quote %s answers a request for quotes that is not %s's", q.ID, tx.caller.ID)
	}
	if rfq.Status != model.RFQOpen {
		return nil, invalidState("request for quotes %s is %s", rfq.ID, rfq.Status)
	}
	if s := q.EffectiveStatus(tx.now); s != model.QuoteOpen {
		return nil, invalidState("quote %s is %s", q.ID, s)
	}
	t, err := tx.spendable(rfq.Token)
	if err != nil {
		return nil, err
	}
	if _, err := tx.activeEnterprise("bank", q.Bank, model.RoleBank); err != nil {
		return nil, err
	}
	policy, err := tx.financingPolicy()
	if err != nil {
		return nil, err
	}
	if q.MaxAdvanceBP > policy.MaxAdvanceBP {
		return nil, invalidState("quote %s was proven against a cap of %d bp; the channel's is now %d: ask again", q.ID, q.MaxAdvanceBP, policy.MaxAdvanceBP)
	}
	inv := rfq.Invited(q.Bank)
	if inv == nil {
		return nil, internal("quote %s by %s, who is not invited to %s", q.ID, q.Bank, rfq.ID)
	}
	fin := &model.Financing{Bank: q.Bank, Requester: tx.caller.ID, BankEnvelope: inv.BankEnvelope, Refs: inv.Refs, RequestedAt: tx.now,
		Quote: &model.FinancingQuote{Quote: q.ID, RFQ: rfq.ID, QuoteOffer: q.QuoteOffer}}
	if len(rfq.Piece) > 0 {
		// A request on part of the token: the split proven with the RFQ
		// happens now; the piece is financed, the change stays ACTIVE.
		fin.Quote.SplitFrom = t.ID
		out, err := tx.splitFinanced(t, rfq.Piece, fin)
		if err != nil {
			return nil, err
		}
		t = out[0]
	} else {
		t.Status, t.Financing = model.TokenFinancing, fin
		if err := tx.putToken(t); err != nil {
			return nil, err
		}
		tx.putIndex(objFinancingForBank, q.Bank, t.ID)
	}
	if err := tx.closeRFQ(rfq, model.RFQAccepted, q.ID); err != nil {
		return nil, err
	}
	return t, tx.commit()
}

// closeRFQ records the RFQ's outcome: the accepted quote (if any) is
// ACCEPTED, every other stored OPEN quote LAPSED.
func (tx *txn) closeRFQ(rfq *model.RFQ, status model.RFQStatus, accepted string) error {
	quotes, err := tx.quotesOf(rfq.ID)
	if err != nil {
		return err
	}
	rfq.Status, rfq.Accepted, rfq.UpdatedAt = status, accepted, tx.now
	if err := tx.put(rfqKey(rfq.ID), rfq); err != nil {
		return err
	}
	tx.event.Quotes = append(tx.event.Quotes, model.QuoteChange{RFQ: rfq.ID, Token: rfq.Token, Requester: rfq.Requester, Status: string(status)})
	for _, q := range quotes {
		switch {
		case q.ID == accepted:
			q.Status = model.QuoteAccepted
		case q.Status == model.QuoteOpen:
			q.Status = model.QuoteLapsed
		default:
			continue
		}
		if err := tx.putQuote(q); err != nil {
			return err
		}
	}
	return nil
}

func (tx *txn) putQuote(q *model.Quote) error {
	q.UpdatedAt = tx.now
	if err := tx.put(quoteKey(q.ID), q); err != nil {
		return err
	}
	tx.event.Quotes = append(tx.event.Quotes, model.QuoteChange{RFQ: q.RFQ, Quote: q.ID, Token: q.Token, Requester: q.Requester,
		Bank: q.Bank, Status: string(q.Status)})
	return nil
}

// quotesOf loads the quotes on an RFQ in key order.
func (tx *txn) quotesOf(rfq string) ([]*model.Quote, error) {
	kvs, err := tx.st.GetStateByPartialCompositeKey(objQuoteByRFQ, []string{rfq}, maxQuotesPerRFQ)
	if err != nil {
		return nil, internal("range read: %v", err)
	}
	if len(kvs) > maxQuotesPerRFQ {
		return nil, invalidState("request for quotes %s holds more than %d quotes", rfq, maxQuotesPerRFQ)
	}
	out := make([]*model.Quote, 0, len(kvs))
	for _, kv := range kvs {
		id, err := lastAttr(kv.Key)
		if err != nil {
			return nil, err
		}
		q, err := mustGet[model.Quote](tx.st, quoteKey(id), "quote", id)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

// GetRFQ returns a request for quotes with the quotes its reader may see:
// all of them for the requester, the operator and the regulator; its own
// for an invited bank (which so learns whether it won, and nothing of the
// other quotes).
func (r *Rules) GetRFQ(st State, id string) (*model.RFQView, error) {
	tx, err := r.authorizeRead(st)
	if err != nil {
		return nil, err
	}
	if err := model.ValidateID("rfq", id); err != nil {
		return nil, err
	}
	return tx.rfqView(id)
}

func (tx *txn) rfqView(id string) (*model.RFQView, error) {
	rfq, err := mustGet[model.RFQ](tx.st, rfqKey(id), "rfq", id)
	if err != nil {
		return nil, err
	}
	all := tx.caller.ID == rfq.Requester || tx.caller.Role == model.RoleOperator || tx.caller.Role == model.RoleRegulator
	if !all && rfq.Invited(tx.caller.ID) == nil {
		return nil, denied("request for quotes %s is not visible to %s", id, tx.caller.ID)
	}
	quotes, err := tx.quotesOf(id)
	if err != nil {
		return nil, err
	}
	v := &model.RFQView{RFQ: *rfq, Status: rfq.EffectiveStatus(tx.now), Quotes: []model.QuoteView{}}
	if !all {
		v.RFQ.Banks = []model.RFQBank{*rfq.Invited(tx.caller.ID)}
		if rfq.Accepted != "" {
			v.RFQ.Accepted = "" // a losing bank learns only that its quote lapsed
		}
	}
	for _, q := range quotes {
		if all || q.Bank == tx.caller.ID {
			if q.ID == rfq.Accepted {
				v.RFQ.Accepted = q.ID
			}
			v.Quotes = append(v.Quotes, model.QuoteView{Quote: *q, Status: q.EffectiveStatus(tx.now)})
		}
	}
	return v, nil
}

// RFQs lists the requests for quotes of req.Owner: those it asked (a
// holder) or was invited to (a bank), as the caller may see them.
func (r *Rules) RFQs(st State, req *model.PageRequest) (*model.Page[model.RFQView], error) {
	tx, err := r.authorizeRead(st)
	if err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	index := objRFQByHolder
	if e, err := mustGet[model.Enterprise](st, enterpriseKey(req.Owner), "enterprise", req.Owner); err != nil {
		return nil, err
	} else if e.Role == model.RoleBank {
		index = objRFQForBank
	}
	return readPage(st, index, req, tx.rfqView)
}

// GetQuote returns a quote to its bank, the holder that asked, the
// operator or the regulator.
func (r *Rules) GetQuote(st State, id string) (*model.QuoteView, error) {
	tx, err := r.authorizeRead(st)
	if err != nil {
		return nil, err
	}
	if err := model.ValidateID("quote", id); err != nil {
		return nil, err
	}
	q, err := mustGet[model.Quote](st, quoteKey(id), "quote", id)
	if err != nil {
		return nil, err
	}
	if c := tx.caller; c.ID != q.Bank && c.ID != q.Requester && c.Role != model.RoleOperator && c.Role != model.RoleRegulator {
		return nil, denied("quote %s is not visible to %s", id, c.ID)
	}
	return &model.QuoteView{Quote: *q, Status: q.EffectiveStatus(tx.now)}, nil
}

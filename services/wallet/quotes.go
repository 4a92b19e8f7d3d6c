package wallet

import (
	"context"
	"errors"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// BuildRequestQuotes returns the holder's request for quotes on its token:
// the token's opening sealed to each bank, open until expiry.
func (w *Wallet) BuildRequestQuotes(ctx context.Context, l Ledger, holder, tokenID string, banks []protocol.Recipient, expiry time.Time) (*model.RequestQuotesRequest, error) {
	t, o, err := w.spendable(ctx, l, holder, tokenID)
	if err != nil {
		return nil, err
	}
	req, err := protocol.BuildRequestQuotes(protocol.OpenedToken{ID: t.ID, Currency: t.Currency, Opening: o}, banks, expiry, w.random)
	if err != nil {
		return nil, err
	}
	if err := w.sealRFQRefs(ctx, holder, t.Root, banks, t.Commitment, req); err != nil {
		return nil, err
	}
	return req, req.Validate()
}

// BuildRequestQuotesPiece is BuildRequestQuotes on part of the token: the
// banks quote on piece; the token splits into the piece and the change
// (the holder's) when the holder accepts a quote. Piece must be less than
// the token's value.
func (w *Wallet) BuildRequestQuotesPiece(ctx context.Context, l Ledger, holder protocol.Recipient, tokenID string, piece uint64,
	banks []protocol.Recipient, expiry time.Time, aud protocol.Auditor) (*model.RequestQuotesRequest, error) {
	t, o, err := w.spendable(ctx, l, holder.ID, tokenID)
	if err != nil {
		return nil, err
	}
	req, _, err := protocol.BuildRequestQuotesPiece(w.cfg.Context, protocol.OpenedToken{ID: t.ID, Currency: t.Currency, Opening: o}, holder, piece, banks,
		expiry, aud, w.random)
	if err != nil {
		if errors.Is(err, model.ErrInvalidArgument) {
			return nil, ErrInvalidArgument.With(err.Error())
		}
		return nil, err
	}
	if err := w.sealRFQRefs(ctx, holder.ID, t.Root, banks, req.Partial.Outputs[0].Commitment, req); err != nil {
		return nil, err
	}
	return req, req.Validate()
}

// sealRFQRefs seals the receivable's invoice numbers to each invited
// bank, bound to the face's commitment (the token's, or the piece's): the
// accepted bank's copy becomes the financing's.
func (w *Wallet) sealRFQRefs(ctx context.Context, holder, root string, banks []protocol.Recipient, face []byte, req *model.RequestQuotesRequest) error {
	for i := range req.Banks {
		for _, b := range banks {
			if b.ID != req.Banks[i].Bank {
				continue
			}
			refs, err := w.sealRefsTo(ctx, holder, root, b, face)
			if err != nil {
				return err
			}
			req.Banks[i].Refs = refs
		}
	}
	return nil
}

// QuoteSpec is a bank's quote on an RFQ: its terms (whose Expiry and
// Recourse become the quote's public fields) and fee.
type QuoteSpec struct {
	Bank    string
	RFQ     string
	Holder  protocol.Recipient
	Auditor protocol.Auditor
	Terms   terms.Terms
	Fee     uint64
}

// BuildQuote returns the bank's sealed quote on an RFQ it was invited to
// and the advance its terms pay: the bank opens the face from the RFQ's
// envelope to it, and the chaincode will check the advance within face and
// the channel's cap. Terms the arithmetic refuses and advances above the
// cap are ErrInvalidArgument.
func (w *Wallet) BuildQuote(ctx context.Context, l Ledger, s QuoteSpec) (*model.SubmitQuoteRequest, terms.Advance, error) {
	var none terms.Advance
	view, err := evaluate[model.RFQView](ctx, l, w.cfg.Contract, "GetRFQ", s.RFQ)
	if err != nil {
		return nil, none, err
	}
	inv := view.RFQ.Invited(s.Bank)
	if inv == nil {
		return nil, none, ErrNotFound.With("request for quotes " + s.RFQ + " does not invite " + s.Bank)
	}
	if view.RFQ.Requester != s.Holder.ID {
		return nil, none, ErrInvalidArgument.With("the holder is " + view.RFQ.Requester)
	}
	t, err := evaluate[model.TokenView](ctx, l, w.cfg.Contract, "GetToken", view.RFQ.Token)
	if err != nil {
		return nil, none, err
	}
	face, err := w.openBankEnvelope(ctx, s.Bank, t.ID, view.RFQ.Face(t.Commitment), inv.BankEnvelope)
	if err != nil {
		return nil, none, err
	}
	self, err := w.PublicKey(ctx, s.Bank)
	if err != nil {
		return nil, none, err
	}
	policy, err := evaluate[model.FinancingPolicy](ctx, l, w.cfg.Contract, "GetFinancingPolicy")
	if err != nil {
		return nil, none, err
	}
	req, adv, err := protocol.BuildQuote(w.cfg.Context, protocol.QuoteInput{Currency: t.Currency, RFQ: s.RFQ, Token: t.ID, Requester: s.Holder,
		Bank: protocol.Recipient{ID: s.Bank, Key: self}, Face: face, Maturity: t.Maturity, Terms: s.Terms, Fee: s.Fee,
		MaxAdvanceBP: policy.MaxAdvanceBP}, s.Auditor, w.random)
	if err != nil {
		if errors.Is(err, model.ErrInvalidArgument) {
			return nil, none, ErrInvalidArgument.With(err.Error())
		}
		return nil, none, err
	}
	return req, adv, req.Validate()
}

// openBankEnvelope opens a face sealed to the bank for a financing with
// terms or a quote (bound to the commitment alone).
func (w *Wallet) openBankEnvelope(ctx context.Context, bank, tokenID string, commitment, env []byte) (pedersen.Opening, error) {
	key, err := w.privateKey(ctx, bank)
	if err != nil {
		return pedersen.Opening{}, err
	}
	return openBound(key, commitment, env, protocol.PurposeBank, "token "+tokenID, "bank envelope of token "+tokenID)
}

// openBound opens env, sealed to key and bound to commitment for purpose.
// Both failures are ErrCommitmentMismatch, naming what does not decode
// ("token t1") or the envelope that does not open ("bank envelope of token
// t1").
func openBound(key *envelope.PrivateKey, commitment, env []byte, purpose, what, envWhat string) (pedersen.Opening, error) {
	c, err := pedersen.DecodeCommitment(commitment)
	if err != nil {
		return pedersen.Opening{}, ErrCommitmentMismatch.With(what)
	}
	o, err := envelope.Open(key, env, protocol.OutputBinding(c, purpose))
	if err != nil {
		return pedersen.Opening{}, ErrCommitmentMismatch.With(envWhat)
	}
	return o, nil
}

// OpenedQuote is a quote as the holder (or the bank that made it) opens
// it: the sealed terms and fee, the advance and fee committed, and whether
// the committed advance is what the terms pay on the face (Valid). A
// holder accepts only a Valid quote.
type OpenedQuote struct {
	Quote   *model.Quote
	Status  model.QuoteStatus
	Terms   terms.Terms
	Face    uint64
	Advance uint64 // committed
	Fee     uint64 // committed
	Figures terms.Advance
	Valid   bool
	Problem string `json:",omitempty"` // why not Valid
}

// OpenQuotes opens the quotes of an RFQ that enterpriseID (its requester,
// or a bank for its own quote) may read; a quote whose sealed terms do not
// open to its digest, or whose advance is not its terms', is returned
// with Valid false and the reason.
func (w *Wallet) OpenQuotes(ctx context.Context, l Ledger, enterpriseID, rfqID string) (*model.RFQView, []OpenedQuote, error) {
	o, err := w.OpenRFQ(ctx, l, enterpriseID, rfqID)
	if err != nil {
		return nil, nil, err
	}
	return o.View, o.Quotes, nil
}

// OpenedRFQ is an RFQ as its requester or an invited bank opens it: the
// face it was asked for (the requester's own opening, or the bank's
// envelope), the token's maturity, and the quotes that reader may see.
type OpenedRFQ struct {
	View     *model.RFQView
	Face     uint64
	Maturity time.Time
	Quotes   []OpenedQuote
}

// OpenRFQ is OpenQuotes with the face and maturity the quotes are priced
// on, so that a bank sees what its terms would pay before it quotes.
func (w *Wallet) OpenRFQ(ctx context.Context, l Ledger, enterpriseID, rfqID string) (*OpenedRFQ, error) {
	view, err := evaluate[model.RFQView](ctx, l, w.cfg.Contract, "GetRFQ", rfqID)
	if err != nil {
		return nil, err
	}
	key, err := w.privateKey(ctx, enterpriseID)
	if err != nil {
		return nil, err
	}
	t, err := evaluate[model.TokenView](ctx, l, w.cfg.Contract, "GetToken", view.RFQ.Token)
	if err != nil {
		return nil, err
	}
	var face pedersen.Opening
	if enterpriseID == view.RFQ.Requester {
		if len(view.RFQ.Piece) > 0 {
			face, err = w.openPiece(key, &view.RFQ)
		} else {
			face, err = w.TokenOpening(ctx, enterpriseID, t.ID)
		}
		if err != nil {
			return nil, err
		}
	} else if inv := view.RFQ.Invited(enterpriseID); inv != nil {
		if face, err = w.openBankEnvelope(ctx, enterpriseID, t.ID, view.RFQ.Face(t.Commitment), inv.BankEnvelope); err != nil {
			return nil, err
		}
	} else {
		return nil, ErrNotFound.With("request for quotes " + rfqID + " is not addressed to " + enterpriseID)
	}
	out := make([]OpenedQuote, 0, len(view.Quotes))
	for i := range view.Quotes {
		q := &view.Quotes[i].Quote
		oq := OpenedQuote{Quote: q, Status: view.Quotes[i].Status, Face: face.Value}
		oq.Valid, oq.Problem = true, ""
		if err := w.openQuote(key, enterpriseID, q, t.Maturity, &oq); err != nil {
			oq.Valid, oq.Problem = false, err.Error()
		}
		out = append(out, oq)
	}
	return &OpenedRFQ{View: view, Face: face.Value, Maturity: t.Maturity, Quotes: out}, nil
}

// openPiece opens the piece of a request for quotes on part of a token
// from the requester's envelope (bound to the piece's commitment).
func (w *Wallet) openPiece(key *envelope.PrivateKey, rfq *model.RFQ) (pedersen.Opening, error) {
	piece := rfq.Piece[0]
	return openBound(key, piece.Commitment, piece.HolderEnvelope, protocol.PurposeHolder,
		"piece of request for quotes "+rfq.ID, "piece envelope of request for quotes "+rfq.ID)
}

func (w *Wallet) openQuote(key *envelope.PrivateKey, enterpriseID string, q *model.Quote, maturity time.Time, oq *OpenedQuote) error {
	sealed, advEnv, feeEnv := q.HolderSealedTerms, q.Advance.HolderEnvelope, q.Fee.HolderEnvelope
	if enterpriseID == q.Bank {
		sealed, advEnv, feeEnv = q.BankSealedTerms, q.Advance.BankEnvelope, q.Fee.BankEnvelope
	}
	qt, err := protocol.OpenQuoteTerms(key, q, sealed)
	if err != nil {
		return err
	}
	oq.Terms = qt.Terms
	open := func(a *model.SealedAmount, env []byte, purpose string) (uint64, error) {
		o, err := openBound(key, a.Commitment, env, purpose, "quote "+q.ID, purpose+" envelope of quote "+q.ID)
		return o.Value, err
	}
	if oq.Advance, err = open(q.Advance, advEnv, protocol.PurposeAdvance); err != nil {
		return err
	}
	if oq.Fee, err = open(q.Fee, feeEnv, protocol.PurposeFee); err != nil {
		return err
	}
	oq.Figures, err = protocol.CheckQuoteAmounts(qt, oq.Face, oq.Advance, oq.Fee, maturity)
	return err
}

// CheckAcceptable opens the quote as the holder and refuses (ErrInvalidArgument)
// one the holder must not accept: sealed terms that do not open to the
// digest, or an advance that is not what the terms pay.
func (w *Wallet) CheckAcceptable(ctx context.Context, l Ledger, holder, quoteID string) (*OpenedQuote, error) {
	q, err := evaluate[model.QuoteView](ctx, l, w.cfg.Contract, "GetQuote", quoteID)
	if err != nil {
		return nil, err
	}
	rfqID := q.Quote.RFQ
	_, quotes, err := w.OpenQuotes(ctx, l, holder, rfqID)
	if err != nil {
		return nil, err
	}
	for i := range quotes {
		if quotes[i].Quote.ID != quoteID {
			continue
		}
		if !quotes[i].Valid {
			return nil, ErrInvalidArgument.With("quote " + quoteID + ": " + quotes[i].Problem)
		}
		return &quotes[i], nil
	}
	return nil, ErrNotFound.With("quote " + quoteID + " on " + rfqID)
}

package model

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"time"

	"github.com/tierchain/tierchain/zk/envelope"
)

// A request for quotes (RFQ) asks several banks at once to finance one
// token. Each bank answers with a sealed quote: its terms and fee sealed
// to the holder and the regulator, bound by a public digest; the advance
// and fee as commitments with range proofs of the bounds the chaincode
// can check without the terms (0 ≤ advance ≤ face, the policy cap). The
// holder accepts one quote; the others lapse (docs/crypto/financing.md,
// "Requests for quotes").

// RFQStatus is the state of a request for quotes.
type RFQStatus string

// RFQ states.
const (
	RFQOpen      RFQStatus = "OPEN"      // banks may quote until Expiry
	RFQAccepted  RFQStatus = "ACCEPTED"  // the holder accepted one quote
	RFQCancelled RFQStatus = "CANCELLED" // the holder withdrew it
	RFQExpired   RFQStatus = "EXPIRED"   // past Expiry with none accepted (derived, never stored)
)

// QuoteStatus is the state of a bank's quote.
type QuoteStatus string

// Quote states.
const (
	QuoteOpen      QuoteStatus = "OPEN"      // the holder may accept it until Expiry
	QuoteAccepted  QuoteStatus = "ACCEPTED"  // the holder accepted it: the token is FINANCING at the bank
	QuoteLapsed    QuoteStatus = "LAPSED"    // another quote was accepted, the RFQ was cancelled, or (derived) it expired
	QuoteWithdrawn QuoteStatus = "WITHDRAWN" // the bank withdrew it before acceptance
)

// Bounds of requests for quotes.
const (
	MaxRFQBanks = 8
	// QuoteRangeValues is the number of range proofs of a quote: the
	// advance, the fee, face − advance and num·face − den·advance.
	QuoteRangeValues = 4
	// QuoteTermsDigestSize is the size of a quote's terms digest (SHA-256).
	QuoteTermsDigestSize = sha256.Size
	// MaxSealedTermsSize bounds a sealed terms message.
	MaxSealedTermsSize = 1024
)

// RFQBank is one bank invited by a request for quotes, with the face's
// opening sealed to it (bound to the token's commitment, purpose "bank").
type RFQBank struct {
	Bank         string `json:"bank"`
	BankEnvelope []byte `json:"bankEnvelope"`
	// Refs, optional: the invoice numbers sealed to this bank, bound to the
	// face's commitment (model/refs.go); they become the financing's when
	// the holder accepts this bank's quote.
	Refs []byte `json:"refs,omitempty"`
}

// RequestQuotesRequest is the holder's request for quotes on its ACTIVE
// token from several banks, open until Expiry.
type RequestQuotesRequest struct {
	Token  string    `json:"token"`
	Banks  []RFQBank `json:"banks"`
	Expiry time.Time `json:"expiry"`
	// Partial asks for quotes on a piece of the token: the split into the
	// piece (Outputs[0], the face the banks quote on, their envelopes bound
	// to its commitment) and the change is proven now and carried out when
	// the holder accepts a quote, in the acceptance's transaction.
	Partial *PartialFinancing `json:"partial,omitempty"`
}

// Validate implements Validator.
func (r *RequestQuotesRequest) Validate() error {
	if err := firstError(ValidateID("token", r.Token), validateTime("expiry", r.Expiry)); err != nil {
		return err
	}
	if len(r.Banks) < 1 || len(r.Banks) > MaxRFQBanks {
		return invalid("banks: 1..%d", MaxRFQBanks)
	}
	seen := make([]string, 0, len(r.Banks))
	for i, b := range r.Banks {
		if err := firstError(ValidateID(fmt.Sprintf("banks[%d].bank", i), b.Bank),
			validateBytes(fmt.Sprintf("banks[%d].bankEnvelope", i), b.BankEnvelope, envelope.SealedSize),
			validateRefs(fmt.Sprintf("banks[%d].refs", i), b.Refs)); err != nil {
			return err
		}
		if slices.Contains(seen, b.Bank) {
			return invalid("banks[%d].bank: %s invited twice", i, b.Bank)
		}
		seen = append(seen, b.Bank)
	}
	if r.Partial != nil {
		return r.Partial.Validate()
	}
	return nil
}

// RFQ is a request for quotes as the ledger keeps it.
type RFQ struct {
	ID        string    `json:"id"`
	Token     string    `json:"token"`
	Requester string    `json:"requester"`
	Banks     []RFQBank `json:"banks"`
	Expiry    time.Time `json:"expiry"`
	Status    RFQStatus `json:"status"`
	Accepted  string    `json:"accepted,omitempty"` // the quote accepted
	// Piece, for a request on part of the token: the piece (Piece[0], the
	// face quoted on) and the change (Piece[1]), proven when the RFQ was
	// recorded (their proofs are not kept); the accepted quote's
	// transaction splits the token into them.
	Piece     []Output  `json:"piece,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	TxID      string    `json:"txId"`
}

// Face is the commitment the banks quote on: the piece's, or the token's
// (given) for a request on the whole token.
func (r *RFQ) Face(tokenCommitment []byte) []byte {
	if len(r.Piece) > 0 {
		return r.Piece[0].Commitment
	}
	return tokenCommitment
}

// EffectiveStatus is the RFQ's status at now: an OPEN one past its expiry
// is EXPIRED.
func (r *RFQ) EffectiveStatus(now time.Time) RFQStatus {
	if r.Status == RFQOpen && now.After(r.Expiry) {
		return RFQExpired
	}
	return r.Status
}

// Invited returns bank's invitation, or nil.
func (r *RFQ) Invited(bank string) *RFQBank {
	for i := range r.Banks {
		if r.Banks[i].Bank == bank {
			return &r.Banks[i]
		}
	}
	return nil
}

// SubmitQuoteRequest is a bank's sealed quote on an RFQ. Expiry and
// Recourse are public (the chaincode enforces them); the rest of the terms
// and the fee are in SealedTerms, sealed to the holder and to the
// regulator, both opening to the message whose digest is TermsDigest.
// Advance and Fee are the bank's commitments to what it will pay and
// charge, sealed to the holder, the bank and the regulator; RangeProofs
// are QuoteRangeValues single 64-bit proofs in the order QuoteRangeValues
// names them.
type SubmitQuoteRequest struct {
	RFQ                  string       `json:"rfq"`
	Expiry               time.Time    `json:"expiry"`
	Recourse             bool         `json:"recourse"`
	TermsDigest          []byte       `json:"termsDigest"`
	HolderSealedTerms    []byte       `json:"holderSealedTerms"`
	BankSealedTerms      []byte       `json:"bankSealedTerms"`
	RegulatorSealedTerms []byte       `json:"regulatorSealedTerms"`
	Advance              SealedAmount `json:"advance"`
	Fee                  SealedAmount `json:"fee"`
	RangeProofs          [][]byte     `json:"rangeProofs"`
}

// Validate implements Validator.
func (r *SubmitQuoteRequest) Validate() error {
	if err := firstError(ValidateID("rfq", r.RFQ), validateTime("expiry", r.Expiry),
		validateBytes("termsDigest", r.TermsDigest, QuoteTermsDigestSize),
		validateSealedTerms("holderSealedTerms", r.HolderSealedTerms),
		validateSealedTerms("bankSealedTerms", r.BankSealedTerms),
		validateSealedTerms("regulatorSealedTerms", r.RegulatorSealedTerms),
		r.Advance.Validate("advance"), r.Fee.Validate("fee")); err != nil {
		return err
	}
	if err := validateRangeProofs(r.RangeProofs, QuoteRangeValues); err != nil {
		return err
	}
	return nil
}

func validateSealedTerms(field string, b []byte) error {
	if len(b) <= envelope.MessageOverhead || len(b) > MaxSealedTermsSize {
		return invalid("%s: must be %d..%d bytes", field, envelope.MessageOverhead+1, MaxSealedTermsSize)
	}
	return nil
}

// Quote is a bank's sealed quote as the ledger keeps it.
type Quote struct {
	ID        string `json:"id"`
	RFQ       string `json:"rfq"`
	Token     string `json:"token"`
	Requester string `json:"requester"`
	Bank      string `json:"bank"`
	QuoteOffer
	Status    QuoteStatus `json:"status"`
	CreatedAt time.Time   `json:"createdAt"`
	UpdatedAt time.Time   `json:"updatedAt"`
	TxID      string      `json:"txId"`
}

// QuoteOffer is what a bank's quote offers, as the ledger records it on the
// quote and again on the financing that accepts it: the public terms, the
// sealed terms and their digest, and the advance and fee the bank
// committed to. Its fields stand inline in both records' JSON.
type QuoteOffer struct {
	Expiry               time.Time     `json:"expiry"`
	Recourse             bool          `json:"recourse"`
	MaxAdvanceBP         int64         `json:"maxAdvanceBp"` // the cap the advance was proven against
	TermsDigest          []byte        `json:"termsDigest"`
	HolderSealedTerms    []byte        `json:"holderSealedTerms"`
	BankSealedTerms      []byte        `json:"bankSealedTerms"`
	RegulatorSealedTerms []byte        `json:"regulatorSealedTerms"`
	Advance              *SealedAmount `json:"advance"`
	Fee                  *SealedAmount `json:"fee"`
}

// EffectiveStatus is the quote's status at now: an OPEN quote past its
// expiry has LAPSED.
func (q *Quote) EffectiveStatus(now time.Time) QuoteStatus {
	if q.Status == QuoteOpen && now.After(q.Expiry) {
		return QuoteLapsed
	}
	return q.Status
}

// QuoteActionRequest names a quote to accept or withdraw.
type QuoteActionRequest struct {
	Quote string `json:"quote"`
}

// Validate implements Validator.
func (r *QuoteActionRequest) Validate() error { return ValidateID("quote", r.Quote) }

// RFQActionRequest names a request for quotes to cancel.
type RFQActionRequest struct {
	RFQ string `json:"rfq"`
}

// Validate implements Validator.
func (r *RFQActionRequest) Validate() error { return ValidateID("rfq", r.RFQ) }

// RFQView is an RFQ with the quotes its reader may see: the requester, the
// operator and the regulator see every quote; an invited bank sees its own
// (and so learns whether it won, nothing of the others' terms).
type RFQView struct {
	RFQ    RFQ         `json:"rfq"`
	Status RFQStatus   `json:"status"` // effective at the query's time
	Quotes []QuoteView `json:"quotes"`
}

// QuoteView is a quote with its effective status.
type QuoteView struct {
	Quote  Quote       `json:"quote"`
	Status QuoteStatus `json:"status"`
}

// FinancingQuote is what a financing by an accepted quote records on its
// token: the quote, its public terms, the sealed terms and their digest,
// and the advance and fee the bank committed to.
type FinancingQuote struct {
	Quote string `json:"quote"`
	RFQ   string `json:"rfq"`
	QuoteOffer
	// SplitFrom is the token a quote on part of it split the piece off.
	SplitFrom string `json:"splitFrom,omitempty"`
}

// Quoted returns the quote a financing accepted, as far as the token
// records it (enough to open and check its sealed terms).
func (f *Financing) Quoted() *Quote {
	if f.Quote == nil {
		return nil
	}
	q := f.Quote
	return &Quote{ID: q.Quote, RFQ: q.RFQ, Requester: f.Requester, Bank: f.Bank, QuoteOffer: q.QuoteOffer, Status: QuoteAccepted}
}

// QuoteChange is an RFQ or quote whose status changed (in Event.Quotes):
// with Quote empty, the RFQ itself (Banks lists the banks invited).
type QuoteChange struct {
	RFQ       string   `json:"rfq"`
	Quote     string   `json:"quote,omitempty"`
	Token     string   `json:"token"`
	Requester string   `json:"requester"`
	Bank      string   `json:"bank,omitempty"`
	Banks     []string `json:"banks,omitempty"`
	Status    string   `json:"status"`
}

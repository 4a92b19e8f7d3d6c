package protocol

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"io"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

// QuoteTermsInfo is the HPKE info of a quote's sealed terms, and the
// domain separator of their digest.
const QuoteTermsInfo = "tierchain/quote-terms/v1"

// QuoteSaltSize is the size of the random salt in a quote's terms: with
// it, the public digest reveals nothing of terms drawn from a small space.
const QuoteSaltSize = 32

// QuoteTerms is what a bank seals in its quote, to the holder and the
// regulator: its terms and fee, with a salt. The ledger keeps only their
// digest in clear (QuoteTermsDigest), which the bank's transaction signs.
type QuoteTerms struct {
	Terms terms.Terms `json:"terms"`
	Fee   uint64      `json:"fee"`
	Salt  []byte      `json:"salt"`
}

// String redacts: the terms are confidential.
func (q QuoteTerms) String() string { return "protocol.QuoteTerms{REDACTED}" }

// QuoteTermsDigest is SHA-256 of the domain separator, a zero byte and the
// sealed plaintext.
func QuoteTermsDigest(plaintext []byte) []byte {
	h := sha256.New()
	h.Write([]byte(QuoteTermsInfo))
	h.Write([]byte{0})
	h.Write(plaintext)
	return h.Sum(nil)
}

// quoteTermsAAD binds sealed terms to the RFQ, the bank and the digest.
func quoteTermsAAD(rfq, bank string, digest []byte) []byte {
	var b bytes.Buffer
	b.WriteString(rfq)
	b.WriteByte(0)
	b.WriteString(bank)
	b.WriteByte(0)
	b.Write(digest)
	return b.Bytes()
}

// OpenQuoteTerms opens a quote's sealed terms with the holder's, the
// bank's or the regulator's key and checks them against the quote's digest and public
// fields (recourse, expiry). A bank that sealed anything else is caught
// here: INVALID_PROOF.
func OpenQuoteTerms(k *envelope.PrivateKey, q *model.Quote, sealed []byte) (*QuoteTerms, error) {
	pt, err := envelope.OpenMessage(k, QuoteTermsInfo, quoteTermsAAD(q.RFQ, q.Bank, q.TermsDigest), sealed)
	if err != nil {
		return nil, invalidProof("quote %s: sealed terms do not open: %v", q.ID, err)
	}
	if !bytes.Equal(QuoteTermsDigest(pt), q.TermsDigest) {
		return nil, invalidProof("quote %s: sealed terms do not match their digest", q.ID)
	}
	dec := json.NewDecoder(bytes.NewReader(pt))
	dec.DisallowUnknownFields()
	var qt QuoteTerms
	if err := dec.Decode(&qt); err != nil || dec.More() {
		return nil, invalidProof("quote %s: sealed terms malformed", q.ID)
	}
	if err := qt.Terms.Validate(); err != nil {
		return nil, invalidProof("quote %s: sealed terms: %v", q.ID, err)
	}
	if qt.Terms.Recourse != q.Recourse || !qt.Terms.Expiry.Equal(q.Expiry) {
		return nil, invalidProof("quote %s: sealed terms disagree with the quote's recourse or expiry", q.ID)
	}
	return &qt, nil
}

// CheckQuoteAmounts checks that a quote's advance and fee (as opened from
// their envelopes) are what its terms pay on face: the check the holder
// makes before accepting and the regulator makes in reconciliation (the
// chaincode proves only the bounds; the terms are secret to it).
func CheckQuoteAmounts(qt *QuoteTerms, face, advance, fee uint64, maturity time.Time) (terms.Advance, error) {
	want, err := terms.Compute(&qt.Terms, face, qt.Fee, maturity)
	if err != nil {
		return want, invalidArg("quote terms: %v", err)
	}
	if advance != want.Advance || fee != qt.Fee {
		return want, invalidProof("quote: committed advance %d and fee %d are not the terms' %d and %d", advance, fee, want.Advance, qt.Fee)
	}
	return want, nil
}

// QuoteStatement is the public side of a bank's sealed quote: the advance
// and fee it commits to are in [0, 2^64), the advance is at most the face
// (the token's commitment) and at most the policy cap's share of it, and
// the regulator can open both. The terms are bound by their digest only.
type QuoteStatement struct {
	Currency             string // the token's ISO 4217 code: face, advance and fee; "" legacy
	RFQ                  string
	Token                string
	Requester            string
	Bank                 string
	Face                 *pedersen.Commitment
	Expiry               time.Time
	Recourse             bool
	MaxAdvanceBP         int64
	TermsDigest          []byte
	HolderSealedTerms    []byte
	BankSealedTerms      []byte
	RegulatorSealedTerms []byte
	Advance              AmountRef
	Fee                  AmountRef
	AuditKey             *elgamal.PublicKey
}

// Transcript binds the context and every public input of the statement.
func (s *QuoteStatement) Transcript(ctx Context) *transcript.Transcript {
	t := newTranscript(ctx, KindSubmitQuote, s.Currency, s.AuditKey)
	t.AppendString("rfq", s.RFQ)
	t.AppendString("token", s.Token)
	t.AppendString("requester", s.Requester)
	t.AppendString("bank", s.Bank)
	t.AppendElement("face", s.Face.Element())
	appendTime(t, "expiry", s.Expiry)
	recourse := uint64(0)
	if s.Recourse {
		recourse = 1
	}
	t.AppendUint64("recourse", recourse)
	t.AppendUint64("max-advance-bp", uint64(s.MaxAdvanceBP))
	t.AppendMessage("terms-digest", s.TermsDigest)
	t.AppendMessage("holder-sealed-terms", s.HolderSealedTerms)
	t.AppendMessage("bank-sealed-terms", s.BankSealedTerms)
	t.AppendMessage("regulator-sealed-terms", s.RegulatorSealedTerms)
	appendAmount(t, "advance", &s.Advance)
	appendAmount(t, "fee", &s.Fee)
	return t
}

// RangeCommitments returns the commitments the quote's range proofs cover,
// in order: A, F, face − A and num·face − den·A.
func (s *QuoteStatement) RangeCommitments() ([]*pedersen.Commitment, error) {
	num, den, err := terms.CapCoefficients(s.MaxAdvanceBP)
	if err != nil {
		return nil, internal("policy: %v", err)
	}
	adv := s.Advance.Commitment
	return []*pedersen.Commitment{adv, s.Fee.Commitment,
		pedersen.Identity().Subtract(s.Face, adv),
		pedersen.Identity().Subtract(scaled(s.Face, num), scaled(adv, den))}, nil
}

// Verify checks the quote's handle and range proofs in one batch.
func (s *QuoteStatement) Verify(ctx Context, req *model.SubmitQuoteRequest) error {
	cs, err := s.RangeCommitments()
	if err != nil {
		return err
	}
	b := newProofBatch(ctx, s.Transcript(ctx))
	b.addHandle(0, s.AuditKey, s.Advance.Commitment, s.Advance.Handle, req.Advance.HandleProof)
	b.addHandle(1, s.AuditKey, s.Fee.Commitment, s.Fee.Handle, req.Fee.HandleProof)
	if err := b.addRanges(req.RangeProofs, cs); err != nil {
		return err
	}
	return b.verify()
}

// QuoteInput is what a bank's wallet knows to quote on an RFQ: the face
// (opened from the RFQ's envelope to it), its terms and fee.
type QuoteInput struct {
	Currency     string // the token's ISO 4217 code ("" legacy)
	RFQ          string
	Token        string
	Requester    Recipient // the holder
	Bank         Recipient
	Face         pedersen.Opening
	Maturity     time.Time
	Terms        terms.Terms
	Fee          uint64
	MaxAdvanceBP int64
	// ClaimAdvance, when non-nil, is committed to instead of the advance
	// the terms compute (tests: a bank quoting above face or the cap).
	ClaimAdvance *uint64
}

// BuildQuote produces a complete SubmitQuoteRequest and the advance its
// terms pay. The quote's expiry and recourse are the terms'.
func BuildQuote(ctx Context, in QuoteInput, aud Auditor, random io.Reader) (*model.SubmitQuoteRequest, terms.Advance, error) {
	var none terms.Advance
	if in.Face.Blinding == nil || in.Requester.Key == nil || in.Bank.Key == nil || aud.AuditKey == nil || aud.EncryptionKey == nil {
		return nil, none, invalidArg("builder: missing face blinding, holder, bank or auditor key")
	}
	if random == nil {
		random = rand.Reader
	}
	adv, claim, num, den, err := claimAdvance(&in.Terms, in.Face.Value, in.Fee, in.Maturity, in.MaxAdvanceBP, in.ClaimAdvance)
	if err != nil {
		return nil, none, err
	}

	qt := QuoteTerms{Terms: in.Terms, Fee: in.Fee, Salt: make([]byte, QuoteSaltSize)}
	if _, err := io.ReadFull(random, qt.Salt); err != nil {
		return nil, none, err
	}
	pt, err := json.Marshal(qt)
	if err != nil {
		return nil, none, internal("encode quote terms: %v", err)
	}
	digest := QuoteTermsDigest(pt)
	aad := quoteTermsAAD(in.RFQ, in.Bank.ID, digest)
	req := &model.SubmitQuoteRequest{RFQ: in.RFQ, Expiry: in.Terms.Expiry, Recourse: in.Terms.Recourse, TermsDigest: digest}
	if req.HolderSealedTerms, err = envelope.SealMessage(in.Requester.Key, QuoteTermsInfo, aad, pt, random); err != nil {
		return nil, none, err
	}
	if req.BankSealedTerms, err = envelope.SealMessage(in.Bank.Key, QuoteTermsInfo, aad, pt, random); err != nil {
		return nil, none, err
	}
	if req.RegulatorSealedTerms, err = envelope.SealMessage(aud.EncryptionKey, QuoteTermsInfo, aad, pt, random); err != nil {
		return nil, none, err
	}
	s := &QuoteStatement{Currency: in.Currency, RFQ: in.RFQ, Token: in.Token, Requester: in.Requester.ID, Bank: in.Bank.ID, Face: in.Face.Commitment(),
		Expiry: req.Expiry, Recourse: req.Recourse, MaxAdvanceBP: in.MaxAdvanceBP, TermsDigest: digest,
		HolderSealedTerms: req.HolderSealedTerms, BankSealedTerms: req.BankSealedTerms, RegulatorSealedTerms: req.RegulatorSealedTerms,
		AuditKey: aud.AuditKey}

	advOpening, err := pedersen.NewOpening(claim, random)
	if err != nil {
		return nil, none, err
	}
	feeOpening, err := pedersen.NewOpening(in.Fee, random)
	if err != nil {
		return nil, none, err
	}
	if err := sealAmounts(in.Requester.Key, in.Bank.Key, aud, random, []sealTarget{
		{advOpening, PurposeAdvance, &s.Advance, &req.Advance}, {feeOpening, PurposeFee, &s.Fee, &req.Fee}}); err != nil {
		return nil, none, err
	}
	base := s.Transcript(ctx)
	if req.Advance.HandleProof, err = proveHandle(base, 0, aud.AuditKey, advOpening, random); err != nil {
		return nil, none, err
	}
	if req.Fee.HandleProof, err = proveHandle(base, 1, aud.AuditKey, feeOpening, random); err != nil {
		return nil, none, err
	}
	sc := func(v uint64) *group.Scalar { return group.NewScalar().SetUint64(v) }
	rf, ra := in.Face.Blinding, advOpening.Blinding
	capBlinding := group.NewScalar().Subtract(group.NewScalar().Multiply(sc(num), rf), group.NewScalar().Multiply(sc(den), ra))
	if req.RangeProofs, err = proveRanges(base, []pedersen.Opening{
		advOpening,
		feeOpening,
		{Value: in.Face.Value - claim, Blinding: group.NewScalar().Subtract(rf, ra)},
		{Value: num*in.Face.Value - den*claim, Blinding: capBlinding},
	}, random); err != nil {
		return nil, none, err
	}
	if in.ClaimAdvance != nil {
		adv.Advance = claim
	}
	return req, adv, nil
}

// claimAdvance is a builder's advance on face: what the terms pay (adv),
// the amount it commits to (claim: adv.Advance, or override when a test
// plays a holder or bank claiming more) and the channel cap's coefficients
// num/den its range proof uses. Without an override it refuses an advance
// above the cap, which could not be proven anyway.
func claimAdvance(t *terms.Terms, face, fee uint64, maturity time.Time, maxAdvanceBP int64, override *uint64) (adv terms.Advance, claim, num, den uint64, err error) {
	if adv, err = terms.Compute(t, face, fee, maturity); err != nil {
		return adv, 0, 0, 0, invalidArg("terms: %v", err)
	}
	if num, den, err = terms.CapCoefficients(maxAdvanceBP); err != nil {
		return adv, 0, 0, 0, invalidArg("policy: %v", err)
	}
	claim = adv.Advance
	if override != nil {
		claim = *override
	} else if ok, err := terms.WithinCap(maxAdvanceBP, face, claim); err != nil || !ok {
		return adv, 0, 0, 0, invalidArg("builder: advance %d above the channel's cap of %d bp of %d (%v)", claim, maxAdvanceBP, face, err)
	}
	return adv, claim, num, den, nil
}

// sealTarget is one amount to commit and seal to the holder, the bank and
// the regulator.
type sealTarget struct {
	o       pedersen.Opening
	purpose string
	ref     *AmountRef
	out     *model.SealedAmount
}

func sealAmounts(holder, bank *envelope.PublicKey, aud Auditor, random io.Reader, targets []sealTarget) error {
	for _, a := range targets {
		ac := a.o.Commitment()
		*a.ref = AmountRef{Commitment: ac, Handle: elgamal.NewHandle(aud.AuditKey, a.o.Blinding)}
		for _, seal := range []struct {
			to  *envelope.PublicKey
			dst *[]byte
		}{{holder, &a.ref.HolderEnvelope}, {bank, &a.ref.BankEnvelope}, {aud.EncryptionKey, &a.ref.RegulatorEnvelope}} {
			var err error
			if *seal.dst, err = envelope.Seal(seal.to, a.o, OutputBinding(ac, a.purpose), random); err != nil {
				return err
			}
		}
		*a.out = model.SealedAmount{Commitment: ac.Bytes(), Handle: a.ref.Handle.Bytes(),
			HolderEnvelope: a.ref.HolderEnvelope, BankEnvelope: a.ref.BankEnvelope, RegulatorEnvelope: a.ref.RegulatorEnvelope}
	}
	return nil
}

// BuildRequestQuotes seals the token's opening to each bank invited
// (bound to the token's commitment, purpose "bank", as for a financing
// with terms) and returns the request for quotes.
func BuildRequestQuotes(token OpenedToken, banks []Recipient, expiry time.Time, random io.Reader) (*model.RequestQuotesRequest, error) {
	if token.Opening.Blinding == nil {
		return nil, invalidArg("builder: missing blinding")
	}
	c := token.Opening.Commitment()
	req := &model.RequestQuotesRequest{Token: token.ID, Expiry: expiry}
	for _, b := range banks {
		if b.Key == nil {
			return nil, invalidArg("builder: missing key of bank %s", b.ID)
		}
		env, err := envelope.Seal(b.Key, token.Opening, OutputBinding(c, PurposeBank), random)
		if err != nil {
			return nil, err
		}
		req.Banks = append(req.Banks, model.RFQBank{Bank: b.ID, BankEnvelope: env})
	}
	return req, nil
}

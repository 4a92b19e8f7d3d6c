package protocol

import (
	"io"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/zk/balance"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

// Envelope purposes of a financing's advance and fee (the face's copy to
// the bank is PurposeBank).
const (
	PurposeAdvance = "advance"
	PurposeFee     = "fee"
)

// AmountRef is the public side of a financing's advance or fee.
type AmountRef struct {
	Commitment        *pedersen.Commitment
	Handle            *elgamal.Handle
	HolderEnvelope    []byte
	BankEnvelope      []byte
	RegulatorEnvelope []byte
}

// FinanceStatement is the public side of a financing with terms: the
// advance and fee are in [0, 2^64), the advance is at most the face and at
// most the policy cap's share of it, the advance plus fee is the terms'
// net advance ⌊face·K/M⌋ (package terms), and the regulator can open the
// advance and the fee. With Outputs (a partial financing) the token is
// also split into the piece financed (Outputs[0], the face) and the change
// (Outputs[1]), with the split's balance, range and handle proofs.
type FinanceStatement struct {
	Currency     string // the token's ISO 4217 code: face, advance and fee; "" legacy
	Requester    string
	Bank         string
	Token        string
	Input        *pedersen.Commitment // the token's commitment
	Maturity     time.Time
	Terms        terms.Terms
	MaxAdvanceBP int64
	Outputs      []OutputRef // partial: the piece, the change
	BankEnvelope []byte      // the face's opening, sealed to the bank
	Advance      AmountRef
	Fee          AmountRef
	AuditKey     *elgamal.PublicKey
}

// Face is the commitment financed: the token's, or the piece's.
func (s *FinanceStatement) Face() *pedersen.Commitment {
	if len(s.Outputs) > 0 {
		return s.Outputs[0].Commitment
	}
	return s.Input
}

// Transcript binds the context and every public input of the statement.
func (s *FinanceStatement) Transcript(ctx Context) *transcript.Transcript {
	t := newTranscript(ctx, KindFinanceTerms, s.Currency, s.AuditKey)
	t.AppendString("requester", s.Requester)
	t.AppendString("bank", s.Bank)
	t.AppendString("input", s.Token)
	t.AppendElement("input-commitment", s.Input.Element())
	appendTime(t, "maturity", s.Maturity)
	t.AppendUint64("advance-rate-bp", uint64(s.Terms.AdvanceRateBP))
	t.AppendUint64("discount-rate-bp", uint64(s.Terms.DiscountRateBP))
	t.AppendString("day-count", string(s.Terms.DayCount))
	t.AppendUint64("penalty-rate-bp", uint64(s.Terms.PenaltyRateBP))
	recourse := uint64(0)
	if s.Terms.Recourse {
		recourse = 1
	}
	t.AppendUint64("recourse", recourse)
	appendTime(t, "value-date", s.Terms.ValueDate)
	appendTime(t, "expiry", s.Terms.Expiry)
	t.AppendUint64("max-advance-bp", uint64(s.MaxAdvanceBP))
	t.AppendUint64("outputs", uint64(len(s.Outputs)))
	for _, o := range s.Outputs {
		appendOutput(t, o.Holder, o.Commitment, o.Handle, o.HolderEnvelope, o.RegulatorEnvelope)
	}
	t.AppendMessage("bank-envelope", s.BankEnvelope)
	appendAmount(t, "advance", &s.Advance)
	appendAmount(t, "fee", &s.Fee)
	return t
}

// appendAmount binds a financing's confidential amount: its label, its
// commitment, handle and three envelopes.
func appendAmount(t *transcript.Transcript, label string, a *AmountRef) {
	t.AppendString("amount", label)
	t.AppendElement("commitment", a.Commitment.Element())
	t.AppendMessage("handle", a.Handle.Bytes())
	t.AppendMessage("holder-envelope", a.HolderEnvelope)
	t.AppendMessage("bank-envelope", a.BankEnvelope)
	t.AppendMessage("regulator-envelope", a.RegulatorEnvelope)
}

// DecodeAmountRef decodes a sealed amount of a request (commitment and
// handle canonical) into its public side.
func DecodeAmountRef(field string, a *model.SealedAmount) (AmountRef, error) {
	c, h, err := DecodeAudited(field, a.Commitment, a.Handle)
	if err != nil {
		return AmountRef{}, err
	}
	return AmountRef{Commitment: c, Handle: h, HolderEnvelope: a.HolderEnvelope, BankEnvelope: a.BankEnvelope,
		RegulatorEnvelope: a.RegulatorEnvelope}, nil
}

// scaled returns k·c (public k and c: variable time).
func scaled(c *pedersen.Commitment, k uint64) *pedersen.Commitment {
	return pedersen.FromElement(group.NewIdentity().VarTimeScalarMult(group.NewScalar().SetUint64(k), c.Element()))
}

// RangeCommitments returns the commitments the statement's range proofs
// cover, in order: each partial output, then the advance A, the fee F,
// face − A, num·face − den·A (the cap num/den = MaxAdvanceBP/10⁴), the
// rounding remainder X = K·face − M·(A + F) and (M − 1)·G − X.
func (s *FinanceStatement) RangeCommitments() ([]*pedersen.Commitment, error) {
	c, err := terms.CoefficientsFor(&s.Terms, s.Maturity)
	if err != nil {
		return nil, invalidArg("terms: %v", err)
	}
	num, den, err := terms.CapCoefficients(s.MaxAdvanceBP)
	if err != nil {
		return nil, internal("policy: %v", err)
	}
	face, adv, fee := s.Face(), s.Advance.Commitment, s.Fee.Commitment
	out := make([]*pedersen.Commitment, 0, len(s.Outputs)+model.FinanceRangeValues)
	for _, o := range s.Outputs {
		out = append(out, o.Commitment)
	}
	headroom := pedersen.Identity().Subtract(face, adv)
	capRoom := pedersen.Identity().Subtract(scaled(face, num), scaled(adv, den))
	rem := pedersen.Identity().Subtract(scaled(face, c.K), scaled(pedersen.Identity().Add(adv, fee), c.M))
	remUp := pedersen.Identity().Subtract(pedersen.Commit(c.M-1, group.NewScalar()), rem)
	return append(out, adv, fee, headroom, capRoom, rem, remUp), nil
}

// Verify checks the request's proofs against the statement, all in one
// batch: for a partial financing the balance proof and the outputs'
// handle proofs, then the advance's and fee's handle proofs, then every
// range proof.
func (s *FinanceStatement) Verify(ctx Context, req *model.TermFinanceRequest) error {
	cs, err := s.RangeCommitments()
	if err != nil {
		return err
	}
	b := newProofBatch(ctx, s.Transcript(ctx))
	if len(s.Outputs) > 0 {
		if req.Partial == nil || len(req.Partial.Outputs) != len(s.Outputs) {
			return invalidArg("partial: %d outputs in the statement", len(s.Outputs))
		}
		outs := make([]*pedersen.Commitment, len(s.Outputs))
		for i, o := range s.Outputs {
			outs[i] = o.Commitment
			b.addHandle(i, s.AuditKey, o.Commitment, o.Handle, req.Partial.Outputs[i].HandleProof)
		}
		b.addBalance(balance.Excess([]*pedersen.Commitment{s.Input}, outs), req.Partial.BalanceProof)
	}
	n := len(s.Outputs)
	b.addHandle(n, s.AuditKey, s.Advance.Commitment, s.Advance.Handle, req.Advance.HandleProof)
	b.addHandle(n+1, s.AuditKey, s.Fee.Commitment, s.Fee.Handle, req.Fee.HandleProof)
	ranges := make([][]byte, 0, len(cs))
	if req.Partial != nil {
		for _, o := range req.Partial.Outputs {
			ranges = append(ranges, o.RangeProof)
		}
	}
	if err := b.addRanges(append(ranges, req.RangeProofs...), cs); err != nil {
		return err
	}
	return b.verify()
}

// FinanceInput is what a holder's wallet knows to request financing with
// terms.
type FinanceInput struct {
	Requester    Recipient
	Bank         Recipient
	Token        OpenedToken
	Maturity     time.Time
	Terms        terms.Terms
	MaxAdvanceBP int64 // the channel's policy cap
	Fee          uint64
	// Piece, when non-zero, finances only this much of the token: the
	// rest is the change, kept by the requester.
	Piece uint64
	// ClaimAdvance, when non-nil, is the advance committed to instead of
	// the one the terms compute. Honest builders leave it nil; tests set
	// it to play a holder claiming more than its terms or the cap allow,
	// whose proofs the chaincode must refuse.
	ClaimAdvance *uint64
}

// BuildTermFinance produces a complete TermFinanceRequest and the advance
// the terms pay (the holder's view before it asks). It refuses terms the
// arithmetic refuses and advances above the cap, which could not be
// proven anyway.
func BuildTermFinance(ctx Context, in FinanceInput, aud Auditor, rand io.Reader) (*model.TermFinanceRequest, terms.Advance, error) {
	var none terms.Advance
	if in.Token.Opening.Blinding == nil || in.Requester.Key == nil || in.Bank.Key == nil {
		return nil, none, invalidArg("builder: missing blinding, requester key or bank key")
	}
	faceOpening := in.Token.Opening
	s := &FinanceStatement{
		Currency: in.Token.Currency, Requester: in.Requester.ID, Bank: in.Bank.ID, Token: in.Token.ID, Input: in.Token.Opening.Commitment(),
		Maturity: in.Maturity, Terms: in.Terms, MaxAdvanceBP: in.MaxAdvanceBP, AuditKey: aud.AuditKey,
	}
	req := &model.TermFinanceRequest{Token: in.Token.ID, Bank: in.Bank.ID, Terms: in.Terms}
	var outOpenings []pedersen.Opening
	if in.Piece != 0 {
		if in.Piece >= in.Token.Opening.Value {
			return nil, none, invalidArg("builder: the piece %d must be less than the token's %d", in.Piece, in.Token.Opening.Value)
		}
		piece, err := pedersen.NewOpening(in.Piece, rand)
		if err != nil {
			return nil, none, err
		}
		change, err := pedersen.NewOpening(in.Token.Opening.Value-in.Piece, rand)
		if err != nil {
			return nil, none, err
		}
		outOpenings = []pedersen.Opening{piece, change}
		req.Partial = &model.PartialFinancing{}
		for _, o := range outOpenings {
			sl, err := sealOutput(o, in.Requester.Key, PurposeHolder, aud, rand)
			if err != nil {
				return nil, none, err
			}
			s.Outputs = append(s.Outputs, OutputRef{Holder: in.Requester.ID, Commitment: sl.commitment, Handle: sl.handle,
				HolderEnvelope: sl.holderEnv, RegulatorEnvelope: sl.regEnv})
			req.Partial.Outputs = append(req.Partial.Outputs, model.Output{Holder: in.Requester.ID, Commitment: sl.commitment.Bytes(),
				Handle: sl.handle.Bytes(), HolderEnvelope: sl.holderEnv, RegulatorEnvelope: sl.regEnv})
		}
		faceOpening = piece
	}
	adv, claim, num, den, err := claimAdvance(&in.Terms, faceOpening.Value, in.Fee, in.Maturity, in.MaxAdvanceBP, in.ClaimAdvance)
	if err != nil {
		return nil, none, err
	}
	c, _ := terms.CoefficientsFor(&in.Terms, in.Maturity) // Compute checked it
	advOpening, err := pedersen.NewOpening(claim, rand)
	if err != nil {
		return nil, none, err
	}
	feeOpening, err := pedersen.NewOpening(in.Fee, rand)
	if err != nil {
		return nil, none, err
	}
	faceC := faceOpening.Commitment()
	bankEnv, err := envelope.Seal(in.Bank.Key, faceOpening, OutputBinding(faceC, PurposeBank), rand)
	if err != nil {
		return nil, none, err
	}
	s.BankEnvelope, req.BankEnvelope = bankEnv, bankEnv
	if in.Requester.Key == nil || in.Bank.Key == nil || aud.AuditKey == nil || aud.EncryptionKey == nil {
		return nil, none, invalidArg("builder: missing auditor key")
	}
	if err := sealAmounts(in.Requester.Key, in.Bank.Key, aud, rand, []sealTarget{
		{advOpening, PurposeAdvance, &s.Advance, &req.Advance}, {feeOpening, PurposeFee, &s.Fee, &req.Fee}}); err != nil {
		return nil, none, err
	}

	base := s.Transcript(ctx)
	n := len(outOpenings)
	if n > 0 {
		k := balance.ExcessBlinding([]pedersen.Opening{in.Token.Opening}, outOpenings)
		if req.Partial.BalanceProof, err = proveBalance(base, k, rand); err != nil {
			return nil, none, err
		}
		for i, o := range outOpenings {
			if req.Partial.Outputs[i].HandleProof, err = proveHandle(base, i, aud.AuditKey, o, rand); err != nil {
				return nil, none, err
			}
		}
	}
	if req.Advance.HandleProof, err = proveHandle(base, n, aud.AuditKey, advOpening, rand); err != nil {
		return nil, none, err
	}
	if req.Fee.HandleProof, err = proveHandle(base, n+1, aud.AuditKey, feeOpening, rand); err != nil {
		return nil, none, err
	}
	// The derived values in wrapping 64-bit arithmetic: exact for an
	// honest claim (each lies in [0, 2^64)); for a dishonest one they
	// differ from what the commitments hold, and the proofs fail.
	f, a, fe := faceOpening.Value, claim, in.Fee
	rf, ra, rfe := faceOpening.Blinding, advOpening.Blinding, feeOpening.Blinding
	sc := func(v uint64) *group.Scalar { return group.NewScalar().SetUint64(v) }
	lin := func(k1 uint64, r1 *group.Scalar, k2 uint64, r2 *group.Scalar) *group.Scalar { // k1·r1 − k2·r2
		return group.NewScalar().Subtract(group.NewScalar().Multiply(sc(k1), r1), group.NewScalar().Multiply(sc(k2), r2))
	}
	remBlinding := group.NewScalar().Subtract(lin(c.K, rf, c.M, ra), group.NewScalar().Multiply(sc(c.M), rfe))
	rem := f*c.K - c.M*(a+fe)
	openings := append(outOpenings,
		advOpening,
		feeOpening,
		pedersen.Opening{Value: f - a, Blinding: group.NewScalar().Subtract(rf, ra)},
		pedersen.Opening{Value: num*f - den*a, Blinding: lin(num, rf, den, ra)},
		pedersen.Opening{Value: rem, Blinding: remBlinding},
		pedersen.Opening{Value: c.M - 1 - rem, Blinding: group.NewScalar().Negate(remBlinding)},
	)
	ranges, err := proveRanges(base, openings, rand)
	if err != nil {
		return nil, none, err
	}
	for i := range n {
		req.Partial.Outputs[i].RangeProof = ranges[i]
	}
	req.RangeProofs = ranges[n:]
	if in.ClaimAdvance != nil {
		adv.Advance = claim
	}
	return req, adv, nil
}

func internal(format string, args ...any) error {
	return model.Errorf(model.CodeInternal, format, args...)
}

package protocol

import (
	"io"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/balance"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

// PieceStatement is the public side of a request for quotes on part of a
// token: the token's commitment splits into the piece (Outputs[0], the
// face the banks quote on) and the change (Outputs[1]), both the
// requester's, with no negative output and the regulator able to open
// both: the split's balance proof, one 64-bit range proof per output and
// their handle proofs, as for a partial financing with terms. Every
// invited bank and its envelope of the piece is bound too, so the proofs
// cannot be moved to another request. The split itself happens when the
// holder accepts a quote (rules.AcceptQuote).
type PieceStatement struct {
	Currency  string // the token's ISO 4217 code; "" legacy
	Requester string
	Token     string
	Input     *pedersen.Commitment // the token's commitment
	Expiry    time.Time
	Banks     []model.RFQBank
	Outputs   []OutputRef // the piece, the change
	AuditKey  *elgamal.PublicKey
}

// Transcript binds the context and every public input of the statement.
func (s *PieceStatement) Transcript(ctx Context) *transcript.Transcript {
	t := newTranscript(ctx, KindRequestQuotes, s.Currency, s.AuditKey)
	t.AppendString("requester", s.Requester)
	t.AppendString("input", s.Token)
	t.AppendElement("input-commitment", s.Input.Element())
	appendTime(t, "expiry", s.Expiry)
	t.AppendUint64("banks", uint64(len(s.Banks)))
	for _, b := range s.Banks {
		t.AppendString("bank", b.Bank)
		t.AppendMessage("bank-envelope", b.BankEnvelope)
	}
	t.AppendUint64("outputs", uint64(len(s.Outputs)))
	for _, o := range s.Outputs {
		appendOutput(t, o.Holder, o.Commitment, o.Handle, o.HolderEnvelope, o.RegulatorEnvelope)
	}
	return t
}

// Verify checks the split's proofs in one batch: the outputs' handle
// proofs, the balance proof, then each output's range proof.
func (s *PieceStatement) Verify(ctx Context, p *model.PartialFinancing) error {
	if p == nil || len(p.Outputs) != len(s.Outputs) || len(s.Outputs) != 2 {
		return invalidArg("partial: the piece and the change")
	}
	b := newProofBatch(ctx, s.Transcript(ctx))
	outs := make([]*pedersen.Commitment, len(s.Outputs))
	ranges := make([][]byte, len(s.Outputs))
	for i, o := range s.Outputs {
		outs[i], ranges[i] = o.Commitment, p.Outputs[i].RangeProof
		b.addHandle(i, s.AuditKey, o.Commitment, o.Handle, p.Outputs[i].HandleProof)
	}
	b.addBalance(balance.Excess([]*pedersen.Commitment{s.Input}, outs), p.BalanceProof)
	if err := b.addRanges(ranges, outs); err != nil {
		return err
	}
	return b.verify()
}

// BuildRequestQuotesPiece is BuildRequestQuotes on a piece of the token:
// it splits the opening into the piece and the change (both sealed to the
// requester and the regulator), seals the piece's opening to each bank
// (bound to the piece's commitment, purpose "bank") and proves the split.
// It returns the request and the piece's opening.
func BuildRequestQuotesPiece(ctx Context, token OpenedToken, requester Recipient, piece uint64, banks []Recipient,
	expiry time.Time, aud Auditor, random io.Reader) (*model.RequestQuotesRequest, pedersen.Opening, error) {
	var none pedersen.Opening
	if token.Opening.Blinding == nil || requester.Key == nil || aud.AuditKey == nil || aud.EncryptionKey == nil {
		return nil, none, invalidArg("builder: missing blinding, requester key or auditor key")
	}
	if piece == 0 || piece >= token.Opening.Value {
		return nil, none, invalidArg("piece: must be more than 0 and less than the token's %d", token.Opening.Value)
	}
	p, err := pedersen.NewOpening(piece, random)
	if err != nil {
		return nil, none, err
	}
	change, err := pedersen.NewOpening(token.Opening.Value-piece, random)
	if err != nil {
		return nil, none, err
	}
	openings := []pedersen.Opening{p, change}
	s := &PieceStatement{Currency: token.Currency, Requester: requester.ID, Token: token.ID, Input: token.Opening.Commitment(), Expiry: expiry, AuditKey: aud.AuditKey}
	req := &model.RequestQuotesRequest{Token: token.ID, Expiry: expiry, Partial: &model.PartialFinancing{}}
	for _, o := range openings {
		sl, err := sealOutput(o, requester.Key, PurposeHolder, aud, random)
		if err != nil {
			return nil, none, err
		}
		s.Outputs = append(s.Outputs, OutputRef{Holder: requester.ID, Commitment: sl.commitment, Handle: sl.handle,
			HolderEnvelope: sl.holderEnv, RegulatorEnvelope: sl.regEnv})
		req.Partial.Outputs = append(req.Partial.Outputs, model.Output{Holder: requester.ID, Commitment: sl.commitment.Bytes(),
			Handle: sl.handle.Bytes(), HolderEnvelope: sl.holderEnv, RegulatorEnvelope: sl.regEnv})
	}
	pc := p.Commitment()
	for _, b := range banks {
		if b.Key == nil {
			return nil, none, invalidArg("builder: missing key of bank %s", b.ID)
		}
		env, err := envelope.Seal(b.Key, p, OutputBinding(pc, PurposeBank), random)
		if err != nil {
			return nil, none, err
		}
		req.Banks = append(req.Banks, model.RFQBank{Bank: b.ID, BankEnvelope: env})
	}
	s.Banks = req.Banks
	base := s.Transcript(ctx)
	k := balance.ExcessBlinding([]pedersen.Opening{token.Opening}, openings)
	if req.Partial.BalanceProof, err = proveBalance(base, k, random); err != nil {
		return nil, none, err
	}
	for i, o := range openings {
		if req.Partial.Outputs[i].HandleProof, err = proveHandle(base, i, aud.AuditKey, o, random); err != nil {
			return nil, none, err
		}
	}
	ranges, err := proveRanges(base, openings, random)
	if err != nil {
		return nil, none, err
	}
	for i := range openings {
		req.Partial.Outputs[i].RangeProof = ranges[i]
	}
	return req, p, nil
}

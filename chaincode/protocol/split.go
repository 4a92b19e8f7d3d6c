package protocol

import (
	"io"
	"math/bits"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/balance"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

// SpendKinds are the kinds a SplitStatement may have: split (1 → m), merge
// (n → 1) and transfer (1 → 1) share one statement.
var SpendKinds = []string{KindSplit, KindMerge, KindTransfer}

// InputRef is a spent token: its ID and commitment, as the ledger holds it.
type InputRef struct {
	ID         string
	Commitment *pedersen.Commitment
}

// OutputRef is a new token's public side.
type OutputRef struct {
	Holder            string
	Commitment        *pedersen.Commitment
	Handle            *elgamal.Handle
	HolderEnvelope    []byte
	RegulatorEnvelope []byte
}

// SplitStatement is the public side of a split, merge or transfer: the
// outputs sum to the inputs, each output is in [0, 2^64), and the
// regulator can open each output.
type SplitStatement struct {
	Kind     string
	Currency string // ISO 4217 code of the inputs and outputs; "" legacy
	Spender  string
	Inputs   []InputRef
	Outputs  []OutputRef
	AuditKey *elgamal.PublicKey
}

// Transcript binds the context and every public input of the statement.
func (s *SplitStatement) Transcript(ctx Context) *transcript.Transcript {
	t := newTranscript(ctx, s.Kind, s.Currency, s.AuditKey)
	t.AppendString("spender", s.Spender)
	t.AppendUint64("inputs", uint64(len(s.Inputs)))
	for _, in := range s.Inputs {
		t.AppendString("input", in.ID)
		t.AppendElement("input-commitment", in.Commitment.Element())
	}
	t.AppendUint64("outputs", uint64(len(s.Outputs)))
	for _, o := range s.Outputs {
		appendOutput(t, o.Holder, o.Commitment, o.Handle, o.HolderEnvelope, o.RegulatorEnvelope)
	}
	return t
}

func (s *SplitStatement) commitments() (ins, outs []*pedersen.Commitment) {
	ins = make([]*pedersen.Commitment, len(s.Inputs))
	for i, in := range s.Inputs {
		ins[i] = in.Commitment
	}
	outs = make([]*pedersen.Commitment, len(s.Outputs))
	for i, o := range s.Outputs {
		outs[i] = o.Commitment
	}
	return ins, outs
}

// Verify checks the request's proofs against the statement, all in one
// batch: the balance proof, each output's handle proof and range proof.
func (s *SplitStatement) Verify(ctx Context, req *model.SplitRequest) error {
	if len(req.Outputs) != len(s.Outputs) {
		return invalidArg("outputs: %d proofs for %d outputs", len(req.Outputs), len(s.Outputs))
	}
	b := newProofBatch(ctx, s.Transcript(ctx))
	ins, outs := s.commitments()
	b.addBalance(balance.Excess(ins, outs), req.BalanceProof)
	ranges := make([][]byte, len(req.Outputs))
	for i, o := range s.Outputs {
		b.addHandle(i, s.AuditKey, o.Commitment, o.Handle, req.Outputs[i].HandleProof)
		ranges[i] = req.Outputs[i].RangeProof
	}
	if err := b.addRanges(ranges, outs); err != nil {
		return err
	}
	return b.verify()
}

// OpenedToken is a token the spender holds, with its opening.
type OpenedToken struct {
	ID       string
	Currency string // the token's ISO 4217 code ("" legacy), bound into the proofs
	Opening  pedersen.Opening
}

// OutputSpec is one output to build: who receives it and its opening.
type OutputSpec struct {
	Holder  Recipient
	Opening pedersen.Opening
	// HolderEnvelope, when set, goes on the ledger instead of Opening
	// sealed to Holder.Key. Honest builders leave it nil; tests set it to
	// play a sender whose envelope does not open the output, which the
	// chaincode cannot tell (docs/crypto/envelope.md).
	HolderEnvelope []byte
}

// SplitInput is what a holder's wallet knows to split, merge or transfer.
type SplitInput struct {
	Kind    string
	Spender string
	Inputs  []OpenedToken
	Outputs []OutputSpec
}

// BuildSplit produces a complete SplitRequest. The outputs must sum to the
// inputs exactly.
func BuildSplit(ctx Context, in SplitInput, aud Auditor, rand io.Reader) (*model.SplitRequest, error) {
	var sumIn, sumOut, carry uint64
	inOpenings := make([]pedersen.Opening, len(in.Inputs))
	outOpenings := make([]pedersen.Opening, len(in.Outputs))
	s := &SplitStatement{Kind: in.Kind, Spender: in.Spender, AuditKey: aud.AuditKey}
	if len(in.Inputs) > 0 {
		s.Currency = in.Inputs[0].Currency
	}
	req := &model.SplitRequest{}
	for i, t := range in.Inputs {
		if t.Opening.Blinding == nil {
			return nil, invalidArg("builder: input %s: missing blinding", t.ID)
		}
		if err := model.SameCurrency("input "+t.ID, t.Currency, s.Currency); err != nil {
			return nil, err
		}
		if sumIn, carry = bits.Add64(sumIn, t.Opening.Value, 0); carry != 0 {
			return nil, invalidArg("builder: inputs exceed 2^64")
		}
		inOpenings[i] = t.Opening
		s.Inputs = append(s.Inputs, InputRef{ID: t.ID, Commitment: t.Opening.Commitment()})
		req.Inputs = append(req.Inputs, t.ID)
	}
	for i, o := range in.Outputs {
		if sumOut, carry = bits.Add64(sumOut, o.Opening.Value, 0); carry != 0 {
			return nil, invalidArg("builder: outputs exceed 2^64")
		}
		sl, err := sealOutput(o.Opening, o.Holder.Key, PurposeHolder, aud, rand)
		if err != nil {
			return nil, err
		}
		if o.HolderEnvelope != nil {
			sl.holderEnv = o.HolderEnvelope
		}
		outOpenings[i] = o.Opening
		s.Outputs = append(s.Outputs, OutputRef{Holder: o.Holder.ID, Commitment: sl.commitment, Handle: sl.handle,
			HolderEnvelope: sl.holderEnv, RegulatorEnvelope: sl.regEnv})
		req.Outputs = append(req.Outputs, model.Output{Holder: o.Holder.ID, Commitment: sl.commitment.Bytes(),
			Handle: sl.handle.Bytes(), HolderEnvelope: sl.holderEnv, RegulatorEnvelope: sl.regEnv})
	}
	if sumIn != sumOut {
		return nil, invalidArg("builder: outputs sum to %d, inputs to %d", sumOut, sumIn)
	}
	base := s.Transcript(ctx)
	var err error
	if req.BalanceProof, err = proveBalance(base, balance.ExcessBlinding(inOpenings, outOpenings), rand); err != nil {
		return nil, err
	}
	for i, o := range outOpenings {
		if req.Outputs[i].HandleProof, err = proveHandle(base, i, aud.AuditKey, o, rand); err != nil {
			return nil, err
		}
	}
	ranges, err := proveRanges(base, outOpenings, rand)
	if err != nil {
		return nil, err
	}
	for i := range ranges {
		req.Outputs[i].RangeProof = ranges[i]
	}
	return req, nil
}

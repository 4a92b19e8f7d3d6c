package protocol

import (
	"encoding/binary"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/balance"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/rangeproof"
)

// SplitWireV1 is the first byte of a split, merge or transfer request in
// the compact encoding, version 1. A JSON request starts with '{' (or
// white space), so the first byte tells the two apart, and a later
// version takes the next byte value. Layout (docs/chaincode.md, "Compact split and
// issue requests"):
//
//	0x01 ‖ n_in (1) ‖ n_out (1) ‖ balanceProof (64)
//	‖ n_in × ( len (1) ‖ input token ID )
//	‖ n_out × ( len (1) ‖ holder ID ‖ commitment (32) ‖ handle (32)
//	            ‖ handleProof (128) ‖ rangeProof ‖ holderEnvelope
//	            ‖ regulatorEnvelope )
//
// Every proof, commitment and envelope has a fixed size, so only the IDs
// carry a length. Raw bytes instead of base64 in JSON: about a third
// smaller, and no base64 or JSON to decode on the peers' chaincode.
const SplitWireV1 byte = 0x01

// SplitWireV2 is version 2: version 1 with each output's sealed invoice
// references (model.Output.Refs, possibly empty) after its
// regulatorEnvelope:
//
//	… ‖ regulatorEnvelope ‖ refsLen (2, big-endian, 0..model.MaxRefsEnvelopeSize) ‖ refs
//
// A request whose outputs carry no references is encoded as version 1.
const SplitWireV2 byte = 0x02

// splitOutputFixed is an output's bytes after its holder ID.
var splitOutputFixed = pedersen.CommitmentSize + elgamal.HandleSize + elgamal.HandleProofSize +
	rangeproof.Size(model.AmountBits, 1) + 2*envelope.SealedSize

// IsCompactSplitRequest reports whether raw is in the compact encoding
// (any version) rather than JSON.
func IsCompactSplitRequest(raw string) bool {
	return len(raw) > 0 && (raw[0] == SplitWireV1 || raw[0] == SplitWireV2)
}

// EncodeSplitRequest encodes a valid request in the compact encoding:
// version 2 when an output carries invoice references, else version 1.
func EncodeSplitRequest(req *model.SplitRequest) ([]byte, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	version := SplitWireV1
	for _, o := range req.Outputs {
		if len(o.Refs) > 0 {
			version = SplitWireV2
		}
	}
	n := 3 + balance.ProofSize
	for _, id := range req.Inputs {
		n += 1 + len(id)
	}
	for _, o := range req.Outputs {
		n += 1 + len(o.Holder) + splitOutputFixed + 2 + len(o.Refs)
	}
	b := make([]byte, 0, n)
	b = append(b, version, byte(len(req.Inputs)), byte(len(req.Outputs)))
	b = append(b, req.BalanceProof...)
	for _, id := range req.Inputs {
		b = append(b, byte(len(id)))
		b = append(b, id...)
	}
	for _, o := range req.Outputs {
		b = append(b, byte(len(o.Holder)))
		b = append(b, o.Holder...)
		b = append(b, o.Commitment...)
		b = append(b, o.Handle...)
		b = append(b, o.HandleProof...)
		b = append(b, o.RangeProof...)
		b = append(b, o.HolderEnvelope...)
		b = append(b, o.RegulatorEnvelope...)
		if version == SplitWireV2 {
			b = appendRefs(b, o.Refs)
		}
	}
	return b, nil
}

// appendRefs appends sealed references with their 2-byte length (Validate
// bounded them by model.MaxRefsEnvelopeSize).
func appendRefs(b, refs []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(refs)))
	return append(b, refs...)
}

// refs reads sealed references with their 2-byte length; none is nil.
func (r *wireReader) refs(what string) []byte {
	l := r.take(2, what)
	if l == nil {
		return nil
	}
	n := int(binary.BigEndian.Uint16(l))
	if n > model.MaxRefsEnvelopeSize {
		r.err = invalidArg("compact request: %s: at most %d bytes", what, model.MaxRefsEnvelopeSize)
		return nil
	}
	if n == 0 {
		return nil
	}
	return r.bytes(n, what)
}

// wireReader takes length-checked pieces off a compact request (split or
// issue).
type wireReader struct {
	b   []byte
	err error
}

func (r *wireReader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b) {
		r.err = invalidArg("compact request: truncated in %s", what)
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

func (r *wireReader) byte(what string) int {
	b := r.take(1, what)
	if b == nil {
		return 0
	}
	return int(b[0])
}

func (r *wireReader) id(what string) string {
	n := r.byte(what)
	if n == 0 || n > model.MaxIDLength {
		if r.err == nil {
			r.err = invalidArg("compact request: %s: length must be 1..%d", what, model.MaxIDLength)
		}
		return ""
	}
	return string(r.take(n, what))
}

// finish refuses what is left over and validates the decoded request as
// model.Decode validates a JSON one.
func (r *wireReader) finish(req model.Validator) error {
	if r.err != nil {
		return r.err
	}
	if len(r.b) != 0 {
		return invalidArg("compact request: %d trailing bytes", len(r.b))
	}
	return req.Validate()
}

// bytes copies n bytes, so the request does not alias the argument.
func (r *wireReader) bytes(n int, what string) []byte {
	b := r.take(n, what)
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// DecodeSplitRequest decodes a compact request and validates it as
// model.Decode does a JSON one. It rejects an unknown version, a count or
// length out of range, truncated input and trailing bytes.
func DecodeSplitRequest(raw []byte) (*model.SplitRequest, error) {
	if !IsCompactSplitRequest(string(raw)) {
		return nil, invalidArg("compact request: unknown version")
	}
	r := &wireReader{b: raw[1:]}
	nIn, nOut := r.byte("input count"), r.byte("output count")
	if r.err == nil && (nIn < 1 || nIn > model.MaxInputs || nOut < 1 || nOut > model.MaxOutputs) {
		return nil, invalidArg("compact request: %d inputs, %d outputs: 1..%d and 1..%d", nIn, nOut, model.MaxInputs, model.MaxOutputs)
	}
	req := &model.SplitRequest{BalanceProof: r.bytes(balance.ProofSize, "balanceProof")}
	for i := 0; i < nIn && r.err == nil; i++ {
		req.Inputs = append(req.Inputs, r.id("inputs"))
	}
	for i := 0; i < nOut && r.err == nil; i++ {
		o := model.Output{Holder: r.id("outputs.holder")}
		o.Commitment = r.bytes(pedersen.CommitmentSize, "outputs.commitment")
		o.Handle = r.bytes(elgamal.HandleSize, "outputs.handle")
		o.HandleProof = r.bytes(elgamal.HandleProofSize, "outputs.handleProof")
		o.RangeProof = r.bytes(rangeproof.Size(model.AmountBits, 1), "outputs.rangeProof")
		o.HolderEnvelope = r.bytes(envelope.SealedSize, "outputs.holderEnvelope")
		o.RegulatorEnvelope = r.bytes(envelope.SealedSize, "outputs.regulatorEnvelope")
		if raw[0] == SplitWireV2 {
			o.Refs = r.refs("outputs.refs")
		}
		req.Outputs = append(req.Outputs, o)
	}
	if err := r.finish(req); err != nil {
		return nil, err
	}
	return req, nil
}

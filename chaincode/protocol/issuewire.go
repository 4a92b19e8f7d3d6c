package protocol

import (
	"encoding/binary"
	"encoding/hex"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/oprf"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/rangeproof"
)

// IssueWireV1 is the first byte of an issue request in the compact
// encoding, version 1 (a JSON request starts with '{'). Layout
// (docs/chaincode.md, "Compact split and issue requests"):
//
//	0x01 ‖ n_invoices (1) ‖ maturity (8, Unix seconds, big-endian)
//	‖ len (1) ‖ holder ID ‖ len (1) ‖ bank ID
//	‖ n_invoices × fingerprint (64; the invoice ID is its lower-case hex)
//	‖ commitment (32) ‖ handle (32) ‖ holderEnvelope ‖ regulatorEnvelope
//	‖ issuerEnvelope ‖ handleProof (128) ‖ 3 × rangeProof (672)
//
// Version 1 carries no currency: it decodes as a legacy issue (currency "").
const IssueWireV1 byte = 0x01

// IssueWireV2 is version 2 of the compact issue request: version 1 with
// the receivable's ISO 4217 currency (3 upper-case ASCII letters) right
// after the version byte:
//
//	0x02 ‖ currency (3) ‖ the rest of version 1 from n_invoices on
const IssueWireV2 byte = 0x02

// IssueWireV3 is version 3 of the compact issue request: version 2 with
// the bank's envelope (BankEnvelope) right after issuerEnvelope. A request
// without a bank envelope is encoded as version 2 (or 1).
const IssueWireV3 byte = 0x03

// IssueWireV4 is version 4: version 3 with the bank's envelope optional
// and the holder's sealed invoice references (IssueRequest.Refs) at the
// end:
//
//	0x04 ‖ currency (3) ‖ version 1 from n_invoices to issuerEnvelope
//	‖ hasBankEnvelope (1: 0 or 1) ‖ [bankEnvelope] ‖ handleProof ‖ 3 × rangeProof
//	‖ refsLen (2, big-endian, 1..model.MaxRefsEnvelopeSize) ‖ refs
//
// A request without references is encoded as version 3, 2 or 1; one with
// references needs a currency.
const IssueWireV4 byte = 0x04

// currencyWireSize is the size of a currency code on the wire.
const currencyWireSize = 3

// IsCompactIssueRequest reports whether raw is in the compact encoding
// (any version) rather than JSON.
func IsCompactIssueRequest(raw string) bool {
	return len(raw) > 0 && raw[0] >= IssueWireV1 && raw[0] <= IssueWireV4
}

// EncodeIssueRequest encodes a valid request in the compact encoding:
// version 4 when it carries invoice references, else version 3 when it
// carries a bank envelope (both need a currency), else version 2 when it
// names a currency, version 1 for a legacy issue.
func EncodeIssueRequest(req *model.IssueRequest) ([]byte, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	var b []byte
	switch {
	case len(req.Refs) > 0:
		if req.Currency == "" {
			return nil, invalidArg("compact request: invoice references need a currency")
		}
		b = append([]byte{IssueWireV4}, req.Currency...)
	case len(req.BankEnvelope) > 0:
		if req.Currency == "" {
			return nil, invalidArg("compact request: a bank envelope needs a currency")
		}
		b = append([]byte{IssueWireV3}, req.Currency...)
	case req.Currency == "":
		b = []byte{IssueWireV1}
	default:
		b = append([]byte{IssueWireV2}, req.Currency...)
	}
	b = append(b, byte(len(req.Invoices)))
	b = binary.BigEndian.AppendUint64(b, uint64(req.Maturity.Unix()))
	b = append(append(b, byte(len(req.Holder))), req.Holder...)
	b = append(append(b, byte(len(req.Bank))), req.Bank...)
	for _, id := range req.Invoices {
		fp, err := hex.DecodeString(id)
		if err != nil {
			return nil, invalidArg("invoices: %v", err)
		}
		b = append(b, fp...)
	}
	for _, f := range [][]byte{req.Commitment, req.Handle, req.HolderEnvelope, req.RegulatorEnvelope, req.IssuerEnvelope} {
		b = append(b, f...)
	}
	if b[0] == IssueWireV4 {
		b = append(b, byte(min(len(req.BankEnvelope), 1)))
	}
	for _, f := range [][]byte{req.BankEnvelope, req.HandleProof} {
		b = append(b, f...)
	}
	for _, p := range req.RangeProofs {
		b = append(b, p...)
	}
	if b[0] == IssueWireV4 {
		b = appendRefs(b, req.Refs)
	}
	return b, nil
}

// DecodeIssueRequest decodes a compact issue request and validates it as
// model.Decode does a JSON one: unknown version, counts and lengths out of
// range, truncated input and trailing bytes are INVALID_ARGUMENT.
func DecodeIssueRequest(raw []byte) (*model.IssueRequest, error) {
	if !IsCompactIssueRequest(string(raw)) {
		return nil, invalidArg("compact request: unknown version")
	}
	r := &wireReader{b: raw[1:]}
	req := &model.IssueRequest{}
	if raw[0] != IssueWireV1 {
		// Validate (in r.finish) checks the code against the table; an
		// empty code cannot come out of three bytes.
		if c := r.take(currencyWireSize, "currency"); c != nil {
			req.Currency = string(c)
		}
	}
	n := r.byte("invoice count")
	if r.err == nil && (n < 1 || n > model.MaxInvoices) {
		return nil, invalidArg("compact request: %d invoices: 1..%d", n, model.MaxInvoices)
	}
	if m := r.take(8, "maturity"); m != nil {
		secs := binary.BigEndian.Uint64(m)
		if secs > 1<<62 {
			return nil, invalidArg("compact request: maturity out of range")
		}
		req.Maturity = time.Unix(int64(secs), 0).UTC()
	}
	req.Holder, req.Bank = r.id("holder"), r.id("bank")
	for i := 0; i < n && r.err == nil; i++ {
		if fp := r.take(oprf.FingerprintSize, "invoices"); fp != nil {
			req.Invoices = append(req.Invoices, hex.EncodeToString(fp))
		}
	}
	req.Commitment = r.bytes(pedersen.CommitmentSize, "commitment")
	req.Handle = r.bytes(elgamal.HandleSize, "handle")
	req.HolderEnvelope = r.bytes(envelope.SealedSize, "holderEnvelope")
	req.RegulatorEnvelope = r.bytes(envelope.SealedSize, "regulatorEnvelope")
	req.IssuerEnvelope = r.bytes(envelope.SealedSize, "issuerEnvelope")
	switch raw[0] {
	case IssueWireV3:
		req.BankEnvelope = r.bytes(envelope.SealedSize, "bankEnvelope")
	case IssueWireV4:
		switch r.byte("hasBankEnvelope") {
		case 0:
		case 1:
			req.BankEnvelope = r.bytes(envelope.SealedSize, "bankEnvelope")
		default:
			if r.err == nil {
				r.err = invalidArg("compact request: hasBankEnvelope must be 0 or 1")
			}
		}
	}
	req.HandleProof = r.bytes(elgamal.HandleProofSize, "handleProof")
	for range model.IssueRangeValues {
		req.RangeProofs = append(req.RangeProofs, r.bytes(rangeproof.Size(model.AmountBits, 1), "rangeProofs"))
	}
	if raw[0] == IssueWireV4 {
		if req.Refs = r.refs("refs"); req.Refs == nil && r.err == nil {
			r.err = invalidArg("compact request: version 4 carries invoice references")
		}
	}
	if err := r.finish(req); err != nil {
		return nil, err
	}
	return req, nil
}

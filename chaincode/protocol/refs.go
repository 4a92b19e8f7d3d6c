package protocol

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"unicode"
	"unicode/utf8"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/oprf"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// RefsInfo is the HPKE info string of sealed invoice references.
const RefsInfo = "tierchain/invoice-refs/v1"

// RefsV1 is the first byte of a reference plaintext, version 1:
//
//	0x01 ‖ n (1, 1..model.MaxInvoices)
//	‖ n × ( invoice fingerprint (64) ‖ len (1, 1..model.MaxInvoiceNumberLength) ‖ number )
//
// The fingerprint is the invoice's ledger ID in raw bytes; the number is
// as its seller wrote it (printable UTF-8). Nothing the ledger holds
// already is repeated.
const RefsV1 byte = 0x01

// ErrRefs reports invoice references that do not open with the
// recipient's key and binding, or whose plaintext is malformed.
var ErrRefs = errors.New("protocol: invoice references do not open or are malformed")

// InvoiceNumber is one invoice of a receivable with its number.
type InvoiceNumber struct {
	Invoice string // the ledger ID: hex OPRF fingerprint
	Number  string // as the seller wrote it
}

// EncodeRefs encodes refs in the version 1 plaintext. Every invoice ID
// must be a ledger invoice ID and every number printable UTF-8 of
// 1..model.MaxInvoiceNumberLength bytes; 1..model.MaxInvoices entries.
func EncodeRefs(refs []InvoiceNumber) ([]byte, error) {
	if len(refs) == 0 || len(refs) > model.MaxInvoices {
		return nil, fmt.Errorf("%w: %d references, 1..%d", ErrRefs, len(refs), model.MaxInvoices)
	}
	b := make([]byte, 0, model.MaxRefsPlaintextSize)
	b = append(b, RefsV1, byte(len(refs)))
	for _, r := range refs {
		fp, err := invoiceFingerprint(r.Invoice)
		if err != nil {
			return nil, err
		}
		if !validNumber(r.Number) {
			return nil, fmt.Errorf("%w: invoice number must be printable UTF-8 of 1..%d bytes", ErrRefs, model.MaxInvoiceNumberLength)
		}
		b = append(b, fp...)
		b = append(b, byte(len(r.Number)))
		b = append(b, r.Number...)
	}
	return b, nil
}

// DecodeRefs decodes a version 1 plaintext. It refuses an unknown
// version, a count or length out of range, a number that is not printable
// UTF-8, an invoice listed twice, truncated input and trailing bytes.
func DecodeRefs(b []byte) ([]InvoiceNumber, error) {
	if len(b) < 2 || b[0] != RefsV1 {
		return nil, fmt.Errorf("%w: unknown version", ErrRefs)
	}
	n := int(b[1])
	if n < 1 || n > model.MaxInvoices {
		return nil, fmt.Errorf("%w: %d references, 1..%d", ErrRefs, n, model.MaxInvoices)
	}
	b = b[2:]
	out := make([]InvoiceNumber, 0, n)
	seen := make(map[string]bool, n)
	for range n {
		if len(b) < oprf.FingerprintSize+1 {
			return nil, fmt.Errorf("%w: truncated", ErrRefs)
		}
		id := hex.EncodeToString(b[:oprf.FingerprintSize])
		l := int(b[oprf.FingerprintSize])
		b = b[oprf.FingerprintSize+1:]
		if l > len(b) {
			return nil, fmt.Errorf("%w: truncated", ErrRefs)
		}
		number := string(b[:l])
		b = b[l:]
		if !validNumber(number) {
			return nil, fmt.Errorf("%w: invoice number must be printable UTF-8 of 1..%d bytes", ErrRefs, model.MaxInvoiceNumberLength)
		}
		if seen[id] {
			return nil, fmt.Errorf("%w: invoice listed twice", ErrRefs)
		}
		seen[id] = true
		out = append(out, InvoiceNumber{Invoice: id, Number: number})
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrRefs, len(b))
	}
	return out, nil
}

func invoiceFingerprint(id string) ([]byte, error) {
	if model.ValidateInvoiceID("invoice", id) != nil {
		return nil, fmt.Errorf("%w: %q is not an invoice ID", ErrRefs, id)
	}
	return hex.DecodeString(id)
}

func validNumber(s string) bool {
	if s == "" || len(s) > model.MaxInvoiceNumberLength || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// refsAAD binds sealed references to the token they travel with and to
// their recipient. The token is named by its commitment: a piece's ID is
// not known when its output is built (OutputBinding), and its commitment
// is as unique (a fresh blinding each). A copy moved to another token or
// sealed for another recipient does not open.
func refsAAD(token *pedersen.Commitment, recipient string) []byte {
	out := []byte(RefsInfo)
	for _, f := range [][]byte{token.Bytes(), []byte(recipient)} {
		out = binary.BigEndian.AppendUint32(out, uint32(len(f)))
		out = append(out, f...)
	}
	return out
}

// SealInvoiceRefs seals refs to the recipient, bound to the commitment of
// the token they travel with (the root at an issue, the output at a
// split, the financed token or piece at a financing).
func SealInvoiceRefs(to Recipient, token *pedersen.Commitment, refs []InvoiceNumber, rand io.Reader) ([]byte, error) {
	if to.Key == nil || token == nil {
		return nil, invalidArg("builder: invoice references need a recipient key and a token commitment")
	}
	pt, err := EncodeRefs(refs)
	if err != nil {
		return nil, err
	}
	return envelope.SealMessage(to.Key, RefsInfo, refsAAD(token, to.ID), pt, rand)
}

// OpenInvoiceRefs opens references sealed to recipient (key k) for the
// token of commitment token. Any failure wraps ErrRefs.
func OpenInvoiceRefs(k *envelope.PrivateKey, recipient string, token *pedersen.Commitment, sealed []byte) ([]InvoiceNumber, error) {
	if k == nil || token == nil || len(sealed) == 0 || len(sealed) > model.MaxRefsEnvelopeSize {
		return nil, fmt.Errorf("%w: no envelope", ErrRefs)
	}
	pt, err := envelope.OpenMessage(k, RefsInfo, refsAAD(token, recipient), sealed)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRefs, err)
	}
	return DecodeRefs(pt)
}

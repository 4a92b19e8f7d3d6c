package model

import "github.com/tierchain/tierchain/zk/envelope"

// Invoice references: the numbers of a receivable's invoices as their
// seller wrote them, sealed by whoever knows them to the next party that
// needs them (protocol.SealInvoiceRefs). The ledger keys invoices by OPRF
// fingerprint and never holds a number; a sealed copy travels with each
// piece instead: on a Token (Refs, sealed to its holder) and on a
// financing request (sealed to the bank). The chaincode cannot open them,
// binds them into no proof transcript, and only bounds their size.
const (
	// MaxInvoiceNumberLength bounds one invoice number in a sealed
	// reference, in bytes of UTF-8.
	MaxInvoiceNumberLength = 128
	// MaxRefsPlaintextSize is the largest reference plaintext: a version
	// byte, a count and MaxInvoices entries of a 64-byte fingerprint, a
	// length byte and a number.
	MaxRefsPlaintextSize = 2 + MaxInvoices*(64+1+MaxInvoiceNumberLength)
	// MaxRefsEnvelopeSize bounds a sealed reference on the ledger.
	MaxRefsEnvelopeSize = MaxRefsPlaintextSize + envelope.MessageOverhead
	// minRefsEnvelopeSize is the smallest envelope that can hold one
	// reference (version, count, fingerprint, length, a 1-byte number).
	minRefsEnvelopeSize = 2 + 64 + 1 + 1 + envelope.MessageOverhead
)

// validateRefs accepts an absent reference envelope or one whose size a
// sealed reference can have.
func validateRefs(field string, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if len(b) < minRefsEnvelopeSize || len(b) > MaxRefsEnvelopeSize {
		return invalid("%s: a sealed invoice reference is %d..%d bytes, got %d", field, minRefsEnvelopeSize, MaxRefsEnvelopeSize, len(b))
	}
	return nil
}

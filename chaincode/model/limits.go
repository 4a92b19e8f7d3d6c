package model

// Bounds on requests. They keep every transaction's work and storage
// bounded, whatever the caller sends.
const (
	MaxRequestBytes  = 64 << 10 // one JSON request
	MaxInputs        = 8        // tokens spent by one split/merge/transfer
	MaxOutputs       = 8        // outputs of one split (the range proof's aggregation limit)
	MaxInvoices      = 16       // invoices backing one receivable
	MaxIDLength      = 64       // enterprise and token IDs
	MaxNameLength    = 200
	MaxLegalIDLength = 64  // an enterprise's legal identifier, "scheme:value"
	MaxTextLength    = 256 // references and reasons
	// MaxFilingEnvelopeSize bounds an invoice's sealed filing so that a
	// registration, base64 in JSON, stays within MaxRequestBytes.
	MaxFilingEnvelopeSize = 40 << 10
	// MaxInvoiceAliases bounds the other fingerprints an invoice reserves.
	MaxInvoiceAliases = 2
	MaxCertBytes      = 8 << 10
	MaxPageSize       = 200
	MaxBookmarkLength = 1024
	DefaultPageSize   = 50
	MaxProvenance     = 4096 // tokens in one provenance tree

	// AmountBits is the range every amount is proven to lie in: [0, 2^64).
	AmountBits = 64
	HashSize   = 32 // SHA-256 (document and agreement hashes)
)

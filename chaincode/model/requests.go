package model

import (
	"time"
)

// RegisterEnterpriseRequest registers an enterprise after KYC (operator
// only; the first operator is registered by an admin of the operator MSP).
type RegisterEnterpriseRequest struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
	// LegalID is the enterprise's legal identifier in the canonical form the
	// gateway gives it ("scheme:value"); printable, at most MaxLegalIDLength
	// bytes, unique across enterprises. Optional, so that clients from
	// before keep registering (their enterprises have none).
	LegalID       string `json:"legalId,omitempty"`
	MSPID         string `json:"mspId"`
	Certificate   []byte `json:"certificate"`        // X.509 DER
	EncryptionKey []byte `json:"encryptionKey"`      // HPKE X25519 public key
	AuditKey      []byte `json:"auditKey,omitempty"` // regulator: its audit public key
}

// RegisterInvoiceRequest registers a supplier's invoice by fingerprint with
// a commitment to its amount.
type RegisterInvoiceRequest struct {
	Fingerprint       []byte    `json:"fingerprint"`
	Buyer             string    `json:"buyer"`
	DocumentHash      []byte    `json:"documentHash"`
	DueDate           time.Time `json:"dueDate"`
	Currency          string    `json:"currency,omitempty"` // ISO 4217, required: the amount's currency
	Commitment        []byte    `json:"commitment"`
	Handle            []byte    `json:"handle"`
	RangeProof        []byte    `json:"rangeProof"`
	HandleProof       []byte    `json:"handleProof"`
	BuyerEnvelope     []byte    `json:"buyerEnvelope"`
	RegulatorEnvelope []byte    `json:"regulatorEnvelope"`
	// FilingEnvelope is the invoice as its seller filed it (number,
	// parties, dates, amount, document), sealed to the buyer, so that the
	// buyer's gateway, which sees only the ledger, can show its confirmer
	// what it confirms. The chaincode cannot read it; it bounds its size
	// and binds it into the proofs' transcript.
	FilingEnvelope []byte `json:"filingEnvelope,omitempty"`
	// Aliases are the fingerprints of the invoice's other canonical keys
	// (its number with every separator removed, when that keys otherwise):
	// the ledger reserves them with the fingerprint, so an invoice retyped
	// one way or the other collides with its registration.
	Aliases [][]byte `json:"aliases,omitempty"`
}

// InvoiceActionRequest confirms, rejects or revokes an invoice.
//
// Fingerprint is the buyer's own recomputation, required to confirm and
// absent otherwise: the OPRF fingerprint of the invoice's identifying
// fields as the buyer's records hold them, which its gateway canonicalises
// and evaluates. The confirmation stands only if it equals the registered
// fingerprint, so a supplier cannot get an invoice confirmed under a
// fingerprint of its own making (a retyped number, a random 64 bytes).
//
// Aliases are the buyer's fingerprints of its copy's other canonical keys;
// the confirmation stands when any of the buyer's fingerprints is any of
// the registered ones.
type InvoiceActionRequest struct {
	Invoice     string   `json:"invoice"` // hex fingerprint
	Reason      string   `json:"reason,omitempty"`
	Fingerprint []byte   `json:"fingerprint,omitempty"`
	Aliases     [][]byte `json:"aliases,omitempty"`
}

// GrantCreditLineRequest sets a bank's limit for a core enterprise.
//
// Currency (ISO 4217, required) names the line: a bank grants one line per
// (core, currency), and the limit is in minor units of that currency.
type GrantCreditLineRequest struct {
	Core     string    `json:"core"`
	Currency string    `json:"currency,omitempty"`
	Limit    uint64    `json:"limit"`
	Expiry   time.Time `json:"expiry"`
}

// IssueRequest issues a receivable backed by confirmed invoices.
//
// IssuerEnvelope is the amount's opening sealed to the issuer (the calling
// core) itself, with purpose "issuer": from the chain and its key alone, a
// core's wallet recovers the openings of its unsettled receivables, which
// it needs to prove outstanding + amount ≤ limit. The chaincode binds it
// into the proofs' transcript and checks its size; it cannot open it.
//
// BankEnvelope, optional, is the same opening sealed to the line's bank
// with purpose "line-bank": the bank that granted the line learns the face
// of each receivable issued against it (it is the creditor), and so how
// much of the line is used. Bound into the transcript only when present:
// a request without it verifies as before.
//
// RangeProofs are three single 64-bit proofs over, in order: the amount
// commitment, Σ invoice commitments − amount, and limit·G − outstanding −
// amount (the chaincode computes the last two itself). The chaincode
// verifies them in one batch.
//
// Currency is the receivable's ISO 4217 currency: every invoice's and the
// credit line's. "" issues a legacy receivable against legacy invoices and
// a legacy line.
type IssueRequest struct {
	Holder            string    `json:"holder"`
	Bank              string    `json:"bank"`
	Currency          string    `json:"currency,omitempty"`
	Invoices          []string  `json:"invoices"`
	Maturity          time.Time `json:"maturity"`
	Commitment        []byte    `json:"commitment"`
	Handle            []byte    `json:"handle"`
	HolderEnvelope    []byte    `json:"holderEnvelope"`
	RegulatorEnvelope []byte    `json:"regulatorEnvelope"`
	IssuerEnvelope    []byte    `json:"issuerEnvelope"`
	BankEnvelope      []byte    `json:"bankEnvelope,omitempty"`
	RangeProofs       [][]byte  `json:"rangeProofs"`
	HandleProof       []byte    `json:"handleProof"`
	// Refs, optional, are the invoices' numbers sealed to the holder
	// (model/refs.go); stored on the root, in no proof's transcript.
	Refs []byte `json:"refs,omitempty"`
}

// Output is one new token of a split, merge or transfer.
type Output struct {
	Holder            string `json:"holder"`
	Commitment        []byte `json:"commitment"`
	Handle            []byte `json:"handle"`
	HandleProof       []byte `json:"handleProof"`
	RangeProof        []byte `json:"rangeProof"` // single 64-bit proof, batched with the others
	HolderEnvelope    []byte `json:"holderEnvelope"`
	RegulatorEnvelope []byte `json:"regulatorEnvelope"`
	// Refs, optional, are the receivable's invoice numbers sealed to
	// Holder by the spender (model/refs.go), for an output to another
	// holder; stored on the output token, in no proof's transcript.
	Refs []byte `json:"refs,omitempty"`
}

// SplitRequest spends ACTIVE tokens of one root into new outputs: a split
// (1 → m), a merge (n → 1) or a transfer (1 → 1), with a
// single 64-bit range proof per output; the chaincode verifies them in one batch.
type SplitRequest struct {
	Inputs       []string `json:"inputs"`
	Outputs      []Output `json:"outputs"`
	BalanceProof []byte   `json:"balanceProof"`
}

// FinanceRequest asks a bank to finance a token; the envelope carries the
// opening to the bank.
type FinanceRequest struct {
	Token        string `json:"token"`
	Bank         string `json:"bank"`
	BankEnvelope []byte `json:"bankEnvelope"`
	// Refs, optional: the invoice numbers sealed to the bank.
	Refs []byte `json:"refs,omitempty"`
}

// ApproveFinancingRequest records the bank's disbursement; the bank becomes
// the holder.
type ApproveFinancingRequest struct {
	Token           string `json:"token"`
	DisbursementRef string `json:"disbursementRef"`
	AgreementHash   []byte `json:"agreementHash"`
}

// TokenActionRequest names a token and an optional reason or reference
// (reject or cancel financing, declare or confirm payment, freeze,
// unfreeze).
type TokenActionRequest struct {
	Token  string `json:"token"`
	Reason string `json:"reason,omitempty"`
}

// PageRequest asks for one page of a list.
type PageRequest struct {
	Owner    string `json:"owner"` // holder, issuer, supplier… depending on the query; a role or empty for Enterprises
	PageSize int    `json:"pageSize,omitempty"`
	Bookmark string `json:"bookmark,omitempty"`
}

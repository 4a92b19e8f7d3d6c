package model

import "time"

// InvoiceStatus is the life of an invoice record.
type InvoiceStatus string

// Invoice statuses: REGISTERED → CONFIRMED → USED | REJECTED | REVOKED.
const (
	InvoiceRegistered InvoiceStatus = "REGISTERED"
	InvoiceConfirmed  InvoiceStatus = "CONFIRMED"
	InvoiceUsed       InvoiceStatus = "USED"
	InvoiceRejected   InvoiceStatus = "REJECTED"
	InvoiceRevoked    InvoiceStatus = "REVOKED"
)

// Invoice is the one ledger record of an OPRF fingerprint. Its ID is the
// hex fingerprint; a fingerprint is registered once, ever.
type Invoice struct {
	ID                string        `json:"id"`
	Fingerprint       []byte        `json:"fingerprint"`
	Supplier          string        `json:"supplier"`
	Buyer             string        `json:"buyer"`
	DocumentHash      []byte        `json:"documentHash"`
	DueDate           time.Time     `json:"dueDate"`
	Currency          string        `json:"currency,omitempty"` // ISO 4217; "" on a legacy record
	Commitment        []byte        `json:"commitment"`
	Handle            []byte        `json:"handle"`
	BuyerEnvelope     []byte        `json:"buyerEnvelope"`
	RegulatorEnvelope []byte        `json:"regulatorEnvelope"`
	FilingEnvelope    []byte        `json:"filingEnvelope,omitempty"` // the seller's filing, sealed to the buyer
	Aliases           [][]byte      `json:"aliases,omitempty"`        // fingerprints of its other canonical keys, reserved with it
	Status            InvoiceStatus `json:"status"`
	UsedBy            string        `json:"usedBy,omitempty"` // root token ID
	Reason            string        `json:"reason,omitempty"` // of a rejection or revocation
	RegisteredAt      time.Time     `json:"registeredAt"`
	UpdatedAt         time.Time     `json:"updatedAt"`
	TxID              string        `json:"txId"`
}

// CreditLine is a bank's limit for a core enterprise in one currency, with
// the homomorphic sum of the core's unsettled receivables issued against
// it. A line is per (core, bank, currency); a legacy line has currency "".
type CreditLine struct {
	Core        string    `json:"core"`
	Bank        string    `json:"bank"`
	Currency    string    `json:"currency,omitempty"` // ISO 4217: the limit's and the outstanding's currency
	Limit       uint64    `json:"limit"`
	Expiry      time.Time `json:"expiry"`
	Outstanding []byte    `json:"outstanding"` // group element: Σ root commitments not yet settled (identity when none)
	Issued      uint64    `json:"issued"`      // number of receivables issued
	Settled     uint64    `json:"settled"`     // number fully settled
	GrantedAt   time.Time `json:"grantedAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

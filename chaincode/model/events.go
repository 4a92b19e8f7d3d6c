package model

import "time"

// EventVersion is the version of the Event envelope. A change that is not
// additive bumps it (and the event name).
const EventVersion = 1

// EventName is the Fabric chaincode event name of every TierChain event;
// Fabric keeps one event per transaction, so one name carries them all and
// Kind says which transaction it was.
const EventName = "tierchain.v1"

// Event is the one chaincode event of a transaction: its kind, its actor
// and every record it changed, in the order the transaction changed them.
type Event struct {
	Version     int                `json:"version"`
	Kind        string             `json:"kind"`
	TxID        string             `json:"txId"`
	Timestamp   time.Time          `json:"timestamp"`
	Actor       string             `json:"actor"` // enterprise ID (or "bootstrap")
	Enterprises []EnterpriseChange `json:"enterprises,omitempty"`
	Invoices    []InvoiceChange    `json:"invoices,omitempty"`
	CreditLines []CreditLineChange `json:"creditLines,omitempty"`
	Tokens      []TokenChange      `json:"tokens,omitempty"`
	Disputes    []DisputeChange    `json:"disputes,omitempty"`
	Quotes      []QuoteChange      `json:"quotes,omitempty"`
}

// EnterpriseChange is an enterprise registered, suspended or reactivated.
type EnterpriseChange struct {
	ID     string           `json:"id"`
	Role   Role             `json:"role"`
	Status EnterpriseStatus `json:"status"`
}

// InvoiceChange is an invoice whose status changed.
type InvoiceChange struct {
	ID       string        `json:"id"`
	Supplier string        `json:"supplier"`
	Buyer    string        `json:"buyer"`
	Status   InvoiceStatus `json:"status"`
	Currency string        `json:"currency,omitempty"`
}

// CreditLineChange is a credit line granted or whose outstanding changed.
type CreditLineChange struct {
	Core        string `json:"core"`
	Bank        string `json:"bank"`
	Currency    string `json:"currency,omitempty"`
	Limit       uint64 `json:"limit"`
	Outstanding []byte `json:"outstanding"`
}

// TokenChange is a token created or whose status or holder changed.
type TokenChange struct {
	ID         string      `json:"id"`
	Root       string      `json:"root"`
	Holder     string      `json:"holder"`
	Status     TokenStatus `json:"status"`
	Commitment []byte      `json:"commitment,omitempty"` // on creation
	Bank       string      `json:"bank,omitempty"`       // financing bank, when one is involved
	Currency   string      `json:"currency,omitempty"`   // the token's ISO 4217 currency ("" legacy)
}

package model

import "time"

// KindFileDispute is the event kind of FileDispute.
const KindFileDispute = "dispute.file"

// DisputeReason says what the holder's wallet found wrong with the
// envelope that should carry its token's opening.
type DisputeReason string

// Dispute reasons. The chaincode cannot open an envelope, so it records
// the holder's claim as made; the regulator, who opens the amount through
// the verified audit handle, judges it (services/audit).
const (
	// DisputeUndecryptable: the envelope does not decrypt under the
	// holder's registered key with the token's binding (garbage, sealed to
	// another key, bound to another commitment or purpose).
	DisputeUndecryptable DisputeReason = "ENVELOPE_UNDECRYPTABLE"
	// DisputeWrongOpening: the envelope decrypts, but the opening it
	// carries does not open the token's commitment (v·G + r·H ≠ C).
	DisputeWrongOpening DisputeReason = "ENVELOPE_WRONG_OPENING"
)

// Envelope names in a Dispute: which of the token's envelopes its holder
// opens.
const (
	DisputedHolderEnvelope = "holder" // Token.HolderEnvelope
	DisputedBankEnvelope   = "bank"   // Token.Financing.BankEnvelope (a bank that financed the token)
)

// FileDisputeRequest is a holder's claim that its token's envelope does
// not open the token's commitment.
type FileDisputeRequest struct {
	Token  string        `json:"token"`
	Reason DisputeReason `json:"reason"`
}

// Validate implements Validator.
func (r *FileDisputeRequest) Validate() error {
	if err := ValidateID("token", r.Token); err != nil {
		return err
	}
	if !r.Reason.Valid() {
		return invalid("reason: %s or %s", DisputeUndecryptable, DisputeWrongOpening)
	}
	return nil
}

// Valid reports whether r is a known reason.
func (r DisputeReason) Valid() bool {
	return r == DisputeUndecryptable || r == DisputeWrongOpening
}

// Dispute is a holder's claim, on the ledger, that the envelope of a token
// it holds does not open the token's commitment, naming who sealed it.
// One per token.
type Dispute struct {
	Token  string `json:"token"`
	Root   string `json:"root"`
	Issuer string `json:"issuer"`
	// Holder filed it: the token's holder when it was filed.
	Holder string `json:"holder"`
	// Sender is the enterprise whose transaction sealed the disputed
	// envelope, as the ledger records it: the issuer for a root's holder
	// envelope, the spender (holder of the parent) for a split's output,
	// the financing requester for a bank's envelope.
	Sender   string        `json:"sender"`
	Envelope string        `json:"envelope"` // DisputedHolderEnvelope or DisputedBankEnvelope
	Reason   DisputeReason `json:"reason"`
	// SealedIn is the transaction that wrote the disputed envelope.
	SealedIn string    `json:"sealedIn"`
	FiledAt  time.Time `json:"filedAt"`
	TxID     string    `json:"txId"`
}

// DisputeChange is a dispute filed, in the transaction's event.
type DisputeChange struct {
	Token  string        `json:"token"`
	Holder string        `json:"holder"`
	Sender string        `json:"sender"`
	Reason DisputeReason `json:"reason"`
}

// ValidateAll validates a request for a list that takes no owner (every
// record of its kind, e.g. Disputes).
func (r *PageRequest) ValidateAll() error {
	if r.Owner != "" {
		return invalid("owner: must be empty (this list has no owner)")
	}
	return r.validatePage()
}

package model

import "time"

// TokenStatus is the stored state of a token; OVERDUE is derived on read.
type TokenStatus string

// Token statuses (DESIGN §1).
const (
	TokenActive    TokenStatus = "ACTIVE"
	TokenSplit     TokenStatus = "SPLIT" // spent into children
	TokenFinancing TokenStatus = "FINANCING"
	TokenFinanced  TokenStatus = "FINANCED"
	TokenPaying    TokenStatus = "PAYING"
	TokenSettled   TokenStatus = "SETTLED"
	TokenFrozen    TokenStatus = "FROZEN"
	TokenDefaulted TokenStatus = "DEFAULTED" // unpaid past maturity plus the policy's grace days, declared
	TokenRecourse  TokenStatus = "RECOURSE"  // a defaulted financed piece the bank claims from the seller
	TokenOverdue   TokenStatus = "OVERDUE"   // never stored: unpaid past maturity
)

// Token is a piece of a receivable: a commitment to its amount, who holds
// it, and where it comes from.
type Token struct {
	ID       string   `json:"id"`
	Root     string   `json:"root"`
	Parents  []string `json:"parents,omitempty"`
	Children []string `json:"children,omitempty"`
	Tier     int      `json:"tier"`
	Issuer   string   `json:"issuer"` // the core enterprise (debtor)
	Bank     string   `json:"bank"`   // the credit line's bank
	// Currency is the ISO 4217 code the amount is in, from the issue and
	// inherited by every piece; "" on a legacy token (issued before
	// currencies), which never mixes with a named one.
	Currency          string      `json:"currency,omitempty"`
	Holder            string      `json:"holder"`
	Commitment        []byte      `json:"commitment"`
	Handle            []byte      `json:"handle"`
	HolderEnvelope    []byte      `json:"holderEnvelope"`
	RegulatorEnvelope []byte      `json:"regulatorEnvelope"`
	IssuerEnvelope    []byte      `json:"issuerEnvelope,omitempty"` // root only: the opening sealed to the issuer
	BankEnvelope      []byte      `json:"bankEnvelope,omitempty"`   // root only, optional: the opening sealed to the line's bank
	Maturity          time.Time   `json:"maturity"`
	Invoices          []string    `json:"invoices,omitempty"` // root only
	Refs              []byte      `json:"refs,omitempty"`     // optional: the invoice numbers sealed to the holder (refs.go)
	Status            TokenStatus `json:"status"`
	Financing         *Financing  `json:"financing,omitempty"`
	Payment           *Payment    `json:"payment,omitempty"`
	Freeze            *Freeze     `json:"freeze,omitempty"`
	Default           *Default    `json:"default,omitempty"`
	// Resale is a pending offer by the holding bank to sell the piece to
	// another bank; Resales the sales completed, oldest first.
	Resale    *Resale   `json:"resale,omitempty"`
	Resales   []Resale  `json:"resales,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	TxID      string    `json:"txId"`
}

// Financing is a token's request at a bank.
type Financing struct {
	Bank            string    `json:"bank"`
	Requester       string    `json:"requester"`
	BankEnvelope    []byte    `json:"bankEnvelope"`
	Refs            []byte    `json:"refs,omitempty"` // optional: the invoice numbers sealed by the requester to the bank (refs.go)
	RequestedAt     time.Time `json:"requestedAt"`
	DisbursementRef string    `json:"disbursementRef,omitempty"`
	AgreementHash   []byte    `json:"agreementHash,omitempty"`
	ApprovedAt      time.Time `json:"approvedAt,omitzero"`
	// Terms, for a financing requested with terms (TermFinanceRequest):
	// BankEnvelope is then bound to the commitment alone.
	Terms *FinancingTerms `json:"terms,omitempty"`
	// Quote, for a financing by a bank's accepted quote (AcceptQuote):
	// the terms are sealed; BankEnvelope is bound to the commitment alone.
	Quote *FinancingQuote `json:"quote,omitempty"`
}

// WithRecourse reports whether the financing lets the bank claim against
// the seller on default.
func (f *Financing) WithRecourse() bool {
	switch {
	case f.Terms != nil:
		return f.Terms.Terms.Recourse
	case f.Quote != nil:
		return f.Quote.Recourse
	}
	return false
}

// Amounts returns the financing's advance and fee, or nils for a
// financing without terms.
func (f *Financing) Amounts() (advance, fee *SealedAmount) {
	switch {
	case f.Terms != nil:
		return f.Terms.Advance, f.Terms.Fee
	case f.Quote != nil:
		return f.Quote.Advance, f.Quote.Fee
	}
	return nil, nil
}

// Payment is the core's declaration that it paid a token's holder.
type Payment struct {
	Ref         string      `json:"ref"`
	Payee       string      `json:"payee"`
	PriorStatus TokenStatus `json:"priorStatus"`
	DeclaredAt  time.Time   `json:"declaredAt"`
	ConfirmedAt time.Time   `json:"confirmedAt,omitzero"`
}

// Freeze records why and from which status a token was frozen.
type Freeze struct {
	Reason      string      `json:"reason"`
	PriorStatus TokenStatus `json:"priorStatus"`
	By          string      `json:"by"`
	At          time.Time   `json:"at"`
}

// Unpaid reports whether a stored status still awaits payment.
func (s TokenStatus) Unpaid() bool {
	return s == TokenActive || s == TokenFinancing || s == TokenFinanced
}

// EffectiveStatus is the status a reader sees at time now: OVERDUE when the
// token is unpaid and now is past its maturity.
func (t *Token) EffectiveStatus(now time.Time) TokenStatus {
	if t.Status.Unpaid() && now.After(t.Maturity) {
		return TokenOverdue
	}
	return t.Status
}

// TokenView is a token as queries return it: Status is the effective
// status (OVERDUE derived from the query's transaction time) and
// LedgerStatus the stored one.
type TokenView struct {
	Token
	LedgerStatus TokenStatus `json:"ledgerStatus"`
}

// View returns the token as seen at now.
func (t *Token) View(now time.Time) TokenView {
	v := TokenView{Token: *t, LedgerStatus: t.Status}
	v.Status = t.EffectiveStatus(now)
	return v
}

// ProvenanceNode is one token of a provenance tree.
type ProvenanceNode struct {
	Token    TokenView        `json:"token"`
	Children []ProvenanceNode `json:"children,omitempty"`
}

// Page is one page of a paginated query.
type Page[T any] struct {
	Items    []T    `json:"items"`
	Bookmark string `json:"bookmark"` // empty when there is no further page
}

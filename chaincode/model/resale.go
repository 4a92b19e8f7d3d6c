package model

import (
	"time"

	"github.com/tierchain/tierchain/zk/envelope"
)

// Resale (forfaiting): the bank that holds a financed piece sells it to
// another bank. The price is a commitment whose opening is sealed to the
// seller (HolderEnvelope), the buyer (BankEnvelope) and the regulator,
// proven 0 ≤ price ≤ face; the face's opening is sealed to the buyer.
// The buyer accepts (it paid the price off the chain) and becomes the
// holder, which the core pays at maturity (docs/crypto/financing.md,
// "Resale").

// ResaleRangeValues is the number of range proofs of a resale offer: the
// price, and face − price.
const ResaleRangeValues = 2

// OfferResaleRequest is the holding bank's offer to sell a FINANCED piece
// to Buyer at a confidential price.
type OfferResaleRequest struct {
	Token        string       `json:"token"`
	Buyer        string       `json:"buyer"`
	BankEnvelope []byte       `json:"bankEnvelope"` // the face's opening sealed to the buyer, bound to the commitment
	Price        SealedAmount `json:"price"`
	RangeProofs  [][]byte     `json:"rangeProofs"`
	// Refs, optional: the invoice numbers sealed to the buyer, bound to
	// the piece's commitment (model/refs.go).
	Refs []byte `json:"refs,omitempty"`
}

// Validate implements Validator.
func (r *OfferResaleRequest) Validate() error {
	if err := firstError(ValidateID("token", r.Token), ValidateID("buyer", r.Buyer),
		validateBytes("bankEnvelope", r.BankEnvelope, envelope.SealedSize), r.Price.Validate("price"), validateRefs("refs", r.Refs)); err != nil {
		return err
	}
	if err := validateRangeProofs(r.RangeProofs, ResaleRangeValues); err != nil {
		return err
	}
	return nil
}

// AcceptResaleRequest is the buyer's acceptance of a resale offer, with
// the reference of its payment of the price to the seller.
type AcceptResaleRequest struct {
	Token      string `json:"token"`
	PaymentRef string `json:"paymentRef"`
}

// Validate implements Validator.
func (r *AcceptResaleRequest) Validate() error {
	return firstError(ValidateID("token", r.Token), validateText("paymentRef", r.PaymentRef, MaxTextLength, true))
}

// Resale is a resale offer on a token, and once accepted its record.
type Resale struct {
	Seller       string        `json:"seller"`
	Buyer        string        `json:"buyer"`
	BankEnvelope []byte        `json:"bankEnvelope"`
	Price        *SealedAmount `json:"price"`
	OfferedAt    time.Time     `json:"offeredAt"`
	OfferTxID    string        `json:"offerTxId"`
	PaymentRef   string        `json:"paymentRef,omitempty"`
	AcceptedAt   time.Time     `json:"acceptedAt,omitzero"`
	// Refs, optional: the invoice numbers sealed to the buyer.
	Refs []byte `json:"refs,omitempty"`
}

// LastResaleTo returns the latest completed resale of t to bank, or nil.
func (t *Token) LastResaleTo(bank string) *Resale {
	for i := len(t.Resales) - 1; i >= 0; i-- {
		if t.Resales[i].Buyer == bank {
			return &t.Resales[i]
		}
	}
	return nil
}

package protocol

import (
	"io"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

// PurposePrice is the envelope purpose of a resale's price.
const PurposePrice = "price"

// ResaleStatement is the public side of a resale offer: the price is in
// [0, 2^64) and at most the face (the token's commitment), the regulator
// can open it, and the face's opening is sealed to the buyer.
type ResaleStatement struct {
	Currency     string // the token's ISO 4217 code: face and price; "" legacy
	Token        string
	Seller       string
	Buyer        string
	Face         *pedersen.Commitment
	BankEnvelope []byte
	Price        AmountRef // HolderEnvelope: the seller's, BankEnvelope: the buyer's
	AuditKey     *elgamal.PublicKey
}

// Transcript binds the context and every public input of the statement.
func (s *ResaleStatement) Transcript(ctx Context) *transcript.Transcript {
	t := newTranscript(ctx, KindOfferResale, s.Currency, s.AuditKey)
	t.AppendString("token", s.Token)
	t.AppendString("seller", s.Seller)
	t.AppendString("buyer", s.Buyer)
	t.AppendElement("face", s.Face.Element())
	t.AppendMessage("bank-envelope", s.BankEnvelope)
	t.AppendElement("price", s.Price.Commitment.Element())
	t.AppendMessage("handle", s.Price.Handle.Bytes())
	t.AppendMessage("seller-envelope", s.Price.HolderEnvelope)
	t.AppendMessage("buyer-envelope", s.Price.BankEnvelope)
	t.AppendMessage("regulator-envelope", s.Price.RegulatorEnvelope)
	return t
}

// RangeCommitments are the price P and face − P.
func (s *ResaleStatement) RangeCommitments() []*pedersen.Commitment {
	return []*pedersen.Commitment{s.Price.Commitment, pedersen.Identity().Subtract(s.Face, s.Price.Commitment)}
}

// Verify checks the offer's handle and range proofs in one batch.
func (s *ResaleStatement) Verify(ctx Context, req *model.OfferResaleRequest) error {
	b := newProofBatch(ctx, s.Transcript(ctx))
	b.addHandle(0, s.AuditKey, s.Price.Commitment, s.Price.Handle, req.Price.HandleProof)
	if err := b.addRanges(req.RangeProofs, s.RangeCommitments()); err != nil {
		return err
	}
	return b.verify()
}

// ResaleInput is what the selling bank's wallet knows: the piece's face
// opening, the buyer and the price agreed.
type ResaleInput struct {
	Token  OpenedToken
	Seller Recipient
	Buyer  Recipient
	Price  uint64
}

// BuildResale produces a complete OfferResaleRequest. A price above the
// face is refused (it could not be proven).
func BuildResale(ctx Context, in ResaleInput, aud Auditor, random io.Reader) (*model.OfferResaleRequest, error) {
	face := in.Token.Opening
	if face.Blinding == nil || in.Seller.Key == nil || in.Buyer.Key == nil || aud.AuditKey == nil || aud.EncryptionKey == nil {
		return nil, invalidArg("builder: missing face blinding, seller, buyer or auditor key")
	}
	if in.Price > face.Value {
		return nil, invalidArg("builder: price %d above the face %d", in.Price, face.Value)
	}
	fc := face.Commitment()
	req := &model.OfferResaleRequest{Token: in.Token.ID, Buyer: in.Buyer.ID}
	var err error
	if req.BankEnvelope, err = envelope.Seal(in.Buyer.Key, face, OutputBinding(fc, PurposeBank), random); err != nil {
		return nil, err
	}
	price, err := pedersen.NewOpening(in.Price, random)
	if err != nil {
		return nil, err
	}
	s := &ResaleStatement{Currency: in.Token.Currency, Token: in.Token.ID, Seller: in.Seller.ID, Buyer: in.Buyer.ID, Face: fc, BankEnvelope: req.BankEnvelope,
		AuditKey: aud.AuditKey}
	if err := sealAmounts(in.Seller.Key, in.Buyer.Key, aud, random, []sealTarget{{price, PurposePrice, &s.Price, &req.Price}}); err != nil {
		return nil, err
	}
	base := s.Transcript(ctx)
	if req.Price.HandleProof, err = proveHandle(base, 0, aud.AuditKey, price, random); err != nil {
		return nil, err
	}
	if req.RangeProofs, err = proveRanges(base, []pedersen.Opening{price,
		{Value: face.Value - in.Price, Blinding: group.NewScalar().Subtract(face.Blinding, price.Blinding)}}, random); err != nil {
		return nil, err
	}
	return req, nil
}

package model

import (
	"time"

	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/zk/balance"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// FinancingPolicy is the channel's financing policy: the operator sets it,
// every enterprise reads it. While none is set, financing with terms is
// capped at 100 % of face and the request without terms
// (RequestFinancing) is allowed; once one is set, every financing carries
// terms and proves its advance within MaxAdvanceBP of face.
type FinancingPolicy struct {
	MaxAdvanceBP int64     `json:"maxAdvanceBp"` // advance ≤ MaxAdvanceBP/10 000 × face, 1..10 000
	GraceDays    int       `json:"graceDays"`    // days after maturity before a piece is in default
	Set          bool      `json:"set"`          // false: no policy was ever set (the defaults)
	UpdatedBy    string    `json:"updatedBy,omitempty"`
	UpdatedAt    time.Time `json:"updatedAt,omitzero"`
	TxID         string    `json:"txId,omitempty"`
}

// DefaultFinancingPolicy is the policy of a channel whose operator set none.
func DefaultFinancingPolicy() *FinancingPolicy {
	return &FinancingPolicy{MaxAdvanceBP: terms.BP, GraceDays: DefaultGraceDays}
}

// Bounds of a financing policy.
const (
	DefaultGraceDays = 30
	MaxGraceDays     = 365
)

// SetFinancingPolicyRequest sets the channel's financing policy (operator).
type SetFinancingPolicyRequest struct {
	MaxAdvanceBP int64 `json:"maxAdvanceBp"`
	GraceDays    int   `json:"graceDays"`
}

// Validate implements Validator.
func (r *SetFinancingPolicyRequest) Validate() error {
	if _, _, err := terms.CapCoefficients(r.MaxAdvanceBP); err != nil {
		return invalid("maxAdvanceBp: %d: must be 1..%d (at most 100 %% of face)", r.MaxAdvanceBP, terms.BP)
	}
	if r.GraceDays < 0 || r.GraceDays > MaxGraceDays {
		return invalid("graceDays: must be 0..%d", MaxGraceDays)
	}
	return nil
}

// SealedAmount is a confidential amount of a financing (the advance or the
// fee): its commitment, audit handle and proof, and its opening sealed to
// the holder that requested the financing, the bank and the regulator.
type SealedAmount struct {
	Commitment        []byte `json:"commitment"`
	Handle            []byte `json:"handle"`
	HandleProof       []byte `json:"handleProof,omitempty"` // in requests; not stored
	HolderEnvelope    []byte `json:"holderEnvelope"`
	BankEnvelope      []byte `json:"bankEnvelope"`
	RegulatorEnvelope []byte `json:"regulatorEnvelope"`
}

// Validate checks the sizes of a sealed amount in a request.
func (s *SealedAmount) Validate(field string) error {
	return firstError(
		validateBytes(field+".commitment", s.Commitment, pedersen.CommitmentSize),
		validateBytes(field+".handle", s.Handle, elgamal.HandleSize),
		validateBytes(field+".handleProof", s.HandleProof, elgamal.HandleProofSize),
		validateBytes(field+".holderEnvelope", s.HolderEnvelope, envelope.SealedSize),
		validateBytes(field+".bankEnvelope", s.BankEnvelope, envelope.SealedSize),
		validateBytes(field+".regulatorEnvelope", s.RegulatorEnvelope, envelope.SealedSize),
	)
}

// Stored is the amount as the ledger keeps it (without its handle proof).
func (s SealedAmount) Stored() *SealedAmount {
	s.HandleProof = nil
	return &s
}

// FinanceRangeValues is the number of range proofs of a financing with
// terms (a partial financing's outputs carry their own): the advance, the
// fee, face − advance, the policy cap num·face − den·advance, the
// remainder face·K − M·(advance + fee) of the terms' rounding and
// M − 1 − that remainder (docs/crypto/financing.md).
const FinanceRangeValues = 6

// PartialFinancing splits the token in the financing's transaction: the
// piece (Outputs[0]) is financed, the change (Outputs[1]) stays ACTIVE
// with the holder. Both outputs are the caller's.
type PartialFinancing struct {
	Outputs      []Output `json:"outputs"`
	BalanceProof []byte   `json:"balanceProof"`
}

// Validate checks the split's shape: exactly the piece and the change,
// each a valid output, and a balance proof.
func (p *PartialFinancing) Validate() error {
	if len(p.Outputs) != 2 {
		return invalid("partial.outputs: exactly 2 (the piece financed, the change)")
	}
	for i := range p.Outputs {
		if err := p.Outputs[i].Validate(i); err != nil {
			return err
		}
	}
	return validateBytes("partial.balanceProof", p.BalanceProof, balance.ProofSize)
}

// TermFinanceRequest asks a bank to finance a token (or, with Partial, a
// piece split off it in the same transaction) under public terms, with
// the advance and fee as commitments. BankEnvelope is the face's opening
// sealed to the bank, bound to the face commitment. RangeProofs are the
// FinanceRangeValues single 64-bit proofs, in the order FinanceRangeValues
// names them; the chaincode verifies them in one batch with every other
// proof of the request.
type TermFinanceRequest struct {
	Token        string            `json:"token"`
	Bank         string            `json:"bank"`
	Terms        terms.Terms       `json:"terms"`
	Partial      *PartialFinancing `json:"partial,omitempty"`
	BankEnvelope []byte            `json:"bankEnvelope"`
	Advance      SealedAmount      `json:"advance"`
	Fee          SealedAmount      `json:"fee"`
	RangeProofs  [][]byte          `json:"rangeProofs"`
	// Refs, optional: the invoice numbers sealed to the bank.
	Refs []byte `json:"refs,omitempty"`
}

// Validate implements Validator.
func (r *TermFinanceRequest) Validate() error {
	if err := firstError(ValidateID("token", r.Token), ValidateID("bank", r.Bank),
		validateBytes("bankEnvelope", r.BankEnvelope, envelope.SealedSize), validateRefs("refs", r.Refs),
		r.Advance.Validate("advance"), r.Fee.Validate("fee")); err != nil {
		return err
	}
	if err := r.Terms.Validate(); err != nil {
		return invalid("terms: %v", err)
	}
	if r.Partial != nil {
		if err := r.Partial.Validate(); err != nil {
			return err
		}
	}
	if err := validateRangeProofs(r.RangeProofs, FinanceRangeValues); err != nil {
		return err
	}
	return nil
}

// FinancingTerms is what a financing with terms records on its token: the
// terms, the policy cap it was proven against, and the advance and fee.
type FinancingTerms struct {
	Terms        terms.Terms   `json:"terms"`
	MaxAdvanceBP int64         `json:"maxAdvanceBp"`
	Advance      *SealedAmount `json:"advance"`
	Fee          *SealedAmount `json:"fee"`
	// SplitFrom is the token a partial financing split the piece off.
	SplitFrom string `json:"splitFrom,omitempty"`
}

// Default records a piece declared in default, and the bank's recourse
// against the seller when it exercised it.
type Default struct {
	PriorStatus TokenStatus `json:"priorStatus"`
	GraceDays   int         `json:"graceDays"` // the policy's, when declared
	DeclaredBy  string      `json:"declaredBy"`
	DeclaredAt  time.Time   `json:"declaredAt"`
	Reason      string      `json:"reason,omitempty"`
	// Recourse: the seller (the financing's requester) the bank claims
	// from, with the bank's reference; the seller then owes the bank the
	// advance with interest at the terms' penalty rate.
	RecourseAgainst string    `json:"recourseAgainst,omitempty"`
	RecourseRef     string    `json:"recourseRef,omitempty"`
	RecourseAt      time.Time `json:"recourseAt,omitzero"`
	// Repaid: the bank confirmed the seller's repayment (SETTLED).
	RepaidRef string    `json:"repaidRef,omitempty"`
	RepaidAt  time.Time `json:"repaidAt,omitzero"`
}

// Package balance proves that a split or merge conserves value.
//
// With inputs C_in and outputs C_out that open to equal totals,
// Σ C_in − Σ C_out = (Σ r_in − Σ r_out)·H = k·H. A Schnorr proof of
// knowledge of k with respect to H alone shows the G component of the
// excess is zero, i.e. Σ v_in = Σ v_out modulo ℓ; range proofs on the
// outputs rule out wrap-around. See docs/crypto/balance.md.
package balance

import (
	"errors"
	"io"

	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/rangeproof"
	"github.com/tierchain/tierchain/zk/transcript"
)

// Domain is appended to the caller's transcript.
const Domain = "tierchain/balance/v1"

// ProofSize is the encoded size: R ‖ s.
const ProofSize = 64

var (
	ErrInvalidProof   = errors.New("balance: invalid proof")
	ErrMalformedProof = errors.New("balance: malformed proof encoding")
)

// Proof is a Schnorr proof of knowledge of k with D = k·H.
type Proof struct {
	r   group.Element // R = ρ·H
	s   group.Scalar  // s = ρ + c·k
	enc []byte        // R ‖ s, kept so the verifier hashes R without re-encoding it
}

// Excess returns Σ inputs − Σ outputs.
func Excess(inputs, outputs []*pedersen.Commitment) *group.Element {
	acc := group.NewIdentity()
	for _, c := range inputs {
		acc.Add(acc, c.Element())
	}
	for _, c := range outputs {
		acc.Subtract(acc, c.Element())
	}
	return acc
}

// ExcessBlinding returns Σ r_in − Σ r_out, the k of the excess when the
// values balance.
func ExcessBlinding(inputs, outputs []pedersen.Opening) *group.Scalar {
	k := group.NewScalar()
	for _, o := range inputs {
		k.Add(k, o.Blinding)
	}
	for _, o := range outputs {
		k.Subtract(k, o.Blinding)
	}
	return k
}

// challenge appends the statement and the commitment R (its canonical
// encoding, rEnc) and returns c.
func challenge(t *transcript.Transcript, d *group.Element, rEnc []byte) *group.Scalar {
	t.AppendString("dom-sep", Domain)
	t.AppendElement("D", d)
	t.AppendMessage("R", rEnc)
	return t.ChallengeScalar("c")
}

// Prove proves knowledge of k for D = k·H. Constant time in k.
func Prove(t *transcript.Transcript, k *group.Scalar, rand io.Reader) (*Proof, error) {
	if k == nil {
		return nil, errors.New("balance: nil excess blinding")
	}
	rho, err := group.RandomScalar(rand)
	if err != nil {
		return nil, err
	}
	d := group.NewIdentity().TableScalarMult(pedersen.HTable(), k)
	p := &Proof{}
	p.r.TableScalarMult(pedersen.HTable(), rho)
	rEnc := p.r.Bytes()
	c := challenge(t, d, rEnc)
	p.s.MultiplyAdd(c, k, rho)
	p.enc = append(rEnc, p.s.Bytes()...)
	return p, nil
}

// Verify checks the proof for D (the excess of the transaction, see Excess)
// on a transcript in the same state as the prover's. Variable time: D and
// the proof are public.
func (p *Proof) Verify(t *transcript.Transcript, d *group.Element) error {
	eq, err := p.Equation(t, d)
	if err != nil {
		return err
	}
	// s·H − c·D − R = 0: one 3-point MSM.
	res, err := group.NewIdentity().VarTimeMultiScalarMult(
		append(eq.Scalars, eq.H), append(eq.Points, pedersen.H()))
	if err != nil {
		return err
	}
	if !res.IsIdentity() {
		return ErrInvalidProof
	}
	return nil
}

// Equation returns the proof's verification equation for D,
// s·H − c·D − R = 0, for a rangeproof.BatchVerifier: the chaincode adds it
// with AddEquation(t, eq) on the same transcript t, so a transaction's range
// and balance proofs are checked in one multi-scalar multiplication. It
// runs Verify's transcript steps and then appends s, so the digest
// AddEquation draws from t binds the whole proof into the batch's weights,
// which are drawn only once every item is in. A false equation makes the
// batch's Verify fail.
func (p *Proof) Equation(t *transcript.Transcript, d *group.Element) (rangeproof.Equation, error) {
	if len(p.enc) != ProofSize { // a zero Proof, not one from Prove or DecodeProof
		return rangeproof.Equation{}, ErrMalformedProof
	}
	c := challenge(t, d, p.enc[:group.ElementSize])
	t.AppendMessage("s", p.enc[group.ElementSize:])
	return rangeproof.Equation{
		H:       group.NewScalar().Set(&p.s),
		Scalars: []*group.Scalar{group.NewScalar().Negate(c), group.NewScalar().Negate(group.NewScalar().One())},
		Points:  []*group.Element{group.NewIdentity().Set(d), group.NewIdentity().Set(&p.r)},
	}, nil
}

// Bytes returns R ‖ s.
func (p *Proof) Bytes() []byte { return append([]byte(nil), p.enc...) }

// DecodeProof parses R ‖ s strictly (canonical, R not the identity).
func DecodeProof(b []byte) (*Proof, error) {
	if len(b) != ProofSize {
		return nil, ErrMalformedProof
	}
	p := &Proof{}
	if _, err := p.r.SetCanonicalBytesNonIdentity(b[:32]); err != nil {
		return nil, errors.Join(ErrMalformedProof, err)
	}
	if _, err := p.s.SetCanonicalBytes(b[32:]); err != nil {
		return nil, errors.Join(ErrMalformedProof, err)
	}
	p.enc = append([]byte(nil), b...)
	return p, nil
}

// Package audit gives the regulator a verifiable way to open every amount.
//
// The regulator's key is s with public key P = s·H (twisted ElGamal over
// the Pedersen blinding generator). Each commitment C = v·G + r·H carries a
// handle D = r·P and a HandleProof that D and C share r. Then
// C − s⁻¹·D = v·G for any committed amount, so the regulator can check a
// claimed v at once or find a bounded v by baby-step giant-step. The
// chaincode rejects any output whose handle proof fails, so every amount on
// the ledger is openable. See docs/crypto/audit.md.
package audit

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

// Domain is appended to the caller's transcript by handle proofs.
const Domain = "tierchain/audit/v1"

// Sizes of the encodings.
const (
	KeySize         = 32
	HandleSize      = 32
	HandleProofSize = 128 // A1 ‖ A2 ‖ z_v ‖ z_r
)

var (
	ErrInvalidProof   = errors.New("audit: invalid handle proof")
	ErrMalformedProof = errors.New("audit: malformed encoding")
	ErrOutOfRange     = errors.New("audit: amount outside the table's range")
)

// PrivateKey is the regulator's secret s. It redacts itself in fmt and slog.
type PrivateKey struct {
	s group.Scalar
}

// PublicKey is P = s·H.
type PublicKey struct {
	p group.Element
}

// GenerateKey returns a new regulator key from rand (crypto/rand if nil).
func GenerateKey(rand io.Reader) (*PrivateKey, error) {
	for {
		s, err := group.RandomScalar(rand)
		if err != nil {
			return nil, err
		}
		if !s.IsZero() {
			k := &PrivateKey{}
			k.s.Set(s)
			return k, nil
		}
	}
}

// Public returns P = s·H.
func (k *PrivateKey) Public() *PublicKey {
	p := &PublicKey{}
	p.p.TableScalarMult(pedersen.HTable(), &k.s)
	return p
}

// Bytes returns the 32-byte scalar. Keep it secret.
func (k *PrivateKey) Bytes() []byte { return k.s.Bytes() }

// String redacts the key.
func (k *PrivateKey) String() string { return "audit.PrivateKey{REDACTED}" }

// LogValue redacts the key.
func (k *PrivateKey) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// DecodePrivateKey parses a canonical, non-zero scalar.
func DecodePrivateKey(b []byte) (*PrivateKey, error) {
	k := &PrivateKey{}
	if _, err := k.s.SetCanonicalBytes(b); err != nil {
		return nil, errors.Join(ErrMalformedProof, err)
	}
	if k.s.IsZero() {
		return nil, fmt.Errorf("%w: zero key", ErrMalformedProof)
	}
	return k, nil
}

// Bytes returns the encoding of P.
func (p *PublicKey) Bytes() []byte { return p.p.Bytes() }

// DecodePublicKey parses a canonical, non-identity element.
func DecodePublicKey(b []byte) (*PublicKey, error) {
	p := &PublicKey{}
	if _, err := p.p.SetCanonicalBytesNonIdentity(b); err != nil {
		return nil, errors.Join(ErrMalformedProof, err)
	}
	return p, nil
}

// Handle is D = r·P for the blinding r of a commitment.
type Handle struct {
	d group.Element
}

// NewHandle returns r·P. Constant time in r.
func NewHandle(pub *PublicKey, blinding *group.Scalar) *Handle {
	h := &Handle{}
	h.d.ScalarMult(blinding, &pub.p)
	return h
}

// Bytes returns the encoding of D.
func (h *Handle) Bytes() []byte { return h.d.Bytes() }

// DecodeHandle parses a canonical, non-identity element.
func DecodeHandle(b []byte) (*Handle, error) {
	h := &Handle{}
	if _, err := h.d.SetCanonicalBytesNonIdentity(b); err != nil {
		return nil, errors.Join(ErrMalformedProof, err)
	}
	return h, nil
}

// HandleProof proves ∃ v, r: C = v·G + r·H ∧ D = r·P (a sigma protocol over
// two bases, made non-interactive with the transcript).
type HandleProof struct {
	a1, a2 group.Element // A1 = α·G + β·H, A2 = β·P
	zv, zr group.Scalar  // z_v = α + c·v, z_r = β + c·r
}

func handleChallenge(t *transcript.Transcript, pub *PublicKey, c *pedersen.Commitment, d, a1, a2 *group.Element) *group.Scalar {
	t.AppendString("dom-sep", Domain)
	t.AppendElement("P", &pub.p)
	t.AppendElement("C", c.Element())
	t.AppendElement("D", d)
	t.AppendElement("A1", a1)
	t.AppendElement("A2", a2)
	return t.ChallengeScalar("c")
}

// ProveHandle proves that NewHandle(pub, o.Blinding) and o.Commitment()
// share the blinding. Constant time in the opening.
func ProveHandle(t *transcript.Transcript, pub *PublicKey, o pedersen.Opening, rand io.Reader) (*HandleProof, error) {
	alpha, err := group.RandomScalar(rand)
	if err != nil {
		return nil, err
	}
	beta, err := group.RandomScalar(rand)
	if err != nil {
		return nil, err
	}
	p := &HandleProof{}
	p.a1.Set(pedersen.CommitScalar(alpha, beta).Element())
	p.a2.ScalarMult(beta, &pub.p)
	d := NewHandle(pub, o.Blinding)
	c := handleChallenge(t, pub, o.Commitment(), &d.d, &p.a1, &p.a2)
	var v group.Scalar
	v.SetUint64(o.Value)
	p.zv.MultiplyAdd(c, &v, alpha)
	p.zr.MultiplyAdd(c, o.Blinding, beta)
	return p, nil
}

// Verify checks the proof for commitment c and handle h. The two equations
// z_v·G + z_r·H = A1 + c·C and z_r·P = A2 + c·D are checked as one MSM,
// the second scaled by a transcript-derived weight.
func (p *HandleProof) Verify(t *transcript.Transcript, pub *PublicKey, c *pedersen.Commitment, h *Handle) error {
	ch := handleChallenge(t, pub, c, &h.d, &p.a1, &p.a2)
	w := t.ChallengeScalar("w")
	neg := func(s *group.Scalar) *group.Scalar { return group.NewScalar().Negate(s) }
	wzr := group.NewScalar().Multiply(w, &p.zr)
	res, err := group.NewIdentity().VarTimeMultiScalarMult(
		[]*group.Scalar{&p.zv, &p.zr, neg(group.NewScalar().One()), neg(ch), wzr, neg(w), neg(group.NewScalar().Multiply(w, ch))},
		[]*group.Element{pedersen.G(), pedersen.H(), &p.a1, c.Element(), &pub.p, &p.a2, &h.d})
	if err != nil {
		return err
	}
	if !res.IsIdentity() {
		return ErrInvalidProof
	}
	return nil
}

// Bytes returns A1 ‖ A2 ‖ z_v ‖ z_r.
func (p *HandleProof) Bytes() []byte {
	out := make([]byte, 0, HandleProofSize)
	out = append(out, p.a1.Bytes()...)
	out = append(out, p.a2.Bytes()...)
	out = append(out, p.zv.Bytes()...)
	return append(out, p.zr.Bytes()...)
}

// DecodeHandleProof parses a canonical encoding.
func DecodeHandleProof(b []byte) (*HandleProof, error) {
	if len(b) != HandleProofSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrMalformedProof, len(b))
	}
	p := &HandleProof{}
	if _, err := p.a1.SetCanonicalBytes(b[:32]); err != nil {
		return nil, errors.Join(ErrMalformedProof, err)
	}
	if _, err := p.a2.SetCanonicalBytes(b[32:64]); err != nil {
		return nil, errors.Join(ErrMalformedProof, err)
	}
	if _, err := p.zv.SetCanonicalBytes(b[64:96]); err != nil {
		return nil, errors.Join(ErrMalformedProof, err)
	}
	if _, err := p.zr.SetCanonicalBytes(b[96:]); err != nil {
		return nil, errors.Join(ErrMalformedProof, err)
	}
	return p, nil
}

// ValueElement returns C − s⁻¹·D = v·G.
func (k *PrivateKey) ValueElement(c *pedersen.Commitment, h *Handle) *group.Element {
	sInv := group.NewScalar().Invert(&k.s)
	rh := group.NewIdentity().ScalarMult(sInv, &h.d)
	return group.NewIdentity().Subtract(c.Element(), rh)
}

// CheckValue reports whether c and h commit to v.
func (k *PrivateKey) CheckValue(c *pedersen.Commitment, h *Handle, v uint64) bool {
	var s group.Scalar
	s.SetUint64(v)
	want := group.NewIdentity().TableScalarMult(pedersen.GTable(), &s)
	return k.ValueElement(c, h).Equal(want) == 1
}

// DLogTable finds amounts below 2^bits from v·G.
type DLogTable struct {
	t *group.DLogTable
}

// NewDLogTable builds a table for amounts below 2^bits. For bits = 40 it
// holds 2^20 baby steps (about 40 MiB) and takes about a second to build.
func NewDLogTable(bits int) (*DLogTable, error) {
	if bits < 2 || bits > 48 {
		return nil, fmt.Errorf("audit: table bits %d not in [2, 48]", bits)
	}
	t, err := group.NewDLogTable(pedersen.G(), uint(bits))
	if err != nil {
		return nil, err
	}
	return &DLogTable{t: t}, nil
}

var tables sync.Map // bits → *DLogTable, for SharedDLogTable

// SharedDLogTable returns a process-wide table for bits, built on first use.
func SharedDLogTable(bits int) (*DLogTable, error) {
	if t, ok := tables.Load(bits); ok {
		return t.(*DLogTable), nil
	}
	t, err := NewDLogTable(bits)
	if err != nil {
		return nil, err
	}
	actual, _ := tables.LoadOrStore(bits, t)
	return actual.(*DLogTable), nil
}

// Open finds the amount committed by c and h, if it is below the table's range.
func (k *PrivateKey) Open(tab *DLogTable, c *pedersen.Commitment, h *Handle) (uint64, error) {
	v, err := tab.t.VarTimeSolve(k.ValueElement(c, h))
	if errors.Is(err, group.ErrDLogNotFound) {
		return 0, ErrOutOfRange
	}
	return v, err
}

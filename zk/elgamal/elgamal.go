// Package elgamal gives the regulator a verifiable way to open every amount.
//
// The regulator's key is s with public key P = s·H (twisted ElGamal over
// the Pedersen blinding generator). Each commitment C = v·G + r·H carries a
// handle D = r·P and a HandleProof that D and C share r. Then
// C − s⁻¹·D = v·G for any committed amount, so the regulator can check a
// claimed v at once or find a bounded v by baby-step giant-step. The
// chaincode rejects any output whose handle proof fails, so every amount on
// the ledger is openable. See docs/crypto/audit.md.
package elgamal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/rangeproof"
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
	s    group.Scalar
	sInv group.Scalar // s⁻¹, for ValueElement
}

// PublicKey is P = s·H.
type PublicKey struct {
	p   group.Element
	enc []byte // canonical encoding of p, hashed into every handle proof
}

func newPrivateKey(s *group.Scalar) *PrivateKey {
	k := &PrivateKey{}
	k.s.Set(s)
	k.sInv.Invert(s)
	return k
}

// GenerateKey returns a new regulator key from rand (crypto/rand if nil).
func GenerateKey(rand io.Reader) (*PrivateKey, error) {
	for {
		s, err := group.RandomScalar(rand)
		if err != nil {
			return nil, err
		}
		if !s.IsZero() {
			return newPrivateKey(s), nil
		}
	}
}

// Public returns P = s·H.
func (k *PrivateKey) Public() *PublicKey {
	p := &PublicKey{}
	p.p.TableScalarMult(pedersen.HTable(), &k.s)
	p.enc = p.p.Bytes()
	return p
}

// Bytes returns the 32-byte scalar. Keep it secret.
func (k *PrivateKey) Bytes() []byte { return k.s.Bytes() }

// String redacts the key.
func (k *PrivateKey) String() string { return "elgamal.PrivateKey{REDACTED}" }

// GoString redacts the key for %#v.
func (k *PrivateKey) GoString() string { return k.String() }

// LogValue redacts the key.
func (k *PrivateKey) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// DecodePrivateKey parses a canonical, non-zero scalar.
func DecodePrivateKey(b []byte) (*PrivateKey, error) {
	s, err := group.NewScalar().SetCanonicalBytes(b)
	if err != nil {
		return nil, errors.Join(ErrMalformedProof, err)
	}
	if s.IsZero() {
		return nil, fmt.Errorf("%w: zero key", ErrMalformedProof)
	}
	return newPrivateKey(s), nil
}

// Bytes returns the encoding of P.
func (p *PublicKey) Bytes() []byte { return bytes.Clone(p.enc) }

// DecodePublicKey parses a canonical, non-identity element.
func DecodePublicKey(b []byte) (*PublicKey, error) {
	p := &PublicKey{}
	if err := decodeNonIdentity(&p.p, b); err != nil {
		return nil, err
	}
	p.enc = bytes.Clone(b)
	return p, nil
}

// Handle is D = r·P for the blinding r of a commitment.
type Handle struct {
	d   group.Element
	enc []byte // canonical encoding of d
}

// NewHandle returns r·P. Constant time in r.
func NewHandle(pub *PublicKey, blinding *group.Scalar) *Handle {
	h := &Handle{}
	h.d.ScalarMult(blinding, &pub.p)
	h.enc = h.d.Bytes()
	return h
}

// Bytes returns the encoding of D.
func (h *Handle) Bytes() []byte { return bytes.Clone(h.enc) }

// DecodeHandle parses a canonical, non-identity element.
func DecodeHandle(b []byte) (*Handle, error) {
	h := &Handle{}
	if err := decodeNonIdentity(&h.d, b); err != nil {
		return nil, err
	}
	h.enc = bytes.Clone(b)
	return h, nil
}

// decodeNonIdentity sets e from canonical, non-identity bytes b.
func decodeNonIdentity(e *group.Element, b []byte) error {
	if _, err := e.SetCanonicalBytesNonIdentity(b); err != nil {
		return errors.Join(ErrMalformedProof, err)
	}
	return nil
}

// HandleProof proves ∃ v, r: C = v·G + r·H ∧ D = r·P (a sigma protocol over
// two bases, made non-interactive with the transcript).
type HandleProof struct {
	a1, a2 group.Element // A1 = α·G + β·H, A2 = β·P
	zv, zr group.Scalar  // z_v = α + c·v, z_r = β + c·r
	enc    []byte        // A1 ‖ A2 ‖ z_v ‖ z_r
}

// handleChallenge appends the statement (P, C, D) and the commitments
// A1 ‖ A2 (a12, their canonical encodings) and returns c. Points are
// hashed from the bytes they were decoded from or encoded to once, which
// saves an inverse square root per point on the verifier's side.
func handleChallenge(t *transcript.Transcript, pub *PublicKey, c *pedersen.Commitment, h *Handle, a12 []byte) *group.Scalar {
	t.AppendString("dom-sep", Domain)
	t.AppendMessage("P", pub.enc)
	t.AppendMessage("C", c.Bytes())
	t.AppendMessage("D", h.enc)
	t.AppendMessage("A1", a12[:group.ElementSize])
	t.AppendMessage("A2", a12[group.ElementSize:2*group.ElementSize])
	return t.ChallengeScalar("c")
}

// ProveHandle proves that NewHandle(pub, o.Blinding) and o.Commitment()
// share the blinding. Constant time in the opening.
func ProveHandle(t *transcript.Transcript, pub *PublicKey, o pedersen.Opening, rand io.Reader) (*HandleProof, error) {
	if pub == nil || o.Blinding == nil {
		return nil, errors.New("audit: ProveHandle needs a key and an opening with a blinding")
	}
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
	p.enc = append(p.a1.Bytes(), p.a2.Bytes()...)
	c := handleChallenge(t, pub, o.Commitment(), NewHandle(pub, o.Blinding), p.enc)
	var v group.Scalar
	v.SetUint64(o.Value)
	p.zv.MultiplyAdd(c, &v, alpha)
	p.zr.MultiplyAdd(c, o.Blinding, beta)
	p.enc = append(append(p.enc, p.zv.Bytes()...), p.zr.Bytes()...)
	return p, nil
}

// Verify checks the proof for commitment c and handle h on a transcript in
// the same state as the prover's. The two equations
// z_v·G + z_r·H = A1 + c·C and z_r·P = A2 + c·D are checked as one MSM,
// the second scaled by a weight w drawn from the transcript after z_v and
// z_r are appended (so w is fixed only once the whole proof is), which
// keeps verification deterministic for the chaincode. Variable time: all
// inputs are public.
func (p *HandleProof) Verify(t *transcript.Transcript, pub *PublicKey, c *pedersen.Commitment, h *Handle) error {
	eq, err := p.Equation(t, pub, c, h)
	if err != nil {
		return err
	}
	// G and H from precomputed tables, 5 dynamic points.
	res, err := group.NewIdentity().VarTimeMultiScalarMultFixed(fixedGH(),
		[]*group.Scalar{eq.G, eq.H}, eq.Scalars, eq.Points)
	if err != nil {
		return err
	}
	if !res.IsIdentity() {
		return ErrInvalidProof
	}
	return nil
}

// Equation returns the proof's verification equation, the two equations
// combined with the weight w as in Verify:
//
//	z_v·G + z_r·H − A1 − c·C + w·z_r·P − w·A2 − w·c·D = 0
//
// for a rangeproof.BatchVerifier: the chaincode adds it with
// AddEquation(t, eq) on the same transcript t, so a transaction's range,
// handle and balance proofs are checked in one multi-scalar multiplication
// (the digest AddEquation draws from t comes after w, so after the whole
// proof, and the batch draws every weight only once all its items are in).
// A false equation makes the batch's Verify fail.
func (p *HandleProof) Equation(t *transcript.Transcript, pub *PublicKey, c *pedersen.Commitment, h *Handle) (rangeproof.Equation, error) {
	if len(p.enc) != HandleProofSize || len(pub.enc) != KeySize || len(h.enc) != HandleSize {
		return rangeproof.Equation{}, ErrMalformedProof // zero values, not from a constructor or decoder
	}
	ch := handleChallenge(t, pub, c, h, p.enc)
	t.AppendMessage("z_v", p.enc[2*group.ElementSize:3*group.ElementSize])
	t.AppendMessage("z_r", p.enc[3*group.ElementSize:])
	w := t.ChallengeScalar("w")
	neg := func(s *group.Scalar) *group.Scalar { return group.NewScalar().Negate(s) }
	wc := group.NewScalar().Multiply(w, ch)
	return rangeproof.Equation{
		G:       group.NewScalar().Set(&p.zv),
		H:       group.NewScalar().Set(&p.zr),
		Scalars: []*group.Scalar{neg(group.NewScalar().One()), neg(ch), group.NewScalar().Multiply(w, &p.zr), neg(w), neg(wc)},
		Points:  []*group.Element{group.NewIdentity().Set(&p.a1), c.Element(), group.NewIdentity().Set(&pub.p), group.NewIdentity().Set(&p.a2), group.NewIdentity().Set(&h.d)},
	}, nil
}

// fixedGH holds the verifier's precomputed tables for G and H.
var fixedGH = sync.OnceValue(func() *group.FixedBases {
	return group.NewFixedBases([]*group.Element{pedersen.G(), pedersen.H()})
})

// Bytes returns A1 ‖ A2 ‖ z_v ‖ z_r.
func (p *HandleProof) Bytes() []byte { return bytes.Clone(p.enc) }

// DecodeHandleProof parses A1 ‖ A2 ‖ z_v ‖ z_r strictly: canonical
// encodings, A1 and A2 not the identity (an honest prover's are not,
// except with probability 2^-252).
func DecodeHandleProof(b []byte) (*HandleProof, error) {
	if len(b) != HandleProofSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrMalformedProof, len(b))
	}
	p := &HandleProof{}
	if err := decodeNonIdentity(&p.a1, b[:32]); err != nil {
		return nil, err
	}
	if err := decodeNonIdentity(&p.a2, b[32:64]); err != nil {
		return nil, err
	}
	if _, err := p.zv.SetCanonicalBytes(b[64:96]); err != nil {
		return nil, errors.Join(ErrMalformedProof, err)
	}
	if _, err := p.zr.SetCanonicalBytes(b[96:]); err != nil {
		return nil, errors.Join(ErrMalformedProof, err)
	}
	p.enc = bytes.Clone(b)
	return p, nil
}

// ValueElement returns C − s⁻¹·D = v·G (with P = s·H, s⁻¹·D = r·H).
// Constant time in the key.
func (k *PrivateKey) ValueElement(c *pedersen.Commitment, h *Handle) *group.Element {
	rh := group.NewIdentity().ScalarMult(&k.sInv, &h.d)
	return group.NewIdentity().Subtract(c.Element(), rh)
}

// CheckValue reports whether c and h commit to v (any v < 2^64): one
// scalar multiplication, for a claimed amount such as the one in the
// regulator's HPKE copy of the opening.
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

// NewDLogTable builds a table for amounts below 2^bits (2 ≤ bits ≤ 48):
// 2^(bits/2) baby steps kept, at most 2^(bits−bits/2) giant steps per Open.
// For bits = 40 (what the regulator uses) that is 2^20 baby steps: about
// 1 s to build on one core and 36 MiB of heap kept (figures in
// docs/crypto/audit.md); an Open then takes up to about 1.2 s. Build it
// once and share it (SharedDLogTable); it is safe for concurrent use.
func NewDLogTable(bits int) (*DLogTable, error) {
	if err := checkTableBits(bits); err != nil {
		return nil, err
	}
	t, err := group.NewDLogTable(pedersen.G(), uint(bits))
	if err != nil {
		return nil, err
	}
	return &DLogTable{t: t}, nil
}

var tables sync.Map // bits → func() (*DLogTable, error), for SharedDLogTable

// SharedDLogTable returns a process-wide table for bits, built once on
// first use: concurrent first callers wait for one build instead of each
// building their own.
func SharedDLogTable(bits int) (*DLogTable, error) {
	if err := checkTableBits(bits); err != nil {
		return nil, err
	}
	build, _ := tables.LoadOrStore(bits, sync.OnceValues(func() (*DLogTable, error) { return NewDLogTable(bits) }))
	return build.(func() (*DLogTable, error))()
}

func checkTableBits(bits int) error {
	if bits < 2 || bits > 48 {
		return fmt.Errorf("audit: table bits %d not in [2, 48]", bits)
	}
	return nil
}

// Bits returns the table's range: amounts below 2^Bits open.
func (t *DLogTable) Bits() int { return int(t.t.Bits()) }

// Open finds the amount committed by c and h if it is below 2^tab.Bits(),
// else returns ErrOutOfRange (then CheckValue can still confirm a claimed
// amount). Variable time in v: the walk stops at v's giant step, so the
// time reveals roughly how large v is to whoever can time the regulator.
func (k *PrivateKey) Open(tab *DLogTable, c *pedersen.Commitment, h *Handle) (uint64, error) {
	v, err := tab.t.VarTimeSolve(k.ValueElement(c, h))
	if errors.Is(err, group.ErrDLogNotFound) {
		return 0, ErrOutOfRange
	}
	return v, err
}

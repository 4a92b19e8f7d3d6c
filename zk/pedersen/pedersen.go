// Package pedersen implements Pedersen commitments to 64-bit amounts over
// ristretto255: C = v·G + r·H, with G and H derived by hash-to-group from
// fixed, versioned labels so that nobody knows log_G(H).
//
// Commitments are homomorphic: Commit(a, r)+Commit(b, s) = Commit(a+b, r+s).
package pedersen

import (
	"errors"
	"io"
	"log/slog"
	"sync"

	"github.com/tierchain/tierchain/zk/group"
)

// Generator labels. Changing one changes every commitment: bump the version.
const (
	GeneratorDST   = "tierchain/pedersen/v1"
	ValueLabel     = "G/value"
	BlindingLabel  = "H/blinding"
	CommitmentSize = group.ElementSize
)

// ErrInvalidCommitment reports bytes that do not encode a usable commitment.
var ErrInvalidCommitment = errors.New("pedersen: invalid commitment encoding")

type generators struct {
	g, h   *group.Element
	gt, ht *group.Table
}

var gens = sync.OnceValue(func() *generators {
	g := group.HashToElement(GeneratorDST, []byte(ValueLabel))
	h := group.HashToElement(GeneratorDST, []byte(BlindingLabel))
	return &generators{g: g, h: h, gt: group.NewTable(g), ht: group.NewTable(h)}
})

// G returns a copy of the value generator.
func G() *group.Element { return group.NewIdentity().Set(gens().g) }

// H returns a copy of the blinding generator.
func H() *group.Element { return group.NewIdentity().Set(gens().h) }

// GTable and HTable return precomputed tables for fast fixed-base
// multiplication by G and H. The tables are shared and must not be modified.
func GTable() *group.Table { return gens().gt }

// HTable: see GTable.
func HTable() *group.Table { return gens().ht }

// Commitment is a Pedersen commitment C = v·G + r·H.
type Commitment struct {
	e group.Element
	// enc is the canonical encoding a decoded commitment came from (nil
	// otherwise): encoding costs an inverse square root, and verifiers hash
	// every commitment they decode.
	enc []byte
}

// Commit returns v·G + r·H. Constant time in v and r.
func Commit(v uint64, r *group.Scalar) *Commitment {
	var vs group.Scalar
	vs.SetUint64(v)
	return CommitScalar(&vs, r)
}

// CommitScalar returns v·G + r·H for a scalar v. Constant time.
func CommitScalar(v, r *group.Scalar) *Commitment {
	var a, b group.Element
	a.TableScalarMult(GTable(), v)
	b.TableScalarMult(HTable(), r)
	c := new(Commitment)
	c.e.Add(&a, &b)
	return c
}

// FromElement wraps an element (for example a homomorphic combination) as a
// commitment.
func FromElement(e *group.Element) *Commitment {
	c := new(Commitment)
	c.e.Set(e)
	return c
}

// Element returns a copy of the commitment as a group element.
func (c *Commitment) Element() *group.Element { return group.NewIdentity().Set(&c.e) }

// Add sets c = a + b (a commitment to the sum) and returns c.
func (c *Commitment) Add(a, b *Commitment) *Commitment { c.e.Add(&a.e, &b.e); c.enc = nil; return c }

// Subtract sets c = a - b and returns c.
func (c *Commitment) Subtract(a, b *Commitment) *Commitment {
	c.e.Subtract(&a.e, &b.e)
	c.enc = nil
	return c
}

// Equal reports whether two commitments are equal.
func (c *Commitment) Equal(d *Commitment) bool { return c.e.Equal(&d.e) == 1 }

// Bytes returns the 32-byte canonical encoding.
// The encoding decoded from is kept (never filled lazily, so a Commitment
// is safe to read from several goroutines).
func (c *Commitment) Bytes() []byte {
	if c.enc != nil {
		return append([]byte(nil), c.enc...)
	}
	return c.e.Bytes()
}

// String returns the hex encoding (commitments are public).
func (c *Commitment) String() string { return c.e.String() }

// Identity returns the commitment to 0 with blinding 0, the neutral element
// for sums.
func Identity() *Commitment {
	c := new(Commitment)
	c.e.Set(group.NewIdentity())
	return c
}

// DecodeCommitment parses a canonical commitment. The identity is rejected:
// an honest commitment has a random blinding, so the identity only appears
// when someone builds a degenerate one.
func DecodeCommitment(b []byte) (*Commitment, error) {
	c := new(Commitment)
	if _, err := c.e.SetCanonicalBytesNonIdentity(b); err != nil {
		return nil, errors.Join(ErrInvalidCommitment, err)
	}
	c.enc = append([]byte(nil), b...)
	return c, nil
}

// Opening is what opens a commitment: the amount and the blinding. It is
// secret: String and LogValue redact it.
type Opening struct {
	Value    uint64
	Blinding *group.Scalar
}

// NewOpening returns an opening of v with a fresh random blinding from rand
// (crypto/rand when nil).
func NewOpening(v uint64, rand io.Reader) (Opening, error) {
	r, err := group.RandomScalar(rand)
	if err != nil {
		return Opening{}, err
	}
	return Opening{Value: v, Blinding: r}, nil
}

// Commitment returns the commitment this opening opens.
func (o Opening) Commitment() *Commitment { return Commit(o.Value, o.Blinding) }

// Opens reports whether o opens c.
func (o Opening) Opens(c *Commitment) bool { return o.Commitment().Equal(c) }

// String redacts the opening.
func (o Opening) String() string { return "pedersen.Opening{REDACTED}" }

// GoString redacts the opening for %#v.
func (o Opening) GoString() string { return o.String() }

// LogValue redacts the opening in log/slog output.
func (o Opening) LogValue() slog.Value { return slog.StringValue("REDACTED") }

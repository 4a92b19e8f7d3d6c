package group

import (
	"crypto/rand"
	"errors"
	"io"
	"math/big"
	"slices"
	"sync"

	r255 "github.com/bwesterb/go-ristretto"
)

// ScalarSize is the length of a canonical scalar encoding.
const ScalarSize = 32

// ErrNonCanonicalScalar reports a scalar encoding that is not the canonical
// little-endian encoding of an integer below the group order.
var ErrNonCanonicalScalar = errors.New("group: non-canonical scalar encoding")

// Scalar is an integer modulo the ristretto255 group order
// ℓ = 2^252 + 27742317777372353535851937790883648493. The zero value is 0.
type Scalar struct {
	s r255.Scalar
}

// NewScalar returns a new zero Scalar.
func NewScalar() *Scalar { return new(Scalar) }

// Set sets s = t and returns s.
func (s *Scalar) Set(t *Scalar) *Scalar { s.s = t.s; return s }

// SetUint64 sets s = v and returns s.
func (s *Scalar) SetUint64(v uint64) *Scalar { s.s.SetUint64(v); return s }

// Zero sets s = 0 and returns s.
func (s *Scalar) Zero() *Scalar { s.s.SetZero(); return s }

// One sets s = 1 and returns s.
func (s *Scalar) One() *Scalar { s.s.SetOne(); return s }

// Add sets s = a + b and returns s.
func (s *Scalar) Add(a, b *Scalar) *Scalar { s.s.Add(&a.s, &b.s); return s }

// Subtract sets s = a - b and returns s.
func (s *Scalar) Subtract(a, b *Scalar) *Scalar { s.s.Sub(&a.s, &b.s); return s }

// Negate sets s = -a and returns s.
func (s *Scalar) Negate(a *Scalar) *Scalar { s.s.Neg(&a.s); return s }

// Multiply sets s = a * b and returns s.
func (s *Scalar) Multiply(a, b *Scalar) *Scalar { s.s.Mul(&a.s, &b.s); return s }

// MultiplyAdd sets s = a * b + c and returns s.
func (s *Scalar) MultiplyAdd(a, b, c *Scalar) *Scalar { s.s.MulAdd(&a.s, &b.s, &c.s); return s }

// Square sets s = a² and returns s.
func (s *Scalar) Square(a *Scalar) *Scalar { s.s.Square(&a.s); return s }

// Invert sets s = 1/a and returns s. The inverse of 0 is 0. Constant time.
func (s *Scalar) Invert(a *Scalar) *Scalar { s.s.Inverse(&a.s); return s }

// VarTimeInvert sets s = 1/a and returns s; the inverse of 0 is 0. It runs
// the binary extended Euclidean algorithm of math/big, whose time depends
// on a: public values only.
func (s *Scalar) VarTimeInvert(a *Scalar) *Scalar {
	var b [ScalarSize]byte
	a.s.BytesInto(&b)
	slices.Reverse(b[:])
	x := new(big.Int).SetBytes(b[:])
	if x.Sign() == 0 {
		s.s.SetZero()
		return s
	}
	x.ModInverse(x, groupOrder())
	x.FillBytes(b[:])
	slices.Reverse(b[:])
	s.s.SetBytes(&b)
	return s
}

// groupOrder is ℓ as a big.Int.
var groupOrder = sync.OnceValue(func() *big.Int {
	l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	return l
})

// Equal returns 1 if s and t are equal, and 0 otherwise. Constant time.
func (s *Scalar) Equal(t *Scalar) int { return int(s.s.EqualsI(&t.s)) }

// IsZero reports whether s is 0. Constant time.
func (s *Scalar) IsZero() bool { return s.s.IsNonZeroI() == 0 }

// Bytes returns the canonical 32-byte little-endian encoding of s.
func (s *Scalar) Bytes() []byte {
	var b [ScalarSize]byte
	s.s.BytesInto(&b)
	return b[:]
}

// SetCanonicalBytes sets s to the scalar encoded by x, which must be the
// 32-byte canonical little-endian encoding of an integer below ℓ. On error
// s is unchanged.
func (s *Scalar) SetCanonicalBytes(x []byte) (*Scalar, error) {
	if len(x) != ScalarSize {
		return nil, ErrNonCanonicalScalar
	}
	var b [ScalarSize]byte
	copy(b[:], x)
	var t r255.Scalar
	if !t.SetBytesStrict(&b) {
		return nil, ErrNonCanonicalScalar
	}
	s.s = t
	return s, nil
}

// SetUniformBytes sets s to x mod ℓ, where x is a 64-byte little-endian
// integer, typically the output of a hash or of a random source. On error s
// is unchanged.
func (s *Scalar) SetUniformBytes(x []byte) (*Scalar, error) {
	if len(x) != 64 {
		return nil, errors.New("group: SetUniformBytes needs 64 bytes")
	}
	var b [64]byte
	copy(b[:], x)
	s.s.SetReduced(&b)
	return s, nil
}

// RandomScalar returns a uniformly random scalar read from r, or from
// crypto/rand when r is nil. It reads 64 bytes and reduces them, so the bias
// is below 2^-250.
func RandomScalar(r io.Reader) (*Scalar, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [64]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return nil, err
	}
	s := new(Scalar)
	s.s.SetReduced(&b)
	return s, nil
}

// VarTimeIsZero reports whether s is 0; it may leak the answer through timing.
func (s *Scalar) VarTimeIsZero() bool { return s.s.IsNonZeroI() == 0 }

// BatchInvert sets every scalar to its inverse with a single inversion
// (Montgomery's trick). Zero entries stay zero. Constant time in the values.
func BatchInvert(scalars []*Scalar) { batchInvert(scalars, (*Scalar).Invert) }

// VarTimeBatchInvert is BatchInvert with a variable-time inversion (about
// ten times faster), for public values only: verifier challenges.
func VarTimeBatchInvert(scalars []*Scalar) { batchInvert(scalars, (*Scalar).VarTimeInvert) }

func batchInvert(scalars []*Scalar, invert func(s, a *Scalar) *Scalar) {
	n := len(scalars)
	if n == 0 {
		return
	}
	prefix := make([]Scalar, n)
	acc := NewScalar().One()
	one := NewScalar().One()
	var x Scalar
	for i, s := range scalars {
		prefix[i].Set(acc)
		// Multiply by 1 in place of 0 so a zero does not wipe out the rest.
		x.Set(s)
		x.s.ConditionalSet(&one.s, int32(s.s.IsNonZeroI()^1))
		acc.Multiply(acc, &x)
	}
	inv := invert(NewScalar(), acc)
	for i := n - 1; i >= 0; i-- {
		s := scalars[i]
		zero := int32(s.s.IsNonZeroI() ^ 1)
		x.Set(s)
		x.s.ConditionalSet(&one.s, zero)
		var r Scalar
		r.Multiply(inv, &prefix[i])
		inv.Multiply(inv, &x)
		r.s.ConditionalSet(&NewScalar().s, zero)
		s.Set(&r)
	}
}

package group

import (
	"errors"

	"github.com/bwesterb/go-ristretto/edwards25519"
)

// ElementSize is the length of a canonical element encoding.
const ElementSize = 32

// ErrNonCanonicalElement reports bytes that are not the canonical ristretto255
// encoding of a group element.
var ErrNonCanonicalElement = errors.New("group: non-canonical element encoding")

// ErrIdentityElement reports the identity where the protocol forbids it.
var ErrIdentityElement = errors.New("group: identity element not allowed")

// Element is an element of the ristretto255 group. The zero value is NOT
// valid; use NewIdentity, NewGenerator or a decoder.
type Element struct {
	p edwards25519.ExtendedPoint
}

// NewIdentity returns a new Element set to the identity.
func NewIdentity() *Element {
	e := new(Element)
	e.p.SetZero()
	return e
}

// NewGenerator returns a new Element set to the ristretto255 base point B.
func NewGenerator() *Element {
	e := new(Element)
	e.p.SetBase()
	return e
}

// Set sets e = f and returns e.
func (e *Element) Set(f *Element) *Element { e.p.Set(&f.p); return e }

// Add sets e = a + b and returns e.
func (e *Element) Add(a, b *Element) *Element { e.p.Add(&a.p, &b.p); return e }

// Subtract sets e = a - b and returns e.
func (e *Element) Subtract(a, b *Element) *Element { e.p.Sub(&a.p, &b.p); return e }

// Negate sets e = -a and returns e.
func (e *Element) Negate(a *Element) *Element { e.p.Neg(&a.p); return e }

// Double sets e = 2·a and returns e.
func (e *Element) Double(a *Element) *Element { e.p.Double(&a.p); return e }

// ScalarMult sets e = s·p and returns e. Constant time in s.
func (e *Element) ScalarMult(s *Scalar, p *Element) *Element {
	var b [32]byte
	s.s.BytesInto(&b)
	var q edwards25519.ExtendedPoint
	q.ScalarMult(&p.p, &b)
	e.p = q
	return e
}

// VarTimeScalarMult sets e = s·p and returns e. Variable time: s and p must
// be public.
func (e *Element) VarTimeScalarMult(s *Scalar, p *Element) *Element {
	var b [32]byte
	s.s.BytesInto(&b)
	var q edwards25519.ExtendedPoint
	q.VarTimeScalarMult(&p.p, &b)
	e.p = q
	return e
}

// ScalarBaseMult sets e = s·B for the base point B and returns e. Constant
// time in s.
func (e *Element) ScalarBaseMult(s *Scalar) *Element {
	return e.TableScalarMult(baseTable(), s)
}

// Equal returns 1 if e and f are the same group element, and 0 otherwise.
// Constant time.
func (e *Element) Equal(f *Element) int { return int(e.p.RistrettoEqualsI(&f.p)) }

// IsIdentity reports whether e is the identity. Constant time.
func (e *Element) IsIdentity() bool {
	var id edwards25519.ExtendedPoint
	id.SetZero()
	return e.p.RistrettoEqualsI(&id) == 1
}

// Bytes returns the canonical 32-byte ristretto255 encoding of e.
func (e *Element) Bytes() []byte {
	var b [ElementSize]byte
	e.p.RistrettoInto(&b)
	return b[:]
}

// SetCanonicalBytes sets e to the element canonically encoded by x (any
// element, the identity included). On error e is unchanged.
func (e *Element) SetCanonicalBytes(x []byte) (*Element, error) {
	if len(x) != ElementSize {
		return nil, ErrNonCanonicalElement
	}
	var b [ElementSize]byte
	copy(b[:], x)
	var p edwards25519.ExtendedPoint
	if !p.SetRistretto(&b) {
		return nil, ErrNonCanonicalElement
	}
	e.p = p
	return e, nil
}

// SetCanonicalBytesNonIdentity is SetCanonicalBytes that also rejects the
// identity, for commitments, keys and handles that must not be trivial.
func (e *Element) SetCanonicalBytesNonIdentity(x []byte) (*Element, error) {
	var t Element
	if _, err := t.SetCanonicalBytes(x); err != nil {
		return nil, err
	}
	if t.IsIdentity() {
		return nil, ErrIdentityElement
	}
	e.p = t.p
	return e, nil
}

// String returns the hex encoding of e, for debugging and logs (elements are
// public).
func (e *Element) String() string { return hexString(e.Bytes()) }

// ConditionalSelect sets e = a if cond == 1 and e = b if cond == 0, in
// constant time, and returns e. cond must be 0 or 1.
func (e *Element) ConditionalSelect(a, b *Element, cond int) *Element {
	var t edwards25519.ExtendedPoint
	t.Set(&b.p)
	t.ConditionalSet(&a.p, int32(cond))
	e.p = t
	return e
}

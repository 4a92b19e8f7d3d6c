package group

import (
	"encoding/binary"
	"errors"

	"github.com/bwesterb/go-ristretto/edwards25519"
)

// ErrDLogNotFound reports that a discrete log is outside the table's range.
var ErrDLogNotFound = errors.New("group: discrete log not in range")

// DLogTable solves x = v·B for v < 2^bits by baby-step giant-step: 2^(bits/2)
// baby steps are kept, at most 2^(bits−bits/2) giant steps are walked.
//
// Ristretto elements are classes of curve points that differ by 4-torsion;
// multiplying by 4 maps every representative of a class to one torsion-free
// point, whose affine coordinates are then a canonical key. Keys are the
// first 8 bytes of the affine x-coordinate; a hit is confirmed by
// recomputation, so a key collision cannot give a wrong answer.
type DLogTable struct {
	base      Element
	babyBits  uint
	giantBits uint
	baby      map[uint64]uint32
	giant     edwards25519.ExtendedPoint // 4·2^babyBits·B
}

// NewDLogTable builds the table for base B and values below 2^bits
// (2 ≤ bits ≤ 48). Time and memory grow with 2^(bits/2).
func NewDLogTable(b *Element, bits uint) (*DLogTable, error) {
	if bits < 2 || bits > 48 {
		return nil, errors.New("group: DLogTable bits must be in [2, 48]")
	}
	t := &DLogTable{babyBits: bits / 2, giantBits: bits - bits/2}
	t.base.Set(b)
	n := 1 << t.babyBits
	t.baby = make(map[uint64]uint32, n)
	var b4 edwards25519.ExtendedPoint
	b4.Double(&b.p)
	b4.Double(&b4)
	var cur edwards25519.ExtendedPoint
	cur.SetZero()
	const chunk = 1024
	batch := make([]edwards25519.ExtendedPoint, 0, chunk)
	first := 0
	flush := func() {
		keys := affineKeys(batch)
		for i, k := range keys {
			if _, dup := t.baby[k]; !dup {
				t.baby[k] = uint32(first + i)
			}
		}
		first += len(batch)
		batch = batch[:0]
	}
	for j := 0; j < n; j++ {
		batch = append(batch, cur)
		cur.Add(&cur, &b4)
		if len(batch) == chunk {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	t.giant = cur // 4·n·B
	return t, nil
}

// Bits returns the range of the table: values below 2^Bits are found.
func (t *DLogTable) Bits() uint { return t.babyBits + t.giantBits }

// VarTimeSolve returns v < 2^Bits with x = v·B, or ErrDLogNotFound.
// Variable time: the regulator opens amounts it is entitled to see.
func (t *DLogTable) VarTimeSolve(x *Element) (uint64, error) {
	var cur edwards25519.ExtendedPoint
	cur.Double(&x.p)
	cur.Double(&cur)
	giants := 1 << t.giantBits
	const chunk = 256
	batch := make([]edwards25519.ExtendedPoint, 0, chunk)
	for i := 0; i < giants; i += chunk {
		batch = batch[:0]
		for k := 0; k < chunk && i+k < giants; k++ {
			batch = append(batch, cur)
			cur.Sub(&cur, &t.giant)
		}
		for k, key := range affineKeys(batch) {
			j, ok := t.baby[key]
			if !ok {
				continue
			}
			v := uint64(i+k)<<t.babyBits + uint64(j)
			var s Scalar
			s.SetUint64(v)
			if NewIdentity().VarTimeScalarMult(&s, &t.base).Equal(x) == 1 {
				return v, nil
			}
		}
	}
	return 0, ErrDLogNotFound
}

// affineKeys returns the first 8 bytes of each point's affine x-coordinate,
// with one field inversion for the whole batch.
func affineKeys(pts []edwards25519.ExtendedPoint) []uint64 {
	n := len(pts)
	keys := make([]uint64, n)
	if n == 0 {
		return keys
	}
	prefix := make([]edwards25519.FieldElement, n)
	var acc, inv, zInv, x edwards25519.FieldElement
	acc.SetOne()
	for i := range pts {
		prefix[i] = acc
		acc.Mul(&acc, &pts[i].Z)
	}
	inv.Inverse(&acc)
	for i := n - 1; i >= 0; i-- {
		zInv.Mul(&inv, &prefix[i])
		inv.Mul(&inv, &pts[i].Z)
		x.Mul(&pts[i].X, &zInv)
		b := x.Bytes()
		keys[i] = binary.LittleEndian.Uint64(b[:8])
	}
	return keys
}

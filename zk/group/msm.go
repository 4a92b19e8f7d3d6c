package group

import (
	"errors"
	"math/big"
	"math/bits"
	"sync"

	"github.com/bwesterb/go-ristretto/edwards25519"
)

// This file holds the multi-scalar multiplications (MSM) that proofs are
// built and verified with. See docs/crypto/msm.md.
//
//   - VarTimeMultiScalarMult: Straus' interleaved method with width-5 NAF
//     digits, tables of odd multiples in affine Niels form (one batched
//     inversion for all tables), shared doublings.
//   - FixedBases + VarTimeMultiScalarMultFixed: the same with width-8 NAF
//     tables precomputed once for fixed generators (the Bulletproofs vector
//     generators), so a fixed point costs about 253/9 ≈ 28 additions and no
//     table building per call.
//   - Above pippengerThreshold dynamic points, the bucket method
//     (pippenger.go) replaces Straus for those points.
//   - MultiScalarMult: constant time, for secret scalars: signed radix-16
//     digits and a constant-time scan of 8 table entries per addition.

// ErrLengthMismatch reports scalar and element slices of different lengths.
var ErrLengthMismatch = errors.New("group: scalars and elements differ in length")

const (
	dynamicWindow = 5 // NAF width for points seen once
	fixedWindow   = 8 // NAF width for precomputed fixed points
)

// fe2D is 2·d for edwards25519, d = −121665/121666 mod 2^255−19.
var fe2D = sync.OnceValue(func() edwards25519.FieldElement {
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	d := new(big.Int).ModInverse(big.NewInt(121666), p)
	d.Mul(d, big.NewInt(-121665))
	d.Mul(d, big.NewInt(2))
	d.Mod(d, p)
	var fe edwards25519.FieldElement
	fe.SetBigInt(d)
	return fe
})

// toNiels converts extended points to affine Niels form with a single
// field inversion (Montgomery's trick).
func toNiels(pts []edwards25519.ExtendedPoint, out []edwards25519.NielsPoint) {
	toNielsWith(pts, out, nil)
}

// toNielsWith is toNiels with a buffer for the prefix products (grown as
// needed and returned for reuse).
func toNielsWith(pts []edwards25519.ExtendedPoint, out []edwards25519.NielsPoint, buf []edwards25519.FieldElement) []edwards25519.FieldElement {
	n := len(pts)
	if n == 0 {
		return buf
	}
	prefix := grow(buf, n)
	var acc edwards25519.FieldElement
	acc.SetOne()
	for i := range pts {
		prefix[i] = acc
		acc.Mul(&acc, &pts[i].Z)
	}
	var inv edwards25519.FieldElement
	inv.Inverse(&acc)
	d2 := fe2D()
	var zInv, x, y edwards25519.FieldElement
	for i := n - 1; i >= 0; i-- {
		zInv.Mul(&inv, &prefix[i])
		inv.Mul(&inv, &pts[i].Z)
		x.Mul(&pts[i].X, &zInv)
		y.Mul(&pts[i].Y, &zInv)
		out[i].YPlusX.Add(&y, &x)
		out[i].YMinusX.Sub(&y, &x)
		out[i].XY2D.Mul(&x, &y)
		out[i].XY2D.Mul(&out[i].XY2D, &d2)
	}
	return prefix
}

// msmScratch holds the working memory of one variable-time MSM: the
// terms, the addition schedule and the dynamic points' tables. A batch
// verification used to allocate ≈ 0.5 MB of it per call (the terms slice
// sized for every fixed generator, 1,026 of them, used or not); kept in
// msmScratchPool, the verifier allocates none of it in the steady state.
// Everything in it is public (variable-time code only).
type msmScratch struct {
	terms  []strausTerm
	adds   []strausAdd
	ext    []edwards25519.ExtendedPoint
	niels  []edwards25519.NielsPoint
	prefix []edwards25519.FieldElement
}

var msmScratchPool = sync.Pool{New: func() any { return new(msmScratch) }}

// release drops the scratch's pointers into tables and returns it to the
// pool.
func (sc *msmScratch) release() {
	clear(sc.terms[:cap(sc.terms)])
	clear(sc.adds[:cap(sc.adds)])
	sc.terms, sc.adds = sc.terms[:0], sc.adds[:0]
	msmScratchPool.Put(sc)
}

// grow returns buf resliced to n elements, reallocated when too small.
// The contents are not cleared.
func grow[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}

// oddMultiples appends P, 3P, 5P, …, (2k−1)P to dst.
func oddMultiples(dst []edwards25519.ExtendedPoint, p *edwards25519.ExtendedPoint, k int) []edwards25519.ExtendedPoint {
	var p2 edwards25519.ExtendedPoint
	p2.Double(p)
	cur := *p
	for i := 0; i < k; i++ {
		dst = append(dst, cur)
		cur.Add(&cur, &p2)
	}
	return dst
}

// maxNAFDigits bounds the non-zero digits of a width-w NAF of a 256-bit
// scalar: they are at least w ≥ 5 positions apart, so at most 52.
const maxNAFDigits = 64

// nafList is the sparse width-w non-adjacent form of a scalar: its non-zero
// digits (odd, |d| < 2^(w−1)) and their bit positions, least significant
// first; Σ dig[k]·2^pos[k] is the scalar.
type nafList struct {
	n   int
	pos [maxNAFDigits]uint8
	dig [maxNAFDigits]int16
}

// nafDigits returns the width-w NAF (5 ≤ w ≤ 15) of the little-endian
// scalar s, which must be below 2^253 (any reduced scalar), so the last
// carry lands below bit 256. Runs of zero bits are skipped a word at a time.
func nafDigits(s *[32]byte, w uint) (naf nafList) {
	var x [5]uint64
	for i := 0; i < 4; i++ {
		for j := 0; j < 8; j++ {
			x[i] |= uint64(s[8*i+j]) << (8 * j)
		}
	}
	width := uint64(1) << w
	mask := width - 1
	pos := uint(0)
	carry := uint64(0)
	for pos < 256 {
		idx, bit := pos/64, pos%64
		var buf uint64
		if bit < 64-w {
			buf = x[idx] >> bit
		} else {
			buf = x[idx]>>bit | x[1+idx]<<(64-bit)
		}
		window := carry + (buf & mask)
		if window&1 == 0 {
			if carry == 0 && buf != 0 {
				pos += uint(bits.TrailingZeros64(buf))
			} else if carry == 0 {
				pos += 64 - bit // the rest of this word is zero
			} else {
				pos++
			}
			continue
		}
		var d int16
		if window < width/2 {
			carry = 0
			d = int16(window)
		} else {
			carry = 1
			d = int16(int64(window) - int64(width))
		}
		naf.pos[naf.n] = uint8(pos)
		naf.dig[naf.n] = d
		naf.n++
		pos += w
	}
	return naf
}

// strausTerm is one point of an interleaved multiplication: its NAF digits
// and its table of odd multiples (table[k] = (2k+1)·P).
type strausTerm struct {
	naf   nafList
	table []edwards25519.NielsPoint
}

// strausAdd is one addition of the schedule: ±*p.
type strausAdd struct {
	p   *edwards25519.NielsPoint
	neg bool
}

// strausWith computes Σ digits·tables with shared doublings. Variable time.
//
// The non-zero digits of all terms are first sorted by bit position
// (counting sort), so the main loop touches only the additions it makes.
// The accumulator stays in completed form between operations and is
// converted once per operation: to projective (3M) before a doubling, to
// extended (4M) before an addition.
//
// sc lends the schedule's buffer.
func strausWith(terms []strausTerm, sc *msmScratch) edwards25519.ExtendedPoint {
	var start [257]int32
	for t := range terms {
		l := &terms[t].naf
		for k := 0; k < l.n; k++ {
			start[int(l.pos[k])+1]++
		}
	}
	for i := 1; i <= 256; i++ {
		start[i] += start[i-1]
	}
	var acc edwards25519.ExtendedPoint
	acc.SetZero()
	if start[256] == 0 {
		return acc
	}
	sc.adds = grow(sc.adds, int(start[256]))
	adds := sc.adds
	next := start
	for t := range terms {
		l := &terms[t].naf
		for k := 0; k < l.n; k++ {
			i, d := l.pos[k], l.dig[k]
			a := &adds[next[i]]
			next[i]++
			if d > 0 {
				a.p = &terms[t].table[d/2]
			} else {
				a.p, a.neg = &terms[t].table[(-d)/2], true
			}
		}
	}
	top := 255
	for start[top] == start[top+1] {
		top--
	}
	var cp edwards25519.CompletedPoint
	var pp edwards25519.ProjectivePoint
	for i := top; i >= 0; i-- {
		if i != top {
			pp.SetCompleted(&cp)
			cp.DoubleProjective(&pp)
			if start[i] == start[i+1] {
				continue
			}
			acc.SetCompleted(&cp)
		}
		for j, a := range adds[start[i]:start[i+1]] {
			if j > 0 {
				acc.SetCompleted(&cp)
			}
			if a.neg {
				cp.SubExtendedNiels(&acc, a.p)
			} else {
				cp.AddExtendedNiels(&acc, a.p)
			}
		}
	}
	acc.SetCompleted(&cp)
	return acc
}

// dynamicTermsWith builds Straus terms for points seen once, appending to terms.
// Zero scalars are skipped.
// sc lends the tables' buffers.
func dynamicTermsWith(terms []strausTerm, scalars []*Scalar, points []*Element, sc *msmScratch) []strausTerm {
	const k = 1 << (dynamicWindow - 2)
	ext := sc.ext[:0]
	if cap(ext) < k*len(points) {
		ext = make([]edwards25519.ExtendedPoint, 0, k*len(points))
	}
	start := len(terms)
	var b [32]byte
	for i := range scalars {
		if scalars[i].VarTimeIsZero() {
			continue
		}
		scalars[i].s.BytesInto(&b)
		terms = append(terms, strausTerm{naf: nafDigits(&b, dynamicWindow)})
		ext = oddMultiples(ext, &points[i].p, k)
	}
	sc.ext = ext
	sc.niels = grow(sc.niels, len(ext))
	niels := sc.niels
	sc.prefix = toNielsWith(ext, niels, sc.prefix)
	for j := start; j < len(terms); j++ {
		off := (j - start) * k
		terms[j].table = niels[off : off+k : off+k]
	}
	return terms
}

// VarTimeMultiScalarMult sets e = Σ scalars[i]·points[i] and returns e.
// Variable time: for verifiers and public values only.
func (e *Element) VarTimeMultiScalarMult(scalars []*Scalar, points []*Element) (*Element, error) {
	if len(scalars) != len(points) {
		return nil, ErrLengthMismatch
	}
	if len(points) >= pippengerThreshold {
		nzS, nzP := nonZero(scalars, points)
		e.p = pippenger(nzS, nzP)
		return e, nil
	}
	sc := msmScratchPool.Get().(*msmScratch)
	defer sc.release()
	sc.terms = dynamicTermsWith(sc.terms[:0], scalars, points, sc)
	e.p = strausWith(sc.terms, sc)
	return e, nil
}

// nonZero drops the terms whose scalar is zero.
func nonZero(scalars []*Scalar, points []*Element) ([]*Scalar, []*Element) {
	s := make([]*Scalar, 0, len(scalars))
	p := make([]*Element, 0, len(points))
	for i := range scalars {
		if !scalars[i].VarTimeIsZero() {
			s = append(s, scalars[i])
			p = append(p, points[i])
		}
	}
	return s, p
}

// FixedBases holds width-8 NAF tables (64 odd multiples in affine Niels
// form, 7.5 KiB a point) for points that are multiplied again and again.
// It is immutable once built and safe for concurrent use.
type FixedBases struct {
	tables [][]edwards25519.NielsPoint
}

// NewFixedBases precomputes tables for points.
func NewFixedBases(points []*Element) *FixedBases {
	const k = 1 << (fixedWindow - 2)
	ext := make([]edwards25519.ExtendedPoint, 0, k*len(points))
	for _, p := range points {
		ext = oddMultiples(ext, &p.p, k)
	}
	niels := make([]edwards25519.NielsPoint, len(ext))
	toNiels(ext, niels)
	fb := &FixedBases{tables: make([][]edwards25519.NielsPoint, len(points))}
	for i := range points {
		fb.tables[i] = niels[i*k : (i+1)*k : (i+1)*k]
	}
	return fb
}

// Len returns the number of fixed points.
func (fb *FixedBases) Len() int { return len(fb.tables) }

// VarTimeMultiScalarMultFixed sets e = Σ fixedScalars[i]·F_i +
// Σ scalars[j]·points[j], where F are the points fb was built from.
// fixedScalars may be shorter than fb (missing entries are zero), and nil
// entries are zero. Variable time: public values only.
func (e *Element) VarTimeMultiScalarMultFixed(fb *FixedBases, fixedScalars []*Scalar, scalars []*Scalar, points []*Element) (*Element, error) {
	if len(scalars) != len(points) || len(fixedScalars) > len(fb.tables) {
		return nil, ErrLengthMismatch
	}
	sc := msmScratchPool.Get().(*msmScratch)
	defer sc.release()
	terms := sc.terms[:0]
	var b [32]byte
	for i, s := range fixedScalars {
		if s == nil || s.VarTimeIsZero() {
			continue
		}
		s.s.BytesInto(&b)
		terms = append(terms, strausTerm{naf: nafDigits(&b, fixedWindow), table: fb.tables[i]})
	}
	if len(points) >= pippengerThreshold {
		// Many dynamic points (a large batch): buckets for those, Straus
		// with the precomputed tables for the fixed ones.
		nzS, nzP := nonZero(scalars, points)
		dyn := pippenger(nzS, nzP)
		sc.terms = terms
		fixed := strausWith(terms, sc)
		e.p.Add(&fixed, &dyn)
		return e, nil
	}
	terms = dynamicTermsWith(terms, scalars, points, sc)
	sc.terms = terms
	e.p = strausWith(terms, sc)
	return e, nil
}

// radix16Digits returns the signed radix-16 digits of s, each in [−8, 8),
// least significant first (after go-ristretto's computeScalarWindow4).
func radix16Digits(s *[32]byte) (w [64]int8) {
	for i := 0; i < 32; i++ {
		w[2*i] = int8(s[i] & 15)
		w[2*i+1] = int8(s[i] >> 4)
	}
	var carry int8
	for i := 0; i < 63; i++ {
		w[i] += carry
		carry = (w[i] + 8) >> 4
		w[i] -= carry << 4
	}
	w[63] += carry
	return w
}

// MultiScalarMult sets e = Σ scalars[i]·points[i] and returns e in time
// independent of the scalars (the points are public): signed radix-16
// digits, 8 precomputed multiples per point, each addition reads the whole
// table with conditional moves and negates conditionally.
func (e *Element) MultiScalarMult(scalars []*Scalar, points []*Element) (*Element, error) {
	if len(scalars) != len(points) {
		return nil, ErrLengthMismatch
	}
	n := len(points)
	ext := make([]edwards25519.ExtendedPoint, 0, 8*n)
	for i := range points {
		var cur edwards25519.ExtendedPoint
		cur.Set(&points[i].p)
		for j := 0; j < 8; j++ {
			ext = append(ext, cur)
			cur.Add(&cur, &points[i].p)
		}
	}
	tables := make([]edwards25519.NielsPoint, len(ext))
	toNiels(ext, tables)
	digits := make([][64]int8, n)
	var b [32]byte
	for i := range scalars {
		scalars[i].s.BytesInto(&b)
		digits[i] = radix16Digits(&b)
	}
	var acc edwards25519.ExtendedPoint
	acc.SetZero()
	var cp edwards25519.CompletedPoint
	var pp edwards25519.ProjectivePoint
	var sel, neg edwards25519.NielsPoint
	for pos := 63; pos >= 0; pos-- {
		if pos != 63 {
			cp.DoubleExtended(&acc)
			pp.SetCompleted(&cp)
			cp.DoubleProjective(&pp)
			pp.SetCompleted(&cp)
			cp.DoubleProjective(&pp)
			pp.SetCompleted(&cp)
			cp.DoubleProjective(&pp)
			acc.SetCompleted(&cp)
		}
		for i := 0; i < n; i++ {
			d := int32(digits[i][pos])
			isNeg := int32(uint32(d) >> 31)
			abs := d - ((-isNeg & d) << 1)
			sel.SetZero()
			for j := int32(0); j < 8; j++ {
				sel.ConditionalSet(&tables[8*i+int(j)], ctEqual(abs, j+1))
			}
			neg.Neg(&sel)
			sel.ConditionalSet(&neg, isNeg)
			cp.AddExtendedNiels(&acc, &sel)
			acc.SetCompleted(&cp)
		}
	}
	e.p = acc
	return e, nil
}

// ctEqual returns 1 if a == b and 0 otherwise, for small non-negative
// values, without branches.
func ctEqual(a, b int32) int32 {
	x := uint32(a ^ b)
	return int32((uint64(x) - 1) >> 63)
}

package group

import (
	"sync"

	"github.com/bwesterb/go-ristretto/edwards25519"
)

// Table holds precomputed multiples of a fixed element for fast
// fixed-base scalar multiplication (32 windows × 8 Niels points, 30 KiB).
type Table struct {
	t edwards25519.ScalarMultTable
}

// NewTable precomputes the table for p.
func NewTable(p *Element) *Table {
	t := new(Table)
	t.t.Compute(&p.p)
	return t
}

// TableScalarMult sets e = s·P where t = NewTable(P), and returns e.
// Constant time in s.
func (e *Element) TableScalarMult(t *Table, s *Scalar) *Element {
	var b [32]byte
	s.s.BytesInto(&b)
	var q edwards25519.ExtendedPoint
	t.t.ScalarMult(&q, &b)
	e.p = q
	return e
}

// VarTimeTableScalarMult is TableScalarMult in variable time, for public s.
func (e *Element) VarTimeTableScalarMult(t *Table, s *Scalar) *Element {
	var b [32]byte
	s.s.BytesInto(&b)
	var q edwards25519.ExtendedPoint
	t.t.VarTimeScalarMult(&q, &b)
	e.p = q
	return e
}

var baseTable = sync.OnceValue(func() *Table { return NewTable(NewGenerator()) })

package group

import "errors"

// ErrLengthMismatch reports scalar and element slices of different lengths.
var ErrLengthMismatch = errors.New("group: scalars and elements differ in length")

// VarTimeMultiScalarMult sets e = Σ scalars[i]·points[i] and returns e.
// Variable time: for verifiers and public values only.
func (e *Element) VarTimeMultiScalarMult(scalars []*Scalar, points []*Element) (*Element, error) {
	if len(scalars) != len(points) {
		return nil, ErrLengthMismatch
	}
	acc := NewIdentity()
	var t Element
	for i := range scalars {
		t.VarTimeScalarMult(scalars[i], points[i])
		acc.Add(acc, &t)
	}
	e.Set(acc)
	return e, nil
}

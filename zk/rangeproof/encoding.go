package rangeproof

import (
	"fmt"

	"github.com/tierchain/tierchain/zk/group"
)

// Encoding: A ‖ S ‖ T1 ‖ T2 ‖ t_x ‖ τx ‖ μ ‖ (L_j ‖ R_j)_(j<k) ‖ a ‖ b,
// 32 bytes each, k = log2(n·m) ∈ [3, 9]: (9 + 2k)·32 bytes, 672 for one
// 64-bit value.
const (
	minRounds = 3 // 8 bits × 1 value
	maxRounds = 9 // 64 bits × 8 values
)

// Size returns the encoded size of a proof for m values of n bits.
func Size(n, m int) int {
	mp, err := checkParams(n, m)
	if err != nil {
		return 0
	}
	k := 0
	for v := n * mp; v > 1; v >>= 1 {
		k++
	}
	return (9 + 2*k) * 32
}

// Bytes returns the canonical encoding of the proof.
func (p *Proof) Bytes() []byte {
	out := make([]byte, 0, (9+2*len(p.l))*32)
	out = append(out, p.a.Bytes()...)
	out = append(out, p.s.Bytes()...)
	out = append(out, p.t1.Bytes()...)
	out = append(out, p.t2.Bytes()...)
	out = append(out, p.tx.Bytes()...)
	out = append(out, p.txBlind.Bytes()...)
	out = append(out, p.mu.Bytes()...)
	for j := range p.l {
		out = append(out, p.l[j].Bytes()...)
		out = append(out, p.r[j].Bytes()...)
	}
	out = append(out, p.ipaA.Bytes()...)
	return append(out, p.ipaB.Bytes()...)
}

// DecodeProof parses a canonical proof encoding. Every element and scalar
// must be canonical, no point may be the identity (an honest prover outputs
// it with negligible probability, and refusing it closes off degenerate
// inputs), and the length must be that of some supported (n, m).
func DecodeProof(b []byte) (*Proof, error) {
	if len(b)%32 != 0 || len(b) < (9+2*minRounds)*32 || len(b) > (9+2*maxRounds)*32 || (len(b)/32-9)%2 != 0 {
		return nil, fmt.Errorf("%w: %d bytes", ErrMalformedProof, len(b))
	}
	k := (len(b)/32 - 9) / 2
	p := &Proof{l: make([]group.Element, k), r: make([]group.Element, k)}
	chunk := func(i int) []byte { return b[32*i : 32*(i+1)] }
	elements := []*group.Element{&p.a, &p.s, &p.t1, &p.t2}
	for i, e := range elements {
		if _, err := e.SetCanonicalBytesNonIdentity(chunk(i)); err != nil {
			return nil, fmt.Errorf("%w: point %d: %v", ErrMalformedProof, i, err)
		}
	}
	for i, s := range []*group.Scalar{&p.tx, &p.txBlind, &p.mu} {
		if _, err := s.SetCanonicalBytes(chunk(4 + i)); err != nil {
			return nil, fmt.Errorf("%w: scalar %d: %v", ErrMalformedProof, i, err)
		}
	}
	for j := 0; j < k; j++ {
		if _, err := p.l[j].SetCanonicalBytesNonIdentity(chunk(7 + 2*j)); err != nil {
			return nil, fmt.Errorf("%w: L[%d]: %v", ErrMalformedProof, j, err)
		}
		if _, err := p.r[j].SetCanonicalBytesNonIdentity(chunk(8 + 2*j)); err != nil {
			return nil, fmt.Errorf("%w: R[%d]: %v", ErrMalformedProof, j, err)
		}
	}
	if _, err := p.ipaA.SetCanonicalBytes(chunk(7 + 2*k)); err != nil {
		return nil, fmt.Errorf("%w: a: %v", ErrMalformedProof, err)
	}
	if _, err := p.ipaB.SetCanonicalBytes(chunk(8 + 2*k)); err != nil {
		return nil, fmt.Errorf("%w: b: %v", ErrMalformedProof, err)
	}
	p.raw = append([]byte(nil), b...)
	return p, nil
}

package group

import (
	"testing"

	circlgroup "github.com/cloudflare/circl/group"
)

// BenchmarkCirclScalarMult is the anchor the performance targets are stated
// against: circl's ristretto255 variable-base scalar multiplication.
func BenchmarkCirclScalarMult(b *testing.B) {
	g := circlgroup.Ristretto255
	s := g.HashToScalar([]byte("anchor"), []byte("tierchain/bench"))
	p := g.HashToElement([]byte("anchor"), []byte("tierchain/bench"))
	q := g.NewElement()
	for b.Loop() {
		q.Mul(p, s)
	}
}

package rangeproof

import (
	"encoding/binary"
	"sync"

	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// GeneratorDST is the hash-to-group domain of the vector generators.
// Changing it invalidates every stored proof: bump the version.
const GeneratorDST = "tierchain/bulletproofs/v1"

// maxGenerators is n·m at its largest: 64 bits × 8 values.
const maxGenerators = MaxBits * MaxAggregation

// generatorSet holds G_i, H_i (i < 512) and the fixed-base tables over
// [G_0 … G_511, H_0 … H_511, pedersen G, pedersen H].
type generatorSet struct {
	g, h  []*group.Element
	fixed *group.FixedBases
}

const (
	idxPedG = 2 * maxGenerators
	idxPedH = 2*maxGenerators + 1
)

// vectorGenerator derives G_i ("G"‖u32 i) or H_i ("H"‖u32 i).
func vectorGenerator(kind byte, i int) *group.Element {
	var msg [5]byte
	msg[0] = kind
	binary.BigEndian.PutUint32(msg[1:], uint32(i))
	return group.HashToElement(GeneratorDST, msg[:])
}

var generators = sync.OnceValue(func() *generatorSet {
	gs := &generatorSet{g: make([]*group.Element, maxGenerators), h: make([]*group.Element, maxGenerators)}
	all := make([]*group.Element, 0, 2*maxGenerators+2)
	for i := range gs.g {
		gs.g[i] = vectorGenerator('G', i)
	}
	for i := range gs.h {
		gs.h[i] = vectorGenerator('H', i)
	}
	all = append(all, gs.g...)
	all = append(all, gs.h...)
	all = append(all, pedersen.G(), pedersen.H())
	gs.fixed = group.NewFixedBases(all)
	return gs
})

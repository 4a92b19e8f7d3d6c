package rangeproof

import (
	"testing"

	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/internal/testrand"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// FuzzBatchVerdict: a batch's verdict equals the AND of its proofs'
// single verdicts, whatever mix of valid and invalid proofs it holds. The
// pool has honest 8-bit proofs, false statements, and the crafted
// cancelling proofs of the two attacks (TestBatchAttack…); each input byte
// picks a proof, and a nonzero second byte flips one byte of its encoding.
func FuzzBatchVerdict(f *testing.F) {
	type entry struct {
		raw []byte
		cs  []*pedersen.Commitment
	}
	rnd := testrand.New("fuzz/batch")
	var pool []entry
	add := func(p *Proof, cs []*pedersen.Commitment) { pool = append(pool, entry{p.Bytes(), cs}) }
	for v := uint64(0); v < 4; v++ {
		add(prove(f, rnd, 8, v*85))
	}
	for v := uint64(0); v < 2; v++ {
		add(falseProof(f, rnd, 8, v, group.NewScalar().SetUint64(256)))
	}
	var nine []attackItem
	for i := 0; i < 9; i++ {
		p, cs := falseProof(f, rnd, 8, uint64(i), group.NewScalar().SetUint64(256))
		nine = append(nine, attackItem{p, cs, 8, group.NewScalar().SetUint64(256)})
	}
	crafted := craftCancelling(f, nine, attackerV2)
	for _, it := range crafted {
		add(it.p, it.cs)
	}
	p, cs := falseProof(f, rnd, 8, 5, group.NewScalar().SetUint64(256))
	twin := attackItem{p, cs, 8, group.NewScalar().SetUint64(256)}
	for _, it := range craftCancelling(f, []attackItem{twin, twin}, attackerV2) {
		add(it.p, it.cs)
	}
	f.Add([]byte{0, 0, 1, 0, 2, 0})
	f.Add([]byte{0, 0, 1, 7})
	all := make([]byte, 0, 18)
	for i := range 9 {
		all = append(all, byte(6+i), 0)
	}
	f.Add(all)
	f.Add([]byte{15, 0, 16, 0})
	f.Fuzz(func(t *testing.T, picks []byte) {
		if len(picks) > 24 {
			picks = picks[:24]
		}
		bv := NewBatchVerifier(nil)
		want := true
		for i := 0; i+1 < len(picks); i += 2 {
			e := pool[int(picks[i])%len(pool)]
			raw := append([]byte(nil), e.raw...)
			if flip := picks[i+1]; flip != 0 {
				raw[int(flip)%len(raw)] ^= 1 + picks[i]%255
			}
			q, err := DecodeProof(raw)
			if err != nil {
				continue
			}
			single := q.Verify(ctxTranscript(), e.cs, 8) == nil
			want = want && single
			if err := bv.Add(ctxTranscript(), q, e.cs, 8); err != nil {
				t.Fatalf("Add: %v", err)
			}
		}
		if got := bv.Verify() == nil; got != want {
			t.Fatalf("batch verdict %v, AND of the single verdicts %v", got, want)
		}
	})
}

package rangeproof

import (
	"testing"

	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

func TestQuick(t *testing.T) {
	for _, tc := range []struct{ n, m int }{{8, 1}, {64, 1}, {64, 2}, {32, 3}} {
		var ops []pedersen.Opening
		var cs []*pedersen.Commitment
		for j := 0; j < tc.m; j++ {
			o, _ := pedersen.NewOpening(uint64(j*7+3), nil)
			ops = append(ops, o)
			cs = append(cs, o.Commitment())
		}
		p, err := Prove(transcript.New("test"), ops, tc.n, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Verify(transcript.New("test"), cs, tc.n); err != nil {
			t.Fatalf("n=%d m=%d: %v", tc.n, tc.m, err)
		}
	}
}

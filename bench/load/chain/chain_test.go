package chain

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/tierchain/tierchain/bench/load"
	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/pedersen"
)

func TestFanOut(t *testing.T) {
	for _, tc := range []struct {
		have, want int
		plan       []int
	}{
		{1, 1, []int{1}},
		{1, 8, []int{8}},
		{1, 5, []int{5}},
		{1, 100, []int{8}}, // one level at a time
		{8, 64, []int{8, 8, 8, 8, 8, 8, 8, 8}},
		{8, 20, []int{8, 6, 1, 1, 1, 1, 1, 1}},
		{3, 2, []int{1, 1, 1}},
	} {
		plan := fanOut(tc.have, tc.want, MaxFan)
		if !slices.Equal(plan, tc.plan) {
			t.Errorf("fanOut(%d, %d) = %v, want %v", tc.have, tc.want, plan, tc.plan)
		}
	}
	// Levels until there are enough: 1 → 8 → 64 → 512 → 1000.
	have, levels := 1, 0
	for have < 1000 {
		n := 0
		for _, k := range fanOut(have, 1000, MaxFan) {
			n += k
		}
		have, levels = n, levels+1
	}
	if have != 1000 || levels != 4 {
		t.Fatalf("%d tokens after %d levels", have, levels)
	}
}

func TestSplitValue(t *testing.T) {
	for _, tc := range []struct {
		v uint64
		k int
	}{{10, 3}, {RootAmount, 8}, {7, 7}, {1<<64 - 1, 8}, {5, 1}} {
		parts := splitValue(tc.v, tc.k)
		var sum uint64
		for _, p := range parts {
			sum += p
		}
		if len(parts) != tc.k || sum != tc.v {
			t.Errorf("splitValue(%d, %d) = %v", tc.v, tc.k, parts)
		}
	}
}

func TestParallel(t *testing.T) {
	var n atomic.Int64
	if err := parallel(context.Background(), 100, 4, func(int) error { n.Add(1); return nil }); err != nil || n.Load() != 100 {
		t.Fatalf("ran %d, err %v", n.Load(), err)
	}
	boom := errors.New("boom")
	err := parallel(context.Background(), 100, 4, func(i int) error {
		if i == 3 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := parallel(ctx, 10, 2, func(int) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// TestSplitProverVerifies: the prover's requests are what the chaincode
// accepts (the statement verifies them).
func TestSplitProverVerifies(t *testing.T) {
	for _, outputs := range []int{2, 8} {
		p, err := NewSplitProver(outputs)
		if err != nil {
			t.Fatal(err)
		}
		req, err := p.Build()
		if err != nil {
			t.Fatal(err)
		}
		s := &protocol.SplitStatement{Kind: protocol.KindSplit, Currency: Currency, Spender: "tier1", AuditKey: p.auditor.AuditKey,
			Inputs: []protocol.InputRef{{ID: p.input.ID, Commitment: p.input.Opening.Commitment()}}}
		for _, o := range req.Outputs {
			s.Outputs = append(s.Outputs, outputRef(t, o))
		}
		if err := s.Verify(p.ctx, req); err != nil {
			t.Fatalf("%d outputs: %v", outputs, err)
		}
	}
}

// TestEvenSplit: the shared split builder of the world and the prover
// returns one opening per holder, in order, that opens that holder's
// output, values that sum to the input's, and a request that verifies.
func TestEvenSplit(t *testing.T) {
	p, err := NewSplitProver(MaxFan)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{1, 3, MaxFan} {
		req, openings, err := evenSplit(p.ctx, p.auditor, "tier1", p.input, p.to[:k])
		if err != nil {
			t.Fatal(err)
		}
		if len(req.Outputs) != k || len(openings) != k {
			t.Fatalf("k=%d: %d outputs, %d openings", k, len(req.Outputs), len(openings))
		}
		var sum uint64
		s := &protocol.SplitStatement{Kind: protocol.KindSplit, Currency: Currency, Spender: "tier1", AuditKey: p.auditor.AuditKey,
			Inputs: []protocol.InputRef{{ID: p.input.ID, Commitment: p.input.Opening.Commitment()}}}
		for i, o := range req.Outputs {
			if o.Holder != p.to[i].ID || !bytes.Equal(o.Commitment, openings[i].Commitment().Bytes()) {
				t.Fatalf("k=%d: output %d is not holder %s's with opening %d", k, i, p.to[i].ID, i)
			}
			sum += openings[i].Value
			s.Outputs = append(s.Outputs, outputRef(t, o))
		}
		if want := splitValue(p.input.Opening.Value, k); sum != p.input.Opening.Value || openings[k-1].Value != want[k-1] {
			t.Fatalf("k=%d: openings sum to %d, last %d; want %d, last %d", k, sum, openings[k-1].Value, p.input.Opening.Value, want[k-1])
		}
		if err := s.Verify(p.ctx, req); err != nil {
			t.Fatalf("k=%d: %v", k, err)
		}
	}
}

func outputRef(t *testing.T, o model.Output) protocol.OutputRef {
	t.Helper()
	c, err := pedersen.DecodeCommitment(o.Commitment)
	if err != nil {
		t.Fatal(err)
	}
	h, err := elgamal.DecodeHandle(o.Handle)
	if err != nil {
		t.Fatal(err)
	}
	return protocol.OutputRef{Holder: o.Holder, Commitment: c, Handle: h, HolderEnvelope: o.HolderEnvelope, RegulatorEnvelope: o.RegulatorEnvelope}
}

// BenchmarkBuildSplit is the client side of a 1-in/2-out split: every
// proof and envelope a wallet builds (b.N splits on one goroutine: the
// cost per core). It also reports the process's CPU time per split and
// its inverse, splits per CPU-second, which a shared machine's waiting
// does not inflate.
func BenchmarkBuildSplit(b *testing.B) {
	p, err := NewSplitProver(2)
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := load.CPUTime()
	for b.Loop() {
		if _, err := p.Build(); err != nil {
			b.Fatal(err)
		}
	}
	cpu := load.CPUTime() - cpu0
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(b.N)/cpu.Seconds(), "splits/cpu-s")
}

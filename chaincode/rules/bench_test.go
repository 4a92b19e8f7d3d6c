package rules_test

import (
	"encoding/json"
	"runtime"
	"syscall"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// Endorsement-side cost of a transaction: everything the chaincode does
// for it (strict JSON decode, authorization, every proof verification,
// state reads and buffered writes, the event) on the in-memory State. Each
// iteration runs on a fresh overlay of the same prebuilt state, so every
// iteration does the same work. Run with:
//
//	go test -run XXX -bench . -count 5 ./chaincode/rules/

func benchTx(b *testing.B, base *rulestest.Memory, begin func(*rulestest.Memory), run func(rules.State) error) {
	b.Helper()
	b.ReportAllocs()
	start := processCPU(b)
	for b.Loop() {
		st := base.Overlay()
		begin(st)
		if err := run(st); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time of the process (the garbage collector's too) per operation:
	// steadier than wall time on a shared machine.
	b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
}

// processCPU is the process's user and system CPU time so far, in ns.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func BenchmarkIssue(b *testing.B) {
	s := newScenario(b)
	raw, _ := json.Marshal(s.IssueReq)
	benchTx(b, s.PreIssue, func(st *rulestest.Memory) { st.Begin(s.Core.Identity, s.IssueTxID, rulestest.Start.Add(20*60e9)) },
		func(st rules.State) error {
			req, err := model.Decode[model.IssueRequest](string(raw))
			if err != nil {
				return err
			}
			_, err = s.Rules.Issue(st, req)
			return err
		})
}

// BenchmarkSplit is a 1-in/2-out split.
func BenchmarkSplit(b *testing.B) {
	s := newScenario(b)
	req := s.SplitRequest("split", s.S1, opened(s.Root, s.RootOpening), rulestest.To(s.S2, rulestest.Opening(300)), rulestest.To(s.S1, rulestest.Opening(700)))
	raw, _ := json.Marshal(req)
	benchTx(b, s.State, func(st *rulestest.Memory) { st.Begin(s.S1.Identity, "bench-split", s.Now) },
		func(st rules.State) error {
			req, err := model.Decode[model.SplitRequest](string(raw))
			if err != nil {
				return err
			}
			_, err = s.Rules.Split(st, req)
			return err
		})
}

// BenchmarkSplitCompact is BenchmarkSplit with the request in the compact
// encoding (protocol.SplitWireV1) instead of JSON.
func BenchmarkSplitCompact(b *testing.B) {
	s := newScenario(b)
	req := s.SplitRequest("split", s.S1, opened(s.Root, s.RootOpening), rulestest.To(s.S2, rulestest.Opening(300)), rulestest.To(s.S1, rulestest.Opening(700)))
	raw, err := protocol.EncodeSplitRequest(req)
	if err != nil {
		b.Fatal(err)
	}
	benchTx(b, s.State, func(st *rulestest.Memory) { st.Begin(s.S1.Identity, "bench-split", s.Now) },
		func(st rules.State) error {
			req, err := protocol.DecodeSplitRequest(raw)
			if err != nil {
				return err
			}
			_, err = s.Rules.Split(st, req)
			return err
		})
}

// BenchmarkBaselineTransfer is the plaintext baseline's Transfer on the
// same State.
func BenchmarkBaselineTransfer(b *testing.B) {
	base := rulestest.NewMemory()
	if err := rules.BaselineMint(base, "alice", 1_000_000); err != nil {
		b.Fatal(err)
	}
	id := rulestest.NewIdentity("CoreMSP", "alice", "client")
	benchTx(b, base.Clone(), func(st *rulestest.Memory) { st.Begin(id, "bench-transfer", rulestest.Start) },
		func(st rules.State) error { return rules.BaselineTransfer(st, "alice", "bob", 1) })
}

// BenchmarkSplitRemembered is the same split endorsed again through rules
// that have verified it (another peer's endorsement through the same
// chaincode server): everything but the proofs' decoding and MSM.
func BenchmarkSplitRemembered(b *testing.B) {
	s := newScenario(b)
	req := s.SplitRequest("split", s.S1, opened(s.Root, s.RootOpening), rulestest.To(s.S2, rulestest.Opening(300)), rulestest.To(s.S1, rulestest.Opening(700)))
	raw, _ := json.Marshal(req)
	r := rules.New(rules.Config{VerifyMemo: 8})
	benchTx(b, s.State, func(st *rulestest.Memory) { st.Begin(s.S1.Identity, "bench-split", s.Now) },
		func(st rules.State) error {
			req, err := model.Decode[model.SplitRequest](string(raw))
			if err != nil {
				return err
			}
			_, err = r.Split(st, req)
			return err
		})
}

// BenchmarkSplitConcurrent is BenchmarkSplitCompact endorsed by 8
// goroutines a core at once, as a chaincode server under load sees it:
// "alone" checks each transaction's proofs on its own, "coalesced" runs
// the checks that meet in one MSM (protocol.VerifyCoalescer). Compare
// cpu-ns/op.
func BenchmarkSplitConcurrent(b *testing.B) {
	s := newScenario(b)
	req := s.SplitRequest("split", s.S1, opened(s.Root, s.RootOpening), rulestest.To(s.S2, rulestest.Opening(300)), rulestest.To(s.S1, rulestest.Opening(700)))
	raw, err := protocol.EncodeSplitRequest(req)
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name  string
		slots int
	}{{"alone", 0}, {"coalesced", runtime.GOMAXPROCS(0)}} {
		b.Run(mode.name, func(b *testing.B) {
			r := rules.New(rules.Config{VerifySlots: mode.slots})
			b.ReportAllocs()
			b.SetParallelism(8)
			start := processCPU(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					st := s.State.Overlay()
					st.Begin(s.S1.Identity, "bench-split", s.Now)
					req, err := protocol.DecodeSplitRequest(raw)
					if err == nil {
						_, err = r.Split(st, req)
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

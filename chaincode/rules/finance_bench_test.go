package rules_test

import (
	"encoding/json"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// Financing, endorsement side, side by side (docs/BENCHMARKS.md,
// Chaincode, Financing with terms):
//
//	go test -run XXX -bench Financ -count 5 ./chaincode/rules/
//
// Today's flow: RequestFinancing (no proof: the bank's envelope only),
// and a partial financing as a Split then a RequestFinancing of the piece.
// With terms: RequestTermFinancing of the whole token (6 range, 2 handle
// proofs) and of a piece split off in the same transaction (8 range, 4
// handle, 1 balance proof), each against a 90 % cap.

func benchDecode[T any, P interface {
	*T
	model.Validator
}](b *testing.B, v *T) func() (*T, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return func() (*T, error) { return model.Decode[T, P](string(raw)) }
}

func BenchmarkFinancingToday(b *testing.B) {
	s := newScenario(b)
	decode := benchDecode(b, must(protocol.BuildFinance(s.Root, s.RootOpening.Commitment(), s.RootOpening, s.BankA.Recipient(), nil)))
	benchTx(b, s.State, func(st *rulestest.Memory) { st.Begin(s.S1.Identity, "bench-fin", s.Now) },
		func(st rules.State) error {
			req, err := decode()
			if err == nil {
				_, err = s.Rules.RequestFinancing(st, req)
			}
			return err
		})
}

func BenchmarkFinancingTodayPartial(b *testing.B) {
	s := newScenario(b)
	piece, change := rulestest.Opening(400), rulestest.Opening(600)
	split := benchDecode(b, s.SplitRequest(protocol.KindSplit, s.S1, opened(s.Root, s.RootOpening), rulestest.To(s.S1, piece), rulestest.To(s.S1, change)))
	pieceID := protocol.TokenID("bench-split", 0)
	fin := benchDecode(b, must(protocol.BuildFinance(pieceID, piece.Commitment(), piece, s.BankA.Recipient(), nil)))
	benchTx(b, s.State, func(st *rulestest.Memory) { st.Begin(s.S1.Identity, "bench-split", s.Now) },
		func(st rules.State) error {
			req, err := split()
			if err == nil {
				_, err = s.Rules.Split(st, req)
			}
			if err != nil {
				return err
			}
			st.(*rulestest.Memory).Begin(s.S1.Identity, "bench-fin", s.Now)
			f, err := fin()
			if err == nil {
				_, err = s.Rules.RequestFinancing(st, f)
			}
			return err
		})
}

func benchTerms(b *testing.B, piece uint64) {
	s := newScenario(b)
	must(s.Rules.SetFinancingPolicy(s.As(s.Operator), &model.SetFinancingPolicyRequest{MaxAdvanceBP: 9000}))
	in := finInput(s, 9000)
	in.Terms.Expiry = in.Terms.Expiry.AddDate(1, 0, 0)
	in.Piece = piece
	req, _, err := protocol.BuildTermFinance(s.Ctx(), in, s.Auditor(), nil)
	if err != nil {
		b.Fatal(err)
	}
	decode := benchDecode(b, req)
	benchTx(b, s.State, func(st *rulestest.Memory) { st.Begin(s.S1.Identity, "bench-terms", s.Now) },
		func(st rules.State) error {
			req, err := decode()
			if err == nil {
				_, err = s.Rules.RequestTermFinancing(st, req)
			}
			return err
		})
}

func BenchmarkFinancingTerms(b *testing.B)        { benchTerms(b, 0) }
func BenchmarkFinancingTermsPartial(b *testing.B) { benchTerms(b, 400) }

// BenchmarkTermsCompute is the holder's and bank's arithmetic alone.
func BenchmarkTermsCompute(b *testing.B) {
	tm := quote()
	for b.Loop() {
		if _, err := terms.Compute(&tm, 1_000_000_00, 250_00, rulestest.Maturity); err != nil {
			b.Fatal(err)
		}
	}
}

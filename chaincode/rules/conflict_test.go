package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// readWriteSet records what a transaction read and wrote, as the peer's
// simulator does, so tests can apply Fabric's MVCC and phantom-read rules
// to two transactions endorsed against the same state.
type readWriteSet struct {
	*rulestest.Memory
	reads  map[string]bool
	ranges []string // key prefixes of range reads
	writes map[string]bool
}

func track(m *rulestest.Memory) *readWriteSet {
	return &readWriteSet{Memory: m, reads: map[string]bool{}, writes: map[string]bool{}}
}

func (s *readWriteSet) GetState(k string) ([]byte, error) {
	s.reads[k] = true
	return s.Memory.GetState(k)
}

func (s *readWriteSet) PutState(k string, v []byte) error {
	s.writes[k] = true
	return s.Memory.PutState(k, v)
}

func (s *readWriteSet) DelState(k string) error {
	s.writes[k] = true
	return s.Memory.DelState(k)
}

func (s *readWriteSet) GetStateByPartialCompositeKey(objectType string, attrs []string, limit int) ([]rules.KV, error) {
	s.ranges = append(s.ranges, rules.CompositeKey(objectType, attrs...))
	return s.Memory.GetStateByPartialCompositeKey(objectType, attrs, limit)
}

// invalidates reports the keys by which first, committed earlier in the
// same block, invalidates second: a key second read that first wrote, or a
// write of first inside a range second read.
func invalidates(first, second *readWriteSet) []string {
	var keys []string
	for k := range first.writes {
		if second.reads[k] {
			keys = append(keys, k)
			continue
		}
		for _, p := range second.ranges {
			if strings.HasPrefix(k, p) {
				keys = append(keys, k)
				break
			}
		}
	}
	return keys
}

// TestSiblingTransactionsDoNotConflict endorses pairs of transactions on
// the same state, as concurrent clients would, and checks which pairs
// Fabric would let into one block. Spends and settlements of different
// tokens of one receivable touch only their own keys (the leaf index, not
// a shared counter); two confirmations that could each be the last leaf
// must conflict, so the root commitment is released exactly once.
func TestSiblingTransactionsDoNotConflict(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	oa, ob := rulestest.Opening(300), rulestest.Opening(700)
	split := s.SplitRequest(protocol.KindSplit, s.S1, opened(s.Root, s.RootOpening), rulestest.To(s.S2, oa), rulestest.To(s.S1, ob))
	children := must(r.Split(s.As(s.S1), split))
	A, B := children[0], children[1] // A: S2's 300, B: S1's 700
	transferA := s.SplitRequest(protocol.KindTransfer, s.S2, opened(A.ID, oa), rulestest.To(s.S3, rulestest.Opening(300)))
	transferB := s.SplitRequest(protocol.KindTransfer, s.S1, opened(B.ID, ob), rulestest.To(s.S3, rulestest.Opening(700)))

	// endorse runs one transaction on its own overlay of the current state.
	endorse := func(who *rulestest.Party, tx string, now time.Time, run func(rules.State) error) *readWriteSet {
		t.Helper()
		o := s.State.Overlay()
		o.Begin(who.Identity, tx, now)
		rw := track(o)
		if err := run(rw); err != nil {
			t.Fatalf("%s: %v", tx, err)
		}
		return rw
	}
	spendA := endorse(s.S2, "tx-a", s.Now, func(st rules.State) error { _, err := r.Transfer(st, transferA); return err })
	spendB := endorse(s.S1, "tx-b", s.Now, func(st rules.State) error { _, err := r.Transfer(st, transferB); return err })
	if k := append(invalidates(spendA, spendB), invalidates(spendB, spendA)...); len(k) != 0 {
		t.Errorf("sibling spends conflict on %q", k)
	}

	// At maturity the core pays both leaves; each holder confirms.
	s.Now = rulestest.Maturity
	must(r.DeclarePayment(s.As(s.Core), &model.TokenActionRequest{Token: A.ID, Reason: "PAY-A"}))
	must(r.DeclarePayment(s.As(s.Core), &model.TokenActionRequest{Token: B.ID, Reason: "PAY-B"}))
	confirm := func(who *rulestest.Party, tok, tx string) *readWriteSet {
		return endorse(who, tx, s.Now, func(st rules.State) error {
			_, err := r.ConfirmPayment(st, &model.TokenActionRequest{Token: tok})
			return err
		})
	}
	confirmA, confirmB := confirm(s.S2, A.ID, "tx-ca"), confirm(s.S1, B.ID, "tx-cb")
	if len(invalidates(confirmA, confirmB)) == 0 || len(invalidates(confirmB, confirmA)) == 0 {
		t.Error("two confirmations of a receivable's last two leaves do not conflict: the root could stay in the outstanding sum")
	}
	// Neither saw itself alone, so neither released the root; committed in
	// turn, the second sees itself alone and does.
	for _, rw := range []*readWriteSet{confirmA, confirmB} {
		if ev := lastEvent(t, rw.Memory); len(ev.CreditLines) != 0 {
			t.Errorf("%s released the root with a sibling leaf open", ev.TxID)
		}
	}
	must(r.ConfirmPayment(s.As(s.S2), &model.TokenActionRequest{Token: A.ID}))
	must(r.ConfirmPayment(s.As(s.S1), &model.TokenActionRequest{Token: B.ID}))
	if ev := lastEvent(t, s.State); len(ev.CreditLines) != 1 {
		t.Fatalf("the last confirmation did not release the root: %+v", ev)
	}
}

package rules_test

import (
	"bytes"
	"errors"
	"maps"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// TestEndorsementsWithMemo: three peers endorse one split through one
// chaincode server whose rules remember verified statements. Each
// endorsement writes exactly what a server without a memo writes; after
// the split commits, replaying it is refused as it is without a memo (the
// memo never stands in for a ledger check); a tampered copy is refused.
func TestEndorsementsWithMemo(t *testing.T) {
	s := newScenario(t)
	req := s.SplitRequest("split", s.S1, opened(s.Root, s.RootOpening), rulestest.To(s.S2, rulestest.Opening(300)), rulestest.To(s.S1, rulestest.Opening(700)))
	endorse := func(r *rules.Rules, st *rulestest.Memory, req *model.SplitRequest) (map[string][]byte, []rulestest.Event, error) {
		st.Begin(s.S1.Identity, "tx-split", s.Now)
		_, err := r.Split(st, req)
		return st.Snapshot(), st.Events, err
	}
	want, wantEvents, err := endorse(rules.New(rules.Config{}), s.State.Overlay(), req)
	if err != nil {
		t.Fatal(err)
	}
	shared := rules.New(rules.Config{VerifyMemo: 8})
	for peer := range 3 {
		got, events, err := endorse(shared, s.State.Overlay(), req)
		if err != nil {
			t.Fatalf("endorsement %d: %v", peer, err)
		}
		if !maps.EqualFunc(got, want, bytes.Equal) || len(events) != 1 || !bytes.Equal(events[0].Payload, wantEvents[0].Payload) {
			t.Fatalf("endorsement %d with a memo differs from one without", peer)
		}
	}

	committed := s.State.Overlay()
	if _, _, err := endorse(shared, committed, req); err != nil {
		t.Fatal(err)
	}
	committed.Begin(s.S1.Identity, "tx-replay", s.Now)
	if _, err := shared.Split(committed, req); !errors.Is(err, model.ErrConflict) {
		t.Errorf("replay after commit: %v, want CONFLICT", err)
	}
	bad := *req
	bad.BalanceProof = bytes.Clone(req.BalanceProof)
	bad.BalanceProof[32]++
	if _, _, err := endorse(shared, s.State.Overlay(), &bad); !errors.Is(err, model.ErrInvalidProof) {
		t.Errorf("tampered copy: %v, want INVALID_PROOF", err)
	}
}

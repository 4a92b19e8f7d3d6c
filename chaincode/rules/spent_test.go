package rules_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// TestSpentInputMarked: a split leaves its input's token record as it was
// (ACTIVE) and writes the small spent marker beside it; every reader sees
// the input SPLIT with its children, and a second spend of it, a financing
// request or a freeze is refused. Without the marker (or a reader that
// ignored it) the input would read ACTIVE and spend twice.
func TestSpentInputMarked(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	rootKey := rules.CompositeKey("tc.token", s.Root)
	before := s.State.Snapshot()[rootKey]
	a, b := rulestest.Opening(600), rulestest.Opening(400)
	out := must(r.Split(s.As(s.S1), s.SplitRequest(protocol.KindSplit, s.S1, opened(s.Root, s.RootOpening), rulestest.To(s.S2, a), rulestest.To(s.S1, b))))
	splitAt := s.State.Now

	if after := s.State.Snapshot()[rootKey]; string(after) != string(before) {
		t.Fatalf("the spent input's record was rewritten:\n%s\n→\n%s", before, after)
	}
	marker := s.State.Snapshot()[rules.CompositeKey("tc.spent", s.Root)]
	if len(marker) == 0 || len(marker) > 80 {
		t.Fatalf("spent marker %d bytes, want 1..80", len(marker))
	}
	ev := lastEvent(t, s.State)
	if len(ev.Tokens) != 3 || ev.Tokens[0].ID != s.Root || ev.Tokens[0].Status != model.TokenSplit {
		t.Fatalf("event tokens %+v, want the input SPLIT first", ev.Tokens)
	}

	v := must(r.GetToken(s.As(s.S1), s.Root))
	if v.Status != model.TokenSplit || len(v.Children) != 2 || v.Children[0] != out[0].ID || v.Children[1] != out[1].ID {
		t.Fatalf("GetToken of the spent input: status %s children %v, want SPLIT %s %s", v.Status, v.Children, out[0].ID, out[1].ID)
	}
	if !v.UpdatedAt.Equal(splitAt) {
		t.Fatalf("spent input updated at %v, want the split's time %v", v.UpdatedAt, splitAt)
	}
	prov := must(r.Provenance(s.As(s.Operator), s.Root))
	if got := treeShape(prov); got == "" || len(prov.Children) != 2 {
		t.Fatalf("provenance from the root: %q, want its two children", got)
	}

	again := s.SplitRequest(protocol.KindSplit, s.S1, opened(s.Root, s.RootOpening), rulestest.To(s.S2, a), rulestest.To(s.S1, b))
	expectRefused(t, s.State, model.ErrConflict, func() ([]*model.Token, error) { return r.Split(s.As(s.S1), again) })
	expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) {
		return r.Freeze(s.As(s.Operator), &model.TokenActionRequest{Token: s.Root, Reason: "court order"})
	})
}

// TestSpentInputOldRecord: a token spent before the marker existed was
// rewritten whole (status SPLIT, children); it still reads as SPLIT and
// stays unspendable.
func TestSpentInputOldRecord(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	key := rules.CompositeKey("tc.token", s.Root)
	var old model.Token
	if err := json.Unmarshal(s.State.Snapshot()[key], &old); err != nil {
		t.Fatal(err)
	}
	old.Status, old.Children = model.TokenSplit, []string{"tolder0", "tolder1"}
	raw := must(json.Marshal(old))
	s.State.Begin(rules.Identity{}, "rewrite-old", s.State.Now)
	if err := s.State.PutState(key, raw); err != nil {
		t.Fatal(err)
	}
	v := must(r.GetToken(s.As(s.S1), s.Root))
	if v.Status != model.TokenSplit || len(v.Children) != 2 || v.Children[0] != "tolder0" {
		t.Fatalf("old spent record reads %s %v, want SPLIT [tolder0 tolder1]", v.Status, v.Children)
	}
	a, b := rulestest.Opening(600), rulestest.Opening(400)
	req := s.SplitRequest(protocol.KindSplit, s.S1, opened(s.Root, s.RootOpening), rulestest.To(s.S2, a), rulestest.To(s.S1, b))
	expectRefused(t, s.State, model.ErrConflict, func() ([]*model.Token, error) { return r.Split(s.As(s.S1), req) })
}

// markerReads counts the spent-marker reads of the state it wraps.
type markerReads struct {
	*rulestest.Memory
	n int
}

func (m *markerReads) GetState(key string) ([]byte, error) {
	if strings.HasPrefix(key, rules.CompositeKey("tc.spent")) {
		m.n++
	}
	return m.Memory.GetState(key)
}

// TestHolderListReadsNoMarkers: a token in the holder's list is unspent (a
// spend deletes its input's holder entry with the marker), so a page of
// TokensByHolder reads no spent marker, while GetToken of an ACTIVE token
// reads one.
func TestHolderListReadsNoMarkers(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	a, b := rulestest.Opening(600), rulestest.Opening(400)
	out := must(r.Split(s.As(s.S1), s.SplitRequest(protocol.KindSplit, s.S1, opened(s.Root, s.RootOpening), rulestest.To(s.S1, a), rulestest.To(s.S1, b))))

	st := &markerReads{Memory: s.As(s.S1)}
	page := must(r.TokensByHolder(st, &model.PageRequest{Owner: s.S1.ID, PageSize: 10}))
	if len(page.Items) != 2 || st.n != 0 {
		t.Fatalf("TokensByHolder: %d tokens with %d marker reads, want the 2 pieces and none", len(page.Items), st.n)
	}
	for _, v := range page.Items {
		if v.ID == s.Root {
			t.Fatal("the spent root is in its former holder's list")
		}
	}
	st = &markerReads{Memory: s.As(s.S1)}
	if v := must(r.GetToken(st, out[0].ID)); v.Status != model.TokenActive || st.n != 1 {
		t.Fatalf("GetToken of an ACTIVE piece: %s with %d marker reads, want ACTIVE and one", v.Status, st.n)
	}
}

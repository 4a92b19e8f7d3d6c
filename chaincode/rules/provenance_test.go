package rules_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// TestProvenanceIsBounded: a receivable whose tree would pass
// model.MaxProvenance tokens is refused, not walked to the end.
func TestProvenanceIsBounded(t *testing.T) {
	s := newScenario(t)
	st := s.As(s.Regulator)
	raw, err := st.GetState(rules.CompositeKey("tc.token", s.Root))
	if err != nil || raw == nil {
		t.Fatalf("root token: %v", err)
	}
	var root model.Token
	if err := json.Unmarshal(raw, &root); err != nil {
		t.Fatal(err)
	}
	// Forge a chain of spends one token longer than the bound.
	prev := &root
	for i := range model.MaxProvenance {
		c := root
		c.ID, c.Parents, c.Children = fmt.Sprintf("tforged%04d", i), []string{prev.ID}, nil
		prev.Children = []string{c.ID}
		put(t, st, prev)
		prev = &c
	}
	put(t, st, prev)
	st = s.As(s.Regulator) // a new transaction reads what the last wrote
	if _, err := s.Rules.Provenance(st, s.Root); !errors.Is(err, model.ErrInvalidArgument) {
		t.Fatalf("tree of %d tokens: %v, want INVALID_ARGUMENT", model.MaxProvenance+1, err)
	}
	// Cut the chain to exactly the bound: the tree is walked whole.
	st = s.As(s.Regulator)
	var last model.Token
	lastID := fmt.Sprintf("tforged%04d", model.MaxProvenance-2)
	if err := json.Unmarshal(must(st.GetState(rules.CompositeKey("tc.token", lastID))), &last); err != nil {
		t.Fatal(err)
	}
	last.Children = nil
	put(t, st, &last)
	tree := must(s.Rules.Provenance(s.As(s.Regulator), s.Root))
	depth := 0
	for n := tree; len(n.Children) > 0; n = &n.Children[0] {
		depth++
	}
	if depth != model.MaxProvenance-1 {
		t.Errorf("tree of %d tokens has depth %d", model.MaxProvenance, depth)
	}
}

func put(t *testing.T, st *rulestest.Memory, tok *model.Token) {
	t.Helper()
	raw, err := json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutState(rules.CompositeKey("tc.token", tok.ID), raw); err != nil {
		t.Fatal(err)
	}
}

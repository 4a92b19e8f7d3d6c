package audit

import (
	"context"

	"github.com/tierchain/tierchain/chaincode/model"
)

// TraceNode is one token of a provenance trace with its opened amount.
type TraceNode struct {
	Token    model.TokenView `json:"token"` // Status as of the peer's query time, LedgerStatus as stored
	Amount   Amount          `json:"amount"`
	Children []TraceNode     `json:"children,omitempty"`
}

// Trace is a receivable from its root (the core's issue, tier 1) to tier N,
// every amount opened, with the receivable's conservation checks.
type Trace struct {
	AsOf   AsOf      `json:"asOf"` // the block height the provenance query saw
	Root   TraceNode `json:"root"`
	Checks int       `json:"checks"`
	Breaks []Break   `json:"breaks"`
}

// Trace reads the provenance of the receivable whose root token is root
// and opens every amount in it. A merged token appears under its first
// parent (as the chaincode returns it) and lists all its parents. The
// one provenance query runs between two reads of the peer's height, like a
// Snapshot's, so that the trace can say which height it shows.
func (s *Service) Trace(ctx context.Context, root string) (*Trace, error) {
	var tree *model.ProvenanceNode
	asOf, err := s.atOneHeight(ctx, func(ctx context.Context) (err error) {
		tree, err = s.r.provenance(ctx, root)
		return err
	})
	if err != nil {
		return nil, err
	}
	var views []model.TokenView
	var walk func(n *model.ProvenanceNode)
	walk = func(n *model.ProvenanceNode) {
		views = append(views, n.Token)
		for i := range n.Children {
			walk(&n.Children[i])
		}
	}
	walk(tree)
	items := make([]TokenItem, len(views))
	for i, v := range views {
		items[i] = TokenItem{Token: ledgerToken(v)}
	}
	if err := s.openItems(ctx, items, nil); err != nil {
		return nil, err
	}
	next := 0
	var build func(n *model.ProvenanceNode) TraceNode
	build = func(n *model.ProvenanceNode) TraceNode {
		tn := TraceNode{Token: n.Token, Amount: items[next].Amount}
		next++
		for i := range n.Children {
			tn.Children = append(tn.Children, build(&n.Children[i]))
		}
		return tn
	}
	t := &Trace{AsOf: asOf, Root: build(tree)}
	t.Checks, t.Breaks = checkConservation(items, nil)
	if t.Breaks == nil {
		t.Breaks = []Break{}
	}
	return t, nil
}

package wallet

import (
	"cmp"
	"context"
	"slices"

	"github.com/tierchain/tierchain/chaincode/model"
)

// SelectTokens chooses ACTIVE tokens the holder holds that cover amount,
// all of one receivable (a merge's inputs must share a root), from the
// holdings of its last Sync. With root set it chooses among that root's
// tokens only; with root empty, among each root's, preferring fewer tokens
// and then less excess.
//
// Within a root: a token of exactly amount if there is one; otherwise the
// smallest tokens first until they cover amount (which sweeps small pieces
// into one), or, when that needs more than model.MaxInputs tokens, the
// largest first. It returns ErrInsufficientValue when no root's tokens
// cover amount within model.MaxInputs inputs.
func (w *Wallet) SelectTokens(ctx context.Context, holder, root string, amount uint64) ([]Holding, error) {
	if amount == 0 {
		return nil, ErrInvalidArgument.With("amount must be positive")
	}
	hs, err := w.Holdings(ctx, holder)
	if err != nil {
		return nil, err
	}
	byRoot := map[string][]Holding{}
	var roots []string
	for _, h := range hs {
		if h.Status != model.TokenActive || (root != "" && h.Root != root) {
			continue
		}
		if _, ok := byRoot[h.Root]; !ok {
			roots = append(roots, h.Root)
		}
		byRoot[h.Root] = append(byRoot[h.Root], h)
	}
	var best []Holding
	var bestExcess uint64
	for _, r := range roots { // in Holdings' order: deterministic
		pick, excess, ok := selectCovering(byRoot[r], amount)
		if !ok {
			continue
		}
		if best == nil || len(pick) < len(best) || (len(pick) == len(best) && excess < bestExcess) {
			best, bestExcess = pick, excess
		}
	}
	if best == nil {
		return nil, ErrInsufficientValue.With("no receivable's active tokens cover the amount")
	}
	return best, nil
}

// selectCovering picks tokens of one root covering amount: an exact match,
// else smallest first, else largest first (within model.MaxInputs).
func selectCovering(hs []Holding, amount uint64) (pick []Holding, excess uint64, ok bool) {
	for _, h := range hs {
		if h.Value == amount {
			return []Holding{h}, 0, true
		}
	}
	asc := slices.SortedFunc(slices.Values(hs), func(a, b Holding) int {
		return cmp.Or(cmp.Compare(a.Value, b.Value), cmp.Compare(a.TokenID, b.TokenID))
	})
	if pick, excess, ok := accumulate(asc, amount); ok {
		return pick, excess, true
	}
	slices.Reverse(asc)
	return accumulate(asc, amount)
}

// accumulate takes tokens in order until they cover amount, at most
// model.MaxInputs of them.
func accumulate(hs []Holding, amount uint64) ([]Holding, uint64, bool) {
	var sum uint64
	for i, h := range hs {
		if i == model.MaxInputs {
			break
		}
		if sum+h.Value < sum { // overflow: certainly covers
			return slices.Clone(hs[:i+1]), ^uint64(0), true
		}
		sum += h.Value
		if sum >= amount {
			return slices.Clone(hs[:i+1]), sum - amount, true
		}
	}
	return nil, 0, false
}

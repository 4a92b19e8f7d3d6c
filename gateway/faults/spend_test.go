package faults_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/wallet"
)

// TestConcurrentSpendsOverREST: 64 clients split the same token at once
// over REST, each with a different split and its own Idempotency-Key.
// Exactly one is answered 2xx, every other 409 (or, on an overloaded
// machine, a declared 504 TIMEOUT); the ledger shows one
// spend: the token SPLIT with exactly the winner's two children, and no
// other token or amount changed.
func TestConcurrentSpendsOverREST(t *testing.T) {
	g, ctx, h := withHolding(t)
	regulator := g.client("regulator")
	before := readLedger(t, ctx, regulator)
	target := h.token

	const n = 64
	replies := make([]reply, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range replies {
		wg.Go(func() {
			<-start
			replies[i] = write(ctx, g.base(), h.apiToken, fmt.Sprintf("race64-%d", i), "/v1/tokens/"+target+"/split",
				map[string]any{"outputs": []map[string]string{{"to": h.other, "amount": fmt.Sprintf("%d.00", i+1)}}})
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	took := time.Since(began)

	// The losers are 409. On an overloaded machine a few may be 504 (a
	// ledger call ran out of time): a declared unknown outcome, so the
	// ledger decides which split won.
	codes := map[string]int{}
	winner := -1
	for i, r := range replies {
		codes[r.String()]++
		switch {
		case r.status/100 == 2:
			if winner >= 0 {
				t.Errorf("splits %d and %d both answered %d", winner, i, r.status)
			}
			winner = i
		case r.status == http.StatusConflict, r.status == http.StatusGatewayTimeout:
		default:
			t.Errorf("split %d: %s, want 409", i, r)
		}
	}
	t.Logf("%d concurrent splits of one token in %s: %v", n, took.Round(time.Millisecond), codes)

	after := readLedger(t, ctx, regulator)
	in := after.Tokens[target]
	if in.Status != "SPLIT" || len(in.Children) != 2 {
		t.Fatalf("token after the race: %s with children %v, want one split", in.Status, in.Children)
	}
	ids := in.Children
	paid := after.Tokens[ids[0]].Minor
	if after.Tokens[ids[0]].Holder != h.other {
		paid = after.Tokens[ids[1]].Minor
	}
	switch {
	case winner >= 0:
		var won struct {
			Tokens []struct {
				ID string `json:"id"`
			} `json:"tokens"`
		}
		if err := json.Unmarshal(replies[winner].body, &won); err != nil {
			t.Fatal(err)
		}
		var reported []string
		for _, tok := range won.Tokens {
			reported = append(reported, tok.ID)
		}
		if !slices.Equal(slices.Sorted(slices.Values(ids)), slices.Sorted(slices.Values(reported))) {
			t.Fatalf("the token's children are %v, the winner reported %v", ids, reported)
		}
		if paid != uint64(winner+1)*100 {
			t.Errorf("the winner paid %d.00, the ledger's output opens to %d", winner+1, paid)
		}
	case paid%100 == 0 && paid/100 >= 1 && paid/100 <= n && replies[paid/100-1].status == http.StatusGatewayTimeout:
		t.Logf("the split that committed (%d.00) was answered 504", paid/100)
	default:
		t.Fatalf("no split answered 2xx, and the ledger's split (paying %d) was not one answered 504", paid)
	}
	// Nothing else changed: the input, and exactly two new tokens.
	changed := 0
	for id, tok := range after.Tokens {
		old, ok := before.Tokens[id]
		switch {
		case !ok && !slices.Contains(ids, id):
			t.Errorf("token %s appeared (from %v), not the winner's", id, tok.Parents)
		case ok && id != target && fmt.Sprint(old) != fmt.Sprint(tok):
			t.Errorf("token %s changed: %+v → %+v", id, old, tok)
		case ok && id == target:
			changed++
		}
	}
	if changed != 1 || len(after.Tokens) != len(before.Tokens)+2 {
		t.Errorf("%d tokens before, %d after", len(before.Tokens), len(after.Tokens))
	}
}

// TestReplayOfCommittedSplit: a split built by a supplier's wallet is committed
// through its ledger client; the very same request body submitted again
// (a new transaction carrying the committed one's proofs), the same
// proofs pointed at the supplier's new change, and the same body sent by
// another enterprise are each refused by the chaincode, and the ledger is
// unchanged by them.
func TestReplayOfCommittedSplit(t *testing.T) {
	g, ctx, h := withHolding(t)
	p := g.platform()
	regulator := g.client("regulator")

	tier1, err := p.Directory.Client(ctx, h.holder)
	if err != nil {
		t.Fatal(err)
	}
	dir := wallet.Directory{Ledger: tier1}
	to, err := dir.Recipient(ctx, h.other)
	if err != nil {
		t.Fatal(err)
	}
	aud, err := dir.Auditor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// As the split handler does: the wallet learns the story's change from
	// the ledger before it spends it.
	if _, err := p.Wallet.Sync(ctx, h.holder, tier1); err != nil {
		t.Fatal(err)
	}
	built, err := p.Wallet.BuildSpend(ctx, tier1, wallet.SpendSpec{Holder: h.holder, Inputs: []string{h.token},
		Outputs: []wallet.Payment{{To: to, Amount: 100_00}}, Auditor: aud})
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(built.Request)
	if err != nil {
		t.Fatal(err)
	}
	first, err := tier1.Submit(ctx, "tierchain", built.Function, string(body))
	if err != nil {
		t.Fatal(err)
	}
	var change string
	if led := readLedger(t, ctx, regulator); len(led.Tokens[h.token].Children) == 2 {
		for _, id := range led.Tokens[h.token].Children {
			if led.Tokens[id].Holder == h.holder {
				change = id
			}
		}
	}
	if change == "" {
		t.Fatal("the committed split's change not found")
	}
	t.Logf("split %s committed in block %d", first.TxID, first.BlockNumber)
	before := readLedger(t, ctx, regulator).String()

	tier2, err := p.Directory.Client(ctx, h.other)
	if err != nil {
		t.Fatal(err)
	}
	moved := *built.Request
	moved.Inputs = []string{change}
	movedBody, err := json.Marshal(&moved)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		ledger *fabricclient.Client
		body   []byte
		codes  []string // any of these chaincode codes
	}{
		{"the committed body again", tier1, body, []string{"CONFLICT", "INVALID_STATE"}},
		{"its proofs on the holder's new change", tier1, movedBody, []string{"INVALID_PROOF"}},
		{"the committed body sent by another supplier", tier2, body, []string{"FORBIDDEN", "CONFLICT", "INVALID_STATE"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.ledger.Submit(ctx, "tierchain", built.Function, string(c.body))
			var cc *fabricclient.ChaincodeError
			if !errors.As(err, &cc) || !slices.Contains(c.codes, cc.Code) {
				t.Fatalf("replay: %v, want a chaincode error of %v", err, c.codes)
			}
			t.Logf("refused: %s", cc.Code)
			if after := readLedger(t, ctx, regulator).String(); after != before {
				t.Fatalf("the replay changed the ledger:\n%s", diff(before, after))
			}
		})
	}
}

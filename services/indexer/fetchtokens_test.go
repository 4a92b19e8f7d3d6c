package indexer

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// namedTokens are the distinct tokens the chain's events name, first named
// first.
func namedTokens(t *testing.T, c *chain) []string {
	t.Helper()
	var ids []string
	for _, ev := range c.events {
		var e model.Event
		if err := json.Unmarshal(ev.Payload, &e); err != nil {
			t.Fatal(err)
		}
		for _, tc := range e.Tokens {
			if !slices.Contains(ids, tc.ID) {
				ids = append(ids, tc.ID)
			}
		}
	}
	return ids
}

// The tokens of a batch are read with GetTokens, each once, in as few
// calls as the bound allows, and the read model is the one GetToken
// token by token builds (a chaincode from before GetTokens).
func TestTokensFetchedTogether(t *testing.T) {
	c := newChain(t, newFakeLedger())
	c.story()
	ids := namedTokens(t, c)
	if len(ids) < 5 {
		t.Fatalf("the story names %d tokens", len(ids))
	}
	ix := newIndexer(t, storetest.SQLite(t), c.ledger, Options{})
	if _, err := ix.apply(t.Context(), c.events); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.ledger.batches, []int{len(ids)}) {
		t.Errorf("GetTokens calls of %v IDs, want one of %d", c.ledger.batches, len(ids))
	}
	together := dump(t, ix.db)

	old := newChain(t, newFakeLedger())
	old.story()
	old.ledger.noGetTokens = true
	oix := newIndexer(t, storetest.SQLite(t), old.ledger, Options{})
	for i := range old.events { // one event a batch, as a live stream applies them
		if _, err := oix.apply(t.Context(), old.events[i:i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if old.ledger.metadataCalls != 1 || len(old.ledger.batches) != 0 {
		t.Fatalf("an older chaincode: GetMetadata calls %d, GetTokens calls %v", old.ledger.metadataCalls, old.ledger.batches)
	}
	if got := dump(t, oix.db); got != together {
		t.Fatalf("read model from GetToken one by one:\n%s\nfrom GetTokens:\n%s", got, together)
	}
}

// More tokens than one GetTokens takes go in calls of at most
// rules.MaxTokensPerQuery.
func TestTokensFetchedInBoundedCalls(t *testing.T) {
	c := newChain(t, newFakeLedger())
	c.story()
	root := c.issue("core", "bankA", "tier1", c.now.AddDate(0, 6, 0), c.registerInvoice("tier1", "core", c.now.AddDate(0, 6, 0)))
	for i := 0; len(namedTokens(t, c)) <= rules.MaxTokensPerQuery; i++ {
		root = c.split(root, "tier2", "tier1")[1]
	}
	n := len(namedTokens(t, c))
	ix := newIndexer(t, storetest.SQLite(t), c.ledger, Options{})
	if _, err := ix.apply(t.Context(), c.events); err != nil {
		t.Fatal(err)
	}
	// The calls run concurrently, so they may reach the ledger in any order.
	got := slices.Sorted(slices.Values(c.ledger.batches))
	if want := []int{n - rules.MaxTokensPerQuery, rules.MaxTokensPerQuery}; !slices.Equal(got, want) {
		t.Fatalf("GetTokens calls of %v IDs, want %v", c.ledger.batches, want)
	}
}

// A token the peer's state does not have yet is asked for again alone.
func TestTokensWaitForTheMissingOne(t *testing.T) {
	c := newChain(t, newFakeLedger())
	st := c.story()
	n := len(namedTokens(t, c))
	c.ledger.hide(2, "GetToken", st.l2[0])
	ix := newIndexer(t, storetest.SQLite(t), c.ledger, Options{})
	if _, err := ix.apply(t.Context(), c.events); err != nil {
		t.Fatal(err)
	}
	if want := []int{n, 1, 1}; !slices.Equal(c.ledger.batches, want) {
		t.Fatalf("GetTokens calls of %v IDs, want %v", c.ledger.batches, want)
	}
	if tok, err := ix.Token(t.Context(), st.l2[0], c.now); err != nil || tok.ID != st.l2[0] {
		t.Fatalf("the late token: %+v %v", tok, err)
	}
}

// The read model holds no token its own GetToken would have refused: a
// token the chaincode refuses the indexer's identity stops the batch with
// that typed error and nothing is written, with GetTokens as with
// GetToken one by one.
func TestRefusedTokenIsNotHeld(t *testing.T) {
	for _, oneByOne := range []bool{false, true} {
		t.Run(fmt.Sprintf("oneByOne=%v", oneByOne), func(t *testing.T) {
			c := newChain(t, newFakeLedger())
			st := c.story()
			c.ledger.noGetTokens = oneByOne
			c.ledger.refuse(model.CodeForbidden, "GetToken", st.l1[1])
			ix := newIndexer(t, storetest.SQLite(t), c.ledger, Options{})
			empty := dump(t, ix.db)
			_, err := ix.apply(t.Context(), c.events)
			var ce *fabricclient.ChaincodeError
			if !errors.As(err, &ce) || ce.Code != string(model.CodeForbidden) || !errors.Is(err, model.ErrForbidden) && !oneByOne {
				t.Fatalf("apply: %v, want FORBIDDEN", err)
			}
			if got := dump(t, ix.db); got != empty {
				t.Fatalf("a refused token's batch wrote:\n%s", got)
			}
			if _, err := ix.Token(t.Context(), st.l1[1], c.now); err == nil {
				t.Fatal("the read model holds the refused token")
			}
		})
	}
}

func TestDecodeTokenResults(t *testing.T) {
	ids := []string{"t1", "t2"}
	good := `[{"id":"t1","token":{"id":"t1"}},{"id":"t2","code":"NOT_FOUND","error":"token t2"}]`
	res, err := decodeTokenResults([]byte(good), ids)
	if err != nil || res[0].Token.ID != "t1" || !errors.Is(res[1].Err(), model.ErrNotFound) {
		t.Fatalf("%+v %v", res, err)
	}
	for _, raw := range []string{
		``, `null`, `{}`, `[]`,
		`[{"id":"t1","token":{"id":"t1"}}]`,                                                    // one entry short
		`[{"id":"t2","token":{"id":"t2"}},{"id":"t1","token":{"id":"t1"}}]`,                    // out of order
		`[{"id":"t1","token":{"id":"tX"}},{"id":"t2","token":{"id":"t2"}}]`,                    // another token
		`[{"id":"t1"},{"id":"t2","token":{"id":"t2"}}]`,                                        // neither
		`[{"id":"t1","token":{"id":"t1"},"code":"NOT_FOUND"},{"id":"t2","token":{"id":"t2"}}]`, // both
		`[{"id":"t1","token":"x"},{"id":"t2","token":{"id":"t2"}}]`,
	} {
		if _, err := decodeTokenResults([]byte(raw), ids); !errors.Is(err, ErrBadTokenResults) {
			t.Errorf("%s: %v, want ErrBadTokenResults", raw, err)
		}
	}
}

// FuzzDecodeTokenResults: any answer is one well-formed entry per ID or
// ErrBadTokenResults; never a panic.
func FuzzDecodeTokenResults(f *testing.F) {
	f.Add([]byte(`[{"id":"t1","token":{"id":"t1"}},{"id":"t2","code":"NOT_FOUND","error":"token t2"}]`))
	f.Add([]byte(`[{"id":"t1","code":"FORBIDDEN"},{"id":"t2","token":{"id":"t2","parents":["t1"]}}]`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ids := []string{"t1", "t2"}
		res, err := decodeTokenResults(raw, ids)
		if err != nil {
			if !errors.Is(err, ErrBadTokenResults) {
				t.Fatalf("error %v is not ErrBadTokenResults", err)
			}
			return
		}
		for i, r := range res {
			if r.ID != ids[i] || (r.Token == nil) == (r.Code == "") || (r.Token != nil && r.Token.ID != ids[i]) {
				t.Fatalf("accepted entry %+v", r)
			}
		}
	})
}

package wallet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/services/wallet"
)

// builtSplit issues 1000 to S1 and builds (does not submit) its split of
// 300 to S2, the change to S1.
func builtSplit(t testing.TB, h *harness) *wallet.Spend {
	t.Helper()
	ctx := context.Background()
	root := h.issued(t, "SW-1", 1000)
	return must(h.wallet.BuildSpend(ctx, h.ledger(h.S1), wallet.SpendSpec{Holder: h.S1.ID, Inputs: []string{root.ID},
		Outputs: []wallet.Payment{h.pay(t, h.S2, 300)}, Auditor: must(h.directory(h.S1).Auditor(ctx))}))
}

// TestSpendWire: what the gateway submits for a spend is the compact
// encoding of the request it built, and decodes back to it; the result
// it reads back is the IDs, and anything else is refused as
// ErrUnexpectedResult (the gateway then reads the ledger) rather than
// guessed at.
func TestSpendWire(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t), rulestest.NewWorld())
	sp := builtSplit(t, h)
	wire := must(sp.Wire())
	if wire[0] != protocol.SplitWireV1 {
		t.Fatalf("version %#x, want SplitWireV1", wire[0])
	}
	back := must(protocol.DecodeSplitRequest(wire))
	js := must(json.Marshal(sp.Request))
	if got := must(json.Marshal(back)); !bytes.Equal(got, js) {
		t.Fatal("the compact request decodes to another request than the one built")
	}
	txID, at := h.NextTxID(), h.Now
	ids := must(json.Marshal([]string{protocol.TokenID(txID, 0), protocol.TokenID(txID, 1)}))
	toks := must(sp.Committed(ids, txID, at))
	full := must(json.Marshal(toks))
	t.Logf("request: JSON %d B, compact %d B; result: tokens %d B, IDs %d B", len(js), len(wire), len(full), len(ids))
	if len(wire) >= len(js) || len(ids) >= len(full) {
		t.Fatalf("the compact request and result are not lighter")
	}
	// The payee is one tier further from the core; the change stays.
	if toks[0].Holder != h.S2.ID || toks[1].Holder != h.S1.ID || toks[0].Tier != toks[1].Tier+1 {
		t.Fatalf("outputs to %s (tier %d) and %s (tier %d)", toks[0].Holder, toks[0].Tier, toks[1].Holder, toks[1].Tier)
	}

	for name, c := range map[string]struct {
		result []byte
		txID   string
		at     time.Time
	}{
		"not a list":   {[]byte(`[{"id":"x"}]`), txID, at},
		"tokens":       {full, txID, at},
		"too few IDs":  {must(json.Marshal([]string{protocol.TokenID(txID, 0)})), txID, at},
		"too many IDs": {must(json.Marshal([]string{protocol.TokenID(txID, 0), protocol.TokenID(txID, 1), protocol.TokenID(txID, 2)})), txID, at},
		"swapped IDs":  {must(json.Marshal([]string{protocol.TokenID(txID, 1), protocol.TokenID(txID, 0)})), txID, at},
		"another tx":   {ids, "tx9999", at},
		"no time":      {ids, txID, time.Time{}},
		"empty":        {nil, txID, at},
	} {
		if _, err := sp.Committed(c.result, c.txID, c.at); !errors.Is(err, wallet.ErrUnexpectedResult) || !errors.Is(err, model.ErrInternal) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A spend the wallet did not build has no inputs to build from.
	if _, err := (&wallet.Spend{Request: sp.Request}).Committed(ids, txID, at); !errors.Is(err, wallet.ErrUnexpectedResult) {
		t.Errorf("unbuilt spend: %v", err)
	}
}

// FuzzSpendCommitted: no result bytes make Committed panic; what it
// accepts is exactly the transaction's IDs, in order.
func FuzzSpendCommitted(f *testing.F) {
	f.Add([]byte(`["tx0001-0","tx0001-1"]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[{"id":"a"}]`))
	h := newHarness(f, storetest.SQLite(f), rulestest.NewWorld())
	sp, txID := builtSplit(f, h), "tx0042"
	f.Fuzz(func(t *testing.T, result []byte) {
		toks, err := sp.Committed(result, txID, time.Unix(1, 0))
		if err != nil {
			if !errors.Is(err, wallet.ErrUnexpectedResult) {
				t.Fatalf("error %v is not ErrUnexpectedResult", err)
			}
			return
		}
		for i, tok := range toks {
			if tok.ID != protocol.TokenID(txID, i) {
				t.Fatalf("accepted ID %q at %d", tok.ID, i)
			}
		}
	})
}

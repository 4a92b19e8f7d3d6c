package platform_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/gateway/platform/platformtest"
	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/services/wallet"
)

// TestSplitOverRESTCompact: a REST split submits its request in the
// compact encoding and gets only the new IDs back; the tokens the gateway
// answers with (built from its own request, those IDs and the
// transaction's time) are, field by field, the ones the ledger holds.
func TestSplitOverRESTCompact(t *testing.T) {
	c := platformtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	res, err := demo.Run(ctx, demo.Config{Base: c.Router, Tokens: c.Tokens(), Maturity: 90 * 24 * time.Hour,
		Suffix: fmt.Sprintf("-cw%d", time.Now().Unix()%100000), StopBefore: "finance", Out: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	tier1 := &demo.Client{Base: c.Router, Token: res.SupplierTokens[0]}
	var out struct {
		Kind   string            `json:"kind"`
		TxID   string            `json:"txId"`
		Tokens []json.RawMessage `json:"tokens"`
	}
	if err := tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+res.Held[0].ID+"/split", map[string]any{
		"outputs": []map[string]string{{"to": res.Suppliers[1], "amount": "1000.00"}}}, &out); err != nil {
		t.Fatal(err)
	}
	if out.Kind != protocol.KindSplit || len(out.Tokens) != 2 {
		t.Fatalf("split answered kind %q with %d tokens", out.Kind, len(out.Tokens))
	}

	l, err := c.Gateways[0].Directory.Client(ctx, res.Suppliers[0])
	if err != nil {
		t.Fatal(err)
	}
	tx, err := l.Transaction(ctx, out.TxID)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Function != "tierchain:Split" || len(tx.Args) != 1 || !protocol.IsCompactSplitRequest(string(tx.Args[0])) {
		t.Fatalf("transaction %s invoked %s with %d arguments, not the compact request", tx.TxID, tx.Function, len(tx.Args))
	}
	req, err := protocol.DecodeSplitRequest(tx.Args[0])
	if err != nil {
		t.Fatalf("the submitted request does not decode: %v", err)
	}
	var ids []string
	if err := json.Unmarshal(tx.Payload, &ids); err != nil {
		t.Fatalf("the result is not the new IDs: %s", tx.Payload)
	}
	t.Logf("REST split %s: transaction %d B, request %d B (version %d), result %d B", tx.TxID, tx.Size, len(tx.Args[0]), tx.Args[0][0], len(tx.Payload))

	for i, raw := range out.Tokens {
		var answered model.TokenView
		if err := json.Unmarshal(raw, &answered); err != nil {
			t.Fatal(err)
		}
		var held model.TokenView
		got, err := l.Evaluate(ctx, "tierchain", "GetToken", answered.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(got, &held); err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(answered.Token)
		h, _ := json.Marshal(held.Token)
		if !bytes.Equal(a, h) {
			t.Fatalf("token %d as the split answered:\n%s\nas the ledger holds it:\n%s", i, a, h)
		}
		if ids[i] != answered.ID || req.Outputs[i].Holder != answered.Holder || !slices.Equal(req.Inputs, answered.Parents) {
			t.Fatalf("token %d: %s to %s, the transaction's %s", i, answered.ID, answered.Holder, ids[i])
		}
	}

	// The same split as the gateway sent it before (the JSON request,
	// the tokens in the result), of the change, on the same network: the
	// bytes the compact form takes off every peer.
	dir := wallet.Directory{Ledger: l}
	to, err := dir.Recipient(ctx, res.Suppliers[1])
	if err != nil {
		t.Fatal(err)
	}
	aud, err := dir.Auditor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var change model.TokenView
	if err := json.Unmarshal(out.Tokens[1], &change); err != nil {
		t.Fatal(err)
	}
	sp, err := c.Gateways[0].Wallet.BuildSpend(ctx, l, wallet.SpendSpec{Holder: res.Suppliers[0], Inputs: []string{change.ID},
		Outputs: []wallet.Payment{{To: to, Amount: 100_000}}, Auditor: aud})
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(sp.Request)
	jr, err := l.Submit(ctx, "tierchain", sp.Function, string(js))
	if err != nil {
		t.Fatal(err)
	}
	jtx, err := l.Transaction(ctx, jr.TxID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the same split with the JSON request: transaction %d B, request %d B, result %d B", jtx.Size, len(jtx.Args[0]), len(jtx.Payload))
	if tx.Size+2000 > jtx.Size {
		t.Fatalf("the compact REST split (%d B) is not at least 2 KB lighter than the JSON one (%d B)", tx.Size, jtx.Size)
	}
}

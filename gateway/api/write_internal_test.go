package api

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/gateway/idempotency"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/wallet"
)

// resumedContext is a gin context whose request resumes tx (as the
// idempotency middleware sets it after a lost answer).
func resumedContext(tx *fabricclient.Transaction) *gin.Context {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	r := httptest.NewRequest("POST", "/v1/tokens/t1/split", nil)
	c.Request = r.WithContext(idempotency.WithResumed(r.Context(), tx))
	return c
}

// TestWriteResumesBelowHandlers: a write that resumes a committed
// transaction runs no build (the builders would refuse: the input is
// spent) and submits nothing; it answers with that transaction's result
// and function, so the split handler reports the spend's kind without
// asking whether its request was resumed. A resumed transaction of a
// function the write cannot submit is refused.
func TestWriteResumesBelowHandlers(t *testing.T) {
	a := New(Deps{})
	payload, _ := json.Marshal([]map[string]string{{"id": "t2"}})
	tx := &fabricclient.Transaction{TxID: "tx1", Function: Contract + ":Merge", Payload: payload, BlockNumber: 7}
	build := func(context.Context, wallet.Ledger) (string, any, error) {
		t.Fatal("a resumed write ran its build")
		return "", nil, nil
	}
	var out []map[string]string
	fn, res, err := a.write(resumedContext(tx), wallet.SpendFunctions(), build, &out)
	if err != nil {
		t.Fatal(err)
	}
	if fn != "Merge" || wallet.SpendKind(fn) != protocol.KindMerge || res.TxID != "tx1" || res.BlockNumber != 7 || len(out) != 1 || out[0]["id"] != "t2" {
		t.Fatalf("resumed write: fn %q, result %+v, out %v", fn, res, out)
	}

	other := &fabricclient.Transaction{TxID: "tx2", Function: Contract + ":Issue", Payload: payload}
	if _, _, err := a.write(resumedContext(other), wallet.SpendFunctions(), build, nil); err == nil {
		t.Fatal("a spend resumed an Issue")
	}
	if _, err := a.submitBuilt(resumedContext(tx), "RequestFinancing", func(context.Context, wallet.Ledger) (any, error) {
		t.Fatal("a resumed submitBuilt ran its build")
		return nil, nil
	}, nil); err == nil {
		t.Fatal("RequestFinancing resumed a Merge")
	}
	var got []map[string]string
	if _, err := a.submitBuilt(resumedContext(&fabricclient.Transaction{TxID: "tx3", Function: Contract + ":RequestFinancing", Payload: payload}),
		"RequestFinancing", func(context.Context, wallet.Ledger) (any, error) {
			t.Fatal("a resumed submitBuilt ran its build")
			return nil, nil
		}, &got); err != nil || len(got) != 1 {
		t.Fatalf("resumed RequestFinancing: %v, %v", err, got)
	}
}

// TestSpentTokensResumed: a split that resumed an earlier run's
// transaction has no build of its own to rebuild the outputs from: a
// result of the JSON request (the tokens, as the gateway sent before
// compact requests) is taken as it is, with no ledger read, and a result
// that is neither tokens nor IDs is an error, not an empty answer.
func TestSpentTokensResumed(t *testing.T) {
	a := New(Deps{})
	payload, _ := json.Marshal([]map[string]any{{"id": "t2", "holder": "s1", "txId": "tx1"}, {"id": "t3", "holder": "s2", "txId": "tx1"}})
	toks, err := a.spentTokens(resumedContext(nil), "Split", nil, fabricclient.Result{TxID: "tx1", Payload: payload})
	if err != nil || len(toks) != 2 || toks[0].ID != "t2" || toks[1].Holder != "s2" {
		t.Fatalf("resumed JSON result: %v, %+v", err, toks)
	}
	if _, err := a.spentTokens(resumedContext(nil), "Split", nil, fabricclient.Result{TxID: "tx1", Payload: []byte(`{"id":"t2"}`)}); err == nil {
		t.Fatal("a result that is neither tokens nor IDs was accepted")
	}
}

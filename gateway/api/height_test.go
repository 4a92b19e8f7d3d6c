package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/gateway/api"
	"github.com/tierchain/tierchain/services/indexer"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// TestHeightIsTheStreamsCheckpoint: GET /v1/height answers the read
// model's checkpoint (the one position of the ledger stream, which the
// event feed shares) and whether a stream feeds it, for every role.
func TestHeightIsTheStreamsCheckpoint(t *testing.T) {
	ix, err := indexer.New(t.Context(), storetest.SQLite(t), nopLedger{}, indexer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := serverWith(t, api.Deps{Index: ix}, gateway.Config{}).Handler()
	get := func(r model.Role) api.LedgerHeight {
		t.Helper()
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/v1/height", nil)
		req.Header.Set("Authorization", "Bearer "+roleToken(r))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /v1/height as %s: %d %s", r, rec.Code, rec.Body)
		}
		var out api.LedgerHeight
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := get(model.RoleSupplier); got != (api.LedgerHeight{}) {
		t.Fatalf("before any event: %+v", got)
	}
	if err := ix.SaveCheckpoint(context.Background(), indexer.Checkpoint{Block: 7, TxID: "tx7"}); err != nil {
		t.Fatal(err)
	}
	ix.SetFollowing(true)
	for _, r := range roles {
		if got, want := get(r), (api.LedgerHeight{Block: 7, TxID: "tx7", Following: true}); got != want {
			t.Fatalf("as %s: %+v, want %+v", r, got, want)
		}
	}
}

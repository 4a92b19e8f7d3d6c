package faults_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
)

// TestChaincodeDownIsUnavailable: while the chaincode server is down, a
// split cannot be endorsed and nothing reaches the orderer, so the gateway
// should answer 503 UNAVAILABLE and release the Idempotency-Key, and the
// same request sent again once the server is back should commit at once.
//
// It answers 502 LEDGER_REJECTED instead: internal/fabricclient's mapError
// (errors.go) maps the peer's endorsement failure "could not launch
// chaincode …: connection refused" (a *client.EndorseError with gRPC code
// Unknown/Aborted) to an untyped *ChaincodeError, which the gateway renders
// as 502; fabricclient.Retryable is false for it, so gateway/idempotency
// keeps the key pending for IdempotencyLock (write timeout + 30 s = 120 s)
// and every retry with it is 409 IDEMPOTENCY_IN_FLIGHT meanwhile. Reads
// (Evaluate) are 502 too. See docs/faults.md.
func TestChaincodeDownIsUnavailable(t *testing.T) {
	t.Skip("bug: internal/fabricclient mapError: an unreachable chaincode server is an untyped ChaincodeError (502 LEDGER_REJECTED, key held 120 s), not ErrUnavailable (503, key released); docs/faults.md")
	g := gw(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res := g.story(t, ctx, "-ccdown")
	n := fabnettest.Network()
	body := map[string]any{"outputs": []map[string]string{{"to": res.Suppliers[1], "amount": "1.00"}}}
	path := "/v1/tokens/" + res.Held[0].ID + "/split"

	if err := n.Kill("chaincode"); err != nil {
		t.Fatal(err)
	}
	down := write(ctx, g.base(), res.SupplierTokens[0], "ccdown-1", path, body)
	if err := n.StartChaincode(); err != nil {
		t.Fatal(err)
	}
	if down.status != http.StatusServiceUnavailable || down.code != "UNAVAILABLE" {
		t.Errorf("split while the chaincode server is down: %s, want 503 UNAVAILABLE", down)
	}
	// Once the server is back the same request, same key, commits (allow
	// the peers a few seconds to reconnect).
	var again reply
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if again = write(ctx, g.base(), res.SupplierTokens[0], "ccdown-1", path, body); again.status/100 == 2 {
			return
		}
	}
	t.Fatalf("the same request 20 s after the restart: %s, want 2xx", again)
}

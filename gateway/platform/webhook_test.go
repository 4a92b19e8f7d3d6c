package platform_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tierchain/tierchain/gateway/api"
	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/services/webhook"
)

// TestWebhookReachesTheBank: Bank B subscribes at its own gateway; a
// supplier asks for financing at Bank B through the operator's gateway;
// Bank B's gateway learns it from its own peer and delivers a signed
// "financing.requested" notification to Bank B's system (a receiver on
// loopback), which verifies it with the secret it was shown once.
func TestWebhookReachesTheBank(t *testing.T) {
	c := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	type delivery struct {
		typ, sig string
		body     []byte
	}
	got := make(chan delivery, 64)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- delivery{r.Header.Get(webhook.HeaderEventType), r.Header.Get(webhook.HeaderSignature), b}
	}))
	defer recv.Close()
	bankB := c.URL("bankB")
	resp, body := call(t, ctx, http.MethodPost, bankB+"/v1/webhooks", c.Token("bankB"),
		map[string]any{"url": recv.URL + "/hook", "events": []string{string(webhook.FinancingRequested)}}, nil)
	var created api.WebhookCreated
	if err := json.Unmarshal(body, &created); resp.StatusCode != http.StatusCreated || err != nil {
		t.Fatalf("subscribe at Bank B's gateway: %s %s", resp.Status, body)
	}
	secret, err := hex.DecodeString(created.Secret)
	if err != nil || len(secret) == 0 {
		t.Fatalf("secret %q", created.Secret)
	}
	res, err := demo.Run(ctx, demo.Config{Base: c.Router, Tokens: c.Tokens(), Maturity: time.Hour, Suffix: "-wh",
		StopBefore: "finance", Out: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	tier3, tok := res.Suppliers[2], res.Held[2]
	resp, body = call(t, ctx, http.MethodPost, c.URL(tier3)+"/v1/tokens/"+tok.ID+"/financing", res.SupplierTokens[2],
		map[string]string{"bank": "bankB"}, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("financing request: %s %s", resp.Status, body)
	}
	for {
		select {
		case d := <-got:
			if d.typ != string(webhook.FinancingRequested) {
				t.Fatalf("delivery of %q, subscribed to %q only", d.typ, webhook.FinancingRequested)
			}
			if err := webhook.Verify(secret, d.sig, d.body, time.Now(), webhook.DefaultTolerance); err != nil {
				t.Fatalf("signature: %v", err)
			}
			var n struct {
				Data map[string]string `json:"data"`
			}
			_ = json.Unmarshal(d.body, &n)
			if n.Data["token"] != tok.ID {
				continue // an earlier test's request to Bank B
			}
			return
		case <-ctx.Done():
			t.Fatal("no webhook delivery for the financing request")
		}
	}
}

package webhook_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/tierchain/tierchain/services/webhook"
)

// A bank's receiver verifies each delivery before trusting it: the
// TierChain-Signature header is "t=<unix seconds>,v1=<hex>", the hex being
// HMAC-SHA256 under the subscription's secret of the seconds, a dot and
// the raw body. Notifications may arrive more than once (the outbox sends
// at least once): deduplicate on TierChain-Event-Id.
func ExampleVerify() {
	secret := []byte("the secret returned when the bank subscribed")
	receive := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "read", http.StatusBadRequest)
			return
		}
		if err := webhook.Verify(secret, r.Header.Get(webhook.HeaderSignature), body, time.Now(), webhook.DefaultTolerance); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		fmt.Println("verified", r.Header.Get(webhook.HeaderEventType))
		w.WriteHeader(http.StatusNoContent)
	})

	// What TierChain sends:
	body := `{"id":"ev1","type":"quote.accepted","enterprise":"bankA","createdAt":"2026-12-07T10:00:00Z","data":{"quote":"q1"}}`
	req := httptest.NewRequest(http.MethodPost, "/tierchain", strings.NewReader(body))
	req.Header.Set(webhook.HeaderEventType, "quote.accepted")
	req.Header.Set(webhook.HeaderSignature, webhook.Sign(secret, []byte(body), time.Now()))
	rec := httptest.NewRecorder()
	receive.ServeHTTP(rec, req)
	fmt.Println(rec.Code)

	// A forged one:
	req = httptest.NewRequest(http.MethodPost, "/tierchain", strings.NewReader(body))
	req.Header.Set(webhook.HeaderSignature, webhook.Sign([]byte("guess"), []byte(body), time.Now()))
	rec = httptest.NewRecorder()
	receive.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// verified quote.accepted
	// 204
	// 401
}

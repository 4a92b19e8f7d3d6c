package problem

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWrite(t *testing.T) {
	p := New(http.StatusUnprocessableEntity, CodeIdempotencyKeyReused, "key k1 was used with another body").
		WithErrors(FieldError{Field: "Idempotency-Key", Reason: "reused"}).
		WithHeader("Retry-After", "1")
	p.Instance, p.RequestID = "/v1/x", "req-1"
	rec := httptest.NewRecorder()
	if err := Write(rec, p); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 422 || rec.Header().Get("Content-Type") != MediaType || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("status %d headers %v", rec.Code, rec.Header())
	}
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"type": "urn:tierchain:problem:idempotency-key-reused", "title": "Unprocessable Entity", "status": 422.0,
		"detail": "key k1 was used with another body", "instance": "/v1/x", "code": "IDEMPOTENCY_KEY_REUSED", "requestId": "req-1",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if errs, _ := got["errors"].([]any); len(errs) != 1 {
		t.Errorf("errors = %v", got["errors"])
	}
	if p.Error() != "IDEMPOTENCY_KEY_REUSED: key k1 was used with another body" {
		t.Errorf("Error() = %q", p.Error())
	}
}

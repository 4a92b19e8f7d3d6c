package faults_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/gateway/api"
	"github.com/tierchain/tierchain/internal/problem"
)

// bodyTypes are the request bodies of every JSON write route, as their
// handlers decode them.
var bodyTypes = []any{
	api.OnboardRequest{}, api.CreditLineRequest{}, api.IssueRequest{}, api.SplitRequest{},
	api.FinancingRequest{}, api.ApproveRequest{}, api.ReasonRequest{}, api.OPRFRequest{}, gateway.MintRequest{},
}

// decodeBody runs gateway.DecodeJSON into a new value of typ, on a body
// behind the gateway's 1 MiB limit, as a handler would.
func decodeBody(typ reflect.Type, contentType string, body []byte) (any, error) {
	rec := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(rec)
	c.Request = httptest.NewRequest(http.MethodPost, "/v1/x", bytes.NewReader(body))
	c.Request.Header.Set("Content-Type", contentType)
	c.Request.Body = http.MaxBytesReader(rec, c.Request.Body, 1<<20)
	v := reflect.New(typ).Interface()
	return v, gateway.DecodeJSON(c, v)
}

// FuzzWriteBodies: any bytes, as the body of each JSON write route, decode
// and validate to a value or to a 400/413/415 problem, never a panic. An
// accepted body is exactly one JSON value, and the value re-encoded is
// accepted again (validation judges the value, not the spelling).
func FuzzWriteBodies(f *testing.F) {
	for _, s := range []string{
		`{"outputs":[{"to":"tier2","amount":"400000.00"}]}`,
		`{"id":"tier1","name":"Nordvik Komponenter AS","role":"supplier","legalId":"0192:915600123"}`,
		`{"core":"carmaker","limit":"5000000.00","expiry":"2027-11-29T00:00:00Z"}`,
		`{"holder":"tier1","bank":"bankA","invoices":["` + string(bytes.Repeat([]byte("a"), 128)) + `"],"amount":"1.00","maturity":"2027-02-28T12:00:00Z"}`,
		`{"bank":"bankB"}`, `{"disbursementRef":"NB-1","agreementHash":"` + string(bytes.Repeat([]byte("0"), 64)) + `"}`,
		`{"reason":"PAY-1"}`, `{"blinded":"AAAA"}`, `{"amount":1}`,
		`{"outputs":[]}`, `{"expiry":"not a time"}`, `{"encryptionKey":"!!"}`, `{"amount":-1}`, `{"amount":1e400}`,
		`{"outputs":[[[[[]]]]]}`, "{\"reason\":\"\xff\"}", `null`, `{} {}`, "", "\ufeff{}",
	} {
		for i := range bodyTypes {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		typ := reflect.TypeOf(bodyTypes[int(which)%len(bodyTypes)])
		v, err := decodeBody(typ, "application/json", body)
		if err != nil {
			var p *problem.Problem
			var mb *http.MaxBytesError
			switch {
			case errors.As(err, &mb):
			case !errors.As(err, &p):
				t.Fatalf("%s: error %T %v is not a problem", typ, err, err)
			case p.Status != http.StatusBadRequest || p.Code != problem.CodeInvalidArgument:
				t.Fatalf("%s: problem %d %s", typ, p.Status, p.Code)
			}
			return
		}
		if !json.Valid(bytes.TrimSpace(body)) {
			t.Fatalf("%s accepted %q, not one JSON value", typ, body)
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: re-encoding the accepted value: %v", typ, err)
		}
		if _, err := decodeBody(typ, "application/json", again); err != nil {
			t.Fatalf("%s accepted %q but not its re-encoding %q: %v", typ, body, again, err)
		}
	})
}

// TestWriteBodiesMediaType: a body that is not application/json is 415
// for every JSON write body, whatever it holds.
func TestWriteBodiesMediaType(t *testing.T) {
	for _, b := range bodyTypes {
		for _, ct := range []string{"", "text/plain", "application/xml", "application/json-seq", "multipart/form-data; boundary=x", "application/json; charset=;;="} {
			_, err := decodeBody(reflect.TypeOf(b), ct, []byte(`{}`))
			var p *problem.Problem
			if !errors.As(err, &p) || p.Status != http.StatusUnsupportedMediaType {
				t.Errorf("%T as %q: %v, want 415", b, ct, err)
			}
		}
	}
}

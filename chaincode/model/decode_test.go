package model_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/balance"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/rangeproof"
)

func bytesOf(n int) []byte { return make([]byte, n) }

func validOutput() model.Output {
	return model.Output{Holder: "supplier2", Commitment: bytesOf(32), Handle: bytesOf(32), HandleProof: bytesOf(elgamal.HandleProofSize),
		RangeProof: bytesOf(rangeproof.Size(64, 1)), HolderEnvelope: bytesOf(envelope.SealedSize), RegulatorEnvelope: bytesOf(envelope.SealedSize)}
}

func validSplitJSON(t testing.TB) string {
	req := model.SplitRequest{Inputs: []string{"t1"}, Outputs: []model.Output{validOutput(), validOutput()},
		BalanceProof: bytesOf(balance.ProofSize)}
	raw, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestDecodeSplitRequest(t *testing.T) {
	good := validSplitJSON(t)
	if _, err := model.Decode[model.SplitRequest](good); err != nil {
		t.Fatalf("valid request: %v", err)
	}
	nine := strings.Replace(good, `"outputs":[`, `"outputs":[`+strings.Repeat(mustJSON(t, validOutput())+",", 7), 1)
	for _, tc := range []struct{ name, raw string }{
		{"empty", ""},
		{"not JSON", "split please"},
		{"array", "[]"},
		{"unknown field", strings.Replace(good, `{"inputs"`, `{"amount":5,"inputs"`, 1)},
		{"trailing data", good + ` {}`},
		{"two values", good + good},
		{"bad base64", strings.Replace(good, `"balanceProof":"`, `"balanceProof":"!!`, 1)},
		{"wrong type", strings.Replace(good, `"inputs":["t1"]`, `"inputs":"t1"`, 1)},
		{"no inputs", strings.Replace(good, `"inputs":["t1"]`, `"inputs":[]`, 1)},
		{"nine inputs", strings.Replace(good, `"inputs":["t1"]`, `"inputs":["a","b","c","d","e","f","g","h","i"]`, 1)},
		{"nine outputs", nine},
		{"bad input ID", strings.Replace(good, `"inputs":["t1"]`, `"inputs":["t/1"]`, 1)},
		{"short balance proof", strings.Replace(good, `"balanceProof":"`, `"balanceProof":"AAAA`, 1)},
		{"oversized", `{"inputs":["` + strings.Repeat("a", model.MaxRequestBytes) + `"]}`},
		{"key in another case", strings.Replace(good, `{"inputs"`, `{"Inputs"`, 1)},
		{"nested key in another case", strings.Replace(good, `"holder":`, `"HOLDER":`, 1)},
		{"key given twice", strings.Replace(good, `{"inputs":["t1"]`, `{"inputs":["t0"],"inputs":["t1"]`, 1)},
		{"nested key given twice", strings.Replace(good, `"holder":"supplier2"`, `"holder":"supplier3","holder":"supplier2"`, 1)},
		{"null", "null"},
		{"key with an escape", strings.Replace(good, `{"inputs"`, `{"\u0069nputs"`, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.raw == good {
				t.Fatal("the case did not change the valid request")
			}
			_, err := model.Decode[model.SplitRequest](tc.raw)
			if !errors.Is(err, model.ErrInvalidArgument) {
				t.Fatalf("error %v, want INVALID_ARGUMENT", err)
			}
		})
	}
}

func mustJSON(t testing.TB, v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestValidateBounds(t *testing.T) {
	day := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		v    model.Validator
	}{
		{"issue with no invoices", &model.IssueRequest{Holder: "s", Bank: "b", Maturity: day}},
		{"issue maturity with nanoseconds", &model.IssueRequest{Holder: "s", Bank: "b", Maturity: day.Add(1)}},
		{"credit line of zero", &model.GrantCreditLineRequest{Core: "c", Expiry: day}},
		{"enterprise with an unknown role", &model.RegisterEnterpriseRequest{ID: "x", Name: "X", Role: "king", MSPID: "M", Certificate: []byte{1}, EncryptionKey: bytesOf(32)}},
		{"audit key on a bank", &model.RegisterEnterpriseRequest{ID: "x", Name: "X", Role: model.RoleBank, MSPID: "M", Certificate: []byte{1}, EncryptionKey: bytesOf(32), AuditKey: bytesOf(32)}},
		{"name with a newline", &model.RegisterEnterpriseRequest{ID: "x", Name: "X\nY", Role: model.RoleBank, MSPID: "M", Certificate: []byte{1}, EncryptionKey: bytesOf(32)}},
		{"legal ID with a space", &model.RegisterEnterpriseRequest{ID: "x", Name: "X", LegalID: "0192:915 600123", Role: model.RoleBank, MSPID: "M", Certificate: []byte{1}, EncryptionKey: bytesOf(32)}},
		{"legal ID too long", &model.RegisterEnterpriseRequest{ID: "x", Name: "X", LegalID: strings.Repeat("9", model.MaxLegalIDLength+1), Role: model.RoleBank, MSPID: "M", Certificate: []byte{1}, EncryptionKey: bytesOf(32)}},
		{"invoice ID in upper case", &model.InvoiceActionRequest{Invoice: strings.Repeat("A", 128)}},
		{"page too large", &model.PageRequest{Owner: "x", PageSize: model.MaxPageSize + 1}},
		{"approval without a reference", &model.ApproveFinancingRequest{Token: "t", AgreementHash: bytesOf(32)}},
		{"token ID too long", &model.TokenActionRequest{Token: strings.Repeat("t", model.MaxIDLength+1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.v.Validate(); !errors.Is(err, model.ErrInvalidArgument) {
				t.Fatalf("error %v, want INVALID_ARGUMENT", err)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	err := model.Errorf(model.CodeNotFound, "token %s", "t1")
	if !errors.Is(err, model.ErrNotFound) || errors.Is(err, model.ErrConflict) {
		t.Fatal("errors.Is does not match by code")
	}
	if model.CodeOf(errors.New("plain")) != model.CodeInternal {
		t.Fatal("untyped errors should be INTERNAL")
	}
	got := model.ParseError("chaincode response 500, " + err.Error())
	if got == nil || got.Code != model.CodeNotFound || got.Message != "token t1" {
		t.Fatalf("ParseError: %+v", got)
	}
	if model.ParseError("transaction timed out") != nil {
		t.Fatal("ParseError found a code in an untyped message")
	}
	// Every code survives Fabric's wrapping, the stable wire strings
	// included (the gateway maps them to HTTP statuses).
	for code, wire := range map[model.Code]string{
		model.CodeUnauthorized: "UNAUTHORIZED", model.CodeForbidden: "FORBIDDEN", model.CodeNotFound: "NOT_FOUND",
		model.CodeConflict: "CONFLICT", model.CodeInvalidProof: "INVALID_PROOF", model.CodeInvalidArgument: "INVALID_ARGUMENT",
		model.CodeInvalidState: "INVALID_STATE", model.CodeInvoiceMismatch: "INVOICE_MISMATCH", model.CodeInternal: "INTERNAL",
	} {
		if string(code) != wire {
			t.Errorf("code %q changed its wire form %q", code, wire)
		}
		msg := "endorsement failure: chaincode response 500, " + model.Errorf(code, "token %s is FORBIDDEN", "t9").Error()
		if got := model.ParseError(msg); got == nil || got.Code != code || got.Message != "token t9 is FORBIDDEN" {
			t.Errorf("ParseError(%q) = %+v", msg, got)
		}
	}
}

// Fuzz the decoders: no panic, and anything accepted re-encodes to a
// request that decodes to the same thing.
func fuzzDecode[T any, P interface {
	*T
	model.Validator
}](f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := model.Decode[T, P](raw)
		if err != nil {
			if !errors.Is(err, model.ErrInvalidArgument) {
				t.Fatalf("decode error %v is not INVALID_ARGUMENT", err)
			}
			return
		}
		again, err := model.Decode[T, P](mustJSON(t, v))
		if err != nil {
			t.Fatalf("re-encoded request refused: %v", err)
		}
		if mustJSON(t, again) != mustJSON(t, v) {
			t.Fatal("decode is not stable")
		}
	})
}

func FuzzDecodeSplitRequest(f *testing.F) {
	fuzzDecode[model.SplitRequest](f, validSplitJSON(f), `{"inputs":["a"],"outputs":[]}`, `{}`)
}

func validIssueRequest() model.IssueRequest {
	return model.IssueRequest{Holder: "s1", Bank: "b", Currency: "CNY", Invoices: []string{strings.Repeat("ab", 64)}, Maturity: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC),
		Commitment: bytesOf(32), Handle: bytesOf(32), HolderEnvelope: bytesOf(envelope.SealedSize), RegulatorEnvelope: bytesOf(envelope.SealedSize),
		IssuerEnvelope: bytesOf(envelope.SealedSize),
		RangeProofs:    [][]byte{bytesOf(rangeproof.Size(64, 1)), bytesOf(rangeproof.Size(64, 1)), bytesOf(rangeproof.Size(64, 1))},
		HandleProof:    bytesOf(elgamal.HandleProofSize)}
}

// TestIssuerEnvelopeRequired: an issue carries the amount's opening sealed
// to the issuer, exactly envelope.SealedSize bytes.
func TestIssuerEnvelopeRequired(t *testing.T) {
	req := validIssueRequest()
	if err := req.Validate(); err != nil {
		t.Fatalf("valid request: %v", err)
	}
	for _, n := range []int{0, envelope.SealedSize - 1, envelope.SealedSize + 1} {
		req := validIssueRequest()
		req.IssuerEnvelope = bytesOf(n)
		if err := req.Validate(); !errors.Is(err, model.ErrInvalidArgument) || !strings.Contains(err.Error(), "issuerEnvelope") {
			t.Errorf("issuer envelope of %d bytes: %v", n, err)
		}
	}
}

func FuzzDecodeIssueRequest(f *testing.F) {
	fuzzDecode[model.IssueRequest](f, mustJSON(f, validIssueRequest()), `{"maturity":"2026-13-01T00:00:00Z"}`)
}

func FuzzDecodeRegisterInvoiceRequest(f *testing.F) {
	req := model.RegisterInvoiceRequest{Fingerprint: bytesOf(64), Buyer: "core", DocumentHash: bytesOf(32), DueDate: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), Currency: "CNY",
		Commitment: bytesOf(32), Handle: bytesOf(32), RangeProof: bytesOf(rangeproof.Size(64, 1)), HandleProof: bytesOf(elgamal.HandleProofSize),
		BuyerEnvelope: bytesOf(envelope.SealedSize), RegulatorEnvelope: bytesOf(envelope.SealedSize)}
	fuzzDecode[model.RegisterInvoiceRequest](f, mustJSON(f, req))
}

func FuzzDecodeRegisterEnterpriseRequest(f *testing.F) {
	key := base64.StdEncoding.EncodeToString(bytesOf(32))
	fuzzDecode[model.RegisterEnterpriseRequest](f,
		`{"id":"x","name":"X","role":"bank","mspId":"BankAMSP","certificate":"AQ==","encryptionKey":"`+key+`"}`,
		`{"id":"x","name":"X","legalId":"0192:915600123","role":"supplier","mspId":"BankAMSP","certificate":"AQ==","encryptionKey":"`+key+`"}`,
		`{"id":"x","name":"X","legalId":"0192:915\u00a0600123","role":"supplier","mspId":"BankAMSP","certificate":"AQ==","encryptionKey":"`+key+`"}`)
}

func FuzzDecodeSmallRequests(f *testing.F) {
	fuzzDecode[model.TokenActionRequest](f, `{"token":"t1","reason":"x"}`)
}

func FuzzDecodeFileDisputeRequest(f *testing.F) {
	fuzzDecode[model.FileDisputeRequest](f, `{"token":"t1","reason":"ENVELOPE_WRONG_OPENING"}`, `{"token":"t1","reason":"ENVELOPE_UNDECRYPTABLE"}`,
		`{"token":"t1","reason":"envelope_wrong_opening"}`, `{"token":"t1"}`)
}

func FuzzDecodePageRequest(f *testing.F) {
	fuzzDecode[model.PageRequest](f, `{"owner":"core","pageSize":2,"bookmark":"\u0000tc.token\u0000"}`)
}

// BenchmarkDecodeSplitRequest is the strict decode of a 1-in/2-out split
// (JSON, key check, shape validation): the chaincode's own share of a
// split's endorsement before any proof is checked.
func BenchmarkDecodeSplitRequest(b *testing.B) {
	raw := validSplitJSON(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := model.Decode[model.SplitRequest](raw); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDecodeLimit: the one plaintext amount of the API, a credit line's
// limit, is a whole number in 1..2^64−1; anything else is refused, never
// wrapped or rounded.
func TestDecodeLimit(t *testing.T) {
	grant := func(limit string) string {
		return `{"core":"core","currency":"CNY","limit":` + limit + `,"expiry":"2027-01-01T00:00:00Z"}`
	}
	if r, err := model.Decode[model.GrantCreditLineRequest](grant("18446744073709551615")); err != nil || r.Limit != 1<<64-1 {
		t.Fatalf("limit 2^64−1: %+v %v", r, err)
	}
	for _, limit := range []string{"0", "-1", "18446744073709551616", "1e3", "1.5", `"100"`, "null", "-0"} {
		t.Run(limit, func(t *testing.T) {
			if _, err := model.Decode[model.GrantCreditLineRequest](grant(limit)); !errors.Is(err, model.ErrInvalidArgument) {
				t.Fatalf("limit %s: %v, want INVALID_ARGUMENT", limit, err)
			}
		})
	}
}

func FuzzDecodeGrantCreditLineRequest(f *testing.F) {
	fuzzDecode[model.GrantCreditLineRequest](f, `{"core":"core","currency":"CNY","limit":100,"expiry":"2027-01-01T00:00:00Z"}`,
		`{"core":"core","currency":"cny","limit":100,"expiry":"2027-01-01T00:00:00Z"}`, `{"core":"core","currency":"","limit":1}`)
}

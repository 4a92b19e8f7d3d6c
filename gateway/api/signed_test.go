package api_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/gateway/api"
	"github.com/tierchain/tierchain/zk/oprf"
)

// TestSignedDigestBindsEveryPart: changing any part of a signed request
// changes what is signed, and the parts cannot be shifted into each other.
func TestSignedDigestBindsEveryPart(t *testing.T) {
	base := api.SignedDigest("POST", "/v1/signed/oprf/evaluate", "carmaker", "1700000000", []byte(`{"blinded":"AA=="}`))
	for name, d := range map[string][]byte{
		"method":     api.SignedDigest("GET", "/v1/signed/oprf/evaluate", "carmaker", "1700000000", []byte(`{"blinded":"AA=="}`)),
		"path":       api.SignedDigest("POST", "/v1/signed/reuse-attempts", "carmaker", "1700000000", []byte(`{"blinded":"AA=="}`)),
		"enterprise": api.SignedDigest("POST", "/v1/signed/oprf/evaluate", "carmakeR", "1700000000", []byte(`{"blinded":"AA=="}`)),
		"time":       api.SignedDigest("POST", "/v1/signed/oprf/evaluate", "carmaker", "1700000001", []byte(`{"blinded":"AA=="}`)),
		"body":       api.SignedDigest("POST", "/v1/signed/oprf/evaluate", "carmaker", "1700000000", []byte(`{"blinded":"AB=="}`)),
		"shifted":    api.SignedDigest("POST", "/v1/signed/oprf/evaluate", "carmaker1", "700000000", []byte(`{"blinded":"AA=="}`)),
	} {
		if string(d) == string(base) {
			t.Errorf("the %s is not bound", name)
		}
	}
}

// signedRequest is a well-formed signed OPRF request by a key the ledger
// does not know.
func signedRequest(t testing.TB, enterprise string, at time.Time, body string) *http.Request {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: enterprise},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	digest := api.SignedDigest(http.MethodPost, "/v1"+api.SignedOPRFPath, enterprise, ts, []byte(body))
	sig, err := ecdsa.SignASN1(rand.Reader, k, digest)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/v1"+api.SignedOPRFPath, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(api.HeaderEnterprise, enterprise)
	req.Header.Set(api.HeaderTimestamp, ts)
	req.Header.Set(api.HeaderCertificate, base64.StdEncoding.EncodeToString(der))
	req.Header.Set(api.HeaderSignature, base64.StdEncoding.EncodeToString(sig))
	return req
}

// TestSignedRequestChecks: a signed request is refused (401) when its
// time is off, its signature covers another body, or its enterprise ID is
// malformed, before the ledger is asked.
func TestSignedRequestChecks(t *testing.T) {
	key, err := oprf.GenerateServerKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	h := serverWith(t, api.Deps{OPRF: oprf.NewServer(key), Onboarding: true}, gateway.Config{}).Handler()
	body := `{"blinded":"` + base64.StdEncoding.EncodeToString(make([]byte, 32)) + `"}`
	for name, req := range map[string]*http.Request{
		"stale":  signedRequest(t, "carmaker", time.Now().Add(-10*time.Minute), body),
		"future": signedRequest(t, "carmaker", time.Now().Add(10*time.Minute), body),
		"bad ID": signedRequest(t, "car maker", time.Now(), body),
		"other body": func() *http.Request {
			r := signedRequest(t, "carmaker", time.Now(), body)
			r.Body = http.NoBody
			return r
		}(),
		"no signature": func() *http.Request {
			r := signedRequest(t, "carmaker", time.Now(), body)
			r.Header.Del(api.HeaderSignature)
			return r
		}(),
		"not base64": func() *http.Request {
			r := signedRequest(t, "carmaker", time.Now(), body)
			r.Header.Set(api.HeaderCertificate, "!!")
			return r
		}(),
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "UNAUTHENTICATED") {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
}

// FuzzSignedHeaders: no headers and body make the signed route panic or
// answer anything but a 4xx problem (the ledger is never reached without
// a valid signature).
func FuzzSignedHeaders(f *testing.F) {
	key, err := oprf.GenerateServerKey(nil)
	if err != nil {
		f.Fatal(err)
	}
	h := serverWith(f, api.Deps{OPRF: oprf.NewServer(key), Onboarding: true}, gateway.Config{}).Handler()
	sum := sha256.Sum256([]byte("x"))
	f.Add("carmaker", strconv.FormatInt(time.Now().Unix(), 10), base64.StdEncoding.EncodeToString(sum[:]), "MEUCIQ==", []byte(`{"blinded":"AA=="}`))
	f.Add("", "", "", "", []byte(nil))
	f.Fuzz(func(t *testing.T, enterprise, ts, cert, sig string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/v1"+api.SignedOPRFPath, strings.NewReader(string(body)))
		for k, v := range map[string]string{api.HeaderEnterprise: enterprise, api.HeaderTimestamp: ts,
			api.HeaderCertificate: cert, api.HeaderSignature: sig} {
			if strings.ContainsAny(v, "\r\n\x00") {
				return // not a header a client can send
			}
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code < 400 || rec.Code >= 500 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
}

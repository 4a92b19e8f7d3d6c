package api

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/zk/oprf"
)

// TestSignedRequestServedOnce: a request is served once within its
// window, however its signature is re-encoded (ECDSA's (r, n−s)); a fresh
// signature of the same request (a retry) is new; a key leaves the memory
// when its window ends; a full memory refuses with 503 rather than
// forgetting a request still in its window.
func TestSignedRequestServedOnce(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	digest := SignedDigest(http.MethodGet, "/v1"+SignedReusePath, "regulator", "1800000000", nil)
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest)
	if err != nil {
		t.Fatal(err)
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(sig, &rs); err != nil {
		t.Fatal(err)
	}
	malleated, err := asn1.Marshal(struct{ R, S *big.Int }{rs.R, new(big.Int).Sub(elliptic.P256().Params().N, rs.S)})
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(&key.PublicKey, digest, malleated) {
		t.Fatal("the malleated signature does not verify: the test proves nothing")
	}
	retry, err := ecdsa.SignASN1(rand.Reader, key, digest)
	if err != nil {
		t.Fatal(err)
	}

	now := time.Unix(1_800_000_000, 0)
	expiry := now.Add(SignedSkew)
	var g seenSigned
	if err := g.first(replayKey(digest, sig), expiry, now); err != nil {
		t.Fatalf("first: %v", err)
	}
	for name, s := range map[string][]byte{"replay": sig, "malleated": malleated} {
		err := g.first(replayKey(digest, s), expiry, now.Add(time.Minute))
		var p *problem.Problem
		if !errors.As(err, &p) || p.Status != http.StatusUnauthorized {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if err := g.first(replayKey(digest, retry), expiry, now.Add(time.Minute)); err != nil {
		t.Fatalf("a fresh signature of the same request: %v", err)
	}
	// Past the window the timestamp check refuses it anyway; the memory
	// may take the key again.
	if err := g.first(replayKey(digest, sig), expiry.Add(time.Minute), expiry); err != nil {
		t.Fatalf("after the window: %v", err)
	}

	var full seenSigned
	for i := range maxSeenSigned {
		var k [32]byte
		big.NewInt(int64(i)).FillBytes(k[:])
		if err := full.first(k, expiry, now); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	var p *problem.Problem
	if err := full.first(replayKey(digest, retry), expiry, now); !errors.As(err, &p) || p.Status != http.StatusServiceUnavailable {
		t.Fatalf("full memory: %v", err)
	}
	if err := full.first(replayKey(digest, retry), expiry.Add(time.Minute), expiry); err != nil {
		t.Fatalf("after the window the memory is pruned: %v", err)
	}
	if len(full.m) != 1 {
		t.Fatalf("%d entries after pruning, want 1", len(full.m))
	}
}

// TestSignedOPRFRoles: the operator's signed OPRF evaluation serves a core
// enterprise (it confirms invoices) and a bank (it checks the invoice
// numbers a financing request discloses) and refuses a supplier and the
// regulator with 403 FORBIDDEN, each signed by the certificate the ledger
// registered for it. A suspended bank is refused too (401).
func TestSignedOPRFRoles(t *testing.T) {
	gin.SetMode(gin.TestMode)
	key, err := oprf.GenerateServerKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, blinded, err := oprf.NewClient(key.Public()).Blind([]byte("tierchain/invoice-fingerprint/v2 test"), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(OPRFRequest{Blinded: blinded})
	if err != nil {
		t.Fatal(err)
	}
	a := New(Deps{OPRF: oprf.NewServer(key), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ledger := map[string]model.Enterprise{}
	a.enterpriseOf = func(_ context.Context, id string) (model.Enterprise, error) {
		e, ok := ledger[id]
		if !ok {
			return model.Enterprise{}, problem.New(http.StatusNotFound, problem.CodeNotFound, "no enterprise "+id)
		}
		return e, nil
	}
	for _, c := range []struct {
		id     string
		role   model.Role
		status model.EnterpriseStatus
		want   int
	}{
		{"carmaker", model.RoleCore, model.EnterpriseActive, http.StatusOK},
		{"bankB", model.RoleBank, model.EnterpriseActive, http.StatusOK},
		{"tier1", model.RoleSupplier, model.EnterpriseActive, http.StatusForbidden},
		{"regulator", model.RoleRegulator, model.EnterpriseActive, http.StatusForbidden},
		{"bankC", model.RoleBank, model.EnterpriseSuspended, http.StatusUnauthorized},
	} {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: c.id},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(der)
		ledger[c.id] = model.Enterprise{ID: c.id, Role: c.role, Status: c.status, CertHash: hex.EncodeToString(sum[:])}
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		sig, err := ecdsa.SignASN1(rand.Reader, k, SignedDigest(http.MethodPost, "/v1"+SignedOPRFPath, c.id, ts, body))
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/v1"+SignedOPRFPath, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(HeaderEnterprise, c.id)
		req.Header.Set(HeaderTimestamp, ts)
		req.Header.Set(HeaderCertificate, base64.StdEncoding.EncodeToString(der))
		req.Header.Set(HeaderSignature, base64.StdEncoding.EncodeToString(sig))
		rec := httptest.NewRecorder()
		gc, _ := gin.CreateTestContext(rec)
		gc.Request = req
		err = a.oprfEvaluateSigned(gc)
		if c.want == http.StatusOK {
			var out OPRFResponse
			if err != nil || rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil || len(out.Evaluation) == 0 {
				t.Errorf("%s (%s): %v, %d %s", c.id, c.role, err, rec.Code, rec.Body)
			}
			continue
		}
		var p *problem.Problem
		if !errors.As(err, &p) || p.Status != c.want || rec.Body.Len() != 0 {
			t.Errorf("%s (%s, %s): %v, want %d and no evaluation", c.id, c.role, c.status, err, c.want)
		}
	}
}

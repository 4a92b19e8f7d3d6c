package api

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/problem"
)

// Signed OPRF evaluation: another organisation's gateway (a core's, which
// fingerprints the invoices it confirms) asks the operator's gateway to
// evaluate a blinded element. It has no API token there (tokens act for
// the enterprises a gateway hosts); it signs the request with its
// enterprise's ledger identity instead, and the operator checks the
// signature against the certificate the ledger registered for that
// enterprise. Only certificates and public keys travel; the evaluation is
// rate-limited per enterprise like a hosted supplier's.
const (
	SignedOPRFPath = "/oprf/evaluate-signed"
	// The headers of a signed request.
	HeaderEnterprise  = "TierChain-Enterprise"  // the enterprise ID
	HeaderTimestamp   = "TierChain-Timestamp"   // Unix seconds
	HeaderCertificate = "TierChain-Certificate" // base64 DER of the enterprise's certificate
	HeaderSignature   = "TierChain-Signature"   // base64 ASN.1 ECDSA over SignedOPRFDigest
	// SignedOPRFSkew is how far a signed request's timestamp may be from
	// the operator's clock.
	SignedOPRFSkew = 5 * time.Minute
)

// SignedOPRFDigest is what a signed OPRF request's signature covers: a
// domain label, the enterprise, the timestamp and the body.
func SignedOPRFDigest(enterprise, timestamp string, body []byte) []byte {
	h := sha256.New()
	for _, part := range [][]byte{[]byte("tierchain/oprf-evaluate/v1"), []byte(enterprise), []byte(timestamp), body} {
		var n [8]byte
		for i := range n {
			n[i] = byte(uint64(len(part)) >> (56 - 8*i))
		}
		h.Write(n[:])
		h.Write(part)
	}
	return h.Sum(nil)
}

func unsigned(detail string) error {
	return problem.New(http.StatusUnauthorized, problem.CodeUnauthenticated, detail)
}

// oprfEvaluateSigned serves SignedOPRFPath.
func (a *API) oprfEvaluateSigned(c *gin.Context) error {
	ctx := c.Request.Context()
	id, ts := c.GetHeader(HeaderEnterprise), c.GetHeader(HeaderTimestamp)
	if model.ValidateID("enterprise", id) != nil {
		return unsigned("a signed OPRF request names its enterprise (" + HeaderEnterprise + ")")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return unsigned("a signed OPRF request carries its time (" + HeaderTimestamp + ", Unix seconds)")
	}
	if d := a.d.Now().Sub(time.Unix(sec, 0)); d > SignedOPRFSkew || d < -SignedOPRFSkew {
		return unsigned("the signed OPRF request's time is too far from the operator's clock")
	}
	der, err1 := base64.StdEncoding.DecodeString(c.GetHeader(HeaderCertificate))
	sig, err2 := base64.StdEncoding.DecodeString(c.GetHeader(HeaderSignature))
	if err1 != nil || err2 != nil || len(der) == 0 || len(sig) == 0 {
		return unsigned("a signed OPRF request carries its certificate and signature (base64)")
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return err // the body limit: a 413
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return unsigned("the certificate does not parse")
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !ecdsa.VerifyASN1(pub, SignedOPRFDigest(id, ts, body), sig) {
		return unsigned("the signature does not verify")
	}
	e, err := a.registered(ctx, id)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(der)
	if e.CertHash != hex.EncodeToString(sum[:]) || e.Status != model.EnterpriseActive {
		return unsigned("the certificate is not the one the ledger registered for an active enterprise of this ID")
	}
	if e.Role != model.RoleCore {
		return problem.New(http.StatusForbidden, problem.CodeForbidden, "signed OPRF evaluation is open to core enterprises (which confirm invoices)")
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	var req OPRFRequest
	if err := gateway.DecodeJSON(c, &req); err != nil {
		return err
	}
	return a.evaluateOPRF(c, id, req)
}

// registered reads an enterprise from the ledger as this gateway's own
// enterprise.
func (a *API) registered(ctx context.Context, id string) (model.Enterprise, error) {
	l, err := a.d.Directory.Client(ctx, a.d.Self)
	if err != nil {
		return model.Enterprise{}, err
	}
	var e model.Enterprise
	if err := evaluateWith(ctx, l, &e, "GetEnterprise", id); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return model.Enterprise{}, unsigned("no enterprise of this ID on the ledger")
		}
		return model.Enterprise{}, err
	}
	return e, nil
}

package api

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/audit"
)

// Signed requests: a service one organisation's gateway offers the
// others' gateways (the operator's OPRF, which a core's gateway needs to
// confirm invoices; the operator's record of invoice reuse attempts, which
// the regulator's gateway reports). The calling gateway has no API token
// there (tokens act for the enterprises a gateway hosts); it signs the
// request with its enterprise's ledger identity instead, and the serving
// gateway checks the signature against the certificate the ledger
// registered for that enterprise, and the enterprise's role. Only
// certificates and public keys travel.
const (
	SignedOPRFPath  = "/signed/oprf/evaluate"  // POST, core enterprises and banks
	SignedReusePath = "/signed/reuse-attempts" // GET, the regulator
	// The headers of a signed request.
	HeaderEnterprise  = "TierChain-Enterprise"  // the enterprise ID
	HeaderTimestamp   = "TierChain-Timestamp"   // Unix seconds
	HeaderCertificate = "TierChain-Certificate" // base64 DER of the enterprise's certificate
	HeaderSignature   = "TierChain-Signature"   // base64 ASN.1 ECDSA (SHA-256) over SignedDigest
	// SignedSkew is how far a signed request's timestamp may be from the
	// serving gateway's clock.
	SignedSkew = 5 * time.Minute
)

// SignedDigest is what a signed request's signature covers: a domain
// label, the method and path (from /v1 on), the enterprise, the timestamp
// and the body, each length-prefixed.
func SignedDigest(method, path, enterprise, timestamp string, body []byte) []byte {
	h := sha256.New()
	for _, part := range [][]byte{[]byte("tierchain/signed-request/v1"), []byte(method), []byte(path), []byte(enterprise), []byte(timestamp), body} {
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

// signedCaller authenticates a signed request and returns its
// enterprise (registered, active, of one of roles) and its body.
func (a *API) signedCaller(c *gin.Context, roles ...model.Role) (model.Enterprise, []byte, error) {
	ctx := c.Request.Context()
	id, ts := c.GetHeader(HeaderEnterprise), c.GetHeader(HeaderTimestamp)
	if model.ValidateID("enterprise", id) != nil {
		return model.Enterprise{}, nil, unsigned("a signed request names its enterprise (" + HeaderEnterprise + ")")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return model.Enterprise{}, nil, unsigned("a signed request carries its time (" + HeaderTimestamp + ", Unix seconds)")
	}
	if d := a.d.Now().Sub(time.Unix(sec, 0)); d > SignedSkew || d < -SignedSkew {
		return model.Enterprise{}, nil, unsigned("the signed request's time is too far from this gateway's clock")
	}
	der, err1 := base64.StdEncoding.DecodeString(c.GetHeader(HeaderCertificate))
	sig, err2 := base64.StdEncoding.DecodeString(c.GetHeader(HeaderSignature))
	if err1 != nil || err2 != nil || len(der) == 0 || len(sig) == 0 {
		return model.Enterprise{}, nil, unsigned("a signed request carries its certificate and signature (base64)")
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return model.Enterprise{}, nil, err // the body limit: a 413
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return model.Enterprise{}, nil, unsigned("the certificate does not parse")
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !ecdsa.VerifyASN1(pub, SignedDigest(c.Request.Method, c.Request.URL.Path, id, ts, body), sig) {
		return model.Enterprise{}, nil, unsigned("the signature does not verify")
	}
	lookup := a.registered
	if a.enterpriseOf != nil {
		lookup = a.enterpriseOf
	}
	e, err := lookup(ctx, id)
	if err != nil {
		return model.Enterprise{}, nil, err
	}
	sum := sha256.Sum256(der)
	if e.CertHash != hex.EncodeToString(sum[:]) || e.Status != model.EnterpriseActive {
		return model.Enterprise{}, nil, unsigned("the certificate is not the one the ledger registered for an active enterprise of this ID")
	}
	if !slices.Contains(roles, e.Role) {
		return model.Enterprise{}, nil, problem.New(http.StatusForbidden, problem.CodeForbidden, "this signed request is not open to the "+string(e.Role)+" role")
	}
	if err := a.signedSeen.first(replayKey(SignedDigest(c.Request.Method, c.Request.URL.Path, id, ts, body), sig),
		time.Unix(sec, 0).Add(SignedSkew), a.d.Now()); err != nil {
		return model.Enterprise{}, nil, err
	}
	return e, body, nil
}

// A signed request is served once. Its signature stays valid for
// SignedSkew either side of its timestamp, so a copy seen on the wire
// could be sent again in that window (another OPRF evaluation counted
// against the core, another read of the reuse log); the gateway remembers
// each request it served until its timestamp leaves the window. The key
// is the digest and the signature's r: ECDSA signatures are malleable in
// s (r, n−s verifies too), but r comes from the signer's secret nonce, so
// a fresh signature of the same request (a legitimate retry) has a new r
// and a replayed one cannot get one. Only requests that passed every
// check (a registered, active enterprise's certificate and signature) are
// remembered, so strangers cannot fill the memory; a gateway restart
// forgets it (the window is five minutes).
const maxSeenSigned = 1 << 16

type seenSigned struct {
	mu sync.Mutex
	m  map[[32]byte]time.Time // key → when it leaves the window
}

// replayKey is SHA-256 over the digest and the signature's r (the whole
// signature when it does not parse, which VerifyASN1 already refused).
func replayKey(digest, sig []byte) [32]byte {
	var parsed struct{ R, S *big.Int }
	r := sig
	if rest, err := asn1.Unmarshal(sig, &parsed); err == nil && len(rest) == 0 && parsed.R != nil {
		r = parsed.R.Bytes()
	}
	h := sha256.New()
	h.Write([]byte("tierchain/signed-request/seen/v1"))
	h.Write(digest)
	h.Write(r)
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// first records key until expiry and reports whether it is new: a replay
// is a 401, a memory full of requests still in their window a 503.
func (g *seenSigned) first(key [32]byte, expiry, now time.Time) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil {
		g.m = make(map[[32]byte]time.Time)
	}
	if until, ok := g.m[key]; ok && now.Before(until) {
		return unsigned("this signed request was served already (a replay); sign the request again")
	}
	if len(g.m) >= maxSeenSigned {
		for k, until := range g.m {
			if !now.Before(until) {
				delete(g.m, k)
			}
		}
		if len(g.m) >= maxSeenSigned {
			return problem.New(http.StatusServiceUnavailable, problem.CodeUnavailable, "too many signed requests in the last minutes; retry later")
		}
	}
	g.m[key] = expiry
	return nil
}

// oprfEvaluateSigned serves SignedOPRFPath: core enterprises, whose
// gateways fingerprint the invoices they confirm, and banks, whose
// gateways check the invoice numbers a financing request discloses.
func (a *API) oprfEvaluateSigned(c *gin.Context) error {
	e, body, err := a.signedCaller(c, model.RoleCore, model.RoleBank)
	if err != nil {
		return err
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	var req OPRFRequest
	if err := gateway.DecodeJSON(c, &req); err != nil {
		return err
	}
	return a.evaluateOPRF(c, e.ID, req)
}

// reuseAttemptsSigned serves SignedReusePath: the regulator, whose
// gateway reports the attempts the operator's intake refused.
func (a *API) reuseAttemptsSigned(c *gin.Context) error {
	if _, _, err := a.signedCaller(c, model.RoleRegulator); err != nil {
		return err
	}
	if a.d.Reuse == nil {
		return errors.New("api: no reuse log")
	}
	list, err := ReuseSource{Log: a.d.Reuse}.ReuseAttempts(c.Request.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []audit.ReuseAttempt{}
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
	return nil
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

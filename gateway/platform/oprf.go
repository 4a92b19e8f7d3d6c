package platform

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/gateway/api"
	"github.com/tierchain/tierchain/internal/enterprisecard"
	"github.com/tierchain/tierchain/internal/fabricca"
	"github.com/tierchain/tierchain/internal/orgconfig"
	"github.com/tierchain/tierchain/zk/oprf"
)

// SignedOPRF is the operator's OPRF as another organisation's gateway
// reaches it over HTTP (invoice.Evaluator): each request is signed with
// the gateway's founding enterprise's ledger identity, which the
// operator's gateway checks against the ledger (api.SignedOPRFPath).
type SignedOPRF struct {
	URL        string // the operator's gateway, e.g. "http://127.0.0.1:8080"
	Org        string // the operator's organisation, sent as TierChain-Org when set
	Enterprise string
	CertDER    []byte
	Key        crypto.Signer
	HTTP       *http.Client
	Now        func() time.Time
}

// ErrOPRF reports an evaluation the operator's gateway refused or that did
// not arrive.
var ErrOPRF = errors.New("platform: the operator's OPRF")

// Evaluate implements invoice.Evaluator.
func (s *SignedOPRF) Evaluate(ctx context.Context, blinded []byte) ([]byte, error) {
	body, err := json.Marshal(api.OPRFRequest{Blinded: blinded})
	if err != nil {
		return nil, err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	digest := api.SignedOPRFDigest(s.Enterprise, ts, body)
	sig, err := s.Key.Sign(rand.Reader, digest, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(s.URL, "/")+"/v1"+api.SignedOPRFPath, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(api.HeaderEnterprise, s.Enterprise)
	req.Header.Set(api.HeaderTimestamp, ts)
	req.Header.Set(api.HeaderCertificate, base64.StdEncoding.EncodeToString(s.CertDER))
	req.Header.Set(api.HeaderSignature, base64.StdEncoding.EncodeToString(sig))
	if s.Org != "" {
		req.Header.Set(gateway.OrgHeader, s.Org)
	}
	hc := s.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOPRF, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOPRF, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s: %s", ErrOPRF, resp.Status, bytes.TrimSpace(b))
	}
	var out api.OPRFResponse
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOPRF, err)
	}
	return out.Evaluation, nil
}

// signedOPRF is the OPRF a description names for a gateway other than the
// operator's: the operator's public key from its card, and evaluation
// signed as the founding enterprise.
func signedOPRF(d orgconfig.Description) (OPRF, error) {
	card, err := enterprisecard.Load(d.OPRF.OperatorCardPath)
	if err != nil {
		return OPRF{}, err
	}
	pub, err := oprf.DecodeServerPublicKey(card.OPRFKey)
	if err != nil {
		return OPRF{}, fmt.Errorf("platform: the operator's OPRF key: %w", err)
	}
	id, err := d.Org.Identity(d.Org.Enterprise.Identity)
	if err != nil {
		return OPRF{}, err
	}
	certPEM, keyPEM, err := id.Read()
	if err != nil {
		return OPRF{}, err
	}
	blk, _ := pem.Decode(certPEM)
	if blk == nil {
		return OPRF{}, fmt.Errorf("platform: %s is not PEM", id.CertPath)
	}
	key, err := fabricca.ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		return OPRF{}, err
	}
	return OPRF{PublicKey: pub, Evaluator: &SignedOPRF{URL: d.OPRF.URL, Enterprise: d.Org.Enterprise.ID, CertDER: blk.Bytes, Key: key}}, nil
}

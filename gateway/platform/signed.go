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

	"github.com/tierchain/tierchain/gateway/api"
	"github.com/tierchain/tierchain/internal/enterprisecard"
	"github.com/tierchain/tierchain/internal/fabricca"
	"github.com/tierchain/tierchain/internal/orgconfig"
	"github.com/tierchain/tierchain/services/audit"
	"github.com/tierchain/tierchain/zk/oprf"
)

// SignedClient calls the services another organisation's gateway offers
// the others (api.SignedOPRFPath, api.SignedReusePath), signing each
// request with this gateway's founding enterprise's ledger identity; the
// serving gateway checks it against the ledger.
type SignedClient struct {
	URL        string // the serving gateway, e.g. "http://127.0.0.1:8080"
	Enterprise string
	CertDER    []byte
	Key        crypto.Signer
	HTTP       *http.Client
	Now        func() time.Time
}

// ErrSigned reports a signed request the serving gateway refused or that
// got no answer.
var ErrSigned = errors.New("platform: signed request to another organisation's gateway")

// Do sends a signed request to path (under /v1) and decodes the JSON
// answer into out.
func (s *SignedClient) Do(ctx context.Context, method, path string, body []byte, out any) error {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	sig, err := s.Key.Sign(rand.Reader, api.SignedDigest(method, "/v1"+path, s.Enterprise, ts, body), crypto.SHA256)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(s.URL, "/")+"/v1"+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set(api.HeaderEnterprise, s.Enterprise)
	req.Header.Set(api.HeaderTimestamp, ts)
	req.Header.Set(api.HeaderCertificate, base64.StdEncoding.EncodeToString(s.CertDER))
	req.Header.Set(api.HeaderSignature, base64.StdEncoding.EncodeToString(sig))
	hc := s.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSigned, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSigned, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %s %s: %s", ErrSigned, method, path, bytes.TrimSpace(b))
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%w: %w", ErrSigned, err)
	}
	return nil
}

// SignedOPRF is the operator's OPRF as another organisation's gateway
// reaches it (invoice.Evaluator).
type SignedOPRF struct{ Client *SignedClient }

// Evaluate implements invoice.Evaluator.
func (s SignedOPRF) Evaluate(ctx context.Context, blinded []byte) ([]byte, error) {
	body, err := json.Marshal(api.OPRFRequest{Blinded: blinded})
	if err != nil {
		return nil, err
	}
	var out api.OPRFResponse
	if err := s.Client.Do(ctx, http.MethodPost, api.SignedOPRFPath, body, &out); err != nil {
		return nil, err
	}
	return out.Evaluation, nil
}

// SignedReuse is the operator's record of refused invoice uploads as the
// regulator's gateway reads it (audit.ReuseSource).
type SignedReuse struct{ Client *SignedClient }

// ReuseAttempts implements audit.ReuseSource.
func (s SignedReuse) ReuseAttempts(ctx context.Context) ([]audit.ReuseAttempt, error) {
	var out struct {
		Items []audit.ReuseAttempt `json:"items"`
	}
	if err := s.Client.Do(ctx, http.MethodGet, api.SignedReusePath, nil, &out); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// signedClient reaches the operator's gateway the description names,
// signing as the founding enterprise.
func signedClient(d orgconfig.Description) (*SignedClient, error) {
	return NewSignedClient(d, d.Operator.URL)
}

// NewSignedClient signs as the founding enterprise of the organisation d
// describes, with its identity's key, to the gateway at url.
func NewSignedClient(d orgconfig.Description, url string) (*SignedClient, error) {
	id, err := d.Org.Identity(d.Org.Enterprise.Identity)
	if err != nil {
		return nil, err
	}
	certPEM, keyPEM, err := id.Read()
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(certPEM)
	if blk == nil {
		return nil, fmt.Errorf("platform: %s is not PEM", id.CertPath)
	}
	key, err := fabricca.ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		return nil, err
	}
	return &SignedClient{URL: url, Enterprise: d.Org.Enterprise.ID, CertDER: blk.Bytes, Key: key}, nil
}

// operatorOPRF is the operator's OPRF for a gateway that is not the
// operator's: its public key from the operator's card, evaluation over
// signed requests.
func operatorOPRF(d orgconfig.Description, c *SignedClient) (OPRF, error) {
	card, err := enterprisecard.Load(d.Operator.CardPath)
	if err != nil {
		return OPRF{}, err
	}
	pub, err := oprf.DecodeServerPublicKey(card.OPRFKey)
	if err != nil {
		return OPRF{}, fmt.Errorf("platform: the operator's OPRF key: %w", err)
	}
	return OPRF{PublicKey: pub, Evaluator: SignedOPRF{Client: c}}, nil
}

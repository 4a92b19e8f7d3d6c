package selfcustody

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/internal/keyseal"
	"github.com/tierchain/tierchain/internal/relay"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/wallet"
)

// ErrNotOnboarded: the device's keys are not registered yet.
var ErrNotOnboarded = errors.New("selfcustody: not onboarded yet (no certificate in the key file)")

// Device is an enterprise's own wallet: keys from its key file, openings
// in a local database (DeviceDB beside the key file) rebuilt from the
// chain at will, and the relay to its gateway.
type Device struct {
	Keys   Keys
	Path   string // the key file
	Wallet *wallet.Wallet
	Relay  *relay.Client
	db     *store.DB
}

// DeviceDB is the local wallet's file name, beside the key file.
const DeviceDB = "wallet.db"

// Options tune a Device.
type Options struct {
	HTTP    *http.Client
	Context protocol.Context // default channel "scf", chaincode "tierchain"
	// Trace sees every request body sent to the gateway.
	Trace func(path string, body []byte)
}

// Open loads the key file at path with passphrase and opens the local
// wallet beside it. Its master key is derived from the device's keys, so
// the wallet's records are as safe as the key file.
func Open(ctx context.Context, path, passphrase string, o Options) (*Device, error) {
	k, err := Load(path, passphrase)
	if err != nil {
		return nil, err
	}
	return open(ctx, path, k, o)
}

func open(ctx context.Context, path string, k Keys, o Options) (*Device, error) {
	if o.Context.Channel == "" {
		o.Context.Channel = "scf"
	}
	if o.Context.Chaincode == "" {
		o.Context.Chaincode = "tierchain"
	}
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(filepath.Dir(path), DeviceDB))
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.Signing)
	if err != nil {
		db.Close()
		return nil, err
	}
	master, err := hkdf.Key(sha256.New, append(der, k.Encryption.Bytes()...), nil, "tierchain/device-wallet/v1", 32)
	if err != nil {
		db.Close()
		return nil, err
	}
	w, err := wallet.New(ctx, db, master, wallet.Config{Context: o.Context})
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := w.ImportKey(ctx, k.EnterpriseID, k.Encryption); err != nil {
		db.Close()
		return nil, err
	}
	d := &Device{Keys: k, Path: path, Wallet: w, db: db}
	d.Relay = &relay.Client{Base: k.Gateway, Token: k.APIToken, Transport: relay.HTTPTransport(o.HTTP), Self: relay.Creator{MSPID: k.MSPID, CertPEM: k.CertPEM},
		Key: k.Signing, Trace: o.Trace}
	return d, nil
}

// Close closes the local wallet.
func (d *Device) Close() error { return d.db.Close() }

// Create makes new keys for enterpriseID in a new key file at path.
func Create(path, passphrase, enterpriseID, gateway string) (Keys, error) {
	if err := model.ValidateID("enterprise", enterpriseID); err != nil {
		return Keys{}, err
	}
	k, err := NewKeys(enterpriseID, gateway)
	if err != nil {
		return Keys{}, err
	}
	return k, Save(path, passphrase, k, true)
}

// OnboardRequest is the request the operator sends (relay.OnboardRequest).
type OnboardRequest = relay.OnboardRequest

// NewOnboardRequest builds k's onboarding request for the operator.
func NewOnboardRequest(k Keys, name, legalID string) (OnboardRequest, error) {
	return relay.NewOnboardRequest(k.EnterpriseID, name, legalID, k.Signing, k.Encryption.Public().Bytes())
}

// OnboardResponse is the operator's answer.
type OnboardResponse struct {
	Enterprise  model.Enterprise `json:"enterprise"`
	MSPID       string           `json:"mspId"`
	Certificate string           `json:"certificate"`
	APIToken    string           `json:"apiToken"`
}

// Onboard sends the onboarding request with the operator's token (the
// operator's KYC step) and records the certificate and token in the key
// file.
func Onboard(ctx context.Context, path, passphrase, operatorToken, name, legalID string, hc *http.Client) (OnboardResponse, error) {
	k, err := Load(path, passphrase)
	if err != nil {
		return OnboardResponse{}, err
	}
	req, err := NewOnboardRequest(k, name, legalID)
	if err != nil {
		return OnboardResponse{}, err
	}
	op := &relay.Client{Base: k.Gateway, Token: operatorToken, Transport: relay.HTTPTransport(hc)}
	var resp OnboardResponse
	if err := op.Do(ctx, http.MethodPost, "/v1/custody/enterprises", req, &resp); err != nil {
		return OnboardResponse{}, err
	}
	return resp, Accept(path, passphrase, resp.MSPID, []byte(resp.Certificate), resp.APIToken)
}

// Accept records the certificate and API token the operator returned in
// the key file; the certificate must be of the file's signing key.
func Accept(path, passphrase, mspID string, certPEM []byte, token string) error {
	k, err := Load(path, passphrase)
	if err != nil {
		return err
	}
	if k, err = keyseal.WithIdentity(k, mspID, certPEM, token); err != nil {
		return err
	}
	return Save(path, passphrase, k, false)
}

func (d *Device) onboarded() error {
	if len(d.Keys.CertPEM) == 0 || d.Keys.APIToken == "" {
		return ErrNotOnboarded
	}
	return nil
}

// Sync rebuilds the openings of what the ledger lists for the enterprise.
func (d *Device) Sync(ctx context.Context) (*wallet.SyncReport, error) {
	if err := d.onboarded(); err != nil {
		return nil, err
	}
	return d.Wallet.Sync(ctx, d.Keys.EnterpriseID, d.Relay)
}

// Holdings lists the tokens held as of the last Sync, with their values.
func (d *Device) Holdings(ctx context.Context) ([]wallet.Holding, error) {
	return d.Wallet.Holdings(ctx, d.Keys.EnterpriseID)
}

// Output is one piece of a split: an amount in minor units to an
// enterprise.
type Output struct {
	To     string `json:"to"`
	Amount uint64 `json:"amount"`
}

// Written is a committed write.
type Written struct {
	TxID   string        `json:"txId"`
	Tokens []model.Token `json:"tokens"`
}

// ensureOpening opens a token received since the last Sync.
func (d *Device) ensureOpening(ctx context.Context, tokenID string) error {
	if _, err := d.Wallet.TokenOpening(ctx, d.Keys.EnterpriseID, tokenID); err == nil {
		return nil
	}
	_, err := d.Wallet.ReceiveToken(ctx, d.Keys.EnterpriseID, d.Relay, tokenID)
	return err
}

// BuildSplit makes the split of tokenID into outputs (the change back to
// the enterprise), proofs and envelopes included, on the device.
func (d *Device) BuildSplit(ctx context.Context, tokenID string, outputs []Output) (*wallet.Spend, error) {
	if err := d.onboarded(); err != nil {
		return nil, err
	}
	dir := wallet.Directory{Ledger: d.Relay}
	aud, err := dir.Auditor(ctx)
	if err != nil {
		return nil, err
	}
	spec := wallet.SpendSpec{Holder: d.Keys.EnterpriseID, Inputs: []string{tokenID}, Auditor: aud}
	for _, o := range outputs {
		to, err := dir.Recipient(ctx, o.To)
		if err != nil {
			return nil, err
		}
		spec.Outputs = append(spec.Outputs, wallet.Payment{To: to, Amount: o.Amount})
	}
	if err := d.ensureOpening(ctx, tokenID); err != nil {
		return nil, err
	}
	return d.Wallet.BuildSpend(ctx, d.Relay, spec)
}

// Split pays outputs from tokenID, the change back to the enterprise: the
// proofs are made here, the gateway sees only the ledger's request.
func (d *Device) Split(ctx context.Context, tokenID string, outputs []Output) (Written, error) {
	sp, err := d.BuildSplit(ctx, tokenID, outputs)
	if err != nil {
		return Written{}, err
	}
	var toks []model.Token
	txID, err := d.submit(ctx, sp.Function, sp.Request, &toks)
	if err != nil {
		return Written{}, err
	}
	// Keep the change's opening at once.
	if _, err := d.Wallet.Receive(ctx, d.Keys.EnterpriseID, d.Relay, toks); err != nil {
		return Written{TxID: txID, Tokens: toks}, err
	}
	return Written{TxID: txID, Tokens: toks}, nil
}

// RequestFinancing asks bank to finance tokenID: the opening is sealed to
// the bank here.
func (d *Device) RequestFinancing(ctx context.Context, tokenID, bank string) (Written, error) {
	if err := d.onboarded(); err != nil {
		return Written{}, err
	}
	to, err := wallet.Directory{Ledger: d.Relay}.Recipient(ctx, bank)
	if err != nil {
		return Written{}, err
	}
	if err := d.ensureOpening(ctx, tokenID); err != nil {
		return Written{}, err
	}
	req, err := d.Wallet.BuildFinance(ctx, d.Relay, d.Keys.EnterpriseID, tokenID, to)
	if err != nil {
		return Written{}, err
	}
	var t model.Token
	txID, err := d.submit(ctx, "RequestFinancing", req, &t)
	if err != nil {
		return Written{}, err
	}
	return Written{TxID: txID, Tokens: []model.Token{t}}, nil
}

// submit signs fn(req as JSON) on the device, relays it, and decodes the
// committed result into out.
func (d *Device) submit(ctx context.Context, fn string, req, out any) (string, error) {
	arg, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	res, err := d.Relay.Submit(ctx, fn, string(arg))
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(res.Payload, out); err != nil {
		return res.TxID, fmt.Errorf("selfcustody: %s result: %w", fn, err)
	}
	return res.TxID, nil
}

package selfcustody

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"

	"github.com/tierchain/tierchain/internal/fabricca"
	"github.com/tierchain/tierchain/internal/relay"
	"github.com/tierchain/tierchain/zk/envelope"
)

// MoveToSelf takes a hosted enterprise into self-custody: it asks its
// gateway (with the enterprise's API token) for its keys, sealed to a
// one-time transport key made here, writes them to a new key file at path
// and returns them. The gateway deletes its copies in the same step and
// logs it; it keeps serving the enterprise as a relay.
func MoveToSelf(ctx context.Context, path, passphrase, gateway, token string, hc *http.Client) (Keys, error) {
	if _, err := os.Stat(path); err == nil {
		return Keys{}, fmt.Errorf("%w: %s", ErrExists, path)
	}
	pub, priv, err := relay.NewTransportKey()
	if err != nil {
		return Keys{}, err
	}
	c := &relay.Client{Base: gateway, Token: token, Transport: relay.HTTPTransport(hc)}
	var out struct {
		Enterprise string `json:"enterprise"`
		Sealed     []byte `json:"sealed"`
	}
	if err := c.Do(ctx, http.MethodPost, "/v1/custody/export", map[string]any{"transportKey": pub}, &out); err != nil {
		return Keys{}, err
	}
	ex, err := relay.OpenExport(priv, out.Enterprise, out.Sealed)
	if err != nil {
		return Keys{}, err
	}
	signer, err := fabricca.ParsePrivateKeyPEM([]byte(ex.SigningKeyPEM))
	if err != nil {
		return Keys{}, err
	}
	sk, ok := signer.(*ecdsa.PrivateKey)
	if !ok {
		return Keys{}, fmt.Errorf("selfcustody: exported signing key is not ECDSA")
	}
	ek, err := envelope.DecodePrivateKey(ex.EncryptionKey)
	if err != nil {
		return Keys{}, err
	}
	k := Keys{EnterpriseID: ex.EnterpriseID, Gateway: gateway, MSPID: ex.MSPID, CertPEM: []byte(ex.CertPEM), APIToken: token,
		Signing: sk, Encryption: ek}
	return k, Save(path, passphrase, k, true)
}

// MoveToHosted hands the device's keys back to its gateway, which holds
// them (sealed under its master key) and acts for the enterprise again.
func (d *Device) MoveToHosted(ctx context.Context) error {
	if err := d.onboarded(); err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(d.Keys.Signing)
	if err != nil {
		return err
	}
	body := map[string]any{
		"signingKey":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"encryptionKey": d.Keys.Encryption.Bytes(),
	}
	return d.Relay.Do(ctx, http.MethodPost, "/v1/custody/import", body, nil)
}

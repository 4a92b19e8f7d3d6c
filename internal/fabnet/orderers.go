package fabnet

import (
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/tierchain/tierchain/internal/fabricca"
)

// ErrOrdererIdentity reports an orderer identity that could not be issued
// from its owner's CAs.
var ErrOrdererIdentity = errors.New("fabnet: cannot issue an orderer identity")

// issueOrderer gives an orderer the identity its owning organisation's CAs
// issue: an MSP signing certificate with the "orderer" NodeOU from the
// organisation's CA, and a TLS server/client certificate from its TLS CA,
// each with a fresh key, under the owner's crypto folder. cryptogen issues
// a peer organisation's nodes as peers only, so the launcher issues these
// itself, as the organisation's CA operator would.
func issueOrderer(p paths, l Layout, o Orderer) error {
	org, ok := l.Org(o.Owner)
	if !ok {
		return fmt.Errorf("%w: %s's owner %q is no organisation", ErrOrdererIdentity, o.Name, o.Owner)
	}
	base := p.PeerOrg(org)
	node := p.OrdererNode(o)
	ca, err := loadCA(filepath.Join(base, "ca"), "ca."+org.Domain+"-cert.pem")
	if err != nil {
		return err
	}
	tlsCA, err := loadCA(filepath.Join(base, "tlsca"), "tlsca."+org.Domain+"-cert.pem")
	if err != nil {
		return err
	}
	now := time.Now()
	sign, err := ca.IssueNode(o.Host, "orderer", now, ca.Certificate().NotAfter, nil)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrOrdererIdentity, o.Name, err)
	}
	tls, err := tlsCA.IssueTLS(o.Host, ordererSANs(l, o), now, tlsCA.Certificate().NotAfter, nil)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrOrdererIdentity, o.Name, err)
	}
	msp := filepath.Join(node, "msp")
	// The organisation's NodeOU config and CA certificates, as in its peer's MSP.
	if err := copyPublicTree(filepath.Join(base, "msp"), msp); err != nil {
		return err
	}
	files := map[string][]byte{
		filepath.Join(msp, "signcerts", o.Host+"-cert.pem"): sign.CertPEM,
		filepath.Join(msp, "keystore", "priv_sk"):           sign.KeyPEM,
		filepath.Join(node, "tls", "server.crt"):            tls.CertPEM,
		filepath.Join(node, "tls", "server.key"):            tls.KeyPEM,
		filepath.Join(node, "tls", "ca.crt"):                pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsCA.Certificate().Raw}),
	}
	for path, b := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if filepath.Base(path) == "priv_sk" || filepath.Ext(path) == ".key" {
			mode = 0o600
		}
		if err := os.WriteFile(path, b, mode); err != nil {
			return err
		}
	}
	return nil
}

// ordererSANs are the names and addresses an orderer's TLS certificate is
// valid for: its own name, its owner's Host, and the loopback names.
func ordererSANs(l Layout, o Orderer) []string {
	var sans []string
	for _, h := range []string{o.Host, o.Name, "localhost", loopback, l.ownerHost(o), l.OrdererHost(o)} {
		if h != "" && !slices.Contains(sans, h) {
			sans = append(sans, h)
		}
	}
	return sans
}

// loadCA reads a cryptogen CA folder: its certificate and its key (priv_sk).
func loadCA(dir, certName string) (*fabricca.CA, error) {
	cert, err := os.ReadFile(filepath.Join(dir, certName))
	if err != nil {
		return nil, err
	}
	key, err := os.ReadFile(filepath.Join(dir, "priv_sk"))
	if err != nil {
		return nil, err
	}
	ca, err := fabricca.Load(cert, key)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrOrdererIdentity, dir, err)
	}
	return ca, nil
}

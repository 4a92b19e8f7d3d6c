package fabnet

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/enterprisecard"
	"github.com/tierchain/tierchain/internal/orgconfig"
)

func fakeCertPEM(t *testing.T, cn string) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// fakeCrypto lays out the users' certificates as cryptogen does, and runs
// each organisation's enterprise key step.
func fakeCrypto(t *testing.T) *Network {
	t.Helper()
	dir := t.TempDir()
	n := &Network{Layout: NewLayout(DefaultBase, 1), Dir: dir, p: paths{root: dir}}
	for _, o := range n.Layout.Orgs {
		users := []string{"Admin"}
		for i := 1; i <= o.Users; i++ {
			users = append(users, "User"+string(rune('0'+i)))
		}
		for _, u := range users {
			signcerts := filepath.Join(n.p.User(o, u), "msp", "signcerts")
			if err := os.MkdirAll(signcerts, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(signcerts, u+"@"+o.Domain+"-cert.pem"), fakeCertPEM(t, u+"@"+o.Domain), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := writeEnterpriseCard(n.p, o); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// TestEnterpriseCards: each organisation's enterprise keys stay in its own
// folder (the audit key in the regulator's only) and its card, public
// halves only, is in the bundle; a second key step keeps the keys.
func TestEnterpriseCards(t *testing.T) {
	n := fakeCrypto(t)
	cards, err := enterprisecard.LoadDir(n.CardsDir())
	if err != nil || len(cards) != len(n.Layout.Orgs) {
		t.Fatalf("%d cards, %v", len(cards), err)
	}
	for _, o := range n.Layout.Orgs {
		c, err := enterprisecard.Load(enterprisecard.File(n.CardsDir(), o.Enterprise.ID))
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != o.Enterprise.Name || c.LegalID != o.Enterprise.LegalID || c.MSPID != o.MSPID || string(c.Role) != string(o.Role) {
			t.Errorf("%s: card %+v", o.Name, c)
		}
		keys, err := enterprisecard.EnsureKeys(n.EnterpriseDir(o.Name), c.Role, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(c.EncryptionKey, keys.Encryption.Public().Bytes()) {
			t.Errorf("%s: the card's key is not the one in its folder", o.Name)
		}
		_, err = os.Stat(filepath.Join(n.EnterpriseDir(o.Name), enterprisecard.AuditKeyFile))
		if (err == nil) != (o.Role == RoleRegulator) || (len(c.AuditKey) != 0) != (o.Role == RoleRegulator) {
			t.Errorf("%s: audit key file %v, on the card %d bytes: the regulator's only", o.Name, err, len(c.AuditKey))
		}
		_, err = os.Stat(filepath.Join(n.EnterpriseDir(o.Name), enterprisecard.OPRFKeyFile))
		if (err == nil) != (o.Role == RoleOperator) || (len(c.OPRFKey) != 0) != (o.Role == RoleOperator) {
			t.Errorf("%s: OPRF key file %v, on the card %d bytes: the operator's only", o.Name, err, len(c.OPRFKey))
		}
		before := keys.Encryption.Bytes()
		if err := writeEnterpriseCard(n.p, o); err != nil {
			t.Fatal(err)
		}
		again, _ := enterprisecard.ReadEncryptionKey(filepath.Join(n.EnterpriseDir(o.Name), enterprisecard.EncryptionKeyFile))
		if again == nil || !bytes.Equal(again.Bytes(), before) {
			t.Errorf("%s: a second key step replaced the key", o.Name)
		}
	}
}

// TestWriteOrgConfigs writes each organisation's description and loads it
// back: relative paths into its own folder and the public bundle only.
func TestWriteOrgConfigs(t *testing.T) {
	n := fakeCrypto(t)
	files, err := n.WriteOrgConfigs()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(n.Layout.Orgs) {
		t.Fatalf("%d descriptions", len(files))
	}
	for _, lo := range n.Layout.Orgs {
		path := files[lo.Name]
		if path != OrgConfigFile(n.Dir, lo.Name) {
			t.Errorf("%s written to %s, want %s", lo.Name, path, OrgConfigFile(n.Dir, lo.Name))
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), n.Dir) {
			t.Errorf("%s: an absolute path in the description:\n%s", lo.Name, raw)
		}
		d, err := orgconfig.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		o := d.Org
		if d.Channel != ChannelName || d.Chaincode != ChaincodeName || o.Name != lo.Name || o.MSPID != lo.MSPID ||
			o.Role != lo.Role || o.Peer.Address != n.Layout.PeerAddress(lo) {
			t.Errorf("%s: %+v", lo.Name, d)
		}
		if !strings.HasPrefix(o.Peer.TLSCACertPath, n.p.Public()) {
			t.Errorf("%s: peer TLS CA %s is not in the bundle", lo.Name, o.Peer.TLSCACertPath)
		}
		if len(o.Identities) != lo.Users+1 {
			t.Errorf("%s: %d identities, want Admin and %d users", lo.Name, len(o.Identities), lo.Users)
		}
		own := n.OrgDir(lo.Name) + string(filepath.Separator)
		for name, id := range o.Identities {
			if !strings.HasPrefix(id.KeyPath, own) || !strings.HasPrefix(id.CertPath, own) {
				t.Errorf("%s: identity %s outside its own folder: %+v", lo.Name, name, id)
			}
		}
		admin, err := o.Identity("Admin")
		if err != nil || admin.KeyPath != filepath.Join(n.p.User(lo, "Admin"), "msp", "keystore", "priv_sk") {
			t.Errorf("%s Admin: %+v %v", lo.Name, admin, err)
		}
		e := o.Enterprise
		if e.ID != lo.Enterprise.ID || e.Name != lo.Enterprise.Name || e.LegalID != lo.Enterprise.LegalID || e.Identity != "User1" {
			t.Errorf("%s: enterprise %+v", lo.Name, e)
		}
		if _, err := enterprisecard.ReadEncryptionKey(e.EncryptionKeyPath); err != nil || !strings.HasPrefix(e.EncryptionKeyPath, own) {
			t.Errorf("%s: encryption key %s: %v", lo.Name, e.EncryptionKeyPath, err)
		}
		if lo.Role == RoleRegulator {
			if _, err := enterprisecard.ReadAuditKey(e.AuditKeyPath); err != nil || !strings.HasPrefix(e.AuditKeyPath, own) {
				t.Errorf("audit key %s: %v", e.AuditKeyPath, err)
			}
		}
		if lo.Role == RoleOperator {
			if _, err := enterprisecard.ReadOPRFKey(e.OPRFKeyPath); err != nil || !strings.HasPrefix(e.OPRFKeyPath, own) {
				t.Errorf("OPRF key %s: %v", e.OPRFKeyPath, err)
			}
		} else if d.OPRF == nil || d.OPRF.URL == "" {
			t.Errorf("%s: no OPRF service", lo.Name)
		} else if c, err := enterprisecard.Load(d.OPRF.OperatorCardPath); err != nil || len(c.OPRFKey) == 0 {
			t.Errorf("%s: the operator's card %s: %v", lo.Name, d.OPRF.OperatorCardPath, err)
		}
		if (o.CA != nil) != (lo.Role == RoleOperator) || (d.CardsDir != "") != (lo.Role == RoleOperator) {
			t.Errorf("%s: CA %+v, cards %q: the operator's only", lo.Name, o.CA, d.CardsDir)
		}
		if lo.Role == RoleOperator && d.CardsDir != n.CardsDir() {
			t.Errorf("cards %s, want %s", d.CardsDir, n.CardsDir())
		}
		want := 0
		for _, e := range n.Layout.Orgs {
			if e.Endorser && e.Name != lo.Name {
				want++
			}
		}
		if len(o.Endorsers) != want {
			t.Errorf("%s: %d endorsers, want %d", lo.Name, len(o.Endorsers), want)
		}
		for _, e := range o.Endorsers {
			if e.MSPID == o.MSPID || e.Address == "" || !strings.HasPrefix(e.TLSCACertPath, n.p.Public()) {
				t.Errorf("%s: endorser %+v", lo.Name, e)
			}
		}
	}
}

package fabricca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"slices"
	"testing"
	"time"
)

func testCA(t *testing.T, isCA bool) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca.operator.test", Country: []string{"NO"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(10, 0, 0),
		IsCA: isCA, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		SubjectKeyId: []byte{1, 2, 3, 4},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

func TestIssueClient(t *testing.T) {
	certPEM, keyPEM := testCA(t, true)
	ca, err := Load(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	id, err := ca.IssueClient("tier2@operator", now, now.AddDate(1, 0, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ParseCertificatePEM(id.CertPEM)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Certificate())
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Fatalf("issued certificate does not chain to the CA: %v", err)
	}
	if !slices.Equal(cert.Subject.OrganizationalUnit, []string{"client"}) || cert.Subject.CommonName != "tier2@operator" {
		t.Errorf("subject = %v", cert.Subject)
	}
	key, err := ParsePrivateKeyPEM(id.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	if !key.Public().(*ecdsa.PublicKey).Equal(cert.PublicKey) {
		t.Error("issued key does not match its certificate")
	}
	if id.String() != "fabricca.Identity{key: REDACTED}" {
		t.Errorf("String leaks: %s", id)
	}
	// Fabric refuses high-S certificate signatures: every issue is low-S.
	for range 32 {
		id, err := ca.IssueClient("x", now, now.AddDate(1, 0, 0), nil)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := ParseCertificatePEM(id.CertPEM)
		if low, err := lowS(c.Raw, ca.Certificate()); err != nil || !low {
			t.Fatalf("issued a high-S signature (%v)", err)
		}
	}
	// Issued right after the CA, the certificate does not start before it.
	young, err := ca.IssueClient("y", ca.Certificate().NotBefore.Add(time.Minute), now.AddDate(1, 0, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := ParseCertificatePEM(young.CertPEM); c.NotBefore.Before(ca.Certificate().NotBefore) {
		t.Errorf("NotBefore %v is before the CA's %v", c.NotBefore, ca.Certificate().NotBefore)
	}
	other, _ := ca.IssueClient("tier2@operator", now, now.AddDate(1, 0, 0), nil)
	if string(other.CertPEM) == string(id.CertPEM) {
		t.Error("two issues gave the same certificate")
	}
}

func TestRefusals(t *testing.T) {
	certPEM, keyPEM := testCA(t, true)
	_, otherKey := testCA(t, true)
	leafPEM, leafKey := testCA(t, false)
	ca, _ := Load(certPEM, keyPEM)
	now := time.Now()
	for name, f := range map[string]func() error{
		"key of another CA": func() error { _, err := Load(certPEM, otherKey); return err },
		"not a CA":          func() error { _, err := Load(leafPEM, leafKey); return err },
		"no certificate":    func() error { _, err := Load([]byte("junk"), keyPEM); return err },
		"two certificates":  func() error { _, err := Load(append(certPEM, certPEM...), keyPEM); return err },
		"no key":            func() error { _, err := Load(certPEM, []byte("junk")); return err },
		"bad common name":   func() error { _, err := ca.IssueClient("a b/c", now, now.Add(time.Hour), nil); return err },
		"empty common name": func() error { _, err := ca.IssueClient("", now, now.Add(time.Hour), nil); return err },
		"expired at issue":  func() error { _, err := ca.IssueClient("x", now, now.Add(-time.Hour), nil); return err },
	} {
		if err := f(); !errors.Is(err, ErrCA) {
			t.Errorf("%s: err = %v, want ErrCA", name, err)
		}
	}
}

// TestIssueNodeAndTLS: a node's signing certificate carries its NodeOU; a
// TLS certificate names its hosts (DNS and IP) and serves both ends of
// mutual TLS; each chains to the CA; a TLS certificate for no host is refused.
func TestIssueNodeAndTLS(t *testing.T) {
	certPEM, keyPEM := testCA(t, true)
	ca, err := Load(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Certificate())
	now := time.Now()
	node, err := ca.IssueNode("orderer0.operator.example", "orderer", now, now.AddDate(1, 0, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ParseCertificatePEM(node.CertPEM)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cert.Subject.OrganizationalUnit, []string{"orderer"}) {
		t.Errorf("node OUs = %v, want [orderer]", cert.Subject.OrganizationalUnit)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Fatalf("node certificate does not chain to the CA: %v", err)
	}
	tls, err := ca.IssueTLS("orderer0.operator.example", []string{"orderer0.operator.example", "127.0.0.1"}, now, now.AddDate(1, 0, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cert, err = ParseCertificatePEM(tls.CertPEM); err != nil {
		t.Fatal(err)
	}
	if len(cert.Subject.OrganizationalUnit) != 0 {
		t.Errorf("TLS certificate OUs = %v, want none", cert.Subject.OrganizationalUnit)
	}
	for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
		for _, host := range []string{"orderer0.operator.example", "127.0.0.1"} {
			if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: host, KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
				t.Errorf("TLS certificate for %s, usage %v: %v", host, usage, err)
			}
		}
	}
	if _, err := ca.IssueTLS("x", nil, now, now.AddDate(1, 0, 0), nil); !errors.Is(err, ErrCA) {
		t.Errorf("TLS certificate for no host: %v, want ErrCA", err)
	}
}

package relay_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/tierchain/tierchain/internal/fabricca"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/relay"
)

// identity is a client certificate from a throwaway CA, with its key.
func identity(t testing.TB) (certPEM []byte, key *ecdsa.PrivateKey) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca.operator.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		SubjectKeyId: []byte{1, 2, 3, 4},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(caKey)
	ca, err := fabricca.Load(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
	if err != nil {
		t.Fatal(err)
	}
	key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	certPEM, err = ca.IssueClientFor("supplier1@operator", &key.PublicKey, now, now.Add(time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, key
}

// offline prepares proposals without a network: preparing never dials.
func offline(t testing.TB, certPEM []byte) *fabricclient.Offline {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///unused", grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	o, err := fabricclient.NewOffline(conn, "OperatorMSP", certPEM, fabricclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestProposalInspectVerify(t *testing.T) {
	certPEM, key := identity(t)
	o := offline(t, certPEM)
	args := [][]byte{[]byte(`{"inputs":["t1"]}`)}
	u, err := o.Prepare(fabricclient.Call{Contract: "tierchain", Function: "Split", Args: args})
	if err != nil {
		t.Fatal(err)
	}
	p, err := relay.InspectProposal(u.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if p.TxID != u.TxID || p.Function != "tierchain:Split" || p.Channel != "scf" || p.Chaincode != "tierchain" || !bytes.Equal(p.Digest, u.Digest) {
		t.Fatalf("inspected %+v", p)
	}
	self := relay.Creator{MSPID: "OperatorMSP", CertPEM: certPEM}
	if err := relay.CheckProposal(p, self, "tierchain", "Split", args); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]error{
		"another function": relay.CheckProposal(p, self, "tierchain", "Transfer", args),
		"other arguments":  relay.CheckProposal(p, self, "tierchain", "Split", [][]byte{[]byte(`{}`)}),
		"another creator":  relay.CheckProposal(p, relay.Creator{MSPID: "CoreMSP", CertPEM: certPEM}, "tierchain", "Split", args),
	} {
		if !errors.Is(bad, relay.ErrUnexpected) {
			t.Errorf("%s: %v", name, bad)
		}
	}
	sig, err := relay.SignDigest(key, p.Digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := relay.Verify("OperatorMSP", certPEM, p.Creator, p.Digest, sig); err != nil {
		t.Fatal(err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	foreign, _ := relay.SignDigest(other, p.Digest)
	otherCert, _ := identity(t)
	for name, err := range map[string]error{
		"foreign key":         relay.Verify("OperatorMSP", certPEM, p.Creator, p.Digest, foreign),
		"another certificate": relay.Verify("OperatorMSP", otherCert, p.Creator, p.Digest, sig),
		"another MSP":         relay.Verify("CoreMSP", certPEM, p.Creator, p.Digest, sig),
		"empty signature":     relay.Verify("OperatorMSP", certPEM, p.Creator, p.Digest, nil),
		"another digest":      relay.Verify("OperatorMSP", certPEM, p.Creator, make([]byte, 32), sig),
	} {
		if !errors.Is(err, relay.ErrBadSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Any flipped byte: malformed, or another digest the signature does
	// not cover.
	for i := range u.Bytes {
		b := bytes.Clone(u.Bytes)
		b[i] ^= 0x01
		q, err := relay.InspectProposal(b)
		if err != nil {
			continue
		}
		if relay.Verify("OperatorMSP", certPEM, q.Creator, q.Digest, sig) == nil && !bytes.Equal(q.Digest, p.Digest) {
			t.Fatalf("byte %d flipped: still verifies", i)
		}
	}
}

func TestExportSealing(t *testing.T) {
	pub, priv, err := relay.NewTransportKey()
	if err != nil {
		t.Fatal(err)
	}
	k := relay.ExportedKeys{EnterpriseID: "s1", MSPID: "OperatorMSP", CertPEM: "cert", SigningKeyPEM: "key", EncryptionKey: bytes.Repeat([]byte{7}, 32)}
	sealed, err := relay.SealExport(pub, k, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := relay.OpenExport(priv, "s1", sealed)
	if err != nil || got.SigningKeyPEM != "key" || !bytes.Equal(got.EncryptionKey, k.EncryptionKey) {
		t.Fatalf("opened %v, %v", got, err)
	}
	if _, err := relay.OpenExport(priv, "s2", sealed); !errors.Is(err, relay.ErrSealed) {
		t.Errorf("another enterprise: %v", err)
	}
	_, other, _ := relay.NewTransportKey()
	if _, err := relay.OpenExport(other, "s1", sealed); !errors.Is(err, relay.ErrSealed) {
		t.Errorf("another key: %v", err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := relay.OpenExport(priv, "s1", sealed); !errors.Is(err, relay.ErrSealed) {
		t.Errorf("flipped byte: %v", err)
	}
	if s := k.String(); bytes.Contains([]byte(s), []byte("key")) && s != "relay.ExportedKeys{REDACTED}" {
		t.Errorf("String = %q", s)
	}
}

func FuzzInspectProposal(f *testing.F) {
	certPEM, _ := identity(f)
	u, err := offline(f, certPEM).Prepare(fabricclient.Call{Contract: "tierchain", Function: "Split", Args: [][]byte{[]byte("{}")}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(u.Bytes)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := relay.InspectProposal(b)
		if err == nil && (p.TxID == "" || len(p.Digest) != 32) {
			t.Fatalf("accepted %+v", p)
		}
	})
}

func FuzzInspectTransaction(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x02, 'a', 'b', 0x12, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		if tx, err := relay.InspectTransaction(b); err == nil && (tx.TxID == "" || len(tx.Digest) != 32) {
			t.Fatalf("accepted %+v", tx)
		}
	})
}

func FuzzOpenExport(f *testing.F) {
	pub, priv, _ := relay.NewTransportKey()
	sealed, _ := relay.SealExport(pub, relay.ExportedKeys{EnterpriseID: "s1"}, nil)
	f.Add(sealed)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = relay.OpenExport(priv, "s1", b)
	})
}

package directory

import (
	"bytes"
	"context"
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

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricca"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/sealbox"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

func newCA(t *testing.T) *fabricca.CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	ca, err := fabricca.Load(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func TestDirectory(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		master := bytes.Repeat([]byte{1}, 32)
		ca := newCA(t)
		orgs := []Org{{Name: "Operator", MSPID: "OperatorMSP", PeerAddress: "127.0.0.1:1", CA: ca,
			TLSCACert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Certificate().Raw})}, {Name: "Core", MSPID: "CoreMSP"}}
		d, err := New(ctx, db, master, orgs, fabricclient.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		m, err := d.Issue(ctx, Member{ID: "tier2", Name: "Tier 2 AS", Role: model.RoleSupplier, Org: "Operator", LegalID: "0192:915600123"})
		if err != nil {
			t.Fatal(err)
		}
		if m.MSPID != "OperatorMSP" {
			t.Errorf("MSP = %s", m.MSPID)
		}
		got, err := d.ByLegalID(ctx, "0192:915600123")
		if err != nil || got.ID != "tier2" || !bytes.Equal(got.CertPEM, m.CertPEM) {
			t.Fatalf("ByLegalID = %+v, %v", got, err)
		}
		if _, err := d.Issue(ctx, Member{ID: "tier2", Name: "again", Role: model.RoleSupplier, Org: "Operator"}); !errors.Is(err, ErrExists) {
			t.Errorf("same ID twice: %v", err)
		}
		if _, err := d.Issue(ctx, Member{ID: "other", Name: "x", Role: model.RoleSupplier, Org: "Operator", LegalID: "0192:915600123"}); !errors.Is(err, ErrExists) {
			t.Errorf("same legal ID twice: %v", err)
		}
		if _, err := d.Issue(ctx, Member{ID: "carmaker", Role: model.RoleCore, Org: "Core"}); !errors.Is(err, ErrConfig) {
			t.Errorf("org without CA: %v", err)
		}
		other, _ := newCA(t).IssueClient("x", time.Now(), time.Now().Add(time.Hour), nil)
		if _, err := d.Add(ctx, Member{ID: "mismatch", Role: model.RoleCore, Org: "Core", CertPEM: m.CertPEM}, other.KeyPEM); err == nil {
			t.Error("a key that does not match its certificate was accepted")
		}
		if _, err := d.Get(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get unknown: %v", err)
		}
		if err := d.SetSecret(ctx, "tier2", "audit", []byte("s3cret")); err != nil {
			t.Fatal(err)
		}
		if err := d.SetSecret(ctx, "tier2", "audit", []byte("s3cret2")); err != nil {
			t.Fatal(err)
		}
		if v, err := d.Secret(ctx, "tier2", "audit"); err != nil || string(v) != "s3cret2" {
			t.Errorf("Secret = %q, %v", v, err)
		}
		if err := d.SetSecret(ctx, "nobody", "audit", []byte("x")); !errors.Is(err, ErrNotFound) {
			t.Errorf("secret of unknown member: %v", err)
		}
		if _, err := d.Client(ctx, "tier2"); err != nil {
			t.Errorf("Client: %v", err)
		}
		list, err := d.List(ctx)
		if err != nil || len(list) != 1 {
			t.Errorf("List = %v, %v", list, err)
		}
		// The same database under another master key opens nothing.
		wrong, err := New(ctx, db, bytes.Repeat([]byte{2}, 32), orgs, fabricclient.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer wrong.Close()
		if _, err := wrong.Secret(ctx, "tier2", "audit"); !errors.Is(err, sealbox.ErrOpen) {
			t.Errorf("wrong master key, secret: %v", err)
		}
		if _, err := wrong.Client(ctx, "tier2"); !errors.Is(err, sealbox.ErrOpen) {
			t.Errorf("wrong master key, client: %v", err)
		}
	})
}

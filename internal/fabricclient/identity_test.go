package fabricclient

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestNewIdentity(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "User1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})

	id, sign, err := NewIdentity("CoreMSP", certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	if id.MspID() != "CoreMSP" {
		t.Errorf("MSP ID %q", id.MspID())
	}
	digest := sha256.Sum256([]byte("tx"))
	sig, err := sign(digest[:])
	if err != nil || !ecdsa.VerifyASN1(&key.PublicKey, digest[:], sig) {
		t.Fatalf("the signer does not sign with the key: %v", err)
	}
	for _, c := range []struct {
		name          string
		cert, key     []byte
		wantErrPrefix string
	}{
		{"bad certificate", []byte("no pem"), keyPEM, "fabricclient: client certificate: "},
		{"bad key", certPEM, []byte("no pem"), "fabricclient: private key: "},
	} {
		if _, _, err := NewIdentity("CoreMSP", c.cert, c.key); err == nil || !strings.HasPrefix(err.Error(), c.wantErrPrefix) {
			t.Errorf("%s: %v, want %q…", c.name, err, c.wantErrPrefix)
		}
	}
}

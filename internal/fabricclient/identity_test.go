package fabricclient

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"strings"
	"testing"
)

func TestNewIdentity(t *testing.T) {
	key, certPEM, keyPEM := testPEM(t)
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

package platform

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/enterprisecard"
	"github.com/tierchain/tierchain/services/directory"
)

// TestCardParties: the operator's gateway finds the enterprise an invoice
// names by the legal ID on its card, written in any form a document may
// use; a broken card beside the good ones keeps none of them out.
func TestCardParties(t *testing.T) {
	dir := t.TempDir()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "User1@core"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := enterprisecard.EnsureKeys(t.TempDir(), model.RoleCore, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := enterprisecard.New("carmaker", "Helios Motors ASA", "0192:987123451", model.RoleCore, "CoreMSP",
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), keys)
	if err != nil {
		t.Fatal(err)
	}
	if err := enterprisecard.Write(dir, c); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{"version": 1, "id": "x"}`), 0o644)
	r := &cardRegistrar{dir: dir, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if got := r.load(); len(got) != 1 {
		t.Fatalf("%d cards loaded", len(got))
	}
	for _, id := range []string{"0192:987123451", "0192:987 123 451", "0192: 987123451"} {
		m, err := r.ByLegalID(t.Context(), id)
		if err != nil || m.ID != "carmaker" || m.Role != model.RoleCore || m.LegalID != "0192:987123451" {
			t.Errorf("%q: %+v %v", id, m, err)
		}
	}
	if _, err := r.ByLegalID(t.Context(), "0192:982000009"); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("an unknown legal ID: %v", err)
	}
}

package selfcustody

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/keyseal"
	"github.com/tierchain/tierchain/internal/relay"
	"github.com/tierchain/tierchain/services/invoice"
	"github.com/tierchain/tierchain/zk/oprf"
)

// fakeParties is a gateway that answers GET /v1/relay/invoice-parties
// with parties and records every other path it is asked.
type fakeParties struct {
	mu      sync.Mutex
	paths   []string
	parties InvoiceParties
	status  int
}

func (f *fakeParties) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paths = append(f.paths, r.URL.Path)
	if r.URL.Path != "/v1/relay/invoice-parties" {
		http.Error(w, "not here", http.StatusTeapot)
		return
	}
	if f.status != 0 {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(f.status)
		fmt.Fprint(w, `{"status":400,"code":"INVALID_ARGUMENT","detail":"unknown buyer"}`)
		return
	}
	json.NewEncoder(w).Encode(f.parties)
}

// onboardedDevice is a device whose key file holds a certificate of its
// key, talking to the gateway at base.
func onboardedDevice(t *testing.T, base string) *Device {
	t.Helper()
	k, err := NewKeys("supplier1", base)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "supplier1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Signing.Public(), k.Signing)
	if err != nil {
		t.Fatal(err)
	}
	if k, err = keyseal.WithIdentity(k, "OperatorMSP", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), "token"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := saveWith(path, "a good passphrase", k, true, fastKDF); err != nil {
		t.Fatal(err)
	}
	d, err := open(t.Context(), path, k, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func invoiceJSON(seller, currency string) []byte {
	return fmt.Appendf(nil, `{"invoice": {"number": "SC-1", "issueDate": "2026-01-05", "dueDate": "2026-04-05", "currency": %q,
  "amount": "1250.00", "seller": {"id": %q, "name": "Supplier One"}, "buyer": {"id": "0192:987123451", "name": "Core"}}}`, currency, seller)
}

// TestBuildInvoiceRefusals: an invoice the device must not file is
// refused on the device, before its fingerprint is asked for or anything
// of it is relayed: a malformed document, an unknown currency, another
// seller, a buyer the gateway resolves to another legal ID, an unknown
// buyer, and a device not onboarded yet.
func TestBuildInvoiceRefusals(t *testing.T) {
	key, err := oprf.GenerateServerKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	gw := &fakeParties{parties: InvoiceParties{
		Seller: Party{ID: "supplier1", LegalID: "0192:915600123"}, Buyer: Party{ID: "carmaker", LegalID: "0192:987123451"},
		OPRFKey: key.Public().Bytes()}}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	d := onboardedDevice(t, srv.URL)
	ctx := t.Context()
	only := func(t *testing.T, want ...string) {
		t.Helper()
		gw.mu.Lock()
		defer gw.mu.Unlock()
		if !slices.Equal(gw.paths, want) {
			t.Fatalf("the gateway was asked %v, want %v", gw.paths, want)
		}
		gw.paths = nil
	}
	up := func(doc []byte) InvoiceUpload { return InvoiceUpload{Format: invoice.FormatJSON, Document: doc} }

	_, _, err = d.BuildInvoice(ctx, up([]byte(`{"invoice": `)))
	if !errors.Is(err, invoice.ErrMalformed) {
		t.Fatalf("malformed: %v", err)
	}
	only(t)
	_, _, err = d.BuildInvoice(ctx, up(invoiceJSON("0192:915600123", "XQZ")))
	var ve *invoice.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("unknown currency: %v", err)
	}
	only(t)
	_, _, err = d.BuildInvoice(ctx, up(invoiceJSON("0192:987654325", "CNY")))
	if !errors.Is(err, invoice.ErrNotSeller) {
		t.Fatalf("another seller: %v", err)
	}
	only(t, "/v1/relay/invoice-parties")
	gw.parties.Buyer.LegalID = "0192:987654325"
	_, _, err = d.BuildInvoice(ctx, up(invoiceJSON("0192:915600123", "CNY")))
	if !errors.Is(err, invoice.ErrUnknownBuyer) {
		t.Fatalf("a buyer resolved to another legal ID: %v", err)
	}
	only(t, "/v1/relay/invoice-parties")
	gw.status = http.StatusBadRequest
	_, _, err = d.BuildInvoice(ctx, up(invoiceJSON("0192:915600123", "CNY")))
	var p *relay.Problem
	if !errors.As(err, &p) || p.Status != http.StatusBadRequest {
		t.Fatalf("unknown buyer: %v", err)
	}
	only(t, "/v1/relay/invoice-parties")

	d.Keys.CertPEM = nil
	if _, err := d.UploadInvoice(ctx, up(invoiceJSON("0192:915600123", "CNY"))); !errors.Is(err, ErrNotOnboarded) {
		t.Fatalf("not onboarded: %v", err)
	}
	only(t)
}

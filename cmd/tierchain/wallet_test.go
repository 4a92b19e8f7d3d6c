package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/internal/selfcustody"
	"github.com/tierchain/tierchain/services/invoice"
)

// TestWalletOffline: `tierchain wallet` makes keys in a 0600 file, prints
// the onboarding request as JSON (public keys and a proof, no secret), and
// refuses a wrong passphrase, a key file others may read and a corrupted
// one.
func TestWalletOffline(t *testing.T) {
	key := filepath.Join(t.TempDir(), "w", "keys.json")
	t.Setenv("TIERCHAIN_WALLET_PASSPHRASE", "correct horse battery")
	var out bytes.Buffer
	if err := runWallet(&out, []string{"create", "--key", key, "--id", "supplier9", "--gateway", "http://127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
	var created map[string]any
	if err := json.Unmarshal(out.Bytes(), &created); err != nil || created["enterprise"] != "supplier9" {
		t.Fatalf("create printed %s (%v)", out.Bytes(), err)
	}
	out.Reset()
	if err := runWallet(&out, []string{"request", "--key", key, "--name", "Nine AS", "--legal-id", "0192:915600123"}); err != nil {
		t.Fatal(err)
	}
	var req selfcustody.OnboardRequest
	if err := json.Unmarshal(out.Bytes(), &req); err != nil || req.ID != "supplier9" || !strings.Contains(req.SigningKey, "PUBLIC KEY") || len(req.Proof) == 0 {
		t.Fatalf("request printed %s (%v)", out.Bytes(), err)
	}
	if bytes.Contains(out.Bytes(), []byte("PRIVATE")) {
		t.Fatal("the onboarding request carries a private key")
	}
	if err := runWallet(&out, []string{"create", "--key", key, "--id", "supplier9", "--gateway", "http://127.0.0.1:1"}); !errors.Is(err, selfcustody.ErrExists) {
		t.Errorf("create over an existing key file: %v", err)
	}
	t.Setenv("TIERCHAIN_WALLET_PASSPHRASE", "wrong passphrase")
	if err := runWallet(&out, []string{"holdings", "--key", key}); !errors.Is(err, selfcustody.ErrWrongPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
	t.Setenv("TIERCHAIN_WALLET_PASSPHRASE", "correct horse battery")
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runWallet(&out, []string{"holdings", "--key", key}); !errors.Is(err, selfcustody.ErrPermissions) {
		t.Errorf("key file readable by others: %v", err)
	}
	os.Chmod(key, 0o600)
	raw, _ := os.ReadFile(key)
	if err := os.WriteFile(key, raw[:len(raw)-40], 0o600); err != nil {
		t.Fatal(err)
	}
	if err := runWallet(&out, []string{"holdings", "--key", key}); !errors.Is(err, selfcustody.ErrCorruptKeyFile) {
		t.Errorf("corrupted key file: %v", err)
	}
	if err := runWallet(&out, []string{"split", "--key", key}); err == nil {
		t.Error("split without a token")
	}
}

// TestWalletInvoiceUploadOffline: `wallet invoice upload` needs one file,
// tells JSON from UBL, and refuses what it cannot read before it opens
// the wallet or talks to the gateway; a key not onboarded yet is refused.
func TestWalletInvoiceUploadOffline(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "w", "keys.json")
	t.Setenv("TIERCHAIN_WALLET_PASSPHRASE", "correct horse battery")
	var out bytes.Buffer
	if err := runWallet(&out, []string{"create", "--key", key, "--id", "supplier9", "--gateway", "http://127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name, path, format string
		want               invoice.Format
	}{
		{"by extension", write("a.json", "{}"), "", invoice.FormatJSON},
		{"UBL by extension", write("a.xml", "<Invoice/>"), "", invoice.FormatUBL},
		{"by first byte", write("a.txt", "  {}"), "", invoice.FormatJSON},
		{"XML by first byte", write("b", "<?xml version=\"1.0\"?><Invoice/>"), "", invoice.FormatUBL},
		{"as told", write("c.json", "<Invoice/>"), "ubl", invoice.FormatUBL},
	} {
		up, err := invoiceUpload(c.path, c.format, "2026-05-01")
		if err != nil || up.Format != c.want || up.DueDate != "2026-05-01" {
			t.Errorf("%s: %v %v", c.name, up.Format, err)
		}
	}
	if _, err := invoiceUpload(write("d", "plain text"), "", ""); err == nil {
		t.Error("a document neither JSON nor XML")
	}
	if _, err := invoiceUpload(write("e.json", "{}"), "pdf", ""); err == nil {
		t.Error("--format pdf")
	}
	if err := runWallet(&out, []string{"invoice", "--key", key}); err == nil {
		t.Error("invoice without upload")
	}
	if err := runWallet(&out, []string{"invoice", "upload", "--key", key}); err == nil {
		t.Error("invoice upload without a file")
	}
	doc := write("inv.json", `{"invoice": {"number": "SC-1"}}`)
	if err := runWallet(&out, []string{"invoice", "upload", doc, "--key", key}); !errors.Is(err, selfcustody.ErrNotOnboarded) {
		t.Errorf("a key not onboarded: %v", err)
	}
}

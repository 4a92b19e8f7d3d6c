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

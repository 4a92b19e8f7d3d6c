package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/tierchain/tierchain/gateway/platform"
	"github.com/tierchain/tierchain/internal/orgconfig"
)

// TestServeOrgConfig: serve --org-config runs from the file alone (no
// network directory) and refuses a description it cannot run from, naming
// what is wrong.
func TestServeOrgConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(c orgconfig.Consortium) string {
		t.Helper()
		b, err := c.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "consortium.json")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// BankA alone: valid, but not the founding organisations the gateway
	// hosts today.
	bankOnly := orgconfig.Consortium{Version: orgconfig.Version, Channel: "scf", Chaincode: "tierchain", Orgs: []orgconfig.Org{
		{Name: "BankA", MSPID: "BankAMSP", Role: orgconfig.RoleBank,
			Peer:       orgconfig.Peer{Address: "127.0.0.1:7160", TLSCACertPath: "tlsca.pem"},
			Identities: map[string]orgconfig.Identity{"User1": {CertPath: "u1.pem", KeyPath: "u1.key"}}},
	}}
	path := write(bankOnly)
	err := runServe(io.Discard, []string{"--org-config", path, "--dir", filepath.Join(dir, "no-network"), "--addr", "127.0.0.1:0"})
	if !errors.Is(err, platform.ErrNotDescribed) {
		t.Errorf("a description without the founders: %v, want ErrNotDescribed", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "master.key")); err != nil {
		t.Errorf("the gateway's state is not beside its description: %v", err)
	}

	if err := os.WriteFile(path, []byte(`{"version": 1, "channel": "scf", "chaincode": "tierchain", "orgs": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	err = runServe(io.Discard, []string{"--org-config", path})
	var fe *orgconfig.FieldError
	if !errors.As(err, &fe) || fe.Field != "orgs" {
		t.Errorf("an empty consortium: %v, want a FieldError on orgs", err)
	}

	if err := runServe(io.Discard, []string{"--org-config", path, "extra"}); err == nil {
		t.Error("an extra argument is accepted")
	}
}

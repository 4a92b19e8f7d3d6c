package main

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/internal/orgconfig"
)

// TestServeOrgConfig: serve --org-config runs from the file alone (no
// network directory) and refuses a description it cannot run from, naming
// what is wrong.
func TestServeOrgConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(d orgconfig.Description) string {
		t.Helper()
		b, err := d.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "org.json")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// BankA's description, valid, but naming files that are not there: the
	// gateway stops before it touches the ledger, naming the missing file.
	bankOnly := orgconfig.Description{Version: orgconfig.Version, Channel: "scf", Chaincode: "tierchain", Org: orgconfig.Org{
		Name: "BankA", MSPID: "BankAMSP", Role: orgconfig.RoleBank,
		Peer:       orgconfig.Peer{Address: "127.0.0.1:7160", TLSCACertPath: "tlsca.pem"},
		Identities: map[string]orgconfig.Identity{"User1": {CertPath: "u1.pem", KeyPath: "u1.key"}},
		Enterprise: orgconfig.Enterprise{ID: "bankA", Name: "Fjord Bank ASA", LegalID: "0192:982000009", Identity: "User1",
			EncryptionKeyPath: "encryption.key"}}}
	path := write(bankOnly)
	err := runServe(io.Discard, []string{"--org-config", path, "--dir", filepath.Join(dir, "no-network"), "--addr", "127.0.0.1:0"})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), filepath.Join(dir, "tlsca.pem")) {
		t.Errorf("a description naming missing files: %v, want the missing TLS CA named", err)
	}

	if err := os.WriteFile(path, []byte(`{"version": 1, "channel": "scf", "chaincode": "tierchain", "orgs": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	err = runServe(io.Discard, []string{"--org-config", path})
	var fe *orgconfig.FieldError
	if !errors.As(err, &fe) || fe.Field != "version" || !errors.Is(err, orgconfig.ErrVersion) {
		t.Errorf("a version 1 description: %v, want ErrVersion", err)
	}

	if err := runServe(io.Discard, []string{"--org-config", path, "extra"}); err == nil {
		t.Error("an extra argument is accepted")
	}
}

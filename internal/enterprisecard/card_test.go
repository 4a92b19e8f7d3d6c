package enterprisecard

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
)

func testCert(t testing.TB) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "User1@bankb.tierchain.local"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func testCard(t testing.TB, role model.Role) (Card, Keys) {
	t.Helper()
	k, err := EnsureKeys(t.TempDir(), role, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New("bankB", "Nordlys Bank ASA", "0192:983000002", role, "BankBMSP", testCert(t), k)
	if err != nil {
		t.Fatal(err)
	}
	return c, k
}

func TestEnsureKeysKeepsAndProtects(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "enterprise")
	k1, err := EnsureKeys(dir, model.RoleRegulator, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{EncryptionKeyFile, AuditKeyFile} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v, want mode 0600", f, fi.Mode(), err)
		}
	}
	k2, err := EnsureKeys(dir, model.RoleRegulator, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k1.Encryption.Bytes(), k2.Encryption.Bytes()) || !bytes.Equal(k1.Audit.Bytes(), k2.Audit.Bytes()) {
		t.Fatal("a second EnsureKeys made new keys")
	}
	if k, err := EnsureKeys(t.TempDir(), model.RoleBank, nil); err != nil || k.Audit != nil || k.OPRF != nil {
		t.Fatalf("a bank's keys: %+v %v", k, err)
	}
	op := t.TempDir()
	k3, err := EnsureKeys(op, model.RoleOperator, nil)
	if err != nil || k3.Audit != nil || k3.OPRF == nil {
		t.Fatalf("the operator's keys: %+v %v", k3, err)
	}
	if k4, err := EnsureKeys(op, model.RoleOperator, nil); err != nil || !bytes.Equal(k4.OPRF.Bytes(), k3.OPRF.Bytes()) {
		t.Fatalf("a second EnsureKeys made a new OPRF key: %v", err)
	}
	path := filepath.Join(dir, EncryptionKeyFile)
	os.Chmod(path, 0o644)
	if _, err := ReadEncryptionKey(path); !errors.Is(err, ErrKeyFile) {
		t.Errorf("a world-readable key: %v", err)
	}
	os.WriteFile(path, []byte("zz\n"), 0o600)
	if _, err := ReadEncryptionKey(path); !errors.Is(err, ErrKeyFile) {
		t.Errorf("not hex: %v", err)
	}
	os.WriteFile(path, []byte(hex.EncodeToString(make([]byte, 7))), 0o600)
	if _, err := ReadEncryptionKey(path); !errors.Is(err, ErrKeyFile) {
		t.Errorf("short key: %v", err)
	}
}

// TestCardHoldsPublicKeysOnly: the card carries the public halves, and no
// byte string of a private key.
func TestCardHoldsPublicKeysOnly(t *testing.T) {
	c, k := testCard(t, model.RoleRegulator)
	b, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range [][]byte{k.Encryption.Bytes(), k.Audit.Bytes()} {
		for _, enc := range []string{hex.EncodeToString(secret), string(mustJSON(t, secret))} {
			if strings.Contains(string(b), strings.Trim(enc, `"`)) {
				t.Fatal("a private key is in the card")
			}
		}
	}
	if !bytes.Equal(c.EncryptionKey, k.Encryption.Public().Bytes()) || !bytes.Equal(c.AuditKey, k.Audit.Public().Bytes()) {
		t.Fatal("the card's keys are not the public halves")
	}
	req, err := c.RegisterRequest()
	if err != nil || req.ID != c.ID || req.Role != model.RoleRegulator || len(req.Certificate) == 0 || !bytes.Equal(req.AuditKey, c.AuditKey) {
		t.Fatalf("register request %+v %v", req, err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestValidateNamesTheField(t *testing.T) {
	bank, _ := testCard(t, model.RoleBank)
	reg, _ := testCard(t, model.RoleRegulator)
	op, _ := testCard(t, model.RoleOperator)
	tests := []struct {
		name  string
		base  Card
		edit  func(*Card)
		field string
		err   error
	}{
		{"version", bank, func(c *Card) { c.Version = 2 }, "version", ErrVersion},
		{"id", bank, func(c *Card) { c.ID = "" }, "id", ErrInvalid},
		{"id path", bank, func(c *Card) { c.ID = "../x" }, "id", ErrInvalid},
		{"name", bank, func(c *Card) { c.Name = "" }, "name", ErrMissing},
		{"name control", bank, func(c *Card) { c.Name = "a\nb" }, "name", ErrInvalid},
		{"legal ID", bank, func(c *Card) { c.LegalID = "" }, "legalId", ErrMissing},
		{"role", bank, func(c *Card) { c.Role = "" }, "role", ErrMissing},
		{"supplier", bank, func(c *Card) { c.Role = model.RoleSupplier }, "role", ErrInvalid},
		{"msp", bank, func(c *Card) { c.MSPID = "" }, "mspId", ErrMissing},
		{"certificate", bank, func(c *Card) { c.Certificate = "" }, "certificate", ErrMissing},
		{"certificate a key", bank, func(c *Card) {
			c.Certificate = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2}}))
		}, "certificate", ErrInvalid},
		{"two certificates", bank, func(c *Card) { c.Certificate += c.Certificate }, "certificate", ErrInvalid},
		{"certificate garbage", bank, func(c *Card) {
			c.Certificate = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2}}))
		}, "certificate", ErrInvalid},
		{"encryption key", bank, func(c *Card) { c.EncryptionKey = nil }, "encryptionKey", ErrMissing},
		{"encryption key short", bank, func(c *Card) { c.EncryptionKey = c.EncryptionKey[1:] }, "encryptionKey", ErrInvalid},
		{"audit key at a bank", bank, func(c *Card) { c.AuditKey = reg.AuditKey }, "auditKey", ErrInvalid},
		{"regulator without audit key", reg, func(c *Card) { c.AuditKey = nil }, "auditKey", ErrMissing},
		{"operator without OPRF key", op, func(c *Card) { c.OPRFKey = nil }, "oprfKey", ErrMissing},
		{"OPRF key at a bank", bank, func(c *Card) { c.OPRFKey = op.OPRFKey }, "oprfKey", ErrInvalid},
		{"OPRF key bad", op, func(c *Card) { c.OPRFKey = make([]byte, len(c.OPRFKey)) }, "oprfKey", ErrInvalid},
		{"audit key bad", reg, func(c *Card) { c.AuditKey = bytes.Repeat([]byte{0xff}, len(c.AuditKey)) }, "auditKey", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.base
			tt.edit(&c)
			err := c.Validate()
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want field %s: %v", err, tt.field, tt.err)
			}
		})
	}
}

func TestParseIsStrict(t *testing.T) {
	c, _ := testCard(t, model.RoleBank)
	b, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Parse(b); err != nil || !reflect.DeepEqual(got, c) {
		t.Fatalf("round trip: %v", err)
	}
	for name, data := range map[string]string{
		"unknown field":  strings.Replace(string(b), `"name"`, `"privateKey": "x", "name"`, 1),
		"duplicated key": strings.Replace(string(b), `"name"`, `"name": "Evil Bank", "name"`, 1),
		"case twin":      strings.Replace(string(b), `"name"`, `"NAME": "Evil Bank", "name"`, 1),
		"trailing":       string(b) + "{}",
		"empty":          "",
		"too large":      strings.Replace(string(b), `"name": "`, `"name": "`+strings.Repeat("a", MaxSize), 1),
	} {
		if _, err := Parse([]byte(data)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	if cards, err := LoadDir(filepath.Join(dir, "absent")); err != nil || cards != nil {
		t.Fatalf("an absent folder: %v %v", cards, err)
	}
	bank, _ := testCard(t, model.RoleBank)
	reg, _ := testCard(t, model.RoleRegulator)
	reg.ID = "regulator"
	for _, c := range []Card{reg, bank} {
		if err := Write(dir, c); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "README"), []byte("not a card"), 0o644)
	os.WriteFile(filepath.Join(dir, ".bankC.json-123"), []byte("half"), 0o644)
	cards, err := LoadDir(dir)
	if err != nil || len(cards) != 2 || cards[0].ID != "bankB" || cards[1].ID != "regulator" {
		t.Fatalf("cards %v, %v", cards, err)
	}
	// A broken card and one under another enterprise's name are reported;
	// the good ones still load.
	os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{"version": 1}`), 0o644)
	b, _ := bank.Marshal()
	os.WriteFile(filepath.Join(dir, "bankA.json"), b, 0o644)
	cards, err = LoadDir(dir)
	var fe *FieldError
	if len(cards) != 2 || !errors.As(err, &fe) || !strings.Contains(err.Error(), "broken.json") || !strings.Contains(err.Error(), "bankA.json") {
		t.Fatalf("cards %d, %v", len(cards), err)
	}
}

// FuzzParse: no input panics the decoder, and an accepted card survives
// a round trip unchanged.
func FuzzParse(f *testing.F) {
	for _, role := range []model.Role{model.RoleBank, model.RoleRegulator, model.RoleOperator} {
		c, _ := testCard(f, role)
		b, err := c.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"version":1,"id":"a","name":"A","legalId":"1","role":"bank","mspId":"M","certificate":"","encryptionKey":"AAAA"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		out, err := c.Marshal()
		if err != nil {
			t.Fatalf("an accepted card does not marshal: %v", err)
		}
		again, err := Parse(out)
		if err != nil || !reflect.DeepEqual(c, again) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

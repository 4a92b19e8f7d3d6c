package orgconfig

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func testCertPEM(t testing.TB) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tlsca"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// valid is a two-organisation description with relative paths.
func valid() Consortium {
	return Consortium{Version: Version, Channel: "scf", Chaincode: "tierchain", Orgs: []Org{
		{Name: "Operator", MSPID: "OperatorMSP", Role: RoleOperator,
			Peer:       Peer{Address: "peer0.operator:7150", TLSCACertPath: "operator/tlsca.pem"},
			Identities: map[string]Identity{"Admin": {CertPath: "operator/admin.pem", KeyPath: "operator/admin.key"}, "User1": {CertPath: "operator/u1.pem", KeyPath: "operator/u1.key"}},
			CA:         &KeyPair{CertPath: "operator/ca.pem", KeyPath: "operator/ca.key"},
			Endorsers:  []RemotePeer{{MSPID: "BankAMSP", Peer: Peer{Address: "peer0.banka:7160", TLSCACertPath: "/public/banka-tlsca.pem"}}}},
		{Name: "BankA", MSPID: "BankAMSP", Role: RoleBank,
			Peer:       Peer{Address: "127.0.0.1:7160", TLSCACertPath: "/public/banka-tlsca.pem"},
			Identities: map[string]Identity{"User1": {CertPath: "/banka/u1.pem", KeyPath: "/banka/u1.key"}}},
	}}
}

func TestValidateNamesTheField(t *testing.T) {
	pemCA := testCertPEM(t)
	tests := []struct {
		name  string
		edit  func(*Consortium)
		field string
		err   error
	}{
		{"version", func(c *Consortium) { c.Version = 2 }, "version", ErrVersion},
		{"no version", func(c *Consortium) { c.Version = 0 }, "version", ErrVersion},
		{"channel", func(c *Consortium) { c.Channel = "" }, "channel", ErrMissing},
		{"chaincode with space", func(c *Consortium) { c.Chaincode = "tier chain" }, "chaincode", ErrInvalid},
		{"no orgs", func(c *Consortium) { c.Orgs = nil }, "orgs", ErrMissing},
		{"org name", func(c *Consortium) { c.Orgs[1].Name = "" }, "orgs[1].name", ErrMissing},
		{"org name path", func(c *Consortium) { c.Orgs[1].Name = "../x" }, "orgs[1].name", ErrInvalid},
		{"msp", func(c *Consortium) { c.Orgs[0].MSPID = "" }, "orgs[0].mspId", ErrMissing},
		{"role", func(c *Consortium) { c.Orgs[0].Role = "" }, "orgs[0].role", ErrMissing},
		{"unknown role", func(c *Consortium) { c.Orgs[0].Role = "miner" }, "orgs[0].role", ErrInvalid},
		{"address", func(c *Consortium) { c.Orgs[1].Peer.Address = "" }, "orgs[1].peer.address", ErrMissing},
		{"address no port", func(c *Consortium) { c.Orgs[1].Peer.Address = "peer0" }, "orgs[1].peer.address", ErrInvalid},
		{"address port", func(c *Consortium) { c.Orgs[1].Peer.Address = "peer0:70000" }, "orgs[1].peer.address", ErrInvalid},
		{"no TLS CA", func(c *Consortium) { c.Orgs[1].Peer.TLSCACertPath = "" }, "orgs[1].peer.tlsCACertPEM", ErrMissing},
		{"both TLS CAs", func(c *Consortium) { c.Orgs[1].Peer.TLSCACertPEM = pemCA }, "orgs[1].peer.tlsCACertPath", ErrInvalid},
		{"TLS CA not PEM", func(c *Consortium) { c.Orgs[1].Peer.TLSCACertPath, c.Orgs[1].Peer.TLSCACertPEM = "", "hello" }, "orgs[1].peer.tlsCACertPEM", ErrInvalid},
		{"TLS CA a key", func(c *Consortium) {
			c.Orgs[1].Peer.TLSCACertPath = ""
			c.Orgs[1].Peer.TLSCACertPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}}))
		}, "orgs[1].peer.tlsCACertPEM", ErrInvalid},
		{"no identities", func(c *Consortium) { c.Orgs[1].Identities = nil }, "orgs[1].identities", ErrMissing},
		{"identity key", func(c *Consortium) { c.Orgs[1].Identities["User1"] = Identity{CertPath: "c"} }, "orgs[1].identities.User1.keyPath", ErrMissing},
		{"identity name", func(c *Consortium) { c.Orgs[1].Identities["a b"] = Identity{CertPath: "c", KeyPath: "k"} }, "orgs[1].identities", ErrInvalid},
		{"ca cert", func(c *Consortium) { c.Orgs[0].CA.CertPath = "" }, "orgs[0].ca.certPath", ErrMissing},
		{"endorser msp", func(c *Consortium) { c.Orgs[0].Endorsers[0].MSPID = "" }, "orgs[0].endorsers[0].mspId", ErrMissing},
		{"endorser itself", func(c *Consortium) { c.Orgs[0].Endorsers[0].MSPID = "OperatorMSP" }, "orgs[0].endorsers[0].mspId", ErrInvalid},
		{"endorser address", func(c *Consortium) { c.Orgs[0].Endorsers[0].Address = "x" }, "orgs[0].endorsers[0].address", ErrInvalid},
		{"duplicate name", func(c *Consortium) { c.Orgs[1].Name = "Operator" }, "orgs[1].name", ErrDuplicate},
		{"duplicate msp", func(c *Consortium) { c.Orgs[1].MSPID = "OperatorMSP" }, "orgs[1].mspId", ErrDuplicate},
	}
	if err := valid().Validate(); err != nil {
		t.Fatalf("the valid description: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.edit(&c)
			err := c.Validate()
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want field %s: %v", err, tt.field, tt.err)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("%q does not name %s", err, tt.field)
			}
		})
	}
}

func TestLoadResolvesRelativePaths(t *testing.T) {
	dir := t.TempDir()
	b, err := valid().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "consortium.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	op, _ := c.Org("Operator")
	if want := filepath.Join(dir, "operator/tlsca.pem"); op.Peer.TLSCACertPath != want {
		t.Errorf("peer TLS CA %s, want %s", op.Peer.TLSCACertPath, want)
	}
	if want := filepath.Join(dir, "operator/u1.key"); op.Identities["User1"].KeyPath != want {
		t.Errorf("User1 key %s, want %s", op.Identities["User1"].KeyPath, want)
	}
	if want := filepath.Join(dir, "operator/ca.key"); op.CA.KeyPath != want {
		t.Errorf("CA key %s, want %s", op.CA.KeyPath, want)
	}
	if got := op.Endorsers[0].TLSCACertPath; got != "/public/banka-tlsca.pem" {
		t.Errorf("an absolute path changed: %s", got)
	}
	bank, _ := c.Org("BankA")
	if bank.Identities["User1"].CertPath != "/banka/u1.pem" {
		t.Errorf("an absolute path changed: %s", bank.Identities["User1"].CertPath)
	}
	if _, err := bank.Identity("Admin"); !errors.Is(err, ErrMissing) {
		t.Errorf("Identity(Admin) of an org without one: %v", err)
	}
}

func TestParseIsStrict(t *testing.T) {
	b, err := valid().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"unknown field": strings.Replace(string(b), `"channel"`, `"chanel": "x", "channel"`, 1),
		"trailing":      string(b) + "{}",
		"not an object": "[]",
		"empty":         "",
	} {
		if _, err := Parse([]byte(data), ""); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func TestPeerTLSCACert(t *testing.T) {
	pemCA := testCertPEM(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "ca.pem")
	os.WriteFile(path, []byte(pemCA), 0o600)
	for _, p := range []Peer{{Address: "a:1", TLSCACertPEM: pemCA}, {Address: "a:1", TLSCACertPath: path}} {
		got, err := p.TLSCACert()
		if err != nil || string(got) != pemCA {
			t.Errorf("%+v: %q, %v", p, got, err)
		}
	}
	os.WriteFile(path, []byte("not a certificate"), 0o600)
	if _, err := (Peer{Address: "a:1", TLSCACertPath: path}).TLSCACert(); !errors.Is(err, ErrInvalid) {
		t.Errorf("a file without a certificate: %v", err)
	}
}

// FuzzParse: no input panics the loader, and what it accepts survives a
// round trip unchanged.
func FuzzParse(f *testing.F) {
	b, err := valid().Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":1,"channel":"c","chaincode":"cc","orgs":[{"name":"A","mspId":"AMSP","role":"bank","peer":{"address":"h:1","tlsCACertPEM":"x"},"identities":{"U":{"certPath":"c","keyPath":"k"}}}]}`))
	f.Add([]byte(`{"version":1,"channel":"c","chaincode":"cc","orgs":[{"name":"A","mspId":"AMSP","role":"bank","peer":{"address":"h:1","tlsCACertPath":"x"},"identities":{"U":{"certPath":"c","keyPath":"k"}},"endorsers":[]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "")
		if err != nil {
			var fe *FieldError
			if errors.As(err, &fe) && fe.Field == "" {
				t.Fatalf("a field error without a field: %v", err)
			}
			return
		}
		out, err := c.Marshal()
		if err != nil {
			t.Fatalf("an accepted description does not marshal: %v", err)
		}
		again, err := Parse(out, "")
		if err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if !reflect.DeepEqual(c, again) {
			t.Fatalf("round trip changed the description:\n%+v\n%+v", c, again)
		}
	})
}

func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "orgconfig")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "consortium.json")
	os.WriteFile(path, []byte(`{"version": 1, "channel": "scf", "chaincode": "tierchain", "orgs": [
	  {"name": "BankA", "mspId": "BankAMSP", "role": "bank",
	   "peer": {"address": "peer0.banka.example:7051", "tlsCACertPath": "banka/tlsca.pem"},
	   "identities": {"User1": {"certPath": "banka/user1.pem"}}}]}`), 0o600)
	_, err := Load(path)
	fmt.Println(strings.TrimPrefix(err.Error(), path+": "))
	// Output: orgconfig: orgs[0].identities.User1.keyPath: missing
}

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
	"maps"
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

// validOperator is the operator's description with relative paths.
func validOperator() Description {
	return Description{Version: Version, Channel: "scf", Chaincode: "tierchain", CardsDir: "../../../public/enterprises",
		Org: Org{Name: "Operator", MSPID: "OperatorMSP", Role: RoleOperator,
			Peer:       Peer{Address: "peer0.operator:7150", TLSCACertPath: "operator/tlsca.pem"},
			Identities: map[string]Identity{"Admin": {CertPath: "operator/admin.pem", KeyPath: "operator/admin.key"}, "User1": {CertPath: "operator/u1.pem", KeyPath: "operator/u1.key"}},
			CA:         &KeyPair{CertPath: "operator/ca.pem", KeyPath: "operator/ca.key"},
			Enterprise: Enterprise{ID: "operator", Name: "TierChain Operations AS", LegalID: "0192:981000005", Identity: "User1",
				EncryptionKeyPath: "../enterprise/encryption.key", OPRFKeyPath: "../enterprise/oprf.key"},
			Endorsers: []RemotePeer{{MSPID: "BankAMSP", Peer: Peer{Address: "peer0.banka:7160", TLSCACertPath: "/public/banka-tlsca.pem"}}}}}
}

// validRegulator is the regulator's description with absolute paths.
func validRegulator() Description {
	return Description{Version: Version, Channel: "scf", Chaincode: "tierchain",
		Operator: &OperatorService{URL: "http://127.0.0.1:8080", CardPath: "/public/enterprises/operator.json"},
		Org: Org{Name: "Regulator", MSPID: "RegulatorMSP", Role: RoleRegulator,
			Peer:       Peer{Address: "127.0.0.5:7190", TLSCACertPath: "/public/reg-tlsca.pem"},
			Identities: map[string]Identity{"User1": {CertPath: "/reg/u1.pem", KeyPath: "/reg/u1.key"}},
			Enterprise: Enterprise{ID: "regulator", Name: "Financial Supervisory Authority", LegalID: "0192:984000006", Identity: "User1",
				EncryptionKeyPath: "/reg/encryption.key", AuditKeyPath: "/reg/audit.key"}}}
}

func TestValidateNamesTheField(t *testing.T) {
	pemCA := testCertPEM(t)
	tests := []struct {
		name  string
		edit  func(*Description)
		field string
		err   error
	}{
		{"version 1", func(d *Description) { d.Version = 1 }, "version", ErrVersion},
		{"version 3", func(d *Description) { d.Version = 3 }, "version", ErrVersion},
		{"no version", func(d *Description) { d.Version = 0 }, "version", ErrVersion},
		{"channel", func(d *Description) { d.Channel = "" }, "channel", ErrMissing},
		{"chaincode with space", func(d *Description) { d.Chaincode = "tier chain" }, "chaincode", ErrInvalid},
		{"time zone", func(d *Description) { d.TimeZone = "China/Beijing" }, "timeZone", ErrInvalid},
		{"time zone Local", func(d *Description) { d.TimeZone = "Local" }, "timeZone", ErrInvalid},
		{"org name", func(d *Description) { d.Org.Name = "" }, "org.name", ErrMissing},
		{"org name path", func(d *Description) { d.Org.Name = "../x" }, "org.name", ErrInvalid},
		{"msp", func(d *Description) { d.Org.MSPID = "" }, "org.mspId", ErrMissing},
		{"role", func(d *Description) { d.Org.Role = "" }, "org.role", ErrMissing},
		{"unknown role", func(d *Description) { d.Org.Role = "miner" }, "org.role", ErrInvalid},
		{"address", func(d *Description) { d.Org.Peer.Address = "" }, "org.peer.address", ErrMissing},
		{"address no port", func(d *Description) { d.Org.Peer.Address = "peer0" }, "org.peer.address", ErrInvalid},
		{"address port", func(d *Description) { d.Org.Peer.Address = "peer0:70000" }, "org.peer.address", ErrInvalid},
		{"no TLS CA", func(d *Description) { d.Org.Peer.TLSCACertPath = "" }, "org.peer.tlsCACertPEM", ErrMissing},
		{"both TLS CAs", func(d *Description) { d.Org.Peer.TLSCACertPEM = pemCA }, "org.peer.tlsCACertPath", ErrInvalid},
		{"TLS CA not PEM", func(d *Description) { d.Org.Peer.TLSCACertPath, d.Org.Peer.TLSCACertPEM = "", "hello" }, "org.peer.tlsCACertPEM", ErrInvalid},
		{"TLS CA a key", func(d *Description) {
			d.Org.Peer.TLSCACertPath = ""
			d.Org.Peer.TLSCACertPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}}))
		}, "org.peer.tlsCACertPEM", ErrInvalid},
		{"no identities", func(d *Description) { d.Org.Identities = nil }, "org.identities", ErrMissing},
		{"identity key", func(d *Description) { d.Org.Identities["User1"] = Identity{CertPath: "c"} }, "org.identities.User1.keyPath", ErrMissing},
		{"identity name", func(d *Description) { d.Org.Identities["a b"] = Identity{CertPath: "c", KeyPath: "k"} }, "org.identities", ErrInvalid},
		{"operator without CA", func(d *Description) { d.Org.CA = nil }, "org.ca", ErrMissing},
		{"ca cert", func(d *Description) { d.Org.CA.CertPath = "" }, "org.ca.certPath", ErrMissing},
		{"bank with CA", func(d *Description) { d.Org.Role = RoleBank }, "org.ca", ErrInvalid},
		{"enterprise id", func(d *Description) { d.Org.Enterprise.ID = "" }, "org.enterprise.id", ErrMissing},
		{"enterprise name", func(d *Description) { d.Org.Enterprise.Name = "" }, "org.enterprise.name", ErrMissing},
		{"enterprise legal ID", func(d *Description) { d.Org.Enterprise.LegalID = "" }, "org.enterprise.legalId", ErrMissing},
		{"enterprise identity", func(d *Description) { d.Org.Enterprise.Identity = "" }, "org.enterprise.identity", ErrMissing},
		{"enterprise identity unknown", func(d *Description) { d.Org.Enterprise.Identity = "User9" }, "org.enterprise.identity", ErrInvalid},
		{"encryption key", func(d *Description) { d.Org.Enterprise.EncryptionKeyPath = "" }, "org.enterprise.encryptionKeyPath", ErrMissing},
		{"operator without OPRF key", func(d *Description) { d.Org.Enterprise.OPRFKeyPath = "" }, "org.enterprise.oprfKeyPath", ErrMissing},
		{"operator service at the operator", func(d *Description) { d.Operator = &OperatorService{URL: "http://x:1", CardPath: "c"} }, "operator", ErrInvalid},
		{"audit key at the operator", func(d *Description) { d.Org.Enterprise.AuditKeyPath = "audit.key" }, "org.enterprise.auditKeyPath", ErrInvalid},
		{"endorser msp", func(d *Description) { d.Org.Endorsers[0].MSPID = "" }, "org.endorsers[0].mspId", ErrMissing},
		{"endorser itself", func(d *Description) { d.Org.Endorsers[0].MSPID = "OperatorMSP" }, "org.endorsers[0].mspId", ErrInvalid},
		{"endorser twice", func(d *Description) { d.Org.Endorsers = append(d.Org.Endorsers, d.Org.Endorsers[0]) }, "org.endorsers[1].mspId", ErrDuplicate},
		{"endorser address", func(d *Description) { d.Org.Endorsers[0].Address = "x" }, "org.endorsers[0].address", ErrInvalid},
	}
	regTests := []struct {
		name  string
		edit  func(*Description)
		field string
		err   error
	}{
		{"regulator without audit key", func(d *Description) { d.Org.Enterprise.AuditKeyPath = "" }, "org.enterprise.auditKeyPath", ErrMissing},
		{"OPRF key at the regulator", func(d *Description) { d.Org.Enterprise.OPRFKeyPath = "/reg/oprf.key" }, "org.enterprise.oprfKeyPath", ErrInvalid},
		{"operator URL", func(d *Description) { d.Operator.URL = "127.0.0.1:8080" }, "operator.url", ErrInvalid},
		{"operator card", func(d *Description) { d.Operator.CardPath = "" }, "operator.cardPath", ErrMissing},
		{"cards at the regulator", func(d *Description) { d.CardsDir = "/public/enterprises" }, "cardsDir", ErrInvalid},
	}
	for _, d := range []Description{validOperator(), validRegulator()} {
		if err := d.Validate(); err != nil {
			t.Fatalf("the valid description of %s: %v", d.Org.Name, err)
		}
	}
	check := func(t *testing.T, d Description, field string, want error) {
		err := d.Validate()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != field || !errors.Is(err, want) {
			t.Fatalf("err = %v, want field %s: %v", err, field, want)
		}
		if !strings.Contains(err.Error(), field) {
			t.Errorf("%q does not name %s", err, field)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := validOperator()
			d.Org.Identities = maps.Clone(d.Org.Identities)
			tt.edit(&d)
			check(t, d, tt.field, tt.err)
		})
	}
	for _, tt := range regTests {
		t.Run(tt.name, func(t *testing.T) {
			d := validRegulator()
			tt.edit(&d)
			check(t, d, tt.field, tt.err)
		})
	}
}

// TestVersion1IsRefused: the multi-organisation description of the
// gateway that hosted everyone is refused with a message that says so,
// before its other fields are looked at.
func TestVersion1IsRefused(t *testing.T) {
	v1 := `{"version": 1, "channel": "scf", "chaincode": "tierchain", "orgs": [{"name": "BankA"}]}`
	_, err := Parse([]byte(v1), "")
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "version" || !errors.Is(err, ErrVersion) {
		t.Fatalf("err = %v, want ErrVersion on version", err)
	}
	if !strings.Contains(err.Error(), "no longer accepted") {
		t.Errorf("%q does not say version 1 is no longer accepted", err)
	}
}

func TestLoadResolvesRelativePaths(t *testing.T) {
	dir := t.TempDir()
	b, err := validOperator().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "org.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	op := d.Org
	if want := filepath.Join(dir, "operator/tlsca.pem"); op.Peer.TLSCACertPath != want {
		t.Errorf("peer TLS CA %s, want %s", op.Peer.TLSCACertPath, want)
	}
	if want := filepath.Join(dir, "operator/u1.key"); op.Identities["User1"].KeyPath != want {
		t.Errorf("User1 key %s, want %s", op.Identities["User1"].KeyPath, want)
	}
	if want := filepath.Join(dir, "operator/ca.key"); op.CA.KeyPath != want {
		t.Errorf("CA key %s, want %s", op.CA.KeyPath, want)
	}
	if want := filepath.Join(dir, "../enterprise/encryption.key"); op.Enterprise.EncryptionKeyPath != want {
		t.Errorf("encryption key %s, want %s", op.Enterprise.EncryptionKeyPath, want)
	}
	if want := filepath.Join(dir, "../../../public/enterprises"); d.CardsDir != want {
		t.Errorf("cards %s, want %s", d.CardsDir, want)
	}
	if got := op.Endorsers[0].TLSCACertPath; got != "/public/banka-tlsca.pem" {
		t.Errorf("an absolute path changed: %s", got)
	}
	if _, err := op.Identity("User7"); !errors.Is(err, ErrMissing) {
		t.Errorf("Identity(User7): %v", err)
	}
}

func TestParseIsStrict(t *testing.T) {
	b, err := validOperator().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"unknown field":     strings.Replace(string(b), `"channel"`, `"chanel": "x", "channel"`, 1),
		"duplicated key":    strings.Replace(string(b), `"channel"`, `"channel": "other", "channel"`, 1),
		"trailing":          string(b) + "{}",
		"not an object":     "[]",
		"empty":             "",
		"orgs of version 1": strings.Replace(string(b), `"org"`, `"orgs": [], "org"`, 1),
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
	b, err := validOperator().Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	if b, err = validRegulator().Marshal(); err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":2,"channel":"c","chaincode":"cc","org":{"name":"A","mspId":"AMSP","role":"bank","peer":{"address":"h:1","tlsCACertPEM":"x"},"identities":{"U":{"certPath":"c","keyPath":"k"}},"enterprise":{"id":"a","name":"A","legalId":"1","identity":"U","encryptionKeyPath":"e"}}}`))
	f.Add([]byte(`{"version":2,"channel":"c","chaincode":"cc","org":{"name":"A","mspId":"AMSP","role":"bank","peer":{"address":"h:1","tlsCACertPath":"x"},"identities":{"U":{"certPath":"c","keyPath":"k"}},"enterprise":{"id":"a","name":"A","legalId":"1","identity":"U","encryptionKeyPath":"e"},"endorsers":[]}}`))
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
	path := filepath.Join(dir, "org.json")
	os.WriteFile(path, []byte(`{"version": 2, "channel": "scf", "chaincode": "tierchain",
	  "org": {"name": "BankA", "mspId": "BankAMSP", "role": "bank",
	   "peer": {"address": "peer0.banka.example:7051", "tlsCACertPath": "../../../public/BankA/tlsca.pem"},
	   "identities": {"User1": {"certPath": "../crypto/user1.pem", "keyPath": "../crypto/user1.key"}},
	   "enterprise": {"id": "bankA", "name": "Fjord Bank ASA", "legalId": "0192:982000009", "identity": "User1",
	                  "encryptionKeyPath": "../enterprise/encryption.key", "auditKeyPath": "../enterprise/audit.key"}}}`), 0o600)
	_, err := Load(path)
	fmt.Println(strings.TrimPrefix(err.Error(), path+": "))
	// Output: orgconfig: org.enterprise.auditKeyPath: invalid: only the regulator holds the audit key
}

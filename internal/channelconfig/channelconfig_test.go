package channelconfig_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	mspb "github.com/hyperledger/fabric-protos-go-apiv2/msp"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"

	"github.com/tierchain/tierchain/internal/channelconfig"
	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/orgconfig"
)

var (
	prepOnce sync.Once
	prepNet  *fabnet.Network
	prepErr  error
	prepDir  string
)

// prepared is a network prepared by fabnet (keys, bundle, genesis block;
// nothing started), shared by the tests of this file.
func prepared(t *testing.T) *fabnet.Network {
	t.Helper()
	prepOnce.Do(func() {
		repo, err := fabnet.RepoRoot(".")
		if err != nil {
			prepErr = err
			return
		}
		prepDir, prepErr = os.MkdirTemp("", "channelconfig-test-")
		if prepErr != nil {
			return
		}
		prepNet, prepErr = fabnet.Prepare(context.Background(), fabnet.Options{Dir: filepath.Join(prepDir, "net"), RepoRoot: repo, Orderers: 3})
	})
	if prepErr != nil {
		t.Fatal(prepErr)
	}
	return prepNet
}

func TestMain(m *testing.M) {
	code := m.Run()
	if prepDir != "" {
		os.RemoveAll(prepDir)
	}
	os.Exit(code)
}

func genesis(t *testing.T) *cb.Config {
	t.Helper()
	n := prepared(t)
	b, err := os.ReadFile(filepath.Join(n.PublicDir(), fabnet.ChannelName+".block"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, ch, err := channelconfig.FromBlock(b)
	if err != nil {
		t.Fatal(err)
	}
	if ch != fabnet.ChannelName {
		t.Fatalf("channel %q", ch)
	}
	return cfg
}

func admin(t *testing.T, org, user string) *channelconfig.Signer {
	t.Helper()
	id, err := prepared(t).IdentityFor(org, user)
	if err != nil {
		t.Fatal(err)
	}
	s, err := channelconfig.NewSigner(id.MSPID, id.CertPath, id.KeyPath)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newcomerCA makes a CA certificate the way a newcomer's own CA would be.
func newcomerCA(t *testing.T, cn string) (string, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn, Organization: []string{"bankc.tierchain.local"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), key
}

func bankC(t *testing.T) channelconfig.Definition {
	ca, _ := newcomerCA(t, "ca.bankc.tierchain.local")
	tlsca, _ := newcomerCA(t, "tlsca.bankc.tierchain.local")
	return channelconfig.Definition{Version: channelconfig.DefinitionVersion, Name: "BankC", MSPID: "BankCMSP", Role: orgconfig.RoleBank,
		CACerts: []string{ca}, TLSCACerts: []string{tlsca}, AnchorPeers: []channelconfig.AnchorPeer{{Host: "127.0.0.6", Port: 7200}},
		PeerAddress: "127.0.0.6:7200", GatewayAddress: "127.0.0.6:8085"}
}

// TestOrgGroupAsConfigtxgen: the Application group entry built from an
// organisation's public MSP folder is the one configtxgen wrote into the
// genesis block for it (MSP, anchor peers, the four policies, mod
// policies), so an admitted member is configured like a founder.
func TestOrgGroupAsConfigtxgen(t *testing.T) {
	cfg := genesis(t)
	n := prepared(t)
	compared := 0
	for _, o := range n.Layout.Orgs {
		if o.Role != orgconfig.RoleBank && o.Role != orgconfig.RoleCore {
			continue // a newcomer is a bank or a core enterprise
		}
		if len(n.Layout.OrderersOf(o.Name)) > 0 {
			continue // its policies also admit its orderers; a newcomer runs none (yet)
		}
		d, err := channelconfig.DefinitionFromMSPDir(o.Name, o.MSPID, o.Role, filepath.Join(n.PublicDir(), o.Name, "msp"),
			channelconfig.AnchorPeer{Host: n.Layout.PeerEndpointHost(o), Port: o.Peer.Listen}, n.Layout.PeerAddress(o), n.Layout.GatewayAddress(o))
		if err != nil {
			t.Fatal(err)
		}
		got, err := channelconfig.OrgGroup(d)
		if err != nil {
			t.Fatal(err)
		}
		want := cfg.ChannelGroup.Groups["Application"].Groups[o.MSPID]
		if got.ModPolicy != want.ModPolicy || len(got.Values) != len(want.Values) || len(got.Policies) != len(want.Policies) {
			t.Fatalf("%s: group %v, configtxgen wrote %v", o.Name, got, want)
		}
		var gm, wm mspb.MSPConfig
		var gf, wf mspb.FabricMSPConfig
		unmarshal(t, got.Values["MSP"].Value, &gm)
		unmarshal(t, want.Values["MSP"].Value, &wm)
		unmarshal(t, gm.Config, &gf)
		unmarshal(t, wm.Config, &wf)
		if gm.Type != wm.Type || !proto.Equal(&gf, &wf) {
			t.Errorf("%s MSP:\n got %v\nwant %v", o.Name, &gf, &wf)
		}
		var ga, wa pb.AnchorPeers
		unmarshal(t, got.Values["AnchorPeers"].Value, &ga)
		unmarshal(t, want.Values["AnchorPeers"].Value, &wa)
		if !proto.Equal(&ga, &wa) || got.Values["AnchorPeers"].ModPolicy != want.Values["AnchorPeers"].ModPolicy {
			t.Errorf("%s anchor peers differ", o.Name)
		}
		for name, wp := range want.Policies {
			gp := got.Policies[name]
			var ge, we cb.SignaturePolicyEnvelope
			unmarshal(t, gp.GetPolicy().GetValue(), &ge)
			unmarshal(t, wp.GetPolicy().GetValue(), &we)
			if gp.ModPolicy != wp.ModPolicy || gp.Policy.Type != wp.Policy.Type || !proto.Equal(&ge, &we) {
				t.Errorf("%s policy %s:\n got %v\nwant %v", o.Name, name, &ge, &we)
			}
		}
		compared++
	}
	if compared == 0 {
		t.Fatal("no organisation compared")
	}
}

func unmarshal(t *testing.T, b []byte, m proto.Message) {
	t.Helper()
	if err := proto.Unmarshal(b, m); err != nil {
		t.Fatal(err)
	}
}

func signAll(t *testing.T, env []byte, signers ...*channelconfig.Signer) *channelconfig.Update {
	t.Helper()
	u, err := channelconfig.ParseUpdate(env)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range signers {
		if err := u.Sign(s); err != nil {
			t.Fatal(err)
		}
		// Each member signs on its own host: the file travels.
		b, err := u.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if u, err = channelconfig.ParseUpdate(b); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

// TestAddOrg: admitting BankC adds exactly its group to the Application
// group (version bumped, every founder pinned at its version in the read
// set), the update travels as a file and collects signatures, and only a
// majority of application organisations' admins is enough: a minority,
// clients, the regulator alone, a forged or altered signature, or a
// signature of the newcomer itself is not.
func TestAddOrg(t *testing.T) {
	cfg := genesis(t)
	d := bankC(t)
	updated, err := channelconfig.AddOrg(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.ChannelGroup.Groups["Application"].Groups["BankCMSP"]; ok {
		t.Fatal("AddOrg changed its input")
	}
	cu, err := channelconfig.Compute(fabnet.ChannelName, cfg, updated)
	if err != nil {
		t.Fatal(err)
	}
	app := cfg.ChannelGroup.Groups["Application"]
	rs, ws := cu.ReadSet.Groups["Application"], cu.WriteSet.Groups["Application"]
	if rs.Version != app.Version || ws.Version != app.Version+1 || ws.ModPolicy != "Admins" {
		t.Fatalf("Application versions: read %d write %d (config %d)", rs.Version, ws.Version, app.Version)
	}
	if len(ws.Groups) != len(app.Groups)+1 || ws.Groups["BankCMSP"] == nil || ws.Groups["BankCMSP"].Version != 0 {
		t.Fatalf("write set groups %v", slices.Collect(mapKeys(ws.Groups)))
	}
	if len(cu.WriteSet.Groups) != 1 || len(cu.WriteSet.Values) != 0 {
		t.Fatalf("the update touches more than the Application group: %v", cu.WriteSet)
	}
	env, err := channelconfig.NewUpdateEnvelope(cu)
	if err != nil {
		t.Fatal(err)
	}
	u := signAll(t, env)
	if got := channelconfig.Describe(cfg, u); !slices.Equal(got, []string{"add Application/BankCMSP"}) {
		t.Errorf("Describe = %q", got)
	}
	if err := channelconfig.CheckCurrent(cfg, u); err != nil {
		t.Fatal(err)
	}
	if channelconfig.Majority(cfg) != 3 {
		t.Fatalf("majority of 5 application orgs = %d", channelconfig.Majority(cfg))
	}

	for _, tc := range []struct {
		name    string
		signers []*channelconfig.Signer
		want    []string
	}{
		{"minority", []*channelconfig.Signer{admin(t, "Operator", "Admin"), admin(t, "BankA", "Admin")}, []string{"BankAMSP", "OperatorMSP"}},
		{"regulator alone", []*channelconfig.Signer{admin(t, "Regulator", "Admin")}, []string{"RegulatorMSP"}},
		{"clients", []*channelconfig.Signer{admin(t, "Operator", "User1"), admin(t, "Core", "User1"), admin(t, "BankA", "User1"), admin(t, "BankB", "User1")}, nil},
		{"one org thrice", []*channelconfig.Signer{admin(t, "Core", "Admin"), admin(t, "Core", "Admin"), admin(t, "Core", "User1")}, []string{"CoreMSP"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := signAll(t, env, tc.signers...)
			signed, _ := u.Check(cfg)
			if !slices.Equal(signed, tc.want) {
				t.Errorf("signed by %v, want %v", signed, tc.want)
			}
			if err := u.Enough(cfg); !errors.Is(err, channelconfig.ErrTooFew) || channelconfig.Code(err) != "TOO_FEW_SIGNATURES" {
				t.Errorf("Enough = %v, want ErrTooFew", err)
			}
		})
	}

	u = signAll(t, env, admin(t, "Operator", "Admin"), admin(t, "Core", "Admin"), admin(t, "BankB", "Admin"))
	if err := u.Enough(cfg); err != nil {
		t.Fatalf("three of five admins: %v", err)
	}
	// Tampering: flip a byte of one signature, and it no longer counts.
	u.Signatures[0].Signature[len(u.Signatures[0].Signature)/2] ^= 1
	signed, checks := u.Check(cfg)
	if len(signed) != 2 || checks[0].Admin || !strings.Contains(checks[0].Problem, "does not verify") {
		t.Errorf("altered signature: signed %v, checks %+v", signed, checks)
	}
	// A signature from a certificate the member's CA did not issue.
	forged := *admin(t, "Operator", "Admin")
	ca, _ := newcomerCA(t, "Admin@operator.tierchain.local")
	forged.CertPEM = []byte(ca)
	u = signAll(t, env, &forged)
	if _, checks := u.Check(cfg); checks[0].Admin || !strings.Contains(checks[0].Problem, "not issued") {
		t.Errorf("forged certificate: %+v", checks)
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestAddOrgCollision: a newcomer whose MSP ID is a member's (an
// application organisation, or an organisation that runs orderers) is
// refused before anything is signed, and a bad definition too.
func TestAddOrgCollision(t *testing.T) {
	cfg := genesis(t)
	for _, msp := range []string{"BankAMSP", "OperatorMSP", "RegulatorMSP"} {
		d := bankC(t)
		d.MSPID = msp
		if _, err := channelconfig.AddOrg(cfg, d); !errors.Is(err, channelconfig.ErrOrgExists) || channelconfig.Code(err) != "ORG_EXISTS" {
			t.Errorf("AddOrg(%s) = %v, want ErrOrgExists", msp, err)
		}
	}
	d := bankC(t)
	d.Role = orgconfig.RoleRegulator
	if _, err := channelconfig.AddOrg(cfg, d); !errors.Is(err, channelconfig.ErrDefinition) {
		t.Errorf("a second regulator: %v", err)
	}
}

// TestRemoveOrg: removing BankB takes its group out of the Application
// group and nothing else; an organisation that runs orderers, or one that
// is not there, is refused.
func TestRemoveOrg(t *testing.T) {
	cfg := genesis(t)
	updated, err := channelconfig.RemoveOrg(cfg, "BankBMSP")
	if err != nil {
		t.Fatal(err)
	}
	cu, err := channelconfig.Compute(fabnet.ChannelName, cfg, updated)
	if err != nil {
		t.Fatal(err)
	}
	env, _ := channelconfig.NewUpdateEnvelope(cu)
	u := signAll(t, env)
	if got := channelconfig.Describe(cfg, u); !slices.Equal(got, []string{"remove Application/BankBMSP"}) {
		t.Errorf("Describe = %q", got)
	}
	if _, err := channelconfig.RemoveOrg(cfg, "CoreMSP"); !errors.Is(err, channelconfig.ErrDefinition) {
		t.Errorf("removing an orderer-running org: %v", err)
	}
	if _, err := channelconfig.RemoveOrg(cfg, "BankZMSP"); !errors.Is(err, channelconfig.ErrNoOrg) {
		t.Errorf("removing an unknown org: %v", err)
	}
}

// TestSuspendOrg: suspending BankB replaces Application/Writers (which the
// majority controls) by an explicit policy over the other writers; the
// regulator, which writes nothing, is not among them; suspending twice
// changes nothing. Suspending Core also changes the Orderer group's
// Writers, since Core runs an orderer.
func TestSuspendOrg(t *testing.T) {
	cfg := genesis(t)
	before, err := channelconfig.WriterOrgs(cfg, "Application")
	if err != nil {
		t.Fatal(err)
	}
	// The prepared genesis block still lets the regulator's admin write
	// (the launcher locks it after deploying the chaincode).
	if !slices.Contains(before, "BankBMSP") {
		t.Fatalf("writers before %v", before)
	}
	locked, err := channelconfig.LockOrgWriters(cfg, "RegulatorMSP")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := channelconfig.LockOrgWriters(locked, "RegulatorMSP"); !errors.Is(err, channelconfig.ErrNoChange) {
		t.Errorf("locking twice: %v", err)
	}
	s, err := channelconfig.SuspendOrg(locked, "BankBMSP")
	if err != nil {
		t.Fatal(err)
	}
	after, _ := channelconfig.WriterOrgs(s, "Application")
	if want := []string{"BankAMSP", "CoreMSP", "OperatorMSP"}; !slices.Equal(after, want) {
		t.Errorf("writers after suspending BankB %v, want %v", after, want)
	}
	cu, err := channelconfig.Compute(fabnet.ChannelName, locked, s)
	if err != nil {
		t.Fatal(err)
	}
	env, _ := channelconfig.NewUpdateEnvelope(cu)
	if got := channelconfig.Describe(locked, signAll(t, env)); !slices.Equal(got, []string{"set Application/Writers (policy)"}) {
		t.Errorf("Describe = %q", got)
	}
	if _, err := channelconfig.SuspendOrg(s, "BankBMSP"); !errors.Is(err, channelconfig.ErrNoChange) {
		t.Errorf("suspending twice: %v", err)
	}
	sc, err := channelconfig.SuspendOrg(locked, "CoreMSP")
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := channelconfig.WriterOrgs(sc, "Orderer"); slices.Contains(w, "CoreMSP") || len(w) != 2 {
		t.Errorf("orderer writers after suspending Core %v", w)
	}
	// The explicit Orderer Writers keep the remaining ordering orgs'
	// orderers: they sign the config transactions they order.
	var ow cb.SignaturePolicyEnvelope
	unmarshal(t, sc.ChannelGroup.Groups["Orderer"].Policies["Writers"].Policy.Value, &ow)
	orderers := 0
	for _, p := range ow.Identities {
		var r mspb.MSPRole
		unmarshal(t, p.Principal, &r)
		if r.Role == mspb.MSPRole_ORDERER {
			orderers++
		}
	}
	if orderers != 2 {
		t.Errorf("explicit Orderer Writers admit the orderers of %d orgs, want 2", orderers)
	}
	if _, err := channelconfig.Compute(fabnet.ChannelName, cfg, cfg); !errors.Is(err, channelconfig.ErrNoChange) {
		t.Errorf("no change: %v", err)
	}

	// While BankB is suspended, a newcomer writes, a removed member no
	// longer does, and reinstating BankB gives "ANY Writers" back.
	withC, err := channelconfig.AddOrg(s, bankC(t))
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := channelconfig.WriterOrgs(withC, "Application"); !slices.Contains(w, "BankCMSP") || slices.Contains(w, "BankBMSP") {
		t.Errorf("writers after admitting BankC during BankB's suspension: %v", w)
	}
	withoutC, err := channelconfig.RemoveOrg(withC, "BankCMSP")
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := channelconfig.WriterOrgs(withoutC, "Application"); !slices.Equal(w, []string{"BankAMSP", "CoreMSP", "OperatorMSP"}) {
		t.Errorf("writers after removing BankC: %v", w)
	}
	back, err := channelconfig.ReinstateOrg(withoutC, "BankBMSP")
	if err != nil {
		t.Fatal(err)
	}
	if typ := back.ChannelGroup.Groups["Application"].Policies["Writers"].Policy.Type; typ != int32(cb.Policy_IMPLICIT_META) {
		t.Errorf("Writers of type %d after reinstating the only suspended member", typ)
	}
	if _, err := channelconfig.ReinstateOrg(back, "BankBMSP"); !errors.Is(err, channelconfig.ErrNoChange) {
		t.Errorf("reinstating twice: %v", err)
	}
	// Reinstated, Application/Writers is the genesis block's again.
	rs, _ := channelconfig.ReinstateOrg(s, "BankBMSP")
	var a, b cb.ImplicitMetaPolicy
	unmarshal(t, locked.ChannelGroup.Groups["Application"].Policies["Writers"].Policy.Value, &a)
	unmarshal(t, rs.ChannelGroup.Groups["Application"].Policies["Writers"].Policy.Value, &b)
	if !proto.Equal(&a, &b) {
		t.Errorf("reinstated Writers %v, at genesis %v", &b, &a)
	}
}

// TestStaleUpdate: an update computed against an older config (another
// admission committed since) is recognised before signing.
func TestStaleUpdate(t *testing.T) {
	cfg := genesis(t)
	withC, err := channelconfig.AddOrg(cfg, bankC(t))
	if err != nil {
		t.Fatal(err)
	}
	d := bankC(t)
	d.Name, d.MSPID = "BankD", "BankDMSP"
	withD, _ := channelconfig.AddOrg(cfg, d)
	cu, err := channelconfig.Compute(fabnet.ChannelName, cfg, withD)
	if err != nil {
		t.Fatal(err)
	}
	env, _ := channelconfig.NewUpdateEnvelope(cu)
	u := signAll(t, env)
	// The committed config after BankC's admission has Application at
	// version+1.
	withC.ChannelGroup.Groups["Application"].Version++
	if err := channelconfig.CheckCurrent(withC, u); !errors.Is(err, channelconfig.ErrStaleUpdate) {
		t.Errorf("CheckCurrent = %v, want ErrStaleUpdate", err)
	}
}

// TestDefinitionRoundTrip: a definition survives its JSON form, and the
// strict decoder refuses unknown and duplicated fields and private keys.
func TestDefinitionRoundTrip(t *testing.T) {
	d := bankC(t)
	b, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := channelconfig.ParseDefinition(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.MSPID != d.MSPID || got.CACerts[0] != d.CACerts[0] || got.AnchorPeers[0] != d.AnchorPeers[0] {
		t.Fatalf("round trip: %+v", got)
	}
	for name, bad := range map[string]string{
		"unknown field": strings.Replace(string(b), `"name"`, `"nickname": "x", "name"`, 1),
		"duplicate":     strings.Replace(string(b), `"name"`, `"mspId": "BankAMSP", "name"`, 1),
		"private key":   strings.Replace(string(b), `"peerAddress"`, `"x": "-----BEGIN PRIVATE KEY-----", "peerAddress"`, 1),
		"no anchor":     strings.Replace(string(b), `"anchorPeers"`, `"anchorPeersX"`, 1),
		"bad port":      strings.Replace(string(b), `"port": 7200`, `"port": 70000`, 1),
	} {
		if _, err := channelconfig.ParseDefinition([]byte(bad)); !errors.Is(err, channelconfig.ErrDefinition) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzParseDefinition(f *testing.F) {
	f.Add([]byte(`{"version":1,"name":"BankC","mspId":"BankCMSP","role":"bank","caCerts":["x"],"tlsCACerts":[],"anchorPeers":[{"host":"h","port":1}],"peerAddress":"h:1"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := channelconfig.ParseDefinition(b)
		if err != nil {
			return
		}
		if _, err := d.Marshal(); err != nil {
			t.Fatalf("a parsed definition does not marshal: %v", err)
		}
	})
}

func FuzzParseUpdate(f *testing.F) {
	cu := &cb.ConfigUpdate{ChannelId: "scf", ReadSet: &cb.ConfigGroup{}, WriteSet: &cb.ConfigGroup{Groups: map[string]*cb.ConfigGroup{"Application": {Version: 1}}}}
	env, _ := channelconfig.NewUpdateEnvelope(cu)
	f.Add(env)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := channelconfig.ParseUpdate(b)
		if err != nil {
			return
		}
		channelconfig.Describe(&cb.Config{}, u)
		if _, err := u.Marshal(); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzFromBlock(f *testing.F) {
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, _, err := channelconfig.FromBlock(b)
		if err != nil {
			return
		}
		channelconfig.ApplicationOrgs(cfg)
		channelconfig.WriterOrgs(cfg, "Application")
	})
}

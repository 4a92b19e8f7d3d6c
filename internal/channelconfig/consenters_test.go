package channelconfig_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	mspb "github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"

	"github.com/tierchain/tierchain/internal/channelconfig"
	"github.com/tierchain/tierchain/internal/fabnet"
)

func definitionOf(t *testing.T, n *fabnet.Network, org string) channelconfig.Definition {
	t.Helper()
	o, _ := n.Layout.Org(org)
	d, err := channelconfig.DefinitionFromMSPDir(o.Name, o.MSPID, o.Role, filepath.Join(n.PublicDir(), o.Name, "msp"),
		channelconfig.AnchorPeer{Host: n.Layout.PeerEndpointHost(o), Port: o.Peer.Listen}, n.Layout.PeerAddress(o), "")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func blockSigners(t *testing.T, cfg *cb.Config) []string {
	t.Helper()
	var env cb.SignaturePolicyEnvelope
	unmarshal(t, cfg.ChannelGroup.Groups["Orderer"].Policies["BlockValidation"].Policy.Value, &env)
	var out []string
	for _, p := range env.Identities {
		var r mspb.MSPRole
		unmarshal(t, p.Principal, &r)
		if r.Role != mspb.MSPRole_ORDERER {
			t.Errorf("BlockValidation admits %v", &r)
		}
		out = append(out, r.MspIdentifier)
	}
	return out
}

// TestAddConsenterAsConfigtxgen: Core's Orderer group entry, taken out and
// put back by AddConsenter from Core's public MSP folder, is the one
// configtxgen wrote (MSP, endpoints, policies); BlockValidation admits the
// same orderers again.
func TestAddConsenterAsConfigtxgen(t *testing.T) {
	cfg := genesis(t)
	n := prepared(t)
	want := cfg.ChannelGroup.Groups["Orderer"].Groups["CoreMSP"]
	var eps cb.OrdererAddresses
	unmarshal(t, want.Values["Endpoints"].Value, &eps)
	without := proto.Clone(cfg).(*cb.Config)
	delete(without.ChannelGroup.Groups["Orderer"].Groups, "CoreMSP")
	core, _ := n.Layout.Org("Core")
	ord := n.Layout.OrderersOf("Core")[0]
	tlsCert, err := os.ReadFile(filepath.Join(n.PublicDir(), "Core", "consenters", ord.Host+".crt"))
	if err != nil {
		t.Fatal(err)
	}
	// The consenter itself is there already: AddConsenter says so.
	if _, err := channelconfig.AddConsenter(without, definitionOf(t, n, "Core"), channelconfig.Consenter{Host: n.Layout.OrdererHost(ord), Port: ord.Ports.Listen, TLSCert: tlsCert}, eps.Addresses[0]); !errors.Is(err, channelconfig.ErrNoChange) {
		t.Fatalf("adding an existing consenter: %v", err)
	}
	got, err := channelconfig.AddConsenter(without, definitionOf(t, n, "Core"), channelconfig.Consenter{Host: "orderer9.core.tierchain.local", Port: 7999, TLSCert: tlsCert}, eps.Addresses[0])
	if err != nil {
		t.Fatal(err)
	}
	g := got.ChannelGroup.Groups["Orderer"].Groups["CoreMSP"]
	for name, wp := range want.Policies {
		var ge, we cb.SignaturePolicyEnvelope
		unmarshal(t, g.Policies[name].GetPolicy().GetValue(), &ge)
		unmarshal(t, wp.Policy.Value, &we)
		if !proto.Equal(&ge, &we) || g.Policies[name].ModPolicy != wp.ModPolicy {
			t.Errorf("%s (%s):\n got %v\nwant %v", name, core.Name, &ge, &we)
		}
	}
	if len(g.Policies) != len(want.Policies) || len(g.Values) != len(want.Values) || g.ModPolicy != want.ModPolicy {
		t.Errorf("group shape %v, want %v", g, want)
	}
	var ge cb.OrdererAddresses
	unmarshal(t, g.Values["Endpoints"].Value, &ge)
	if !proto.Equal(&ge, &eps) {
		t.Errorf("endpoints %v, want %v", &ge, &eps)
	}
	if a, b := blockSigners(t, got), blockSigners(t, cfg); !slices.Equal(a, b) {
		t.Errorf("BlockValidation %v, want %v", a, b)
	}
}

// TestConsenterOfNewOrg: a member that runs no orderer (BankB) gets a
// consenter: it joins the Orderer group and BlockValidation, the consenter
// set grows by one, the update needs a majority of the ordering
// organisations' admins; removing the consenter gives the original
// Orderer group back.
func TestConsenterOfNewOrg(t *testing.T) {
	cfg := genesis(t)
	n := prepared(t)
	before, err := channelconfig.Consenters(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tlsCert, _ := os.ReadFile(filepath.Join(n.PublicDir(), "BankB", "tlsca.pem")) // any certificate of BankB's TLS CA
	// A consenter certificate issued by BankB's TLS CA: its TLS CA's own is one.
	c := channelconfig.Consenter{Host: "orderer3.bankb.tierchain.local", Port: 7080, TLSCert: tlsCert}
	added, err := channelconfig.AddConsenter(cfg, definitionOf(t, n, "BankB"), c, "orderer3.bankb.tierchain.local:7080")
	if err != nil {
		t.Fatal(err)
	}
	after, _ := channelconfig.Consenters(added)
	if len(after) != len(before)+1 || after[len(after)-1].Host != c.Host {
		t.Fatalf("consenters %d → %d", len(before), len(after))
	}
	if bs := blockSigners(t, added); bs[len(bs)-1] != "BankBMSP" || len(bs) != 4 {
		t.Errorf("BlockValidation %v", bs)
	}
	cu, err := channelconfig.Compute(fabnet.ChannelName, cfg, added)
	if err != nil {
		t.Fatal(err)
	}
	env, _ := channelconfig.NewUpdateEnvelope(cu)
	u := signAll(t, env, admin(t, "BankA", "Admin"), admin(t, "BankB", "Admin"), admin(t, "Regulator", "Admin"))
	if err := u.EnoughIn(cfg, "Orderer"); !errors.Is(err, channelconfig.ErrTooFew) {
		t.Errorf("one ordering org of three: %v", err)
	}
	u = signAll(t, env, admin(t, "Operator", "Admin"), admin(t, "BankA", "Admin"))
	if err := u.EnoughIn(cfg, "Orderer"); err != nil {
		t.Errorf("two ordering orgs of three: %v", err)
	}
	// The update changes the Orderer group only: two of the five
	// application organisations are enough.
	if err := u.Enough(cfg); err != nil {
		t.Errorf("Enough for an Orderer-group change: %v", err)
	}
	if got := channelconfig.Describe(cfg, u); !slices.Contains(got, "add Orderer/BankBMSP") || !slices.Contains(got, "set Orderer/ConsensusType (value)") {
		t.Errorf("Describe = %q", got)
	}
	back, err := channelconfig.RemoveConsenter(added, c.Host, c.Port, "BankBMSP")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := back.ChannelGroup.Groups["Orderer"].Groups["BankBMSP"]; ok {
		t.Error("BankB still in the Orderer group without a consenter")
	}
	if a, b := blockSigners(t, back), blockSigners(t, cfg); !slices.Equal(a, b) {
		t.Errorf("BlockValidation after removal %v, want %v", a, b)
	}
	if now, _ := channelconfig.Consenters(back); len(now) != len(before) {
		t.Errorf("%d consenters after removal, want %d", len(now), len(before))
	}
	if _, err := channelconfig.RemoveConsenter(back, c.Host, c.Port, "BankBMSP"); !errors.Is(err, channelconfig.ErrNoChange) {
		t.Errorf("removing it twice: %v", err)
	}
}

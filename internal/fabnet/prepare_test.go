package fabnet_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/orderer"
	"github.com/hyperledger/fabric-protos-go-apiv2/orderer/etcdraft"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"

	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/orgconfig"
)

// TestPrepareNodeNames: a layout for containers (every node reached by its
// own DNS name, binding 0.0.0.0) prepares without starting anything; the
// TLS certificates are valid for the names, the genesis block's orderer
// endpoints, Raft consenters and anchor peers are the names, each
// organisation's chaincode package dials its server by name, and the
// package IDs are the digests of the packages written.
func TestPrepareNodeNames(t *testing.T) {
	repo, err := fabnet.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	l := fabnet.NewLayout(fabnet.DefaultBase, 3).WithNodeNames("0.0.0.0")
	dir := filepath.Join(t.TempDir(), "net")
	if _, err := fabnet.Prepare(context.Background(), fabnet.Options{Dir: dir, RepoRoot: repo, Layout: &l}); err != nil {
		t.Fatal(err)
	}
	if st, err := fabnet.Status(dir); err != nil || len(st.Procs) != 0 || st.Stopped {
		t.Fatalf("Prepare started something or recorded a network: %+v %v", st, err)
	}
	n, err := fabnet.Prepare(context.Background(), fabnet.Options{Dir: dir, RepoRoot: repo, Layout: &l})
	if err != nil {
		t.Fatalf("preparing again over prepared material (no network created there): %v", err)
	}

	// TLS certificates carry the names.
	for _, o := range l.Orgs {
		crypto := filepath.Join(dir, "orgs", o.Name, "crypto", "peerOrganizations", o.Domain)
		wantSAN(t, filepath.Join(crypto, "peers", o.PeerHost, "tls", "server.crt"), "peer0."+o.Domain)
		wantSAN(t, filepath.Join(crypto, "peers", "chaincode."+o.Domain, "tls", "server.crt"), "chaincode."+o.Domain)
	}
	for _, o := range l.Orderers {
		wantSAN(t, filepath.Join(dir, "public", o.Owner, "consenters", o.Host+".crt"), fmt.Sprintf("%s.%s.tierchain.local", o.Name, strings.ToLower(o.Owner)))
	}

	// The genesis block names every endpoint.
	cfg := genesisConfig(t, filepath.Join(dir, "public", fabnet.ChannelName+".block"))
	app := cfg.GetChannelGroup().GetGroups()["Application"]
	for _, o := range l.Orgs {
		var anchors pb.AnchorPeers
		unmarshal(t, app.GetGroups()[o.MSPID].GetValues()["AnchorPeers"].GetValue(), &anchors)
		if len(anchors.AnchorPeers) != 1 || anchors.AnchorPeers[0].Host != o.PeerHost || int(anchors.AnchorPeers[0].Port) != o.Peer.Listen {
			t.Errorf("%s anchor peers %v, want %s:%d", o.Name, anchors.AnchorPeers, o.PeerHost, o.Peer.Listen)
		}
	}
	ord := cfg.GetChannelGroup().GetGroups()["Orderer"]
	for _, o := range l.Orderers {
		owner, _ := l.Org(o.Owner)
		var eps cb.OrdererAddresses
		unmarshal(t, ord.GetGroups()[owner.MSPID].GetValues()["Endpoints"].GetValue(), &eps)
		if want := fmt.Sprintf("%s:%d", o.Host, o.Ports.Listen); !slices.Contains(eps.Addresses, want) {
			t.Errorf("%s's orderer endpoints %v lack %s", o.Owner, eps.Addresses, want)
		}
	}
	var ct orderer.ConsensusType
	unmarshal(t, ord.GetValues()["ConsensusType"].GetValue(), &ct)
	var raft etcdraft.ConfigMetadata
	unmarshal(t, ct.Metadata, &raft)
	if len(raft.Consenters) != len(l.Orderers) {
		t.Fatalf("%d consenters", len(raft.Consenters))
	}
	for i, c := range raft.Consenters {
		if c.Host != l.Orderers[i].Host || int(c.Port) != l.Orderers[i].Ports.Listen {
			t.Errorf("consenter %d: %s:%d, want %s", i, c.Host, c.Port, l.OrdererAddress(l.Orderers[i]))
		}
	}

	// Each organisation's chaincode package: its server by name, its ID the
	// package's digest, the same ID in chaincode.env.
	for _, o := range l.Orgs {
		pkg, err := os.ReadFile(filepath.Join(dir, "orgs", o.Name, fabnet.ChaincodeLabel+".tar.gz"))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(pkg)
		id := fabnet.ChaincodeLabel + ":" + hex.EncodeToString(sum[:])
		if n.PackageIDs[o.Name] != id {
			t.Errorf("%s: package ID %s, package digest gives %s", o.Name, n.PackageIDs[o.Name], id)
		}
		env, _ := os.ReadFile(filepath.Join(dir, "orgs", o.Name, "chaincode.env"))
		if string(env) != "CHAINCODE_ID="+id+"\n" {
			t.Errorf("%s chaincode.env: %q", o.Name, env)
		}
		var conn struct {
			Address string `json:"address"`
		}
		if err := json.Unmarshal(fileInTarGz(t, fileInTarGz(t, pkg, "code.tar.gz"), "connection.json"), &conn); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("chaincode.%s:%d", o.Domain, o.ChaincodePort); conn.Address != want {
			t.Errorf("%s's package dials %s, want %s", o.Name, conn.Address, want)
		}
	}

	// endpoints.json gives the names too.
	var eps fabnet.Endpoints
	b, err := os.ReadFile(filepath.Join(dir, "public", "endpoints.json"))
	if err != nil || json.Unmarshal(b, &eps) != nil {
		t.Fatalf("endpoints.json: %v", err)
	}
	for i, o := range eps.Orgs {
		lo := l.Orgs[i]
		if o.PeerAddress != fmt.Sprintf("%s:%d", lo.PeerHost, lo.Peer.Listen) ||
			o.GatewayAddress != fmt.Sprintf("gateway.%s:%d", lo.Domain, lo.GatewayPort) {
			t.Errorf("endpoints.json %s: %+v", o.Name, o)
		}
	}
	// Each organisation's gateway description names its peer.
	for _, o := range l.Orgs {
		d, err := orgconfig.Load(fabnet.OrgConfigFile(dir, o.Name))
		if err != nil {
			t.Fatal(err)
		}
		if d.Org.Peer.Address != l.PeerAddress(o) {
			t.Errorf("%s's description: peer %s, want %s", o.Name, d.Org.Peer.Address, l.PeerAddress(o))
		}
	}
	for _, a := range l.ListenAddresses() {
		if !strings.HasPrefix(a, "0.0.0.0:") {
			t.Errorf("a node binds %s, want 0.0.0.0", a)
		}
	}
}

// TestPrepareRefusesACreatedNetwork: Prepare does not overwrite a
// directory whose network was created (network.json) unless Fresh.
func TestPrepareRefusesACreatedNetwork(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "network.json"), []byte(`{"base":7050,"orderers":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := fabnet.Prepare(context.Background(), fabnet.Options{Dir: dir})
	if !errors.Is(err, fabnet.ErrNetworkExists) {
		t.Fatalf("got %v, want ErrNetworkExists", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "network.json")); err != nil {
		t.Fatalf("the refused Prepare removed the record: %v", err)
	}
}

// TestNativeLayoutAddresses: natively every organisation has its own
// loopback address (or all share 127.0.0.1 where aliases cannot be bound),
// its nodes and its gateway are reached there, and its orderers at their
// owner's address; the gateways sit at 8080+k from the default base.
func TestNativeLayoutAddresses(t *testing.T) {
	l := fabnet.NewLayout(fabnet.DefaultBase, 3)
	hosts := fabnet.NativeHosts()
	aliases := hosts["Core"] != "127.0.0.1"
	want := map[string]string{"Operator": "127.0.0.1", "Core": "127.0.0.2", "BankA": "127.0.0.3", "BankB": "127.0.0.4", "Regulator": "127.0.0.5"}
	for k, o := range l.Orgs {
		w := want[o.Name]
		if !aliases {
			w = "127.0.0.1"
		}
		if o.Host != w {
			t.Errorf("%s on %s, want %s", o.Name, o.Host, w)
		}
		if got := l.GatewayAddress(o); got != fmt.Sprintf("%s:%d", w, 8080+k) {
			t.Errorf("%s's gateway at %s", o.Name, got)
		}
		if got := l.PeerAddress(o); got != fmt.Sprintf("%s:%d", w, o.Peer.Listen) {
			t.Errorf("%s's peer at %s", o.Name, got)
		}
		if got := l.ChaincodeAddress(o); got != fmt.Sprintf("%s:%d", w, o.ChaincodePort) {
			t.Errorf("%s's chaincode server at %s", o.Name, got)
		}
	}
	for _, o := range l.Orderers {
		owner, _ := l.Org(o.Owner)
		if got := l.OrdererAddress(o); got != fmt.Sprintf("%s:%d", owner.Host, o.Ports.Listen) {
			t.Errorf("%s at %s, want its owner %s's host", o.Name, got, o.Owner)
		}
	}
	seen := map[string]bool{}
	for _, a := range append(l.ListenAddresses(), l.GatewayListenAddresses()...) {
		if seen[a] {
			t.Errorf("%s bound twice", a)
		}
		seen[a] = true
	}
}

func wantSAN(t *testing.T, path, name string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(c.DNSNames, name) {
		t.Errorf("%s: SANs %v lack %s", path, c.DNSNames, name)
	}
	if err := c.VerifyHostname(name); err != nil {
		t.Errorf("%s: %v", path, err)
	}
}

func unmarshal(t *testing.T, b []byte, m proto.Message) {
	t.Helper()
	if err := proto.Unmarshal(b, m); err != nil {
		t.Fatalf("%T: %v", m, err)
	}
}

func genesisConfig(t *testing.T, path string) *cb.Config {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var block cb.Block
	unmarshal(t, b, &block)
	if block.Data == nil || len(block.Data.Data) != 1 {
		t.Fatal("genesis block: want one envelope")
	}
	var env cb.Envelope
	var payload cb.Payload
	var cfg cb.ConfigEnvelope
	unmarshal(t, block.Data.Data[0], &env)
	unmarshal(t, env.Payload, &payload)
	unmarshal(t, payload.Data, &cfg)
	return cfg.Config
}

func fileInTarGz(t *testing.T, b []byte, name string) []byte {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s not in the archive: %v", name, err)
		}
		if h.Name == name {
			out, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
	}
}

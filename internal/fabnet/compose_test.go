package fabnet

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestComposeMatchesNativeNetwork parses docker-compose.yml and checks it
// describes the network `tierchain up` starts: the same orgs (MSP IDs),
// the same ports for every node, the same channel and chaincode, and no
// service the native network lacks.
func TestComposeMatchesNativeNetwork(t *testing.T) {
	repo, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(repo, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Tierchain struct {
			Channel   string `yaml:"channel"`
			Chaincode string `yaml:"chaincode"`
		} `yaml:"x-tierchain"`
		Services map[string]struct {
			Image       string            `yaml:"image"`
			NetworkMode string            `yaml:"network_mode"`
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
			EnvFile     string            `yaml:"env_file"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &compose); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	if compose.Tierchain.Channel != ChannelName || compose.Tierchain.Chaincode != ChaincodeName {
		t.Errorf("compose names channel %q chaincode %q, native %q %q",
			compose.Tierchain.Channel, compose.Tierchain.Chaincode, ChannelName, ChaincodeName)
	}
	l := newLayout(DefaultBase, 1, nil) // today's docker-compose.yml: every node on 127.0.0.1
	// The containers run on the ledgers `tierchain up` created: each node
	// mounts its native data directory where its environment puts the data.
	const data = "${TIERCHAIN_DATA:-./.tierchain/network}"
	native := paths{root: data}
	wantVolume := map[string]string{}
	for _, o := range l.Orderers {
		wantVolume[o.Name] = native.OrdererData(o) + ":/var/hyperledger/orderer"
	}
	for _, o := range l.Orgs {
		wantVolume[peerName(o)] = native.PeerData(o) + ":/var/hyperledger/production"
	}
	for _, o := range l.Orgs {
		name := ChaincodeProcessOf(o.Name)
		if got, want := compose.Services[name].EnvFile, native.ChaincodeEnv(o); got != want {
			t.Errorf("%s: env_file %q, want %q (CHAINCODE_ID written by tierchain up)", name, got, want)
		}
		// Its own organisation's keys only.
		if v := native.OrgCrypto(o.Name) + ":/crypto:ro"; !slices.Contains(compose.Services[name].Volumes, v) {
			t.Errorf("%s: no volume %q (its organisation's own keys)", name, v)
		}
	}
	want := map[string]map[string]string{}
	for _, o := range l.Orderers {
		want[o.Name] = map[string]string{
			"ORDERER_GENERAL_LISTENPORT":       fmt.Sprint(o.Ports.Listen),
			"ORDERER_ADMIN_LISTENADDRESS":      hostPort(loopback, o.Ports.Admin),
			"ORDERER_OPERATIONS_LISTENADDRESS": hostPort(loopback, o.Ports.Operations),
			"ORDERER_GENERAL_LOCALMSPID":       orgMSPID(l, o.Owner),
		}
		addEnv(want[o.Name], ordererStorageEnv("/var/hyperledger/orderer"))
	}
	for _, o := range l.Orgs {
		want[peerName(o)] = map[string]string{
			"CORE_PEER_LOCALMSPID":              o.MSPID,
			"CORE_PEER_LISTENADDRESS":           hostPort(loopback, o.Peer.Listen),
			"CORE_PEER_GOSSIP_EXTERNALENDPOINT": hostPort(loopback, o.Peer.Listen),
			"CORE_PEER_CHAINCODELISTENADDRESS":  hostPort(loopback, o.Peer.Chaincode),
			"CORE_OPERATIONS_LISTENADDRESS":     hostPort(loopback, o.Peer.Operations),
		}
		addEnv(want[peerName(o)], peerStorageEnv("/var/hyperledger/production"))
	}
	for _, o := range l.Orgs {
		want[ChaincodeProcessOf(o.Name)] = map[string]string{"CHAINCODE_SERVER_ADDRESS": hostPort(loopback, o.ChaincodePort)}
	}

	var got []string
	for name, svc := range compose.Services {
		got = append(got, name)
		env, ok := want[name]
		if !ok {
			t.Errorf("service %q is not part of the native network", name)
			continue
		}
		if v, ok := wantVolume[name]; ok && !slices.Contains(svc.Volumes, v) {
			t.Errorf("%s: no volume %q (the native node's data)", name, v)
		}
		if svc.NetworkMode != "host" {
			t.Errorf("%s: network_mode %q, want host (endpoints are 127.0.0.1)", name, svc.NetworkMode)
		}
		for k, v := range env {
			if svc.Environment[k] != v {
				t.Errorf("%s: %s = %q, native network has %q", name, k, svc.Environment[k], v)
			}
		}
	}
	sort.Strings(got)
	if len(got) != len(want) {
		t.Errorf("compose has services %v, native network has %d nodes", got, len(want))
	}
	for _, name := range got {
		img := compose.Services[name].Image
		if !strings.HasPrefix(name, ChaincodeProcess+"-") && img != "hyperledger/fabric-peer:2.5" && img != "hyperledger/fabric-orderer:2.5" {
			t.Errorf("%s: image %q, want Fabric's official 2.5 images", name, img)
		}
	}
}

func orgMSPID(l Layout, org string) string {
	o, _ := l.Org(org)
	return o.MSPID
}

func addEnv(m map[string]string, env []string) {
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
}

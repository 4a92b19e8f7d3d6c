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

// composeFile is the part of docker-compose.yml the test reads.
type composeFile struct {
	Tierchain struct {
		Channel   string `yaml:"channel"`
		Chaincode string `yaml:"chaincode"`
		Data      string `yaml:"data"`
	} `yaml:"x-tierchain"`
	Networks map[string]struct {
		Name     string `yaml:"name"`
		External any    `yaml:"external"`
	} `yaml:"networks"`
	Volumes  map[string]any `yaml:"volumes"`
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Hostname    string            `yaml:"hostname"`
		NetworkMode string            `yaml:"network_mode"`
		Labels      map[string]string `yaml:"labels"`
		Networks    map[string]struct {
			Aliases []string `yaml:"aliases"`
		} `yaml:"networks"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		EnvFile     string            `yaml:"env_file"`
		Ports       []string          `yaml:"ports"`
		Command     []string          `yaml:"command"`
	} `yaml:"services"`
}

func readCompose(t *testing.T) composeFile {
	t.Helper()
	repo, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(repo, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return c
}

// composeLayout is the layout docker-compose.yml runs: three orderers,
// every node reached by its own DNS name and binding 0.0.0.0.
func composeLayout() Layout { return NewLayout(DefaultBase, 3).WithNodeNames("0.0.0.0") }

// composeNode is one service the layout asks docker-compose.yml for.
type composeNode struct {
	owner   string            // the organisation that runs it
	dns     string            // its name on the consortium's network
	env     map[string]string // environment it must have
	image   string            // default image (overridable by variable)
	ledger  string            // named volume mounted at its ledger path, if any
	publish string            // the one published port (gateways), if any
	listen  string            // the address a gateway binds
}

// TestComposeIsAConsortium parses docker-compose.yml and checks it
// describes the consortium the layout does, as separately run hosts: one
// set of services per organisation (its peer, chaincode server and
// gateway; the orderers of their owners), each with its DNS name on one
// user-defined bridge network, the layout's ports, mounting its own
// organisation's folder and the public bundle only, and publishing nothing
// but the gateways' REST ports, on 127.0.0.1.
func TestComposeIsAConsortium(t *testing.T) {
	c := readCompose(t)
	if c.Tierchain.Channel != ChannelName || c.Tierchain.Chaincode != ChaincodeName {
		t.Errorf("compose names channel %q chaincode %q, layout %q %q",
			c.Tierchain.Channel, c.Tierchain.Chaincode, ChannelName, ChaincodeName)
	}
	data := c.Tierchain.Data
	if data == "" {
		t.Fatal("x-tierchain.data (the prepared folder) is missing")
	}
	if len(c.Networks) != 1 {
		t.Fatalf("compose has networks %v, want one user-defined bridge network", c.Networks)
	}
	var network string
	for name, n := range c.Networks {
		network = name
		if n.External != nil {
			t.Errorf("network %s is external: compose must create (and remove) it", name)
		}
	}

	l := composeLayout()
	want := map[string]composeNode{}
	for _, o := range l.Orderers {
		owner, _ := l.Org(o.Owner)
		want[o.Name] = composeNode{owner: o.Owner, dns: o.Host, image: "${TIERCHAIN_ORDERER_IMAGE:-tierchain/fabric-orderer:dev}",
			ledger: o.Name + ":/var/hyperledger/orderer", env: map[string]string{
				"ORDERER_GENERAL_LISTENADDRESS":    l.Listen,
				"ORDERER_GENERAL_LISTENPORT":       fmt.Sprint(o.Ports.Listen),
				"ORDERER_ADMIN_LISTENADDRESS":      hostPort(l.Listen, o.Ports.Admin),
				"ORDERER_OPERATIONS_LISTENADDRESS": hostPort(l.Listen, o.Ports.Operations),
				"ORDERER_GENERAL_LOCALMSPID":       owner.MSPID,
				"ORDERER_GENERAL_LOCALMSPDIR":      "/tierchain/orgs/" + o.Owner + "/crypto/peerOrganizations/" + owner.Domain + "/orderers/" + o.Host + "/msp",
			}}
		addEnv(want[o.Name].env, ordererStorageEnv("/var/hyperledger/orderer"))
	}
	for _, o := range l.Orgs {
		peer := l.PeerAddress(o)
		want[peerName(o)] = composeNode{owner: o.Name, dns: o.PeerHost, image: "${TIERCHAIN_PEER_IMAGE:-tierchain/fabric-peer:dev}",
			ledger: peerName(o) + ":/var/hyperledger/production", env: map[string]string{
				"CORE_PEER_ID":                      o.PeerHost,
				"CORE_PEER_LOCALMSPID":              o.MSPID,
				"CORE_PEER_LISTENADDRESS":           hostPort(l.Listen, o.Peer.Listen),
				"CORE_PEER_ADDRESS":                 peer,
				"CORE_PEER_GOSSIP_EXTERNALENDPOINT": peer,
				"CORE_PEER_GOSSIP_BOOTSTRAP":        peer,
				"CORE_PEER_CHAINCODELISTENADDRESS":  hostPort(l.Listen, o.Peer.Chaincode),
				"CORE_OPERATIONS_LISTENADDRESS":     hostPort(l.Listen, o.Peer.Operations),
				"CORE_PEER_MSPCONFIGPATH":           "/tierchain/orgs/" + o.Name + "/crypto/peerOrganizations/" + o.Domain + "/peers/" + o.PeerHost + "/msp",
			}}
		addEnv(want[peerName(o)].env, peerStorageEnv("/var/hyperledger/production"))
		want[ChaincodeProcessOf(o.Name)] = composeNode{owner: o.Name, dns: l.ChaincodeHost(o),
			image: "${TIERCHAIN_CHAINCODE_IMAGE:-tierchain/chaincode:dev}",
			env:   map[string]string{"CHAINCODE_SERVER_ADDRESS": hostPort(l.Listen, o.ChaincodePort)}}
		gw := o.GatewayPort
		want["gateway-"+lower(o.Name)] = composeNode{owner: o.Name, dns: l.GatewayHost(o),
			image: "${TIERCHAIN_GATEWAY_IMAGE:-tierchain/gateway:dev}", env: map[string]string{},
			publish: fmt.Sprintf("${TIERCHAIN_COMPOSE_PUBLISH:-127.0.0.1}:%d:%d", gw, gw), listen: l.GatewayListen(o)}
	}

	var got []string
	for name, svc := range c.Services {
		got = append(got, name)
		w, ok := want[name]
		if !ok {
			t.Errorf("service %q is not a node of the layout", name)
			continue
		}
		if svc.NetworkMode != "" {
			t.Errorf("%s: network_mode %q: every host is on the consortium's bridge network", name, svc.NetworkMode)
		}
		if svc.Image != w.image {
			t.Errorf("%s: image %q, want %q (built locally, name overridable)", name, svc.Image, w.image)
		}
		if svc.Labels["tierchain.org"] != w.owner {
			t.Errorf("%s: label tierchain.org %q, want %q (the faults select an organisation's host by it)", name, svc.Labels["tierchain.org"], w.owner)
		}
		if svc.Hostname != w.dns || len(svc.Networks) != 1 || !slices.Contains(svc.Networks[network].Aliases, w.dns) {
			t.Errorf("%s: hostname %q, networks %v; want %q on network %s", name, svc.Hostname, svc.Networks, w.dns, network)
		}
		for k, v := range w.env {
			if svc.Environment[k] != v {
				t.Errorf("%s: %s = %q, layout has %q", name, k, svc.Environment[k], v)
			}
		}
		// Every path an environment variable names lies in the node's own
		// organisation's folder or in the public bundle.
		for k, v := range svc.Environment {
			for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == '[' || r == ']' || r == ',' }) {
				if strings.HasPrefix(part, "/tierchain/") && !strings.HasPrefix(part, "/tierchain/orgs/"+w.owner+"/") && !strings.HasPrefix(part, "/tierchain/public/") {
					t.Errorf("%s: %s names %s, outside %s's folder and the public bundle", name, k, part, w.owner)
				}
			}
		}
		checkVolumes(t, name, svc.Volumes, data, w)
		if w.publish == "" && len(svc.Ports) > 0 {
			t.Errorf("%s publishes %v: only the gateways' REST ports are published", name, svc.Ports)
		}
		if w.publish != "" && !slices.Equal(svc.Ports, []string{w.publish}) {
			t.Errorf("%s publishes %v, want [%s] (loopback only)", name, svc.Ports, w.publish)
		}
		if strings.HasPrefix(name, ChaincodeProcess+"-") {
			if want := data + "/orgs/" + w.owner + "/chaincode.env"; svc.EnvFile != want {
				t.Errorf("%s: env_file %q, want %q (CHAINCODE_ID written by the prepare step)", name, svc.EnvFile, want)
			}
		}
		if strings.HasPrefix(name, "gateway-") {
			desc := "/tierchain/orgs/" + w.owner + "/gateway/org.json"
			if !slices.Contains(svc.Command, desc) || !slices.Contains(svc.Command, w.listen) {
				t.Errorf("%s: command %v, want serve --org-config %s on its published port", name, svc.Command, desc)
			}
		}
	}
	sort.Strings(got)
	if len(got) != len(want) {
		t.Errorf("compose has services %v, the layout has %d nodes", got, len(want))
	}
	for _, w := range want {
		if w.ledger == "" {
			continue
		}
		if v, _, _ := strings.Cut(w.ledger, ":"); !hasKey(c.Volumes, v) {
			t.Errorf("named volume %q is not declared (down -v must remove it)", v)
		}
	}
}

// checkVolumes: a node mounts its own organisation's folder read-only at
// the same relative place (so the descriptions' relative paths hold), the
// public bundle read-only, its ledger in a named volume, and (gateways)
// its own gateway folder read-write; nothing else.
func checkVolumes(t *testing.T, name string, vols []string, data string, w composeNode) {
	t.Helper()
	own := data + "/orgs/" + w.owner + ":/tierchain/orgs/" + w.owner + ":ro"
	public := data + "/public:/tierchain/public:ro"
	gwDir := data + "/orgs/" + w.owner + "/gateway:/tierchain/orgs/" + w.owner + "/gateway"
	if !slices.Contains(vols, own) {
		t.Errorf("%s: no volume %q (its organisation's own folder, read-only)", name, own)
	}
	if w.ledger != "" && !slices.Contains(vols, w.ledger) {
		t.Errorf("%s: no volume %q (its ledger)", name, w.ledger)
	}
	for _, v := range vols {
		switch {
		case v == own, v == public, v == w.ledger:
		case v == gwDir && w.publish != "":
		default:
			t.Errorf("%s: volume %q: a node mounts only its organisation's folder and the public bundle", name, v)
		}
	}
}

func hasKey(m map[string]any, k string) bool { _, ok := m[k]; return ok }

func addEnv(m map[string]string, env []string) {
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
}

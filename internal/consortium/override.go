package consortium

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// overridePattern matches the override files of admitted organisations in
// the prepared folder; every Compose command of the project reads them
// after docker-compose.yml.
const overridePattern = "docker-compose.*.yml"

// OverrideFile is the Compose override file that runs an admitted
// organisation as a host of its own: docker-compose.<org>.yml in the
// prepared folder.
func (c *Consortium) OverrideFile(org string) string {
	return filepath.Join(c.Dir, "docker-compose."+strings.ToLower(org)+".yml")
}

// dataVar is where docker-compose.yml finds the prepared folder.
const dataVar = "${TIERCHAIN_COMPOSE_DIR:-./.tierchain/compose}"

type composeOverride struct {
	Version  string                     `yaml:"version"`
	Services map[string]composeService  `yaml:"services"`
	Volumes  map[string]map[string]bool `yaml:"volumes"`
}

type composeService struct {
	Image       string                         `yaml:"image"`
	Hostname    string                         `yaml:"hostname"`
	Labels      map[string]string              `yaml:"labels"`
	Networks    map[string]map[string][]string `yaml:"networks"`
	Command     []string                       `yaml:"command,omitempty"`
	EnvFile     string                         `yaml:"env_file,omitempty"`
	Environment map[string]string              `yaml:"environment,omitempty"`
	Ports       []string                       `yaml:"ports,omitempty"`
	DependsOn   []string                       `yaml:"depends_on,omitempty"`
	Restart     string                         `yaml:"restart,omitempty"`
	Volumes     []string                       `yaml:"volumes"`
}

// peerEnv reads docker-compose.yml's x-peer-env, the environment every
// founder's peer shares (YAML anchors do not reach across files).
func peerEnv(composeFile string) (map[string]string, error) {
	b, err := os.ReadFile(composeFile)
	if err != nil {
		return nil, err
	}
	var f struct {
		PeerEnv map[string]string `yaml:"x-peer-env"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("consortium: %s: %w", composeFile, err)
	}
	if len(f.PeerEnv) == 0 {
		return nil, fmt.Errorf("consortium: %s has no x-peer-env", composeFile)
	}
	return f.PeerEnv, nil
}

// Override is the Compose override that runs organisation o (admitted
// after genesis) as a host of its own, shaped as docker-compose.yml's
// founders without an orderer: its peer (ledger in a named volume), its
// chaincode server and its gateway, with the same images, on the
// consortium's network under their layout names, each mounting its own
// organisation's folder and the public bundle read-only (the gateway its
// own gateway folder read-write too), only the gateway's REST port
// published, on the publish address.
func (c *Consortium) Override(o fabnet.Org) ([]byte, error) {
	env, err := peerEnv(c.ComposeFile)
	if err != nil {
		return nil, err
	}
	l := c.Layout
	own := "/tierchain/orgs/" + o.Name
	mount := []string{dataVar + "/orgs/" + o.Name + ":" + own + ":ro", dataVar + "/public:/tierchain/public:ro"}
	node := func(kind, host string) string {
		return own + "/crypto/peerOrganizations/" + o.Domain + "/" + kind + "/" + host
	}
	svc := func(host string) composeService {
		return composeService{Hostname: host, Labels: map[string]string{"tierchain.org": o.Name},
			Networks: map[string]map[string][]string{"tierchain": {"aliases": {host}}}}
	}
	peerNode := node("peers", o.PeerHost)
	peer := svc(o.PeerHost)
	peer.Image = "${TIERCHAIN_PEER_IMAGE:-tierchain/fabric-peer:dev}"
	peer.Command = []string{"node", "start"}
	peer.Environment = env
	for k, v := range map[string]string{
		"CORE_PEER_ID":                      o.PeerHost,
		"CORE_PEER_LISTENADDRESS":           hostPort(l.Listen, o.Peer.Listen),
		"CORE_PEER_ADDRESS":                 l.PeerAddress(o),
		"CORE_PEER_CHAINCODELISTENADDRESS":  hostPort(l.Listen, o.Peer.Chaincode),
		"CORE_PEER_CHAINCODEADDRESS":        hostPort(o.PeerHost, o.Peer.Chaincode),
		"CORE_PEER_GOSSIP_BOOTSTRAP":        l.PeerAddress(o),
		"CORE_PEER_GOSSIP_EXTERNALENDPOINT": l.PeerAddress(o),
		"CORE_PEER_LOCALMSPID":              o.MSPID,
		"CORE_PEER_MSPCONFIGPATH":           peerNode + "/msp",
		"CORE_PEER_TLS_CERT_FILE":           peerNode + "/tls/server.crt",
		"CORE_PEER_TLS_KEY_FILE":            peerNode + "/tls/server.key",
		"CORE_PEER_TLS_ROOTCERT_FILE":       peerNode + "/tls/ca.crt",
		"CORE_OPERATIONS_LISTENADDRESS":     hostPort(l.Listen, o.Peer.Operations),
	} {
		env[k] = v
	}
	peer.Volumes = append(append([]string(nil), mount...), PeerService(o.Name)+":/var/hyperledger/production")

	ccNode := node("peers", l.ChaincodeHost(o))
	cc := svc(l.ChaincodeHost(o))
	cc.Image = "${TIERCHAIN_CHAINCODE_IMAGE:-tierchain/chaincode:dev}"
	cc.EnvFile = dataVar + "/orgs/" + o.Name + "/chaincode.env"
	cc.Environment = map[string]string{
		"CHAINCODE_SERVER_ADDRESS": hostPort(l.Listen, o.ChaincodePort),
		"CHAINCODE_TLS_CERT":       ccNode + "/tls/server.crt",
		"CHAINCODE_TLS_KEY":        ccNode + "/tls/server.key",
		"CHAINCODE_TLS_CLIENT_CA":  ccNode + "/tls/ca.crt",
	}
	cc.Volumes = mount[:1]

	gw := svc(l.GatewayHost(o))
	gw.Image = "${TIERCHAIN_GATEWAY_IMAGE:-tierchain/gateway:dev}"
	gw.Command = []string{"serve", "--org-config", own + "/gateway/org.json", "--data", own + "/gateway", "--addr", l.GatewayListen(o)}
	gw.Ports = []string{fmt.Sprintf("${TIERCHAIN_COMPOSE_PUBLISH:-127.0.0.1}:%d:%d", o.GatewayPort, o.GatewayPort)}
	gw.DependsOn = []string{PeerService(o.Name)}
	gw.Restart = "on-failure"
	gw.Volumes = append(append([]string(nil), mount...), dataVar+"/orgs/"+o.Name+"/gateway:"+own+"/gateway")

	f := composeOverride{Version: "3.7", Services: map[string]composeService{
		PeerService(o.Name): peer, ChaincodeService(o.Name): cc, GatewayService(o.Name): gw},
		Volumes: map[string]map[string]bool{PeerService(o.Name): {}}}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s, admitted to the running consortium: its host (peer, chaincode\n"+
		"# server, gateway), as docker-compose.yml runs the founders'. Written by\n"+
		"# internal/consortium from the layout; read after docker-compose.yml.\n", o.Name)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

func hostPort(host string, port int) string { return fmt.Sprintf("%s:%d", host, port) }

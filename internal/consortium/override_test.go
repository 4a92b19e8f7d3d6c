package consortium

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// service is what the test compares of a Compose service.
type service struct {
	Image    string            `yaml:"image"`
	Hostname string            `yaml:"hostname"`
	Labels   map[string]string `yaml:"labels"`
	Networks map[string]struct {
		Aliases []string `yaml:"aliases"`
	} `yaml:"networks"`
	Command     []string          `yaml:"command"`
	EnvFile     string            `yaml:"env_file"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	DependsOn   []string          `yaml:"depends_on"`
	Restart     string            `yaml:"restart"`
	Volumes     []string          `yaml:"volumes"`
}

type composeDoc struct {
	Services map[string]service `yaml:"services"`
	Volumes  map[string]any     `yaml:"volumes"`
}

func readDoc(t *testing.T, b []byte) composeDoc {
	t.Helper()
	var d composeDoc
	if err := yaml.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestOverrideIsAFounderHost: the override that runs BankC (admitted
// after genesis) is BankB's host in docker-compose.yml with BankB's names,
// folder and ports replaced by BankC's: same images, same environment
// (x-peer-env included), same mounts (its own folder and the public
// bundle read-only, its ledger volume, its gateway folder), only its
// gateway's port published on the publish address.
func TestOverrideIsAFounderHost(t *testing.T) {
	repo, err := fabnet.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	l := Layout()
	bankC, err := fabnet.NewcomerOrg(l.Orderers[0].Ports.Listen, 0, "BankC", fabnet.RoleBank, fabnet.Enterprise{ID: "bankC"})
	if err != nil {
		t.Fatal(err)
	}
	bankC.Host = ""
	l.Orgs = append(l.Orgs, bankC)
	c := &Consortium{ComposeFile: filepath.Join(repo, "docker-compose.yml"), Layout: l}
	b, err := c.Override(bankC)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(c.ComposeFile)
	if err != nil {
		t.Fatal(err)
	}
	founders, got := readDoc(t, raw), readDoc(t, b)
	bankB, _ := l.Org("BankB")
	r := strings.NewReplacer("BankB", "BankC", "bankb", "bankc",
		strconv.Itoa(bankB.Peer.Listen), strconv.Itoa(bankC.Peer.Listen), strconv.Itoa(bankB.Peer.Chaincode), strconv.Itoa(bankC.Peer.Chaincode),
		strconv.Itoa(bankB.Peer.Operations), strconv.Itoa(bankC.Peer.Operations), strconv.Itoa(bankB.ChaincodePort), strconv.Itoa(bankC.ChaincodePort),
		strconv.Itoa(bankB.GatewayPort), strconv.Itoa(bankC.GatewayPort))
	if len(got.Services) != 3 {
		t.Errorf("override has services %v, want BankC's peer, chaincode server and gateway", keysOf(got.Services))
	}
	for _, name := range []string{PeerService("BankB"), ChaincodeService("BankB"), GatewayService("BankB")} {
		want := translate(founders.Services[name], r)
		have, ok := got.Services[r.Replace(name)]
		if !ok {
			t.Errorf("override lacks %s", r.Replace(name))
			continue
		}
		if !reflect.DeepEqual(have, want) {
			t.Errorf("%s differs from BankB's host:\n got %+v\nwant %+v", r.Replace(name), have, want)
		}
	}
	if _, ok := got.Volumes[PeerService("BankC")]; !ok || len(got.Volumes) != 1 {
		t.Errorf("override declares volumes %v, want BankC's ledger only (down -v removes it)", got.Volumes)
	}
	if bankC.GatewayPort == bankB.GatewayPort || bankC.Peer.Listen == bankB.Peer.Listen {
		t.Errorf("BankC's ports %+v collide with BankB's", bankC)
	}
}

func translate(s service, r *strings.Replacer) service {
	out := s
	out.Hostname = r.Replace(s.Hostname)
	out.Labels = map[string]string{}
	for k, v := range s.Labels {
		out.Labels[k] = r.Replace(v)
	}
	out.Networks = map[string]struct {
		Aliases []string `yaml:"aliases"`
	}{}
	for k, v := range s.Networks {
		var a []string
		for _, x := range v.Aliases {
			a = append(a, r.Replace(x))
		}
		out.Networks[k] = struct {
			Aliases []string `yaml:"aliases"`
		}{a}
	}
	list := func(xs []string) []string {
		var o []string
		for _, x := range xs {
			o = append(o, r.Replace(x))
		}
		return o
	}
	out.Command, out.Ports, out.DependsOn, out.Volumes = list(s.Command), list(s.Ports), list(s.DependsOn), list(s.Volumes)
	out.EnvFile = r.Replace(s.EnvFile)
	if s.Environment != nil {
		out.Environment = map[string]string{}
		for k, v := range s.Environment {
			out.Environment[k] = r.Replace(v)
		}
	}
	return out
}

func keysOf[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

package fabnet

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// profileEnv is the CORE_PEER_PROFILE_* part of env.
func profileEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "CORE_PEER_PROFILE_") {
			out = append(out, kv)
		}
	}
	return out
}

// Options.PeerProfile sets each peer's profiling listener on loopback, one
// port a peer inside the network's range; without it the peers' settings
// name none, and core.yaml (whose keys the environment overrides) keeps
// it off.
func TestPeerProfileSettings(t *testing.T) {
	l := NewLayout(12000, 1)
	off := &Network{Layout: l, p: paths{root: t.TempDir()}}
	on := &Network{Layout: l, p: off.p, peerProfile: true}
	seen := map[string]string{}
	taken := map[string]bool{}
	for _, a := range l.ListenAddresses() {
		_, port, _ := net.SplitHostPort(a)
		taken[port] = true
	}
	for _, o := range l.Orgs {
		if got := profileEnv(off.peerEnv(o)); len(got) != 0 {
			t.Errorf("%s without PeerProfile: %v", o.Name, got)
		}
		if a, ok := off.PeerProfileAddress(o.Name); ok {
			t.Errorf("%s without PeerProfile: profiles at %s", o.Name, a)
		}
		addr, ok := on.PeerProfileAddress(o.Name)
		if !ok {
			t.Fatalf("%s: no profile address", o.Name)
		}
		want := []string{"CORE_PEER_PROFILE_ENABLED=true", "CORE_PEER_PROFILE_LISTENADDRESS=" + addr}
		if got := profileEnv(on.peerEnv(o)); !slices.Equal(got, want) {
			t.Errorf("%s with PeerProfile: %v, want %v", o.Name, got, want)
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil || !net.ParseIP(host).IsLoopback() {
			t.Errorf("%s profiles at %s: not loopback", o.Name, addr)
		}
		if other, dup := seen[port]; dup || taken[port] {
			t.Errorf("%s profiles at port %s, taken (%s)", o.Name, port, other)
		}
		seen[port] = o.Name
		if p := o.Peer.Operations + 1; p < 12000 || p >= 12000+1000 {
			t.Errorf("%s profiles at port %d, outside the network's range", o.Name, p)
		}
	}
	if _, ok := on.PeerProfileAddress("NoSuchOrg"); ok {
		t.Error("an unknown organisation has a profile address")
	}

	raw, err := os.ReadFile(filepath.Join("..", "..", "network", "config", "core.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var core struct {
		Peer struct {
			Profile map[string]any `yaml:"profile"`
		} `yaml:"peer"`
	}
	if err := yaml.Unmarshal(raw, &core); err != nil {
		t.Fatal(err)
	}
	if core.Peer.Profile["enabled"] != false {
		t.Errorf("core.yaml peer.profile.enabled is %v, want false", core.Peer.Profile["enabled"])
	}
	if _, ok := core.Peer.Profile["listenAddress"]; !ok {
		t.Error("core.yaml has no peer.profile.listenAddress: CORE_PEER_PROFILE_LISTENADDRESS would not apply")
	}
}

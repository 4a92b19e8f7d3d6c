package fabnet

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tierchain/tierchain/internal/orgconfig"
)

// TestWriteOrgConfig writes the description of a network's crypto folder
// (files laid out as cryptogen does) and loads it back.
func TestWriteOrgConfig(t *testing.T) {
	dir := t.TempDir()
	n := &Network{Layout: NewLayout(DefaultBase, 1), Dir: dir, p: paths{root: dir}}
	for _, o := range n.Layout.Orgs {
		users := []string{"Admin"}
		for i := 1; i <= o.Users; i++ {
			users = append(users, "User"+string(rune('0'+i)))
		}
		for _, u := range users {
			signcerts := filepath.Join(n.p.User(o, u), "msp", "signcerts")
			if err := os.MkdirAll(signcerts, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(signcerts, u+"@"+o.Domain+"-cert.pem"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	path, err := n.WriteOrgConfig()
	if err != nil {
		t.Fatal(err)
	}
	if path != OrgConfigFile(dir) {
		t.Errorf("written to %s, want %s", path, OrgConfigFile(dir))
	}
	c, err := orgconfig.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Channel != ChannelName || c.Chaincode != ChaincodeName || len(c.Orgs) != len(n.Layout.Orgs) {
		t.Fatalf("channel %q chaincode %q, %d orgs", c.Channel, c.Chaincode, len(c.Orgs))
	}
	for _, lo := range n.Layout.Orgs {
		o, ok := c.Org(lo.Name)
		if !ok {
			t.Fatalf("no %s", lo.Name)
		}
		if o.MSPID != lo.MSPID || string(o.Role) != string(lo.Role) || o.Peer.Address != n.Layout.PeerAddress(lo) ||
			o.Peer.TLSCACertPath != n.p.PeerTLSCA(lo) {
			t.Errorf("%s: %+v", lo.Name, o)
		}
		if len(o.Identities) != lo.Users+1 {
			t.Errorf("%s: %d identities, want Admin and %d users", lo.Name, len(o.Identities), lo.Users)
		}
		admin, err := o.Identity("Admin")
		if err != nil || admin.KeyPath != filepath.Join(n.p.User(lo, "Admin"), "msp", "keystore", "priv_sk") {
			t.Errorf("%s Admin: %+v %v", lo.Name, admin, err)
		}
		if (o.CA != nil) != (lo.Role == RoleOperator) {
			t.Errorf("%s: CA %+v: only the operator issues identities", lo.Name, o.CA)
		}
		want := 0
		for _, e := range n.Layout.Orgs {
			if e.Endorser && e.Name != lo.Name {
				want++
			}
		}
		if len(o.Endorsers) != want {
			t.Errorf("%s: %d endorsers, want %d", lo.Name, len(o.Endorsers), want)
		}
		for _, e := range o.Endorsers {
			if e.MSPID == o.MSPID || e.Address == "" || e.TLSCACertPath == "" {
				t.Errorf("%s: endorser %+v", lo.Name, e)
			}
		}
	}
}

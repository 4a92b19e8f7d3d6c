package fabnet

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tierchain/tierchain/internal/orgconfig"
)

// OrgConfigFile is where WriteOrgConfig puts the description of a network
// in its data directory, beside the gateway's own state.
func OrgConfigFile(dir string) string { return filepath.Join(dir, "gateway", "consortium.json") }

// OrgConfig describes the network's organisations as a gateway takes them
// (internal/orgconfig): each org's peer and TLS CA, its Admin and User1…N
// identities, the operator's signing CA, and the other endorsing orgs'
// peers. Paths are absolute, into the network's crypto folder.
func (n *Network) OrgConfig() (orgconfig.Consortium, error) {
	c := orgconfig.Consortium{Version: orgconfig.Version, Channel: ChannelName, Chaincode: ChaincodeName}
	peers := map[string]orgconfig.Peer{}
	for _, o := range n.Layout.Orgs {
		admin, err := n.IdentityFor(o.Name, "Admin")
		if err != nil {
			return orgconfig.Consortium{}, err
		}
		peers[o.Name] = orgconfig.Peer{Address: admin.PeerAddress, TLSCACertPath: admin.TLSCAPath}
	}
	for _, o := range n.Layout.Orgs {
		org := orgconfig.Org{Name: o.Name, MSPID: o.MSPID, Role: o.Role, Peer: peers[o.Name],
			Identities: map[string]orgconfig.Identity{}}
		users := []string{"Admin"}
		for i := 1; i <= o.Users; i++ {
			users = append(users, fmt.Sprintf("User%d", i))
		}
		for _, u := range users {
			id, err := n.IdentityFor(o.Name, u)
			if err != nil {
				return orgconfig.Consortium{}, err
			}
			org.Identities[u] = orgconfig.Identity{CertPath: id.CertPath, KeyPath: id.KeyPath}
		}
		if o.Role == RoleOperator { // it issues the hosted enterprises' identities
			cert, key, err := n.CAFiles(o.Name)
			if err != nil {
				return orgconfig.Consortium{}, err
			}
			org.CA = &orgconfig.KeyPair{CertPath: cert, KeyPath: key}
		}
		for _, e := range n.Layout.Orgs {
			if e.Endorser && e.Name != o.Name {
				org.Endorsers = append(org.Endorsers, orgconfig.RemotePeer{MSPID: e.MSPID, Peer: peers[e.Name]})
			}
		}
		c.Orgs = append(c.Orgs, org)
	}
	return c, c.Validate()
}

// WriteOrgConfig writes OrgConfig to OrgConfigFile(n.Dir) (replacing it
// whole) and returns the file's path.
func (n *Network) WriteOrgConfig() (string, error) {
	c, err := n.OrgConfig()
	if err != nil {
		return "", err
	}
	b, err := c.Marshal()
	if err != nil {
		return "", err
	}
	path := OrgConfigFile(n.Dir)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".consortium-*.json")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}

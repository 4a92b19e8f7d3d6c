package fabnet

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tierchain/tierchain/internal/enterprisecard"
	"github.com/tierchain/tierchain/internal/orgconfig"
)

// OrgConfigFile is where WriteOrgConfigs puts the description of org's
// gateway: in the organisation's own folder, beside the gateway's state
// (<dir>/orgs/<Org>/gateway/org.json).
func OrgConfigFile(dir, org string) string {
	return filepath.Join(paths{root: dir}.OrgDir(org), "gateway", "org.json")
}

// GatewayDir is the folder of org's gateway: its description, database,
// master key and dev tokens.
func (n *Network) GatewayDir(org string) string { return filepath.Dir(OrgConfigFile(n.Dir, org)) }

// OrgConfig describes org as its own gateway takes it (internal/orgconfig,
// version 2): its peer (TLS CA from the public bundle), its Admin and
// User1…N identities and its founding enterprise's keys (from its own
// folder), the operator's signing CA and the cards folder (the operator
// only), and the other endorsing organisations' peers (public bundle).
// Paths are absolute.
func (n *Network) OrgConfig(org string) (orgconfig.Description, error) {
	o, ok := n.Layout.Org(org)
	if !ok {
		return orgconfig.Description{}, fmt.Errorf("fabnet: no org %q", org)
	}
	peer := func(o Org) orgconfig.Peer {
		return orgconfig.Peer{Address: n.Layout.PeerAddress(o), TLSCACertPath: filepath.Join(n.p.PublicOrg(o.Name), "tlsca.pem")}
	}
	d := orgconfig.Description{Version: orgconfig.Version, Channel: ChannelName, Chaincode: ChaincodeName}
	d.Org = orgconfig.Org{Name: o.Name, MSPID: o.MSPID, Role: o.Role, Peer: peer(o), Identities: map[string]orgconfig.Identity{}}
	if id, err := n.IdentityFor(o.Name, "Admin"); err == nil { // the peer address the network's clients use
		d.Org.Peer.Address = id.PeerAddress
	}
	users := []string{"Admin"}
	for i := 1; i <= o.Users; i++ {
		users = append(users, fmt.Sprintf("User%d", i))
	}
	for _, u := range users {
		id, err := n.IdentityFor(o.Name, u)
		if err != nil {
			return orgconfig.Description{}, err
		}
		d.Org.Identities[u] = orgconfig.Identity{CertPath: id.CertPath, KeyPath: id.KeyPath}
	}
	if o.Role == RoleOperator { // it issues the hosted enterprises' identities and registers the cards
		cert, key, err := n.CAFiles(o.Name)
		if err != nil {
			return orgconfig.Description{}, err
		}
		d.Org.CA = &orgconfig.KeyPair{CertPath: cert, KeyPath: key}
		d.CardsDir = n.p.Cards()
	} else {
		d.OPRF = n.oprfService()
	}
	e := o.Enterprise
	d.Org.Enterprise = orgconfig.Enterprise{ID: e.ID, Name: e.Name, LegalID: e.LegalID, Identity: e.Identity,
		EncryptionKeyPath: filepath.Join(n.p.EnterpriseDir(o.Name), enterprisecard.EncryptionKeyFile)}
	switch o.Role {
	case RoleRegulator:
		d.Org.Enterprise.AuditKeyPath = filepath.Join(n.p.EnterpriseDir(o.Name), enterprisecard.AuditKeyFile)
	case RoleOperator:
		d.Org.Enterprise.OPRFKeyPath = filepath.Join(n.p.EnterpriseDir(o.Name), enterprisecard.OPRFKeyFile)
	}
	for _, other := range n.Layout.Orgs {
		if other.Endorser && other.Name != o.Name {
			p := peer(other)
			if id, err := n.IdentityFor(other.Name, "Admin"); err == nil {
				p.Address = id.PeerAddress
			}
			d.Org.Endorsers = append(d.Org.Endorsers, orgconfig.RemotePeer{MSPID: other.MSPID, Peer: p})
		}
	}
	return d, d.Validate()
}

// WriteOrgConfigs writes each organisation's description to
// OrgConfigFile (replacing it whole), with paths relative to the file, and
// returns the files by organisation name.
func (n *Network) WriteOrgConfigs() (map[string]string, error) {
	out := map[string]string{}
	for _, o := range n.Layout.Orgs {
		d, err := n.OrgConfig(o.Name)
		if err != nil {
			return nil, err
		}
		path := OrgConfigFile(n.Dir, o.Name)
		if d, err = d.RelativeTo(filepath.Dir(path)); err != nil {
			return nil, err
		}
		b, err := d.Marshal()
		if err != nil {
			return nil, err
		}
		if err := writeFileAtomic(path, b); err != nil {
			return nil, err
		}
		out[o.Name] = path
	}
	return out, nil
}

func writeFileAtomic(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// OrgConfigs returns every organisation's OrgConfig, in the layout's
// order.
func (n *Network) OrgConfigs() ([]orgconfig.Description, error) {
	var ds []orgconfig.Description
	for _, o := range n.Layout.Orgs {
		d, err := n.OrgConfig(o.Name)
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	return ds, nil
}

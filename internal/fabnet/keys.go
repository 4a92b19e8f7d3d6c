package fabnet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// cryptoUnit is one organisation that creates its own keys (for its peer,
// its chaincode server, its users, and the orderers it runs).
type cryptoUnit struct {
	Name     string
	Org      Org
	Orderers []Orderer
}

// cryptoUnits lists every organisation with the orderers it runs.
func cryptoUnits(l Layout) []cryptoUnit {
	var us []cryptoUnit
	for _, o := range l.Orgs {
		us = append(us, cryptoUnit{Name: o.Name, Org: o, Orderers: l.OrderersOf(o.Name)})
	}
	return us
}

func (u cryptoUnit) config(p paths) string {
	return filepath.Join(p.OrgDir(u.Name), "crypto-config.yaml")
}

// orgMSP is the organisation-level MSP cryptogen writes (certificates only).
func (u cryptoUnit) orgMSP(p paths) string {
	return filepath.Join(p.PeerOrg(u.Org), "msp")
}

// tlsCA is the organisation's TLS CA certificate in its own folder.
func (u cryptoUnit) tlsCA(p paths) string {
	return filepath.Join(p.PeerOrg(u.Org), "tlsca", "tlsca."+u.Org.Domain+"-cert.pem")
}

// ErrPrivateKeyInBundle reports a file bound for the public bundle that
// holds a private key.
var ErrPrivateKeyInBundle = errors.New("fabnet: a private key on its way into the public bundle")

// generateCrypto runs cryptogen once per organisation, each into its own
// folder (no run sees another organisation's keys), issues the identities
// of the orderers an organisation runs from its own CAs, then publishes
// what the others need: the public bundle.
func (n *Network) generateCrypto(ctx context.Context) error {
	for _, u := range cryptoUnits(n.Layout) {
		if err := n.run(ctx, "cryptogen", nil, "generate", "--config", u.config(n.p), "--output", n.p.OrgCrypto(u.Name)); err != nil {
			return err
		}
		for _, o := range u.Orderers {
			if err := issueOrderer(n.p, n.Layout, o); err != nil {
				return err
			}
		}
		if err := writeEnterpriseCard(n.p, u.Org); err != nil {
			return err
		}
	}
	return publishBundle(n.Layout, n.p)
}

// publishBundle copies each organisation's certificates into public/:
// its MSP (CA and TLS CA certificates, NodeOU config), its TLS CA, and the
// orderers' TLS certificates, and writes endpoints.json. It refuses to copy
// anything that holds a private key.
func publishBundle(l Layout, p paths) error {
	for _, u := range cryptoUnits(l) {
		pub := p.PublicOrg(u.Name)
		if err := copyPublicTree(u.orgMSP(p), filepath.Join(pub, "msp")); err != nil {
			return err
		}
		if err := copyPublic(u.tlsCA(p), filepath.Join(pub, "tlsca.pem")); err != nil {
			return err
		}
		for _, o := range u.Orderers {
			if err := copyPublic(filepath.Join(p.OrdererNode(o), "tls", "server.crt"), p.ConsenterCert(o)); err != nil {
				return err
			}
		}
	}
	return writeJSON(p.Endpoints(), endpointsOf(l))
}

// copyPublicTree copies the regular files below src to dst.
func copyPublicTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		return copyPublic(path, filepath.Join(dst, rel))
	})
}

// copyPublic copies one certificate (or config) file into the bundle.
func copyPublic(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if bytes.Contains(b, []byte("PRIVATE KEY")) {
		return fmt.Errorf("%w: %s", ErrPrivateKeyInBundle, src)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// Endpoints is the public description of a network (public/endpoints.json):
// where each organisation's peer and each orderer listens, and where the
// bundle keeps the TLS CA to reach it with.
type Endpoints struct {
	Channel   string            `json:"channel"`
	Chaincode string            `json:"chaincode"`
	Orderers  []OrdererEndpoint `json:"orderers"`
	Orgs      []OrgEndpoint     `json:"orgs"`
}

// OrdererEndpoint is one orderer in endpoints.json.
type OrdererEndpoint struct {
	Name    string `json:"name"`
	Owner   string `json:"owner"` // the organisation that runs it
	Host    string `json:"host"`
	Address string `json:"address"`
	// TLSCA is relative to the bundle folder.
	TLSCA string `json:"tlsCA"`
}

// OrgEndpoint is one peer organisation in endpoints.json.
type OrgEndpoint struct {
	Name        string `json:"name"`
	MSPID       string `json:"mspID"`
	Role        Role   `json:"role"`
	PeerHost    string `json:"peerHost"`
	PeerAddress string `json:"peerAddress"`
	// GatewayAddress is where the organisation's REST gateway is reached.
	GatewayAddress string `json:"gatewayAddress"`
	// TLSCA and MSPDir are relative to the bundle folder.
	TLSCA  string `json:"tlsCA"`
	MSPDir string `json:"mspDir"`
}

func endpointsOf(l Layout) Endpoints {
	e := Endpoints{Channel: ChannelName, Chaincode: ChaincodeName}
	for _, o := range l.Orderers {
		e.Orderers = append(e.Orderers, OrdererEndpoint{Name: o.Name, Owner: o.Owner, Host: o.Host, Address: l.OrdererAddress(o),
			TLSCA: filepath.Join(o.Owner, "tlsca.pem")})
	}
	for _, o := range l.Orgs {
		e.Orgs = append(e.Orgs, OrgEndpoint{Name: o.Name, MSPID: o.MSPID, Role: o.Role, PeerHost: o.PeerHost,
			PeerAddress: l.PeerAddress(o), GatewayAddress: l.GatewayAddress(o), TLSCA: filepath.Join(o.Name, "tlsca.pem"), MSPDir: filepath.Join(o.Name, "msp")})
	}
	return e
}

// OrgDir returns the folder that holds org's own material (its keys, its
// nodes' ledgers, the orderers it runs included).
func (n *Network) OrgDir(org string) string { return n.p.OrgDir(org) }

// PublicDir returns the public bundle's folder: every organisation's
// certificates, the genesis block and endpoints.json.
func (n *Network) PublicDir() string { return n.p.Public() }

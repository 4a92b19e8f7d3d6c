package fabnet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"

	"github.com/tierchain/tierchain/internal/channelconfig"
)

// maxOrderers bounds a native network's orderers: orderer i listens on
// base+10i…base+10i+2, below the peers at base+100.
const maxOrderers = 10

// AddOrderer has member org run a new Raft consenter of the channel, while
// transactions flow: its identity issued by org's own CAs (in its folder),
// a config update adding it (and org to the Orderer group) signed by a
// majority of the ordering organisations' admins, the orderer started and
// joined (osnadmin, with the newest config block: it catches up from the
// others), and recorded (members.json: a restart starts it). Running it
// again after an interruption finishes it; an org that runs an added
// orderer already gets that one back.
func (n *Network) AddOrderer(ctx context.Context, org string, opts AdmitOptions) (Orderer, error) {
	o, ok := n.Layout.Org(org)
	if !ok {
		return Orderer{}, fmt.Errorf("%w %q", ErrNoOrg, org)
	}
	m, err := readMembership(n.p)
	if err != nil {
		return Orderer{}, err
	}
	i := slices.IndexFunc(m.Orderers, func(x Orderer) bool { return x.Owner == org })
	var ord Orderer
	if i >= 0 {
		ord = m.Orderers[i]
	} else {
		k := len(n.Layout.Orderers)
		if k >= maxOrderers {
			return Orderer{}, fmt.Errorf("fabnet: at most %d orderers on a native network", maxOrderers)
		}
		base := n.Layout.Orderers[0].Ports.Listen
		ord = Orderer{Name: fmt.Sprintf("orderer%d", k), Owner: org, Host: fmt.Sprintf("orderer%d.%s", k, o.Domain),
			Ports: Ports{Listen: base + 10*k, Admin: base + 10*k + 1, Operations: base + 10*k + 2}}
		m.Orderers = append(m.Orderers, ord)
		if err := writeMembership(n.p, m); err != nil {
			return Orderer{}, err
		}
	}
	n.mu.Lock()
	if !slices.ContainsFunc(n.Layout.Orderers, func(x Orderer) bool { return x.Name == ord.Name }) {
		n.Layout.Orderers = append(slices.Clone(n.Layout.Orderers), ord)
	}
	n.mu.Unlock()

	// Its identity, from its owner's CAs; its TLS certificate in the bundle.
	if _, err := os.Stat(filepath.Join(n.p.OrdererNode(ord), "tls", "server.crt")); errors.Is(err, os.ErrNotExist) {
		if err := issueOrderer(n.p, n.Layout, ord); err != nil {
			return ord, err
		}
	}
	if err := copyPublic(filepath.Join(n.p.OrdererNode(ord), "tls", "server.crt"), n.p.ConsenterCert(ord)); err != nil {
		return ord, err
	}
	tlsCert, err := os.ReadFile(n.p.ConsenterCert(ord))
	if err != nil {
		return ord, err
	}
	def, err := n.memberDefinition(o)
	if err != nil {
		return ord, err
	}
	signers, submitter := n.ordererSigners(opts)
	if err := n.groupUpdate(ctx, "Orderer", signers, submitter, orDiscard(opts), func(cfg *cb.Config) (*cb.Config, error) {
		return channelconfig.AddConsenter(cfg, def, channelconfig.Consenter{Host: n.Layout.OrdererHost(ord), Port: ord.Ports.Listen, TLSCert: tlsCert},
			n.Layout.OrdererAddress(ord))
	}); err != nil {
		return ord, err
	}
	if !n.isUp(ord.Name) {
		if err := n.StartOrderer(ord.Name); err != nil {
			return ord, err
		}
	}
	// Joined with the newest config block (the one that names it), it
	// replicates the chain from the other consenters.
	s, err := n.Signer(org, "Admin")
	if err != nil {
		return ord, err
	}
	block, err := channelconfig.FetchConfig(ctx, n.orderer(), ChannelName, s)
	if err != nil {
		return ord, err
	}
	file := filepath.Join(n.p.OrgDir(org), ord.Name+"-join.block")
	if err := os.WriteFile(file, block, 0o644); err != nil {
		return ord, err
	}
	if err := n.retry(ctx, 30*time.Second, func() error { return n.osnJoinWith(ctx, ord, file) }); err != nil {
		return ord, err
	}
	return ord, n.retry(ctx, 120*time.Second, func() error {
		want, err := channelconfig.Height(ctx, n.orderer(), ChannelName, s)
		if err != nil {
			return err
		}
		got, err := channelconfig.Height(ctx, n.ordererEndpoint(ord), ChannelName, s)
		if err != nil {
			return err
		}
		if got < want {
			return fmt.Errorf("fabnet: %s at height %d of %d", ord.Name, got, want)
		}
		return nil
	})
}

// RemoveOrderer takes an orderer added by AddOrderer out of the consenter
// set (a config update signed by a majority of the ordering organisations'
// admins; its owner leaves the Orderer group when it runs no other), then
// removes the channel from it (osnadmin) and stops it. Founding orderers
// stay (their layout is the network's record).
func (n *Network) RemoveOrderer(ctx context.Context, name string, opts AdmitOptions) error {
	m, err := readMembership(n.p)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(m.Orderers, func(x Orderer) bool { return x.Name == name })
	if i < 0 {
		return fmt.Errorf("fabnet: %q is no orderer added since genesis", name)
	}
	ord := m.Orderers[i]
	owner, _ := n.Layout.Org(ord.Owner)
	signers, submitter := n.ordererSigners(opts)
	if err := n.groupUpdate(ctx, "Orderer", signers, submitter, orDiscard(opts), func(cfg *cb.Config) (*cb.Config, error) {
		return channelconfig.RemoveConsenter(cfg, n.Layout.OrdererHost(ord), ord.Ports.Listen, owner.MSPID)
	}); err != nil {
		return err
	}
	if n.isUp(ord.Name) {
		admin := filepath.Join(n.p.OrdererAdmin(ord), "tls")
		err := n.run(ctx, "osnadmin", nil, "channel", "remove", "--channelID", ChannelName,
			"-o", n.Layout.OrdererAdminAddress(ord), "--ca-file", n.p.OrdererTLSCA(ord),
			"--client-cert", filepath.Join(admin, "client.crt"), "--client-key", filepath.Join(admin, "client.key"))
		if err != nil && !strings.Contains(err.Error(), "not exist") {
			return err
		}
		n.mu.Lock()
		p := n.procs[ord.Name]
		n.mu.Unlock()
		if err := p.stop(stopGrace); err != nil {
			return err
		}
	}
	n.mu.Lock()
	delete(n.procs, ord.Name)
	n.order = slices.DeleteFunc(n.order, func(s string) bool { return s == ord.Name })
	n.Layout.Orderers = slices.DeleteFunc(slices.Clone(n.Layout.Orderers), func(x Orderer) bool { return x.Name == ord.Name })
	n.mu.Unlock()
	m.Orderers = slices.Delete(m.Orderers, i, i+1)
	if err := writeMembership(n.p, m); err != nil {
		return err
	}
	return n.saveState()
}

// ordererSigners are the organisations that run orderers (whose admins
// sign Orderer group changes), unless opts names them.
func (n *Network) ordererSigners(opts AdmitOptions) ([]string, string) {
	if len(opts.Signers) == 0 {
		for _, o := range n.Layout.Orgs {
			if len(n.Layout.OrderersOf(o.Name)) > 0 && !slices.Contains(opts.Signers, o.Name) {
				opts.Signers = append(opts.Signers, o.Name)
			}
		}
	}
	return n.signers(opts, "")
}

// memberDefinition is a member's public definition: the one it published
// when admitted, or one made from its MSP in the bundle (a founder).
func (n *Network) memberDefinition(o Org) (channelconfig.Definition, error) {
	if d, err := n.ReadDefinition(o.Name); err == nil {
		return d, nil
	}
	return channelconfig.DefinitionFromMSPDir(o.Name, o.MSPID, o.Role, filepath.Join(n.p.PublicOrg(o.Name), "msp"),
		channelconfig.AnchorPeer{Host: n.Layout.PeerEndpointHost(o), Port: o.Peer.Listen}, n.Layout.PeerAddress(o), n.Layout.GatewayAddress(o))
}

func (n *Network) ordererEndpoint(o Orderer) channelconfig.Orderer {
	return channelconfig.Orderer{Address: n.Layout.OrdererAddress(o), TLSCAPath: n.p.OrdererTLSCA(o)}
}

// osnJoinWith joins orderer o to the channel with the given config block.
func (n *Network) osnJoinWith(ctx context.Context, o Orderer, block string) error {
	admin := filepath.Join(n.p.OrdererAdmin(o), "tls")
	err := n.run(ctx, "osnadmin", nil, "channel", "join", "--channelID", ChannelName, "--config-block", block,
		"-o", n.Layout.OrdererAdminAddress(o), "--ca-file", n.p.OrdererTLSCA(o),
		"--client-cert", filepath.Join(admin, "client.crt"), "--client-key", filepath.Join(admin, "client.key"))
	if err != nil && strings.Contains(err.Error(), "already exists") {
		return nil
	}
	return err
}

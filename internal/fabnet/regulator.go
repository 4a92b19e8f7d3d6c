package fabnet

import (
	"context"
	"os"
	"path/filepath"

	"github.com/tierchain/tierchain/internal/channelconfig"
)

// lockRegulatorWriters takes every Regulator identity out of the channel's
// Writers once the chaincode is deployed.
//
// The Regulator's admin must approve the chaincode definition (the approval
// is what maps the definition to the package installed on its peer, so the
// peer can run queries), and an approval is a transaction the orderer only
// accepts from a writer. So the channel starts with the Regulator's admin as
// its org's only writer; after the definition is committed, that admin
// replaces its org's Writers policy (mod_policy: the org's own Admins) by
// one no identity satisfies. From then on the orderer refuses every
// transaction, and every further config update, that a Regulator identity
// submits. A later chaincode upgrade needs a config update signed by the
// Regulator's admin and submitted by another org (docs/OPERATIONS.md).
func (n *Network) lockRegulatorWriters(ctx context.Context) error {
	for _, o := range n.Layout.Orgs {
		if o.Role != RoleRegulator {
			continue
		}
		block := filepath.Join(n.p.Config(), "config-before-regulator-lock.block")
		fetch := append([]string{"channel", "fetch", "config", block, "-c", ChannelName}, n.ordererArgs()...)
		if err := n.peerCLI(ctx, o, fetch...); err != nil {
			return err
		}
		b, err := os.ReadFile(block)
		if err != nil {
			return err
		}
		env, err := noWritersUpdate(b, ChannelName, o.MSPID)
		if err != nil {
			return err
		}
		file := filepath.Join(n.p.Config(), "regulator-no-writers.tx")
		if err := os.WriteFile(file, env, 0o644); err != nil {
			return err
		}
		update := append([]string{"channel", "update", "-f", file, "-c", ChannelName}, n.ordererArgs()...)
		if err := n.peerCLI(ctx, o, update...); err != nil {
			return err
		}
	}
	return nil
}

// noWritersUpdate returns an unsigned CONFIG_UPDATE envelope that sets the
// Writers policy of application org msp to a signature policy no identity
// satisfies (channelconfig.LockOrgWriters), computed against the config
// block configBlock as configtxlator's compute_update would.
func noWritersUpdate(configBlock []byte, channel, msp string) ([]byte, error) {
	cfg, _, err := channelconfig.FromBlock(configBlock)
	if err != nil {
		return nil, err
	}
	locked, err := channelconfig.LockOrgWriters(cfg, msp)
	if err != nil {
		return nil, err
	}
	update, err := channelconfig.Compute(channel, cfg, locked)
	if err != nil {
		return nil, err
	}
	return channelconfig.NewUpdateEnvelope(update)
}

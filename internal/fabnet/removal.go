package fabnet

import (
	"context"
	"fmt"
	"io"
	"slices"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"

	"github.com/tierchain/tierchain/internal/channelconfig"
)

// Remove takes organisation org off the channel by a config update its
// fellow members' admins sign (a majority of the application
// organisations; org itself does not sign): its peer gets no further
// blocks, its identities can no longer endorse (their MSP is gone, so
// their signatures no longer verify), submit or read. What it wrote stays
// on every other peer's ledger, readable to the regulator. The network
// records it (a restart no longer starts its nodes; the other gateways'
// descriptions no longer name its peer). Running it again on a removed
// organisation does nothing.
func (n *Network) Remove(ctx context.Context, org string, opts AdmitOptions) error {
	return n.changeMember(ctx, org, opts, func(cfg *cb.Config, msp string) (*cb.Config, error) {
		if !slices.Contains(channelconfig.ApplicationOrgs(cfg), msp) {
			return nil, channelconfig.ErrNoChange
		}
		return channelconfig.RemoveOrg(cfg, msp)
	}, func(m *Membership) {
		if !slices.Contains(m.Removed, org) {
			m.Removed = append(m.Removed, org)
		}
		m.Suspended = slices.DeleteFunc(m.Suspended, func(s string) bool { return s == org })
	}, org)
}

// Suspend keeps organisation org on the channel but lets none of its
// identities submit a transaction or a config update (channelconfig.
// SuspendOrg), by a config update its fellow members' admins sign. Its
// peer keeps receiving blocks and its identities can still query.
func (n *Network) Suspend(ctx context.Context, org string, opts AdmitOptions) error {
	return n.changeMember(ctx, org, opts, channelconfig.SuspendOrg, func(m *Membership) {
		if !slices.Contains(m.Suspended, org) {
			m.Suspended = append(m.Suspended, org)
		}
	}, "")
}

// Reinstate undoes Suspend (channelconfig.ReinstateOrg), by a config
// update its fellow members' admins sign: organisation org's identities
// write again.
func (n *Network) Reinstate(ctx context.Context, org string, opts AdmitOptions) error {
	return n.changeMember(ctx, org, opts, channelconfig.ReinstateOrg, func(m *Membership) {
		m.Suspended = slices.DeleteFunc(m.Suspended, func(s string) bool { return s == org })
	}, "")
}

// changeMember makes the config update change computes for organisation
// org's MSP, signed by its fellow members' admins, then records the
// change in members.json (removed: org, when it left the channel).
func (n *Network) changeMember(ctx context.Context, org string, opts AdmitOptions, change func(cfg *cb.Config, msp string) (*cb.Config, error),
	record func(*Membership), removed string) error {
	o, ok := n.Layout.Org(org)
	if !ok {
		return fmt.Errorf("%w %q", ErrNoOrg, org)
	}
	signers, submitter := n.signers(opts, org)
	if err := n.membershipUpdate(ctx, signers, submitter, orDiscard(opts), func(cfg *cb.Config) (*cb.Config, error) {
		return change(cfg, o.MSPID)
	}); err != nil {
		return err
	}
	return n.recordMembership(record, removed)
}

// recordMembership changes members.json and, for a removed organisation,
// drops it from the layout and writes the others' descriptions again.
func (n *Network) recordMembership(change func(*Membership), removed string) error {
	m, err := readMembership(n.p)
	if err != nil {
		return err
	}
	change(&m)
	if err := writeMembership(n.p, m); err != nil {
		return err
	}
	if removed == "" {
		return nil
	}
	n.mu.Lock()
	n.Layout.Orgs = slices.DeleteFunc(slices.Clone(n.Layout.Orgs), func(o Org) bool { return o.Name == removed })
	n.mu.Unlock()
	if err := writeJSON(n.p.Endpoints(), endpointsOf(n.Layout)); err != nil {
		return err
	}
	_, err = n.WriteOrgConfigs()
	return err
}
func orDiscard(opts AdmitOptions) io.Writer {
	if opts.Out != nil {
		return opts.Out
	}
	return io.Discard
}

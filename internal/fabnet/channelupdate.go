// Channel config updates on the running network, each member acting
// with its own keys: fetch, propose, sign, submit.

package fabnet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"

	"github.com/tierchain/tierchain/internal/channelconfig"
)

// signers returns who signs (and who submits) a membership change, never
// the organisation it is about (exclude).
func (n *Network) signers(opts AdmitOptions, exclude string) ([]string, string) {
	signers := opts.Signers
	if len(signers) == 0 {
		for _, o := range n.Layout.Orgs {
			if o.Endorser && o.Name != exclude {
				signers = append(signers, o.Name)
			}
		}
	}
	submitter := opts.Submitter
	if submitter == "" && len(signers) > 0 {
		submitter = signers[0]
	}
	return signers, submitter
}

// orderer is the first orderer of the network, as channelconfig reaches it.
func (n *Network) orderer() channelconfig.Orderer {
	o := n.Layout.Orderers[0]
	addr := n.Layout.OrdererAddress(o)
	if n.OrdererTarget != nil {
		addr = n.OrdererTarget(addr)
	}
	return channelconfig.Orderer{Address: addr, TLSCAPath: n.p.OrdererTLSCA(o)}
}

// Signer returns the channelconfig signer of user of org (its own keys).
func (n *Network) Signer(org, user string) (*channelconfig.Signer, error) {
	id, err := n.IdentityFor(org, user)
	if err != nil {
		return nil, err
	}
	return channelconfig.NewSigner(id.MSPID, id.CertPath, id.KeyPath)
}

// ChannelConfig fetches the channel's current config from the orderer, as
// org's admin.
func (n *Network) ChannelConfig(ctx context.Context, org string) (*cb.Config, error) {
	s, err := n.Signer(org, "Admin")
	if err != nil {
		return nil, err
	}
	var block []byte
	err = n.retry(ctx, 20*time.Second, func() error {
		block, err = channelconfig.FetchConfig(ctx, n.orderer(), ChannelName, s)
		return err
	})
	if err != nil {
		return nil, err
	}
	cfg, _, err := channelconfig.FromBlock(block)
	return cfg, err
}

// ProposeUpdate computes, against the channel's current config (fetched
// as org's admin), the unsigned config update change makes, as the file
// that travels between the members.
func (n *Network) ProposeUpdate(ctx context.Context, org string, change func(*cb.Config) (*cb.Config, error)) ([]byte, error) {
	cfg, err := n.ChannelConfig(ctx, org)
	if err != nil {
		return nil, err
	}
	updated, err := change(cfg)
	if err != nil {
		return nil, err
	}
	cu, err := channelconfig.Compute(ChannelName, cfg, updated)
	if err != nil {
		return nil, err
	}
	return channelconfig.NewUpdateEnvelope(cu)
}

// SignUpdate is one member's signature on its own host: it checks the
// update against the channel's current config (fetched as that member)
// and returns the file with user's signature of org added.
func (n *Network) SignUpdate(ctx context.Context, env []byte, org, user string) ([]byte, error) {
	u, err := channelconfig.ParseUpdate(env)
	if err != nil {
		return nil, err
	}
	cfg, err := n.ChannelConfig(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := channelconfig.CheckCurrent(cfg, u); err != nil {
		return nil, err
	}
	s, err := n.Signer(org, user)
	if err != nil {
		return nil, err
	}
	if err := u.Sign(s); err != nil {
		return nil, err
	}
	return u.Marshal()
}

// SubmitUpdate submits a signed update as user of org and waits until the
// channel's config has changed (its sequence moved on).
// The orderer decides whether the signatures are enough
// (channelconfig.ErrRefused if not).
func (n *Network) SubmitUpdate(ctx context.Context, env []byte, org, user string) error {
	u, err := channelconfig.ParseUpdate(env)
	if err != nil {
		return err
	}
	s, err := n.Signer(org, user)
	if err != nil {
		return err
	}
	before, err := n.ChannelConfig(ctx, org)
	if err != nil {
		return err
	}
	if err := channelconfig.Submit(ctx, n.orderer(), u, s); err != nil {
		return err
	}
	return n.retry(ctx, 30*time.Second, func() error {
		after, err := n.ChannelConfig(ctx, org)
		if err != nil {
			return err
		}
		if after.GetSequence() <= before.GetSequence() {
			return errors.New("fabnet: the config update is not committed yet")
		}
		return nil
	})
}

// membershipUpdate proposes the change (as the submitter's admin),
// collects the signers' admin signatures until a majority of the
// application organisations has signed, and submits it. A change already
// made (ErrNoChange) is done.
func (n *Network) membershipUpdate(ctx context.Context, signers []string, submitter string, out io.Writer, change func(*cb.Config) (*cb.Config, error)) error {
	return n.groupUpdate(ctx, "Application", signers, submitter, out, change)
}

// groupUpdate is membershipUpdate for a change to group (Application or
// Orderer): signed until a majority of that group's organisations has.
func (n *Network) groupUpdate(ctx context.Context, group string, signers []string, submitter string, out io.Writer, change func(*cb.Config) (*cb.Config, error)) error {
	env, err := n.ProposeUpdate(ctx, submitter, change)
	if errors.Is(err, channelconfig.ErrNoChange) {
		return nil
	}
	if err != nil {
		return err
	}
	cfg, err := n.ChannelConfig(ctx, submitter)
	if err != nil {
		return err
	}
	for _, org := range signers {
		u, err := channelconfig.ParseUpdate(env)
		if err != nil {
			return err
		}
		if u.EnoughIn(cfg, group) == nil {
			break
		}
		if env, err = n.SignUpdate(ctx, env, org, "Admin"); err != nil {
			return err
		}
		fmt.Fprintf(out, "    signed by %s's admin\n", org)
	}
	u, err := channelconfig.ParseUpdate(env)
	if err != nil {
		return err
	}
	if err := u.EnoughIn(cfg, group); err != nil {
		return err
	}
	return n.SubmitUpdate(ctx, env, submitter, "Admin")
}

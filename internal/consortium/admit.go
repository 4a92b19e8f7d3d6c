// Admitting an organisation to the running compose consortium, each step
// with only the keys of the organisation that takes it.

package consortium

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"

	"github.com/tierchain/tierchain/internal/channelconfig"
	"github.com/tierchain/tierchain/internal/enterprisecard"
	"github.com/tierchain/tierchain/internal/fabnet"
)

// AdmitOptions tune Admit.
type AdmitOptions struct {
	// Signers are the members whose admins sign the config update, in
	// order, until a majority of the application organisations has
	// (default: the endorsing members).
	Signers []string
	// Submitter is the member whose admin submits it (default: the first
	// signer).
	Submitter string
	// StopAfter stops after the named step (fabnet.StepKeys … StepRecord)
	// with fabnet.ErrStopped.
	StopAfter string
}

// ordererTarget is where the host dials an orderer the layout names
// (fabnet.Network.OrdererTarget): the host does not resolve the
// consortium's names, so the name goes through the "tierchain-compose"
// resolver to the container's current address; the orderer's TLS
// certificate is still checked for its name.
func (c *Consortium) ordererTarget(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	for _, o := range c.Layout.Orderers {
		if o.Host != host {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ip, err := c.containerIP(ctx, o.Name)
		if err != nil {
			return addr
		}
		containerNames.set(host, ip)
		return containerNames.Scheme() + ":///" + addr
	}
	return addr
}

// NewcomerKeys is the newcomer's own first step: its keys in its own
// folder (orgs/<Org>/), its public definition in the bundle
// (public/<Org>/definition.json), its chaincode package, and the Compose
// override that will run its host. It returns its layout entry; the
// consortium counts it from here on (its services, its gateway).
func (c *Consortium) NewcomerKeys(ctx context.Context, nc fabnet.Newcomer) (fabnet.Org, error) {
	o, pkg, err := c.net.NewcomerKeys(ctx, nc)
	if err != nil {
		return o, err
	}
	if _, ok := c.Layout.Org(o.Name); !ok {
		c.Layout.Orgs = append(slices.Clone(c.Layout.Orgs), o)
	}
	if _, ok := c.net.Layout.Org(o.Name); !ok {
		c.net.Layout.Orgs = append(slices.Clone(c.net.Layout.Orgs), o)
	}
	if c.net.PackageIDs == nil {
		c.net.PackageIDs = map[string]string{}
	}
	c.net.PackageIDs[o.Name] = pkg
	if err := os.MkdirAll(filepath.Join(c.net.OrgDir(o.Name), "gateway"), 0o700); err != nil {
		return o, err
	}
	b, err := c.Override(o)
	if err != nil {
		return o, err
	}
	return o, writeAtomic(c.OverrideFile(o.Name), b)
}

func writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ProposeAdd is a member's proposal (as member's admin, against the
// channel's config it fetches itself) of the update that adds org, from
// the definition org published: the unsigned file that travels between
// the members.
func (c *Consortium) ProposeAdd(ctx context.Context, member, org string) ([]byte, error) {
	def, err := c.net.ReadDefinition(org)
	if err != nil {
		return nil, err
	}
	return c.net.ProposeUpdate(ctx, member, func(cfg *cb.Config) (*cb.Config, error) { return channelconfig.AddOrg(cfg, def) })
}

// SignUpdate is member's admin signing an update file on its own folder,
// after checking it against the channel's current config.
func (c *Consortium) SignUpdate(ctx context.Context, env []byte, member string) ([]byte, error) {
	return c.net.SignUpdate(ctx, env, member, "Admin")
}

// SubmitUpdate submits a signed update as member's admin, whatever the
// signatures (the orderer decides: channelconfig.ErrRefused).
func (c *Consortium) SubmitUpdate(ctx context.Context, env []byte, member string) error {
	return c.net.SubmitUpdate(ctx, env, member, "Admin")
}

// ConfigSequence is the channel config's sequence, as member's admin
// fetches it from the orderer.
func (c *Consortium) ConfigSequence(ctx context.Context, member string) (uint64, error) {
	cfg, err := c.net.ChannelConfig(ctx, member)
	if err != nil {
		return 0, err
	}
	return cfg.GetSequence(), nil
}

// Admit admits a newcomer (a bank or a core enterprise) to the running
// consortium, the way the companies would, each step skipped when it is
// done already (so running it again resumes an interrupted admission):
//
//  1. keys: the newcomer makes its keys in its own folder and publishes
//     its definition (NewcomerKeys);
//  2. config: the members' admins sign the update that adds it, each with
//     its own keys, until a majority of the application organisations has;
//     one submits it;
//  3. join: the newcomer's host starts (its override file: peer and
//     chaincode server); its admin fetches block 0 from the orderer and
//     joins its peer in its own container, which catches up;
//  4. chaincode: the newcomer installs its own package; every member
//     approves the next sequence of the definition, whose endorsement
//     policy counts the newcomer, in its own container (the Regulator with
//     its Writers unlocked, locked again after); the Operator commits;
//  5. record: its enterprise's card goes into the bundle (the Operator's
//     gateway registers it), every gateway's description is written
//     again, and its gateway starts and waits until it is ready.
func (c *Consortium) Admit(ctx context.Context, nc fabnet.Newcomer, opts AdmitOptions) (fabnet.Org, error) {
	o, err := c.NewcomerKeys(ctx, nc)
	if err != nil {
		return o, fmt.Errorf("admitting %s, step %s: %w", nc.Name, fabnet.StepKeys, err)
	}
	steps := []struct {
		name string
		do   func(context.Context, fabnet.Org) error
	}{
		{fabnet.StepKeys, func(context.Context, fabnet.Org) error { return nil }},
		{fabnet.StepConfig, func(ctx context.Context, o fabnet.Org) error {
			return c.net.AddToChannel(ctx, o.Name, fabnet.AdmitOptions{Signers: opts.Signers, Submitter: opts.Submitter, Out: c.Out})
		}},
		{fabnet.StepJoin, c.joinNewcomer},
		{fabnet.StepChaincode, c.upgradeForNewcomer},
		{fabnet.StepRecord, c.recordNewcomer},
	}
	for _, s := range steps {
		done := c.step(fmt.Sprintf("%s: %s", o.Name, s.name))
		if err := s.do(ctx, o); err != nil {
			fmt.Fprintln(c.Out)
			return o, fmt.Errorf("admitting %s, step %s: %w", o.Name, s.name, err)
		}
		done()
		if s.name == opts.StopAfter {
			return o, fmt.Errorf("%w %q", fabnet.ErrStopped, s.name)
		}
	}
	return o, nil
}

// joinNewcomer starts the newcomer's peer and chaincode server (its
// override file), fetches block 0 as its admin and joins its peer in its
// own container, and waits until the peer has the orderer's height.
func (c *Consortium) joinNewcomer(ctx context.Context, o fabnet.Org) error {
	if _, err := c.compose(ctx, "up", "-d", "--no-build", "--no-deps", PeerService(o.Name), ChaincodeService(o.Name)); err != nil {
		return err
	}
	admin, err := c.net.Signer(o.Name, "Admin")
	if err != nil {
		return err
	}
	var block []byte
	if err := retry(ctx, 30*time.Second, func() error {
		block, err = channelconfig.FetchBlock(ctx, c.net.OrdererEndpoint(), fabnet.ChannelName, admin, 0)
		return err
	}); err != nil {
		return err
	}
	file := filepath.Join(c.net.OrgDir(o.Name), "join.block")
	if err := writeAtomic(file, block); err != nil {
		return err
	}
	inContainer, err := c.inContainer(file)
	if err != nil {
		return err
	}
	join := func() error { _, err := c.peerCLI(ctx, o.Name, "channel", "join", "-b", inContainer); return err }
	if err := retry(ctx, 60*time.Second, alreadyDone(join, "already exists")); err != nil {
		return err
	}
	want, err := channelconfig.Height(ctx, c.net.OrdererEndpoint(), fabnet.ChannelName, admin)
	if err != nil {
		return err
	}
	return retry(ctx, 2*time.Minute, func() error {
		h, err := c.PeerHeight(ctx, o.Name)
		if err == nil && h < want {
			err = fmt.Errorf("consortium: %s's peer at height %d of %d", o.Name, h, want)
		}
		return err
	})
}

// committed is the chaincode definition committed on the channel, as the
// Operator's peer reports it.
type committed struct {
	Sequence  int64           `json:"sequence"`
	Approvals map[string]bool `json:"approvals"`
}

// Committed returns the committed chaincode definition's sequence and
// which organisations approved it (querycommitted, by the Operator's
// admin in its own container).
func (c *Consortium) Committed(ctx context.Context) (int64, map[string]bool, error) {
	out, err := c.peerCLI(ctx, "Operator", "lifecycle", "chaincode", "querycommitted", "--channelID", fabnet.ChannelName,
		"--name", fabnet.ChaincodeName, "--output", "json")
	if err != nil {
		return 0, nil, err
	}
	var d committed
	if err := json.Unmarshal(out, &d); err != nil {
		return 0, nil, fmt.Errorf("consortium: querycommitted: %w", err)
	}
	return d.Sequence, d.Approvals, nil
}

// upgradeForNewcomer: the newcomer installs its own package; unless the
// committed definition has its approval already (done before), every
// member approves sequence n+1 with the endorsement policy over the
// endorsing members, the newcomer included, each in its own container
// with its own package; the Operator commits it with every endorser's
// peer. The Regulator's Writers are unlocked for its approval and locked
// again (also when a run stopped in between).
func (c *Consortium) upgradeForNewcomer(ctx context.Context, o fabnet.Org) error {
	pkg, err := c.inContainer(filepath.Join(c.net.OrgDir(o.Name), fabnet.ChaincodeLabel+".tar.gz"))
	if err != nil {
		return err
	}
	install := func() error {
		_, err := c.peerCLI(ctx, o.Name, "lifecycle", "chaincode", "install", pkg)
		return err
	}
	if err := retry(ctx, 60*time.Second, alreadyDone(install, "already successfully installed")); err != nil {
		return err
	}
	seq, approvals, err := c.Committed(ctx)
	if err != nil {
		return err
	}
	if !approvals[o.MSPID] {
		if err := c.commitSequence(ctx, seq+1); err != nil {
			return err
		}
	}
	return c.net.LockRegulatorWritersIfOpen(ctx)
}

// commitSequence approves sequence seq of the definition (the policy over
// the layout's endorsers) for every organisation in its own container and
// has the Operator commit it.
func (c *Consortium) commitSequence(ctx context.Context, seq int64) error {
	l := c.Layout
	ord, err := c.ordererArgs(0)
	if err != nil {
		return err
	}
	def := []string{"--channelID", fabnet.ChannelName, "--name", fabnet.ChaincodeName, "--version", "1.0",
		"--sequence", fmt.Sprint(seq), "--signature-policy", fabnet.SignaturePolicy(l)}
	for _, org := range l.Orgs {
		if org.Role == fabnet.RoleRegulator {
			if err := c.net.UnlockRegulatorWriters(ctx, org); err != nil {
				return err
			}
		}
	}
	// Each organisation approves on its own host, all at once (each
	// approval writes only its own organisation's implicit collection).
	errs := make([]error, len(l.Orgs))
	var wg sync.WaitGroup
	for i, org := range l.Orgs {
		args := append(append([]string{"lifecycle", "chaincode", "approveformyorg", "--package-id", c.net.PackageIDs[org.Name]}, def...), ord...)
		approve := func() error { _, err := c.peerCLI(ctx, org.Name, args...); return err }
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := retry(ctx, 90*time.Second, alreadyDone(approve, "unchanged content")); err != nil {
				errs[i] = fmt.Errorf("%s's approval: %w", org.Name, err)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	commit := append(append([]string{"lifecycle", "chaincode", "commit"}, def...), ord...)
	for _, org := range l.Orgs {
		if !org.Endorser {
			continue
		}
		a, err := c.adminOf(org.Name)
		if err != nil {
			return err
		}
		commit = append(commit, "--peerAddresses", l.PeerAddress(org), "--tlsRootCertFiles", a.peerCA)
	}
	return retry(ctx, 60*time.Second, func() error {
		_, err := c.peerCLI(ctx, "Operator", commit...)
		if err != nil {
			if s, _, qerr := c.Committed(ctx); qerr == nil && s >= seq {
				return nil // committed before an interruption
			}
		}
		return err
	})
}

// recordNewcomer: the newcomer's enterprise card goes into the bundle (the
// Operator's gateway registers it on the ledger), every gateway's
// description is written again (the endorsers now include the newcomer),
// and the newcomer's gateway starts and waits until it is ready (its
// enterprise registered).
func (c *Consortium) recordNewcomer(ctx context.Context, o fabnet.Org) error {
	card, err := enterprisecard.Load(enterprisecard.File(c.net.PendingCardsDir(o.Name), o.Enterprise.ID))
	if err != nil {
		return err
	}
	if err := enterprisecard.Write(c.net.CardsDir(), card); err != nil {
		return err
	}
	if _, err := c.net.WriteOrgConfigs(); err != nil {
		return err
	}
	if !c.Gateways {
		return nil
	}
	if _, err := c.compose(ctx, "up", "-d", "--no-build", "--no-deps", GatewayService(o.Name)); err != nil {
		return err
	}
	return c.waitGateways(ctx, 2*time.Minute, []fabnet.Org{o})
}

// IsMember reports whether msp is an application organisation of the
// channel, as member's admin fetches its config.
func (c *Consortium) IsMember(ctx context.Context, member, msp string) (bool, error) {
	cfg, err := c.net.ChannelConfig(ctx, member)
	if err != nil {
		return false, err
	}
	return slices.Contains(channelconfig.ApplicationOrgs(cfg), msp), nil
}

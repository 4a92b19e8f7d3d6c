package fabnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/channelconfig"
	"github.com/tierchain/tierchain/internal/enterprisecard"
)

// Admission steps, in order. Each is skipped when what it does is already
// done (on the channel, on disk, or recorded in the newcomer's
// admission.json), so running an interrupted admission again finishes it.
const (
	// StepKeys: the newcomer makes its keys in its own folder and
	// publishes its definition (channelconfig.Definition) in the bundle.
	StepKeys = "keys"
	// StepConfig: the members compute the config update that adds it,
	// their admins sign it one by one until a majority of the application
	// organisations has, and one submits it.
	StepConfig = "config"
	// StepJoin: the newcomer starts its chaincode server and peer, and the
	// peer joins from block 0 fetched from the orderer and catches up.
	StepJoin = "join"
	// StepChaincode: a new sequence of the chaincode definition whose
	// endorsement policy counts the newcomer, approved by every member
	// (the regulator unlocks its Writers for its approval and locks them
	// again) and committed.
	StepChaincode = "chaincode"
	// StepRecord: the network records the newcomer as a member (a
	// restart starts its nodes), its enterprise card goes into the cards
	// folder (the operator's gateway registers it), and every gateway's
	// description is written again.
	StepRecord = "record"
)

var admissionSteps = []string{StepKeys, StepConfig, StepJoin, StepChaincode, StepRecord}

// ErrStopped reports an admission stopped on purpose after a step
// (AdmitOptions.StopAfter).
var ErrStopped = errors.New("fabnet: admission stopped after the requested step")

// Newcomer is an organisation that asks to join the running network.
type Newcomer struct {
	Name       string // e.g. "BankC"
	Role       Role   // RoleBank or RoleCore
	Enterprise Enterprise
}

// AdmitOptions tune Admit.
type AdmitOptions struct {
	// Signers are the organisations whose admins sign the config update,
	// in order, until a majority of the application organisations has
	// (default: the endorsing members in layout order).
	Signers []string
	// Submitter is the organisation whose admin submits it (default: the
	// first signer).
	Submitter string
	// StopAfter stops after the named step with ErrStopped (a crash
	// between steps, for tests; or an operator who goes step by step).
	StopAfter string
	Out       io.Writer
}

// admission is an admission's progress in the newcomer's own folder.
type admission struct {
	Org       Org      `json:"org"`
	PackageID string   `json:"packageId"`
	Sequence  int64    `json:"sequence,omitempty"` // the definition sequence that counts it
	Done      []string `json:"done"`
}

func (p paths) Admission(name string) string { return filepath.Join(p.OrgDir(name), "admission.json") }

// Definition is where a newcomer publishes its definition.
func (p paths) Definition(name string) string {
	return filepath.Join(p.PublicOrg(name), "definition.json")
}

// pendingCards is where a newcomer keeps its card until it is admitted.
func (p paths) pendingCards(name string) string { return filepath.Join(p.EnterpriseDir(name), "card") }

// DefinitionFile is where the newcomer org publishes its definition in the
// bundle (public/<Org>/definition.json).
func (n *Network) DefinitionFile(org string) string { return n.p.Definition(org) }

// OpenAdmin attaches to the running network in dir (started by `tierchain
// up` in another process) with process control: the processes it starts
// are recorded beside the ones already running, so `tierchain down` stops
// them all.
func OpenAdmin(ctx context.Context, dir, repo string, out io.Writer) (*Network, error) {
	n, err := Open(dir)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = io.Discard
	}
	n.repo, n.out = repo, out
	st, err := readState(n.p.State())
	if err != nil {
		return nil, err
	}
	for _, pr := range st.Procs {
		n.procs[pr.Name] = pr
		n.order = append(n.order, pr.Name)
	}
	rec, err := readRecord(n.p.Record())
	if err != nil {
		return nil, err
	}
	n.PackageIDs = rec.PackageIDs
	n.Layout.BatchTimeoutMillis = rec.BatchTimeoutMillis
	if n.bin, err = EnsureBinaries(ctx, repo, out); err != nil {
		return nil, err
	}
	return n, nil
}

// isUp reports whether the named process runs: one this value started,
// or one recorded by the process that started the network.
func (n *Network) isUp(name string) bool {
	n.mu.Lock()
	p, ok := n.procs[name]
	n.mu.Unlock()
	if !ok {
		return false
	}
	if p.cmd != nil {
		return n.running(name)
	}
	return alive(p.PID, p.Bin)
}

// Admit admits a newcomer to the running network, each step acting with
// only the keys of the organisation that takes it: the newcomer makes its
// own keys and hands over its public definition; the members' admins sign
// the config update; the newcomer's peer joins and its chaincode server
// starts; the members approve a definition that counts it. It returns the
// newcomer's layout entry. Running it again after an interruption resumes
// where it stopped; on an admitted organisation it does nothing.
func (n *Network) Admit(ctx context.Context, nc Newcomer, opts AdmitOptions) (Org, error) {
	if opts.Out == nil {
		opts.Out = n.out
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	a, err := n.loadAdmission(nc)
	if err != nil {
		return Org{}, err
	}
	o := a.Org
	for _, step := range admissionSteps {
		if slices.Contains(a.Done, step) {
			fmt.Fprintf(opts.Out, "  %-10s done before\n", step)
			continue
		}
		start := time.Now()
		if err := n.admitStep(ctx, step, a, opts); err != nil {
			return o, fmt.Errorf("admitting %s, step %s: %w", o.Name, step, err)
		}
		a.Done = append(a.Done, step)
		if err := writeJSON(n.p.Admission(o.Name), a); err != nil {
			return o, err
		}
		fmt.Fprintf(opts.Out, "  %-10s %s\n", step, time.Since(start).Round(time.Millisecond))
		if step == opts.StopAfter {
			return o, fmt.Errorf("%w %q", ErrStopped, step)
		}
	}
	// In this process's layout from the join on (StartPeer needs it).
	n.ensureInLayout(o)
	return o, nil
}

// loadAdmission reads the newcomer's admission in progress, or begins one:
// its layout entry takes the next free slot.
func (n *Network) loadAdmission(nc Newcomer) (*admission, error) {
	if a, err := readJSON[admission](n.p.Admission(nc.Name)); err == nil {
		if a.Org.Role != nc.Role {
			return nil, fmt.Errorf("%w: %s is being admitted as %s, not %s", channelconfig.ErrDefinition, nc.Name, a.Org.Role, nc.Role)
		}
		return &a, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if nc.Role != RoleBank && nc.Role != RoleCore {
		return nil, fmt.Errorf("%w: a newcomer is a bank or a core enterprise, not %q", channelconfig.ErrDefinition, nc.Role)
	}
	for _, o := range n.Layout.Orgs {
		if o.Name == nc.Name || o.MSPID == nc.Name+"MSP" || o.Domain == orgDomain(nc.Name) {
			return nil, fmt.Errorf("%w: %s", channelconfig.ErrOrgExists, nc.Name+"MSP")
		}
		if o.Enterprise.ID == nc.Enterprise.ID {
			return nil, fmt.Errorf("%w: enterprise %q is %s's", channelconfig.ErrDefinition, nc.Enterprise.ID, o.Name)
		}
	}
	m, err := readMembership(n.p)
	if err != nil {
		return nil, err
	}
	slot := len(m.Admitted)
	if entries, err := os.ReadDir(n.p.Orgs()); err == nil { // admissions under way take slots too
		for _, e := range entries {
			if _, err := os.Stat(n.p.Admission(e.Name())); err == nil && !slices.ContainsFunc(m.Admitted, func(o Org) bool { return o.Name == e.Name() }) {
				slot++
			}
		}
	}
	o, err := NewcomerOrg(n.Layout.Orderers[0].Ports.Listen, slot, nc.Name, nc.Role, nc.Enterprise)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(n.p.OrgDir(o.Name), 0o700); err != nil {
		return nil, err
	}
	a := &admission{Org: o}
	return a, writeJSON(n.p.Admission(o.Name), a)
}

func (n *Network) admitStep(ctx context.Context, step string, a *admission, opts AdmitOptions) error {
	o := a.Org
	switch step {
	case StepKeys:
		id, err := n.newcomerKeys(ctx, o)
		a.PackageID = id
		return err
	case StepConfig:
		return n.AddToChannel(ctx, o.Name, opts)
	case StepJoin:
		n.ensureInLayout(o)
		n.setPackageID(o.Name, a.PackageID)
		return n.joinNewcomer(ctx, o)
	case StepChaincode:
		n.ensureInLayout(o)
		n.setPackageID(o.Name, a.PackageID)
		return n.upgradeForMembers(ctx, a)
	case StepRecord:
		n.ensureInLayout(o)
		n.setPackageID(o.Name, a.PackageID)
		return n.recordMember(ctx, o)
	}
	return fmt.Errorf("fabnet: unknown admission step %q", step)
}

func (n *Network) setPackageID(org, id string) {
	if n.PackageIDs == nil {
		n.PackageIDs = map[string]string{}
	}
	n.PackageIDs[org] = id
}

func (n *Network) ensureInLayout(o Org) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.Layout.Org(o.Name); !ok {
		n.Layout.Orgs = append(slices.Clone(n.Layout.Orgs), o)
	}
}

// AddToChannel is the members' step of an admission (StepConfig): the
// update that adds the organisation org published its definition for,
// signed by opts.Signers' admins (default: the endorsing members) until a
// majority of the application organisations has, and submitted by
// opts.Submitter's. Done before (same MSP ID and CA on the channel), it
// does nothing; an MSP ID on the channel under another CA is
// channelconfig.ErrOrgExists.
func (n *Network) AddToChannel(ctx context.Context, org string, opts AdmitOptions) error {
	def, err := n.ReadDefinition(org)
	if err != nil {
		return err
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	signers, submitter := n.signers(opts, org)
	return n.membershipUpdate(ctx, signers, submitter, opts.Out, func(cfg *cb.Config) (*cb.Config, error) {
		if err := sameOrg(cfg, def); err != nil {
			return nil, err
		}
		return channelconfig.AddOrg(cfg, def)
	})
}

// sameOrg refuses an MSP ID on the channel that is not the definition's
// own (a collision), and reports ErrNoChange when it is (added before).
func sameOrg(cfg *cb.Config, def channelconfig.Definition) error {
	if !slices.Contains(channelconfig.ApplicationOrgs(cfg), def.MSPID) {
		return nil
	}
	ok, err := channelconfig.HasRootCA(cfg, def.MSPID, def.CACerts[0])
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %s (another organisation's CA)", channelconfig.ErrOrgExists, def.MSPID)
	}
	return fmt.Errorf("%w: %s is on the channel", channelconfig.ErrNoChange, def.MSPID)
}

// newcomerKeys is the newcomer's own step: cryptogen into its own folder
// (atomically: a crash leaves no half-made keys), its enterprise's keys
// and card (kept in its folder until it is admitted), its MSP and TLS CA
// in the bundle, its definition, and its chaincode package. It returns the
// package ID.
func (n *Network) newcomerKeys(ctx context.Context, o Org) (string, error) {
	u := cryptoUnit{Name: o.Name, Org: o}
	b, err := render("crypto-config.yaml", cryptoConfigTemplate, struct{ Org Org }{o})
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(u.config(n.p), b, 0o644); err != nil {
		return "", err
	}
	if _, err := os.Stat(n.p.OrgCrypto(o.Name)); errors.Is(err, os.ErrNotExist) {
		tmp := n.p.OrgCrypto(o.Name) + ".tmp"
		os.RemoveAll(tmp)
		if err := n.run(ctx, "cryptogen", nil, "generate", "--config", u.config(n.p), "--output", tmp); err != nil {
			return "", err
		}
		if err := os.Rename(tmp, n.p.OrgCrypto(o.Name)); err != nil {
			return "", err
		}
	}
	keys, err := enterprisecard.EnsureKeys(n.p.EnterpriseDir(o.Name), model.Role(o.Role), nil)
	if err != nil {
		return "", err
	}
	certs, _ := filepath.Glob(filepath.Join(n.p.User(o, o.Enterprise.Identity), "msp", "signcerts", "*.pem"))
	if len(certs) != 1 {
		return "", fmt.Errorf("fabnet: no certificate for %s of %s", o.Enterprise.Identity, o.Name)
	}
	certPEM, err := os.ReadFile(certs[0])
	if err != nil {
		return "", err
	}
	e := o.Enterprise
	card, err := enterprisecard.New(e.ID, e.Name, e.LegalID, model.Role(o.Role), o.MSPID, certPEM, keys)
	if err != nil {
		return "", err
	}
	if err := enterprisecard.Write(n.p.pendingCards(o.Name), card); err != nil {
		return "", err
	}
	pub := n.p.PublicOrg(o.Name)
	if err := copyPublicTree(u.orgMSP(n.p), filepath.Join(pub, "msp")); err != nil {
		return "", err
	}
	if err := copyPublic(u.tlsCA(n.p), filepath.Join(pub, "tlsca.pem")); err != nil {
		return "", err
	}
	def, err := channelconfig.DefinitionFromMSPDir(o.Name, o.MSPID, o.Role, filepath.Join(pub, "msp"),
		channelconfig.AnchorPeer{Host: n.Layout.PeerEndpointHost(o), Port: o.Peer.Listen},
		n.Layout.PeerAddress(o), n.Layout.GatewayAddress(o))
	if err != nil {
		return "", err
	}
	db, err := def.Marshal()
	if err != nil {
		return "", err
	}
	if err := writeFileAtomic(n.p.Definition(o.Name), db); err != nil {
		return "", err
	}
	conn, err := connectionJSON(n.Layout, n.p, o)
	if err != nil {
		return "", err
	}
	pkg, id, err := ccaasPackage(conn)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(n.p.CcPackage(o), pkg, 0o600); err != nil {
		return "", err
	}
	return id, os.WriteFile(n.p.ChaincodeEnv(o), []byte("CHAINCODE_ID="+id+"\n"), 0o644)
}

// ReadDefinition reads the definition org published in the bundle.
func (n *Network) ReadDefinition(org string) (channelconfig.Definition, error) {
	b, err := os.ReadFile(n.p.Definition(org))
	if err != nil {
		return channelconfig.Definition{}, err
	}
	return channelconfig.ParseDefinition(b)
}

// joinNewcomer starts the newcomer's chaincode server and peer, joins the
// peer from block 0 fetched from the orderer (as the newcomer's admin, a
// reader of the channel now), and waits until it has caught up.
func (n *Network) joinNewcomer(ctx context.Context, o Org) error {
	if !n.isUp(ChaincodeProcessOf(o.Name)) {
		if err := n.StartChaincodeOf(o.Name); err != nil {
			return err
		}
	}
	if !n.isUp(peerName(o)) {
		if err := n.StartPeer(o.Name); err != nil {
			return err
		}
	}
	s, err := n.Signer(o.Name, "Admin")
	if err != nil {
		return err
	}
	var block []byte
	if err := n.retry(ctx, 30*time.Second, func() error {
		block, err = channelconfig.FetchBlock(ctx, n.orderer(), ChannelName, s, 0)
		return err
	}); err != nil {
		return err
	}
	file := filepath.Join(n.p.OrgDir(o.Name), "join.block")
	if err := os.WriteFile(file, block, 0o644); err != nil {
		return err
	}
	if err := n.retry(ctx, 30*time.Second, func() error {
		err := n.peerCLI(ctx, o, "channel", "join", "-b", file)
		if err != nil && strings.Contains(err.Error(), "already exists") {
			return nil
		}
		return err
	}); err != nil {
		return err
	}
	want, err := channelconfig.Height(ctx, n.orderer(), ChannelName, s)
	if err != nil {
		return err
	}
	return n.retry(ctx, 120*time.Second, func() error {
		h, err := n.PeerHeight(ctx, o.Name)
		if err != nil {
			return err
		}
		if h < want {
			return fmt.Errorf("fabnet: %s's peer at height %d of %d", o.Name, h, want)
		}
		return nil
	})
}

// PeerHeight is the channel's height on org's peer (as its admin sees it).
func (n *Network) PeerHeight(ctx context.Context, org string) (uint64, error) {
	o, ok := n.Layout.Org(org)
	if !ok {
		return 0, fmt.Errorf("%w %q", ErrNoOrg, org)
	}
	out, err := n.peerCLIOutput(ctx, o, "channel", "getinfo", "-c", ChannelName)
	if err != nil {
		return 0, err
	}
	_, js, ok := strings.Cut(string(out), "Blockchain info:")
	if !ok {
		return 0, fmt.Errorf("fabnet: peer channel getinfo: %s", out)
	}
	var info struct {
		Height uint64 `json:"height"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(js)), &info); err != nil {
		return 0, fmt.Errorf("fabnet: peer channel getinfo: %w", err)
	}
	return info.Height, nil
}

// recordMember records the newcomer as a member: members.json (a restart
// starts its nodes), its package ID in network.json, its card in the cards
// folder (the operator's gateway registers it on its next round), every
// organisation's gateway description, and the processes in state.json.
func (n *Network) recordMember(ctx context.Context, o Org) error {
	m, err := readMembership(n.p)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(m.Admitted, func(x Org) bool { return x.Name == o.Name }) {
		m.Admitted = append(m.Admitted, o)
		if err := writeMembership(n.p, m); err != nil {
			return err
		}
	}
	rec, err := readRecord(n.p.Record())
	if err != nil {
		return err
	}
	if rec.PackageIDs[o.Name] != n.PackageIDs[o.Name] {
		rec.PackageIDs[o.Name] = n.PackageIDs[o.Name]
		if err := writeRecord(n.p.Record(), rec); err != nil {
			return err
		}
	}
	card, err := enterprisecard.Load(enterprisecard.File(n.p.pendingCards(o.Name), o.Enterprise.ID))
	if err != nil {
		return err
	}
	if err := enterprisecard.Write(n.p.Cards(), card); err != nil {
		return err
	}
	if err := writeJSON(n.p.Endpoints(), endpointsOf(n.Layout)); err != nil {
		return err
	}
	if _, err := n.WriteOrgConfigs(); err != nil {
		return err
	}
	if err := n.saveState(); err != nil {
		return err
	}
	return n.WaitEndorsable(ctx)
}

package fabnet

import (
	"context"

	"errors"
	"fmt"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options configure Start and Prepare.
type Options struct {
	Dir      string // data directory (created; must not hold a running network)
	RepoRoot string // TierChain checkout (network/, chaincode/)
	Base     int    // first port (DefaultBase if 0)
	Orderers int    // 1 or 3; 0: the recorded number, or 1 for a new network
	// Layout, if set, replaces NewLayout(Base, Orderers): e.g. a layout
	// WithNodeNames for containers (Prepare). Base and Orderers are then
	// taken from it.
	Layout       *Layout
	BatchTimeout time.Duration // orderer batch timeout (150 ms if 0)
	Out          io.Writer     // progress (io.Discard if nil)
	// Fresh discards a stopped network found in Dir instead of restarting it.
	Fresh bool
	// ChaincodeEnv is extra environment for every organisation's chaincode
	// server (its settings: CHAINCODE_VERIFY_MEMO, CHAINCODE_OPERATOR_MSP).
	ChaincodeEnv []string
	// PeerProfile turns on each peer's Go profiling listener (core.yaml
	// peer.profile: net/http/pprof, e.g. /debug/pprof/profile?seconds=N)
	// on loopback, at Network.PeerProfileAddress. Without it no peer
	// listens for profiles (core.yaml has it off).
	PeerProfile bool
}

// restartPatience is how long a restart waits for its port range.
const restartPatience = 10 * time.Second

// ErrAlreadyRunning reports a data directory whose network still runs.
var ErrAlreadyRunning = errors.New("fabnet: a network is already running in this directory")

// Network is a running network.
type Network struct {
	Layout Layout
	Dir    string
	// PackageIDs maps each organisation to the package ID of its own
	// chaincode package (its connection.json names its own server), which
	// it installed and approved.
	PackageIDs map[string]string
	// OrdererTarget, if set, maps an orderer's layout address to the
	// gRPC target this process dials for channel config and blocks (a
	// process outside a compose network reaches the containers through a
	// resolver of its own; internal/consortium).
	OrdererTarget func(address string) string

	repo  string
	bin   string
	p     paths
	out   io.Writer
	mu    sync.Mutex
	procs map[string]*proc
	order []string
	ccEnv []string
	// peerProfile: Options.PeerProfile.
	peerProfile bool
	// portLock reserves the port range; every node inherits it.
	portLock *os.File
}

// Start brings a network up. In an empty (or missing) directory it creates
// one from nothing: crypto material, channel genesis block, orderers
// (channel joined with osnadmin), peers (joined), each organisation's
// chaincode server, and the chaincode definition approved by every
// organisation (each with its own package) and committed. In
// a directory holding a network that was stopped (tierchain down, or a
// crash) it restarts that network's processes on its existing ledgers,
// unless opts.Fresh. It returns once every endorsing org can endorse.
func Start(ctx context.Context, opts Options) (n *Network, err error) {
	if opts.Orderers == 0 && opts.Layout == nil && !opts.Fresh && opts.Dir != "" {
		if rec, err := readRecord(paths{root: opts.Dir}.Record()); err == nil {
			opts.Orderers = rec.Orderers // a restart keeps the recorded number
		}
	}
	l, p, err := begin(&opts)
	if err != nil {
		return nil, err
	}
	dir := p.root
	rec, recErr := readRecord(p.Record())
	resume := recErr == nil && !opts.Fresh
	if _, err := os.Stat(p.Orgs()); resume && err != nil {
		return nil, fmt.Errorf("%w: the network in %s keeps every organisation's keys in one folder (made before one folder per organisation); create a new one",
			ErrOtherLayout, dir)
	}
	if _, err := os.Stat(p.OrgDir("Orderer")); resume && err == nil {
		return nil, fmt.Errorf("%w: the network in %s has a separate Orderer organisation (made before the orderers belonged to Operator, Core and BankA); create a new one",
			ErrOtherLayout, dir)
	}
	if resume {
		if rec.Base != opts.Base || rec.Orderers != opts.Orderers {
			return nil, fmt.Errorf("%w: the network in %s has %d orderer(s) from port %d, asked for %d from port %d",
				ErrOtherLayout, dir, rec.Orderers, rec.Base, opts.Orderers, opts.Base)
		}
		if len(rec.PackageIDs) == 0 {
			return nil, fmt.Errorf("%w: the network in %s shares one chaincode server between organisations (made before one per organisation); create a new one",
				ErrOtherLayout, dir)
		}
		l = newLayout(rec.Base, rec.Orderers, rec.Hosts)
		l.BatchTimeoutMillis = rec.BatchTimeoutMillis
		if l, err = withMembers(l, p); err != nil { // organisations admitted or removed since
			return nil, err
		}
	}
	// A fresh network on a held range gives way at once (the caller may pick
	// another); a restart waits a little for its own nodes' stragglers.
	patience := time.Duration(0)
	if resume {
		patience = restartPatience
	}
	portLock, err := lockPorts(ctx, opts.Base, patience)
	if err != nil {
		return nil, err
	}
	if err := portsFree(l); err != nil {
		portLock.Close()
		return nil, err
	}
	if !resume {
		if err := emptyDir(dir, opts.Out); err != nil {
			portLock.Close()
			return nil, err
		}
	}
	started := &Network{Layout: l, Dir: dir, repo: opts.RepoRoot, p: p, out: opts.Out, procs: map[string]*proc{}, ccEnv: opts.ChaincodeEnv,
		peerProfile: opts.PeerProfile, portLock: portLock}
	n = started
	defer func() {
		// n is nil by now on an error return: stop what was started.
		if err != nil {
			started.Stop()
		}
	}()
	if n.bin, err = EnsureBinaries(ctx, opts.RepoRoot, opts.Out); err != nil {
		return nil, err
	}
	if resume {
		fmt.Fprintf(n.out, "restarting the network created %s in %s on its ledgers ('tierchain down --purge' discards them)\n", rec.Created, dir)
		n.PackageIDs = rec.PackageIDs
		err = n.restart(ctx)
	} else {
		err = n.create(ctx)
	}
	if err != nil {
		return nil, err
	}
	return n, n.saveState()
}

// begin normalises opts and returns the layout and the data directory's
// paths, refusing a directory whose network still runs.
func begin(opts *Options) (Layout, paths, error) {
	l, err := normalise(opts)
	if err != nil {
		return Layout{}, paths{}, err
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return Layout{}, paths{}, err
	}
	p := paths{root: dir}
	return l, p, notRunning(p)
}

// normalise fills opts' defaults and returns the layout they ask for.
func normalise(opts *Options) (Layout, error) {
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	var l Layout
	if opts.Layout != nil {
		l = *opts.Layout
		if len(l.Orderers) == 0 || len(l.Orgs) == 0 {
			return Layout{}, fmt.Errorf("fabnet: a layout without orderers or organisations")
		}
		opts.Base, opts.Orderers = l.Orderers[0].Ports.Listen, len(l.Orderers)
	} else {
		if opts.Base == 0 {
			opts.Base = DefaultBase
		}
		if opts.Orderers == 0 {
			opts.Orderers = 1
		}
		l = NewLayout(opts.Base, opts.Orderers)
	}
	if opts.Orderers != 1 && opts.Orderers != 3 {
		return Layout{}, fmt.Errorf("fabnet: %d orderers (want 1 or 3)", opts.Orderers)
	}
	if opts.BatchTimeout > 0 {
		l.BatchTimeoutMillis = int(opts.BatchTimeout / time.Millisecond)
	}
	return l, nil
}

// notRunning refuses a data directory whose recorded processes still run.
func notRunning(p paths) error {
	if st, err := readState(p.State()); err == nil {
		for _, pr := range st.Procs {
			if alive(pr.PID, pr.Bin) {
				return ErrAlreadyRunning
			}
		}
	}
	return nil
}

// emptyDir replaces dir by an empty directory.
func emptyDir(dir string, out io.Writer) error {
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		fmt.Fprintf(out, "removing %s (no complete network recorded there)\n", dir)
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.MkdirAll(dir, 0o755)
}

// ErrNetworkExists reports a data directory that holds a created network,
// which Prepare would overwrite.
var ErrNetworkExists = errors.New("fabnet: the directory holds a network")

// Prepare creates in opts.Dir everything a network needs, for opts' layout,
// without starting a process: each organisation's keys in its own folder
// (orgs/<Org>/: cryptogen output, the identities of the orderers it runs,
// its enterprise's HPKE key (the regulator's audit key), its chaincode
// package with a deterministic package ID and chaincode.env, its gateway's
// description gateway/org.json), the public bundle (public/: certificates,
// enterprise cards, endpoints.json, the channel's genesis block), and the
// node configuration (config/). Containers or
// machines then run the nodes on that material (docker-compose.yml); Start
// is Prepare followed by starting, joining and deploying natively.
//
// A directory holding a created network (or a running one) is refused
// (ErrNetworkExists, ErrAlreadyRunning) unless opts.Fresh; anything else in
// it is replaced. The returned Network runs nothing: its Layout, Dir and
// PackageIDs describe what was written.
func Prepare(ctx context.Context, opts Options) (*Network, error) {
	l, p, err := begin(&opts)
	if err != nil {
		return nil, err
	}
	dir := p.root
	if _, err := readRecord(p.Record()); err == nil && !opts.Fresh {
		return nil, fmt.Errorf("%w: %s", ErrNetworkExists, dir)
	}
	if err := emptyDir(dir, opts.Out); err != nil {
		return nil, err
	}
	n := &Network{Layout: l, Dir: dir, repo: opts.RepoRoot, p: p, out: opts.Out, procs: map[string]*proc{}, ccEnv: opts.ChaincodeEnv}
	if n.bin, err = EnsureBinaries(ctx, opts.RepoRoot, opts.Out); err != nil {
		return nil, err
	}
	if err := n.prepare(ctx); err != nil {
		return nil, err
	}
	return n, nil
}

// prepare writes a new network's material into the (empty) n.Dir.
func (n *Network) prepare(ctx context.Context) error {
	l, p := n.Layout, n.p
	defer n.step("crypto material, channel genesis block, chaincode packages")()
	if err := writeConfigs(n.repo, l, p); err != nil {
		return err
	}
	if err := n.generateCrypto(ctx); err != nil {
		return err
	}
	if err := n.run(ctx, "configtxgen", nil, "-configPath", p.Config(), "-profile", "TierChain", "-channelID", ChannelName, "-outputBlock", p.Genesis()); err != nil {
		return err
	}
	if err := n.writePackages(); err != nil {
		return err
	}
	// Each organisation's gateway description (orgs/<Org>/gateway/org.json).
	_, err := n.WriteOrgConfigs()
	return err
}

// ErrNoOrg reports an organisation the network does not have.
var ErrNoOrg = errors.New("fabnet: no organisation")

// ErrOtherLayout reports a data directory whose network was created with
// other ports or another number of orderers.
var ErrOtherLayout = errors.New("fabnet: the recorded network differs")

// step prints what starts and, when the returned func is called, how long it took.
func (n *Network) step(what string) func() {
	t := time.Now()
	fmt.Fprintf(n.out, "  %s…", what)
	return func() { fmt.Fprintf(n.out, " %s\n", time.Since(t).Round(time.Millisecond)) }
}

// create makes a network from nothing in n.Dir.
func (n *Network) create(ctx context.Context) error {
	l, p := n.Layout, n.p
	if err := n.prepare(ctx); err != nil {
		return err
	}
	if err := n.startChaincodeFresh(ctx); err != nil {
		return err
	}

	done := n.step(fmt.Sprintf("%d orderer(s), channel %q", len(l.Orderers), ChannelName))
	for _, o := range l.Orderers {
		if err := n.StartOrderer(o.Name); err != nil {
			return err
		}
	}
	for _, o := range l.Orderers {
		if err := n.retry(ctx, 20*time.Second, func() error { return n.osnJoin(ctx, o) }); err != nil {
			return err
		}
	}
	done()

	done = n.step(fmt.Sprintf("%d peers joined", len(l.Orgs)))
	for _, o := range l.Orgs {
		if err := n.StartPeer(o.Name); err != nil {
			return err
		}
	}
	for _, o := range l.Orgs {
		if err := n.retry(ctx, 30*time.Second, func() error { return n.peerCLI(ctx, o, "channel", "join", "-b", p.Genesis()) }); err != nil {
			return err
		}
	}
	done()

	done = n.step("chaincode installed, approved by every org, committed")
	if err := n.deployChaincode(ctx); err != nil {
		return err
	}
	done()

	done = n.step("Regulator taken out of the channel's Writers")
	if err := n.lockRegulatorWriters(ctx); err != nil {
		return err
	}
	done()

	if err := n.waitReady(ctx); err != nil {
		return err
	}
	return writeRecord(p.Record(), record{
		Base: l.Orderers[0].Ports.Listen, Orderers: len(l.Orderers), BatchTimeoutMillis: l.BatchTimeoutMillis, Hosts: l.Hosts(),
		PackageIDs: n.PackageIDs, Created: time.Now().UTC().Format(time.RFC3339),
	})
}

// restart starts the processes of a stopped network on its existing
// crypto material and ledgers: the channel, the joins and the chaincode
// definition are already there. The chaincode server is rebuilt from source
// and each organisation's started.
func (n *Network) restart(ctx context.Context) error {
	if err := n.startChaincodeFresh(ctx); err != nil {
		return err
	}
	done := n.step(fmt.Sprintf("%d orderer(s) and %d peers", len(n.Layout.Orderers), len(n.Layout.Orgs)))
	for _, o := range n.Layout.Orderers {
		if err := n.StartOrderer(o.Name); err != nil {
			return err
		}
	}
	for _, o := range n.Layout.Orgs {
		if err := n.StartPeer(o.Name); err != nil {
			return err
		}
	}
	done()
	return n.waitReady(ctx)
}

// startChaincodeFresh builds the chaincode server from source and starts
// each organisation's.
func (n *Network) startChaincodeFresh(ctx context.Context) error {
	defer n.step(fmt.Sprintf("chaincode server built from source, %d started (one per organisation)", len(n.Layout.Orgs)))()
	if err := n.buildChaincode(ctx); err != nil {
		return err
	}
	return n.StartChaincode()
}

// waitReady waits until the channel has a Raft leader (a restarted cluster
// first waits out an election timeout) and every endorsing org can endorse.
func (n *Network) waitReady(ctx context.Context) error {
	defer n.step("Raft leader elected, peers discover each other (endorsement policy satisfiable)")()
	if err := n.retry(ctx, 30*time.Second, func() error { _, err := n.RaftLeader(ctx); return err }); err != nil {
		return err
	}
	return n.WaitEndorsable(ctx)
}

// run runs a Fabric tool to completion.
func (n *Network) run(ctx context.Context, tool string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(n.bin, tool), args...)
	cmd.Env = cleanEnv(env)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", tool, strings.Join(args, " "), err, out)
	}
	return nil
}

// retry calls f until it succeeds or timeout passes (ordering needs a Raft
// leader, peers need a moment to connect).
func (n *Network) retry(ctx context.Context, timeout time.Duration, f func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (n *Network) add(p *proc) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.procs[p.Name]; !ok {
		n.order = append(n.order, p.Name)
	}
	n.procs[p.Name] = p
}

// StartOrderer starts (or restarts) an orderer by name.
func (n *Network) StartOrderer(name string) error {
	var o Orderer
	for _, x := range n.Layout.Orderers {
		if x.Name == name {
			o = x
		}
	}
	if o.Name == "" {
		return fmt.Errorf("fabnet: no orderer %q", name)
	}
	node := n.p.OrdererNode(o)
	data := n.p.OrdererData(o)
	tls := filepath.Join(node, "tls")
	owner, _ := n.Layout.Org(o.Owner)
	// The other consenters' TLS CAs, from the public bundle.
	var clusterCAs []string
	for _, x := range n.Layout.Orderers {
		if ca := n.p.OrdererTLSCA(x); !slices.Contains(clusterCAs, ca) {
			clusterCAs = append(clusterCAs, ca)
		}
	}
	env := []string{
		"FABRIC_CFG_PATH=" + n.p.Config(),
		"ORDERER_GENERAL_LISTENADDRESS=" + n.Layout.listenHost(n.Layout.OrdererHost(o)),
		fmt.Sprintf("ORDERER_GENERAL_LISTENPORT=%d", o.Ports.Listen),
		"ORDERER_GENERAL_LOCALMSPID=" + owner.MSPID,
		"ORDERER_GENERAL_LOCALMSPDIR=" + filepath.Join(node, "msp"),
		"ORDERER_GENERAL_BOOTSTRAPMETHOD=none",
		"ORDERER_GENERAL_TLS_ENABLED=true",
		"ORDERER_GENERAL_TLS_PRIVATEKEY=" + filepath.Join(tls, "server.key"),
		"ORDERER_GENERAL_TLS_CERTIFICATE=" + filepath.Join(tls, "server.crt"),
		"ORDERER_GENERAL_TLS_ROOTCAS=[" + filepath.Join(tls, "ca.crt") + "]",
		"ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE=" + filepath.Join(tls, "server.crt"),
		"ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY=" + filepath.Join(tls, "server.key"),
		"ORDERER_GENERAL_CLUSTER_ROOTCAS=[" + strings.Join(clusterCAs, ",") + "]",
		"ORDERER_ADMIN_LISTENADDRESS=" + hostPort(n.Layout.listenHost(n.Layout.OrdererHost(o)), o.Ports.Admin),
		"ORDERER_ADMIN_TLS_ENABLED=true",
		"ORDERER_ADMIN_TLS_PRIVATEKEY=" + filepath.Join(tls, "server.key"),
		"ORDERER_ADMIN_TLS_CERTIFICATE=" + filepath.Join(tls, "server.crt"),
		"ORDERER_ADMIN_TLS_ROOTCAS=[" + filepath.Join(tls, "ca.crt") + "]",
		"ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED=true",
		"ORDERER_ADMIN_TLS_CLIENTROOTCAS=[" + filepath.Join(tls, "ca.crt") + "]",
		"ORDERER_CHANNELPARTICIPATION_ENABLED=true",
		"ORDERER_OPERATIONS_LISTENADDRESS=" + hostPort(n.Layout.listenHost(n.Layout.OrdererHost(o)), o.Ports.Operations),
		"ORDERER_METRICS_PROVIDER=prometheus",
		"FABRIC_LOGGING_SPEC=info",
	}
	env = append(env, ordererStorageEnv(data)...)
	p, err := startProc(o.Name, filepath.Join(n.bin, "orderer"), nil, env, n.p.Logs(), n.portLock)
	if err != nil {
		return err
	}
	n.add(p)
	if err := waitPort(n.Layout.OrdererAdminAddress(o), 20*time.Second, p); err != nil {
		return err
	}
	return n.saveState()
}

func (n *Network) osnJoin(ctx context.Context, o Orderer) error {
	admin := filepath.Join(n.p.OrdererAdmin(o), "tls")
	err := n.run(ctx, "osnadmin", nil, "channel", "join", "--channelID", ChannelName, "--config-block", n.p.Genesis(),
		"-o", n.Layout.OrdererAdminAddress(o), "--ca-file", n.p.OrdererTLSCA(o),
		"--client-cert", filepath.Join(admin, "client.crt"), "--client-key", filepath.Join(admin, "client.key"))
	if err != nil && strings.Contains(err.Error(), "already exists") {
		return nil
	}
	return err
}

// ordererStorageEnv places an orderer's block ledger and Raft WAL and
// snapshots under data (docker-compose.yml mounts the same layout).
func ordererStorageEnv(data string) []string {
	return []string{
		"ORDERER_FILELEDGER_LOCATION=" + filepath.Join(data, "ledger"),
		"ORDERER_CONSENSUS_WALDIR=" + filepath.Join(data, "etcdraft", "wal"),
		"ORDERER_CONSENSUS_SNAPDIR=" + filepath.Join(data, "etcdraft", "snapshot"),
	}
}

// peerStorageEnv places a peer's ledgers and snapshots under data.
func peerStorageEnv(data string) []string {
	return []string{
		"CORE_PEER_FILESYSTEMPATH=" + data,
		"CORE_LEDGER_SNAPSHOTS_ROOTDIR=" + filepath.Join(data, "snapshots"),
	}
}

// peerEnv is the environment of org o's peer: its addresses, identity,
// TLS, storage and, with Options.PeerProfile, its profiling listener.
func (n *Network) peerEnv(o Org) []string {
	node := n.p.PeerNode(o)
	data := n.p.PeerData(o)
	tls := filepath.Join(node, "tls")
	l := n.Layout
	addr := l.PeerAddress(o)
	env := []string{
		"FABRIC_CFG_PATH=" + n.p.Config(),
		"CORE_PEER_ID=" + o.PeerHost,
		"CORE_PEER_LISTENADDRESS=" + l.bind(o.Host, o.PeerHost, o.Peer.Listen),
		"CORE_PEER_ADDRESS=" + addr,
		"CORE_PEER_CHAINCODELISTENADDRESS=" + l.bind(o.Host, o.PeerHost, o.Peer.Chaincode),
		"CORE_PEER_CHAINCODEADDRESS=" + l.reach(o.Host, o.PeerHost, o.Peer.Chaincode),
		"CORE_PEER_GOSSIP_BOOTSTRAP=" + addr,
		"CORE_PEER_GOSSIP_EXTERNALENDPOINT=" + addr,
		"CORE_PEER_LOCALMSPID=" + o.MSPID,
		"CORE_PEER_MSPCONFIGPATH=" + filepath.Join(node, "msp"),
		"CORE_PEER_TLS_ENABLED=true",
		"CORE_PEER_TLS_CERT_FILE=" + filepath.Join(tls, "server.crt"),
		"CORE_PEER_TLS_KEY_FILE=" + filepath.Join(tls, "server.key"),
		"CORE_PEER_TLS_ROOTCERT_FILE=" + filepath.Join(tls, "ca.crt"),
		"CORE_OPERATIONS_LISTENADDRESS=" + l.bind(o.Host, o.PeerHost, o.Peer.Operations),
		"CORE_METRICS_PROVIDER=prometheus",
		// Loopback network: membership converges in about a second instead of 5–10.
		"CORE_PEER_GOSSIP_ALIVETIMEINTERVAL=1s",
		"CORE_PEER_GOSSIP_RECONNECTINTERVAL=2s",
		"CORE_PEER_GOSSIP_MEMBERSHIPTRACKERINTERVAL=1s",
		"FABRIC_LOGGING_SPEC=info",
	}
	env = append(env, peerStorageEnv(data)...)
	if addr, ok := n.PeerProfileAddress(o.Name); ok {
		env = append(env, "CORE_PEER_PROFILE_ENABLED=true", "CORE_PEER_PROFILE_LISTENADDRESS="+addr)
	}
	return env
}

// PeerProfileAddress is where org's peer serves its profiles, and whether
// it does (Options.PeerProfile): loopback, at the port after the peer's
// operations port, inside the network's port range.
func (n *Network) PeerProfileAddress(org string) (string, bool) {
	o, ok := n.Layout.Org(org)
	if !n.peerProfile || !ok {
		return "", false
	}
	return hostPort(loopback, o.Peer.Operations+1), true
}

// peerName is the process name of an org's peer.
func peerName(o Org) string { return "peer0-" + lower(o.Name) }

// StartPeer starts (or restarts) an org's peer.
func (n *Network) StartPeer(org string) error {
	o, ok := n.Layout.Org(org)
	if !ok {
		return fmt.Errorf("%w %q", ErrNoOrg, org)
	}
	env := n.peerEnv(o)
	if addr, ok := n.PeerProfileAddress(org); ok {
		if err := AddressesFree([]string{addr}); err != nil {
			return fmt.Errorf("peer %s profiling listener: %w", org, err)
		}
	}
	p, err := startProc(peerName(o), filepath.Join(n.bin, "peer"), []string{"node", "start"}, env, n.p.Logs(), n.portLock)
	if err != nil {
		return err
	}
	n.add(p)
	if err := waitPort(n.Layout.PeerAddress(o), 30*time.Second, p); err != nil {
		return err
	}
	return n.saveState()
}

// peerCLI runs the peer CLI as the org's admin against its peer.
func (n *Network) peerCLI(ctx context.Context, o Org, args ...string) error {
	_, err := n.peerCLIOutput(ctx, o, args...)
	return err
}

func (n *Network) peerCLIOutput(ctx context.Context, o Org, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(n.bin, "peer"), args...)
	cmd.Env = cleanEnv(n.adminEnv(o))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("peer %s (%s): %w\n%s", strings.Join(args, " "), o.Name, err, out)
	}
	return out, nil
}

func (n *Network) adminEnv(o Org) []string {
	return []string{
		"FABRIC_CFG_PATH=" + n.p.Config(),
		"CORE_PEER_LOCALMSPID=" + o.MSPID,
		"CORE_PEER_MSPCONFIGPATH=" + filepath.Join(n.p.User(o, "Admin"), "msp"),
		"CORE_PEER_ADDRESS=" + n.Layout.PeerAddress(o),
		"CORE_PEER_TLS_ENABLED=true",
		"CORE_PEER_TLS_ROOTCERT_FILE=" + n.p.PeerTLSCA(o),
		"FABRIC_LOGGING_SPEC=warning",
	}
}

func (n *Network) buildChaincode(ctx context.Context) error {
	out := filepath.Join(n.Dir, "bin", "tierchaincc")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./chaincode/cmd/tierchaincc")
	cmd.Dir = n.repo
	cmd.Env = cleanEnv(nil)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build chaincode: %w\n%s", err, b)
	}
	return nil
}

// ChaincodeProcess is the process name that stands for every
// organisation's chaincode server: Kill(ChaincodeProcess) kills them all
// (no organisation can endorse), StartChaincode starts them again. One
// organisation's is ChaincodeProcessOf(org).
const ChaincodeProcess = "chaincode"

// ChaincodeProcessOf is the process name of an organisation's chaincode
// server, e.g. "chaincode-banka".
func ChaincodeProcessOf(org string) string { return ChaincodeProcess + "-" + lower(org) }

// writePackages writes each organisation's chaincode package (its
// connection.json names the organisation's own server and carries the
// client TLS key its peer presents there) into the organisation's folder,
// with the CHAINCODE_ID its server runs with, and records the package IDs.
func (n *Network) writePackages() error {
	n.PackageIDs = map[string]string{}
	for _, o := range n.Layout.Orgs {
		conn, err := connectionJSON(n.Layout, n.p, o)
		if err != nil {
			return err
		}
		pkg, id, err := ccaasPackage(conn)
		if err != nil {
			return err
		}
		n.PackageIDs[o.Name] = id
		if err := os.WriteFile(n.p.CcPackage(o), pkg, 0o600); err != nil {
			return err
		}
		// For docker-compose.yml's chaincode services (env_file).
		if err := os.WriteFile(n.p.ChaincodeEnv(o), []byte("CHAINCODE_ID="+id+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// running reports whether the process the network started under name is
// still running.
func (n *Network) running(name string) bool {
	n.mu.Lock()
	p, ok := n.procs[name]
	n.mu.Unlock()
	if !ok || p.done == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// StartChaincode starts every organisation's chaincode server that is not
// running (all of them after Kill(ChaincodeProcess)).
func (n *Network) StartChaincode() error {
	for _, o := range n.Layout.Orgs {
		if n.running(ChaincodeProcessOf(o.Name)) {
			continue
		}
		if err := n.StartChaincodeOf(o.Name); err != nil {
			return err
		}
	}
	return nil
}

// StartChaincodeOf starts (or restarts) an organisation's chaincode server,
// with its own TLS identity on its own port.
func (n *Network) StartChaincodeOf(org string) error {
	o, ok := n.Layout.Org(org)
	if !ok {
		return fmt.Errorf("%w %q", ErrNoOrg, org)
	}
	tls := filepath.Join(n.p.ChaincodeNode(o), "tls")
	env := []string{
		"CHAINCODE_ID=" + n.PackageIDs[o.Name],
		"CHAINCODE_SERVER_ADDRESS=" + hostPort(n.Layout.listenHost(n.Layout.ChaincodeHost(o)), o.ChaincodePort),
		"CHAINCODE_TLS_CERT=" + filepath.Join(tls, "server.crt"),
		"CHAINCODE_TLS_KEY=" + filepath.Join(tls, "server.key"),
		"CHAINCODE_TLS_CLIENT_CA=" + filepath.Join(tls, "ca.crt"),
	}
	env = append(env, n.ccEnv...)
	p, err := startProc(ChaincodeProcessOf(o.Name), filepath.Join(n.Dir, "bin", "tierchaincc"), nil, env, n.p.Logs(), n.portLock)
	if err != nil {
		return err
	}
	n.add(p)
	if err := waitPort(n.Layout.ChaincodeAddress(o), 20*time.Second, p); err != nil {
		return err
	}
	return n.saveState()
}

func (n *Network) ordererArgs() []string {
	o := n.Layout.Orderers[0]
	return []string{"-o", n.Layout.OrdererAddress(o), "--tls", "--cafile", n.p.OrdererTLSCA(o)}
}

func (n *Network) deployChaincode(ctx context.Context) error {
	// Each organisation installs its own package on its own peer and
	// approves the one definition with its own package ID.
	for _, o := range n.Layout.Orgs {
		if err := n.peerCLI(ctx, o, "lifecycle", "chaincode", "install", n.p.CcPackage(o)); err != nil &&
			!strings.Contains(err.Error(), "already successfully installed") {
			return err
		}
	}
	def := []string{"--channelID", ChannelName, "--name", ChaincodeName, "--version", "1.0", "--sequence", "1",
		"--signature-policy", signaturePolicy(n.Layout)}
	for _, o := range n.Layout.Orgs {
		args := append(append([]string{"lifecycle", "chaincode", "approveformyorg", "--package-id", n.PackageIDs[o.Name]}, def...), n.ordererArgs()...)
		if err := n.retry(ctx, 30*time.Second, func() error { return n.peerCLI(ctx, o, args...) }); err != nil {
			return err
		}
	}
	args := append(append([]string{"lifecycle", "chaincode", "commit"}, def...), n.ordererArgs()...)
	for _, o := range n.Layout.Orgs {
		args = append(args, "--peerAddresses", n.Layout.PeerAddress(o), "--tlsRootCertFiles", n.p.PeerTLSCA(o))
	}
	op, _ := n.Layout.Org("Operator")
	return n.retry(ctx, 30*time.Second, func() error { return n.peerCLI(ctx, op, args...) })
}

func (n *Network) saveState() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := savedState{Base: n.Layout.Orderers[0].Ports.Listen, Orderers: len(n.Layout.Orderers), Hosts: n.Layout.Hosts(), Started: time.Now().UTC().Format(time.RFC3339)}
	for _, name := range n.order {
		s.Procs = append(s.Procs, n.procs[name])
	}
	return writeState(n.p.State(), s)
}

// Stop stops every process the network started, in reverse order.
func (n *Network) Stop() {
	n.mu.Lock()
	order := append([]string(nil), n.order...)
	n.mu.Unlock()
	for i := len(order) - 1; i >= 0; i-- {
		n.mu.Lock()
		p := n.procs[order[i]]
		n.mu.Unlock()
		if err := p.stop(stopGrace); err != nil {
			fmt.Fprintln(n.out, err)
		}
	}
	os.Remove(n.p.State())
	if n.portLock != nil {
		n.portLock.Close()
	}
}

// Detach lets go of the network without stopping it: the nodes keep the
// port range reserved, and `tierchain down` stops them by recorded PID.
func (n *Network) Detach() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.portLock != nil {
		n.portLock.Close()
		n.portLock = nil
	}
}

// Crash kills every process at once (SIGKILL) and releases the port range,
// leaving the data directory and its recorded PIDs as a machine crash would.
func (n *Network) Crash() {
	n.mu.Lock()
	procs := make([]*proc, 0, len(n.procs))
	for _, p := range n.procs {
		procs = append(procs, p)
	}
	n.mu.Unlock()
	for _, p := range procs {
		p.kill()
	}
	n.Detach()
}

// Kill kills one process by name at once, as a crash would;
// ChaincodeProcess kills every organisation's chaincode server.
func (n *Network) Kill(name string) error {
	if name == ChaincodeProcess {
		for _, o := range n.Layout.Orgs {
			if err := n.Kill(ChaincodeProcessOf(o.Name)); err != nil {
				return err
			}
		}
		return nil
	}
	n.mu.Lock()
	p, ok := n.procs[name]
	n.mu.Unlock()
	if !ok {
		return fmt.Errorf("fabnet: no process %q", name)
	}
	p.kill()
	return nil
}

// PeakRSS returns the peak resident set size of every running process, KiB.
func (n *Network) PeakRSS() map[string]int {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := map[string]int{}
	for name, p := range n.procs {
		if kb, err := peakRSSKiB(p.PID); err == nil {
			out[name] = kb
		}
	}
	return out
}

// WaitEndorsable waits until every org's gateway can find peers that satisfy
// the chaincode's endorsement policy: gossip must have spread membership
// across organisations through the anchor peers (at start, and again for
// some seconds after a node restarts). It endorses a read-only proposal
// without submitting it.
func (n *Network) WaitEndorsable(ctx context.Context) error {
	// The Regulator's peer too: its gateway endorses its read-only
	// proposals (and sees its refused writes refused by the orderer, not by
	// a discovery that has not converged yet).
	for _, o := range n.Layout.Orgs {
		c, err := n.Connect(o.Name, "User1")
		if err != nil {
			return err
		}
		err = n.retry(ctx, 60*time.Second, func() error {
			prop, err := c.Contract("baseline").NewProposal("Balance", client.WithArguments("readiness"))
			if err != nil {
				return err
			}
			_, err = prop.Endorse()
			return err
		})
		c.Close()
		if err != nil {
			return fmt.Errorf("fabnet: endorsement policy not satisfiable from %s: %w", o.Name, err)
		}
	}
	return nil
}

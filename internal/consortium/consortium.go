// Package consortium runs TierChain as docker-compose.yml describes it: five
// organisations, each a separately run host (its peer, its chaincode server,
// its gateway, and for Operator, Core and BankA one Raft orderer) on one
// bridge network, each container mounting only its own organisation's
// folder and the public bundle.
//
// Prepare writes the material (fabnet.Prepare with the DNS-name layout:
// each organisation's keys in its own folder, the public bundle, the
// genesis block, each organisation's chaincode package). Up starts the
// containers. Deploy then does what each organisation's administrator does
// on its own host, through `docker exec` into that organisation's own
// containers only: osnadmin joins each orderer (its owner's admin), peer
// channel join, chaincode install and approve (each with its own package),
// the commit (Operator), and the Regulator's admin takes its organisation
// out of the channel's Writers. The fault operations (KillOrg, StartOrg,
// Disconnect, Reconnect, RestartOrg) act on the real containers; Down
// removes containers, network and volumes, and Leftovers proves it.
package consortium

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// DefaultNetwork is the consortium's bridge network (docker-compose.yml's
// networks.tierchain.name, TIERCHAIN_COMPOSE_NETWORK) of the default
// project; another project's network is named after the project.
const DefaultNetwork = "tierchain"

// DefaultProject is the Compose project name (TIERCHAIN_COMPOSE_PROJECT
// chooses another, so two runs never share containers, network or
// volumes).
const DefaultProject = "tierchain"

// DefaultPublish is the loopback address the gateways' REST ports are
// published on (TIERCHAIN_COMPOSE_PUBLISH chooses another, e.g.
// 127.0.1.1, so two runs never share a port).
const DefaultPublish = "127.0.0.1"

// ErrOptions reports a project name or publish address Compose or the
// host cannot take.
var ErrOptions = errors.New("consortium: bad options")

var projectPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// Layout is the network docker-compose.yml runs: three orderers (Operator,
// Core, BankA), every node reached at its own DNS name and binding 0.0.0.0.
func Layout() fabnet.Layout {
	return fabnet.NewLayout(fabnet.DefaultBase, 3).WithNodeNames("0.0.0.0")
}

// Mount is where each container sees the prepared folder: orgs/<Org>/ and
// public/ keep their places below it, so relative paths in the
// descriptions hold in and out of containers.
const Mount = "/tierchain"

// Consortium is a prepared (and possibly running) compose consortium.
type Consortium struct {
	Dir         string // the prepared folder (TIERCHAIN_COMPOSE_DIR), absolute
	Repo        string // the TierChain checkout
	ComposeFile string
	Project     string
	// Network is the project's bridge network (DefaultNetwork for the
	// default project, else the project's name).
	Network string
	// Publish is the loopback address the gateways' ports are published on.
	Publish string
	Layout  fabnet.Layout
	// Gateways: Up starts the organisations' REST gateways too.
	Gateways bool
	Out      io.Writer

	net *fabnet.Network
}

// Options configure Prepare.
type Options struct {
	Dir      string // where to prepare (replaced)
	Repo     string // TierChain checkout
	Project  string // Compose project (TIERCHAIN_COMPOSE_PROJECT, else DefaultProject, if empty)
	Publish  string // loopback address for the gateways' ports (TIERCHAIN_COMPOSE_PUBLISH, else DefaultPublish, if empty)
	Gateways bool
	Out      io.Writer
}

// Prepare writes a new consortium's material into opts.Dir without
// starting anything.
func Prepare(ctx context.Context, opts Options) (*Consortium, error) {
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	c0, err := newConsortium(opts.Project, opts.Publish)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	l := Layout()
	n, err := fabnet.Prepare(ctx, fabnet.Options{Dir: dir, RepoRoot: opts.Repo, Layout: &l, Out: opts.Out, Fresh: true})
	if err != nil {
		return nil, err
	}
	for _, o := range l.Orgs {
		// The one folder each gateway writes (docker-compose.yml mounts it).
		if err := os.MkdirAll(filepath.Join(n.OrgDir(o.Name), "gateway"), 0o700); err != nil {
			return nil, err
		}
	}
	c0.Dir, c0.Repo, c0.ComposeFile, c0.Layout, c0.Gateways, c0.Out, c0.net = dir, opts.Repo,
		filepath.Join(opts.Repo, "docker-compose.yml"), l, opts.Gateways, opts.Out, n
	n.OrdererTarget = c0.ordererTarget
	return c0, nil
}

// newConsortium is a consortium's project, network and publish address:
// the ones given, else the environment's (TIERCHAIN_COMPOSE_PROJECT,
// TIERCHAIN_COMPOSE_PUBLISH), else the defaults.
func newConsortium(project, publish string) (*Consortium, error) {
	if project == "" {
		project = os.Getenv("TIERCHAIN_COMPOSE_PROJECT")
	}
	if project == "" {
		project = DefaultProject
	}
	if !projectPattern.MatchString(project) {
		return nil, fmt.Errorf("%w: project %q (lower-case letters, digits, - and _)", ErrOptions, project)
	}
	if publish == "" {
		publish = os.Getenv("TIERCHAIN_COMPOSE_PUBLISH")
	}
	if publish == "" {
		publish = DefaultPublish
	}
	if ip := net.ParseIP(publish); ip == nil || !ip.IsLoopback() || ip.To4() == nil {
		return nil, fmt.Errorf("%w: publish address %q (an IPv4 loopback address: the gateways are not exposed)", ErrOptions, publish)
	}
	network := DefaultNetwork
	if project != DefaultProject {
		network = project
	}
	return &Consortium{Project: project, Network: network, Publish: publish, Out: io.Discard}, nil
}

// Attach is a consortium prepared in dir by another process, for Down:
// project and publish address as Prepare takes them.
func Attach(dir, repo, project, publish string, out io.Writer) (*Consortium, error) {
	c, err := newConsortium(project, publish)
	if err != nil {
		return nil, err
	}
	if c.Dir, err = filepath.Abs(dir); err != nil {
		return nil, err
	}
	c.Repo, c.ComposeFile, c.Layout = repo, filepath.Join(repo, "docker-compose.yml"), Layout()
	if out != nil {
		c.Out = out
	}
	return c, nil
}

// Service names in docker-compose.yml.
func PeerService(org string) string      { return "peer0-" + strings.ToLower(org) }
func ChaincodeService(org string) string { return fabnet.ChaincodeProcessOf(org) }
func GatewayService(org string) string   { return "gateway-" + strings.ToLower(org) }

// Services lists an organisation's services: the orderers it runs, its
// peer, its chaincode server and (with Gateways) its gateway.
func (c *Consortium) Services(org string) []string {
	var s []string
	for _, o := range c.Layout.OrderersOf(org) {
		s = append(s, o.Name)
	}
	s = append(s, PeerService(org), ChaincodeService(org))
	if c.Gateways {
		s = append(s, GatewayService(org))
	}
	return s
}

func (c *Consortium) allServices() []string {
	var s []string
	for _, o := range c.Layout.Orgs {
		s = append(s, c.Services(o.Name)...)
	}
	return s
}

// Up starts every organisation's nodes: orderers, peers, chaincode
// servers (the gateways start once the channel is there: StartGateways).
func (c *Consortium) Up(ctx context.Context) error {
	var nodes []string
	for _, s := range c.allServices() {
		if !strings.HasPrefix(s, "gateway-") {
			nodes = append(nodes, s)
		}
	}
	defer c.step(fmt.Sprintf("docker-compose up: %d node containers of %d organisations", len(nodes), len(c.Layout.Orgs)))()
	_, err := c.compose(ctx, append([]string{"up", "-d", "--no-build"}, nodes...)...)
	return err
}

// StartGateways starts every organisation's gateway (after Deploy: each
// reads from its own peer on the channel) and waits until each is ready.
func (c *Consortium) StartGateways(ctx context.Context, timeout time.Duration) error {
	var gws []string
	for _, o := range c.Layout.Orgs {
		gws = append(gws, GatewayService(o.Name))
	}
	if _, err := c.compose(ctx, append([]string{"up", "-d", "--no-build", "--no-deps"}, gws...)...); err != nil {
		return err
	}
	return c.WaitGateways(ctx, timeout)
}

// Down removes the project's containers, network and volumes.
func (c *Consortium) Down(ctx context.Context) error {
	defer c.step("docker-compose down -v")()
	var err error
	for attempt := 1; ; attempt++ {
		_, err = c.compose(ctx, "down", "-v", "--remove-orphans", "--timeout", "5")
		// Docker may still hold a removed container's endpoint on the
		// network for a moment under load ("has active endpoints"); the
		// containers are gone by then, so down again finishes the job.
		if err == nil || attempt == downAttempts || !strings.Contains(err.Error(), "active endpoints") {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(2 * time.Second):
		}
	}
}

// downAttempts bounds Down's retries of a network still held by a
// removed container's endpoint.
const downAttempts = 5

// Leftovers lists what of the project is still there: containers, the
// network, volumes.
func (c *Consortium) Leftovers(ctx context.Context) ([]string, error) {
	var left []string
	for _, q := range [][]string{
		{"docker", "ps", "-a", "--filter", "label=com.docker.compose.project=" + c.Project, "--format", "container {{.Names}}"},
		{"docker", "network", "ls", "--filter", "name=^" + c.Network + "$", "--format", "network {{.Name}}"},
		{"docker", "volume", "ls", "--filter", "label=com.docker.compose.project=" + c.Project, "--format", "volume {{.Name}}"},
	} {
		out, err := run(ctx, nil, q...)
		if err != nil {
			return nil, err
		}
		left = append(left, strings.Fields(strings.ReplaceAll(string(out), " ", "="))...)
	}
	return left, nil
}

func (c *Consortium) step(what string) func() {
	t := time.Now()
	fmt.Fprintf(c.Out, "  %s…", what)
	return func() { fmt.Fprintf(c.Out, " %s\n", time.Since(t).Round(time.Millisecond)) }
}

// inContainer is where a container sees a file of the prepared folder.
func (c *Consortium) inContainer(hostPath string) (string, error) {
	rel, err := filepath.Rel(c.Dir, hostPath)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("consortium: %s is outside %s", hostPath, c.Dir)
	}
	return filepath.ToSlash(filepath.Join(Mount, rel)), nil
}

// admin is the files of an organisation's admin: its MSP folder, its TLS
// client certificate and key, and its peer's TLS CA from the bundle, as
// its containers see them.
type admin struct {
	mspID, msp, tlsCert, tlsKey, peerCA string
}

func (c *Consortium) adminOf(org string) (admin, error) {
	id, err := c.net.IdentityFor(org, "Admin")
	if err != nil {
		return admin{}, err
	}
	msp := filepath.Dir(filepath.Dir(id.CertPath)) // users/Admin@<domain>/msp
	tls := filepath.Join(filepath.Dir(msp), "tls")
	var a admin
	a.mspID = id.MSPID
	for _, f := range []struct {
		dst  *string
		host string
	}{{&a.msp, msp}, {&a.tlsCert, filepath.Join(tls, "client.crt")}, {&a.tlsKey, filepath.Join(tls, "client.key")}, {&a.peerCA, id.TLSCAPath}} {
		if *f.dst, err = c.inContainer(f.host); err != nil {
			return admin{}, err
		}
	}
	return a, nil
}

// peerCLI runs the peer CLI as org's admin inside org's own peer container.
func (c *Consortium) peerCLI(ctx context.Context, org string, args ...string) ([]byte, error) {
	o, ok := c.Layout.Org(org)
	if !ok {
		return nil, fmt.Errorf("%w %q", fabnet.ErrNoOrg, org)
	}
	a, err := c.adminOf(org)
	if err != nil {
		return nil, err
	}
	env := []string{
		"CORE_PEER_LOCALMSPID=" + a.mspID,
		"CORE_PEER_MSPCONFIGPATH=" + a.msp,
		"CORE_PEER_ADDRESS=" + c.Layout.PeerAddress(o),
		"CORE_PEER_TLS_ENABLED=true",
		"CORE_PEER_TLS_ROOTCERT_FILE=" + a.peerCA,
		"FABRIC_LOGGING_SPEC=warning",
	}
	return c.exec(ctx, PeerService(org), env, append([]string{"peer"}, args...)...)
}

// ordererArgs are the peer CLI's flags to reach orderer i over TLS.
func (c *Consortium) ordererArgs(i int) ([]string, error) {
	o := c.Layout.Orderers[i]
	owner, err := c.adminOf(o.Owner)
	if err != nil {
		return nil, err
	}
	return []string{"-o", c.Layout.OrdererAddress(o), "--tls", "--cafile", owner.peerCA}, nil
}

// osnadmin runs osnadmin as the owner's admin inside the orderer's own container.
func (c *Consortium) osnadmin(ctx context.Context, o fabnet.Orderer, args ...string) ([]byte, error) {
	a, err := c.adminOf(o.Owner)
	if err != nil {
		return nil, err
	}
	full := append([]string{"osnadmin"}, args...)
	full = append(full, "-o", c.Layout.OrdererAdminAddress(o), "--ca-file", a.peerCA, "--client-cert", a.tlsCert, "--client-key", a.tlsKey)
	return c.exec(ctx, o.Name, nil, full...)
}

func (c *Consortium) genesis() string { return Mount + "/public/" + fabnet.ChannelName + ".block" }

// retry calls f until it succeeds or timeout passes.
func retry(ctx context.Context, timeout time.Duration, f func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// alreadyDone makes an admin step idempotent: f's error saying the step
// was done already (a retry after a timeout that still took effect) is
// success.
func alreadyDone(f func() error, done string) func() error {
	return func() error {
		if err := f(); err != nil && !strings.Contains(err.Error(), done) {
			return err
		}
		return nil
	}
}

// Deploy does each organisation's admin steps on its own host: the
// orderers join the channel (osnadmin, by their owners), the peers join,
// each organisation installs its own chaincode package and approves the
// definition with it, the Operator commits, and the Regulator locks its
// Writers. It returns once every peer has the chaincode committed.
func (c *Consortium) Deploy(ctx context.Context) error {
	l := c.Layout
	done := c.step(fmt.Sprintf("%d orderers joined to %q by their owners", len(l.Orderers), fabnet.ChannelName))
	for _, o := range l.Orderers {
		join := func() error {
			_, err := c.osnadmin(ctx, o, "channel", "join", "--channelID", fabnet.ChannelName, "--config-block", c.genesis())
			return err
		}
		if err := retry(ctx, 30*time.Second, alreadyDone(join, "already exists")); err != nil {
			return err
		}
	}
	done()
	done = c.step(fmt.Sprintf("%d peers joined by their admins", len(l.Orgs)))
	for _, o := range l.Orgs {
		join := func() error { _, err := c.peerCLI(ctx, o.Name, "channel", "join", "-b", c.genesis()); return err }
		if err := retry(ctx, 60*time.Second, alreadyDone(join, "already exists")); err != nil {
			return err
		}
	}
	done()
	done = c.step("chaincode installed and approved by each organisation (its own package), committed")
	for _, o := range l.Orgs {
		pkg, err := c.inContainer(filepath.Join(c.net.OrgDir(o.Name), fabnet.ChaincodeLabel+".tar.gz"))
		if err != nil {
			return err
		}
		if _, err := c.peerCLI(ctx, o.Name, "lifecycle", "chaincode", "install", pkg); err != nil && !strings.Contains(err.Error(), "already successfully installed") {
			return err
		}
	}
	ord, err := c.ordererArgs(0)
	if err != nil {
		return err
	}
	def := []string{"--channelID", fabnet.ChannelName, "--name", fabnet.ChaincodeName, "--version", "1.0", "--sequence", "1",
		"--signature-policy", fabnet.SignaturePolicy(l)}
	for _, o := range l.Orgs {
		args := append(append([]string{"lifecycle", "chaincode", "approveformyorg", "--package-id", c.net.PackageIDs[o.Name]}, def...), ord...)
		if err := retry(ctx, 60*time.Second, func() error { _, err := c.peerCLI(ctx, o.Name, args...); return err }); err != nil {
			return err
		}
	}
	commit := append(append([]string{"lifecycle", "chaincode", "commit"}, def...), ord...)
	for _, o := range l.Orgs {
		a, err := c.adminOf(o.Name)
		if err != nil {
			return err
		}
		commit = append(commit, "--peerAddresses", l.PeerAddress(o), "--tlsRootCertFiles", a.peerCA)
	}
	if err := retry(ctx, 60*time.Second, func() error { _, err := c.peerCLI(ctx, "Operator", commit...); return err }); err != nil {
		return err
	}
	done()
	done = c.step("Regulator's admin takes its organisation out of the channel's Writers")
	if _, err := c.LockRegulator(ctx); err != nil {
		return err
	}
	done()
	return nil
}

// LockRegulator: the Regulator's admin, on its own host, takes its
// organisation out of the channel's Writers with `tierchain admin
// lock-writers` in its gateway image (a one-off container of its gateway
// service: its own folder and the public bundle, nothing else), as the
// Kubernetes Job writers-lock does: the update is computed in Go, signed
// and submitted by its admin. Locked before, it does nothing and says so.
// It returns the command's output.
func (c *Consortium) LockRegulator(ctx context.Context) (string, error) {
	var out []byte
	for _, o := range c.Layout.Orgs {
		if o.Role != fabnet.RoleRegulator {
			continue
		}
		id, err := c.net.IdentityFor(o.Name, "Admin")
		if err != nil {
			return "", err
		}
		cert, err := c.inContainer(id.CertPath)
		if err != nil {
			return "", err
		}
		key, err := c.inContainer(id.KeyPath)
		if err != nil {
			return "", err
		}
		ord := c.Layout.Orderers[0]
		ca, err := c.inContainer(filepath.Join(c.Dir, "public", ord.Owner, "tlsca.pem"))
		if err != nil {
			return "", err
		}
		b, err := c.compose(ctx, "run", "--rm", "--no-deps", GatewayService(o.Name), "admin", "lock-writers",
			"--channel", fabnet.ChannelName, "--msp", o.MSPID, "--cert", cert, "--key", key,
			"--orderer", c.Layout.OrdererAddress(ord), "--orderer-ca", ca)
		if err != nil {
			return string(b), err
		}
		out = append(out, b...)
	}
	return string(out), nil
}

// PeerHeight is the channel's height on org's peer (peer channel getinfo,
// run by org's admin in its own container).
func (c *Consortium) PeerHeight(ctx context.Context, org string) (uint64, error) {
	out, err := c.peerCLI(ctx, org, "channel", "getinfo", "-c", fabnet.ChannelName)
	if err != nil {
		return 0, err
	}
	_, js, ok := strings.Cut(string(out), "Blockchain info:")
	if !ok {
		return 0, fmt.Errorf("consortium: peer channel getinfo (%s): %q", org, out)
	}
	var info struct {
		Height uint64 `json:"height"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(js)), &info); err != nil {
		return 0, fmt.Errorf("consortium: peer channel getinfo (%s): %w", org, err)
	}
	return info.Height, nil
}

// OrdererHeight is the channel's height on an orderer (osnadmin channel
// list, by its owner's admin in its own container).
func (c *Consortium) OrdererHeight(ctx context.Context, o fabnet.Orderer) (uint64, error) {
	out, err := c.osnadmin(ctx, o, "channel", "list", "--channelID", fabnet.ChannelName)
	if err != nil {
		return 0, err
	}
	s := string(out)
	i := strings.Index(s, "{")
	if i < 0 {
		return 0, fmt.Errorf("consortium: osnadmin channel list (%s): %q", o.Name, out)
	}
	var info struct {
		Height uint64 `json:"height"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(s[i:]), &info); err != nil {
		return 0, fmt.Errorf("consortium: osnadmin channel list (%s): %w", o.Name, err)
	}
	return info.Height, nil
}

// Heights returns the channel's height on every organisation's peer.
func (c *Consortium) Heights(ctx context.Context) (map[string]uint64, error) {
	hs := map[string]uint64{}
	for _, o := range c.Layout.Orgs {
		h, err := c.PeerHeight(ctx, o.Name)
		if err != nil {
			return nil, err
		}
		hs[o.Name] = h
	}
	return hs, nil
}

// containers lists the running containers of org's services.
func (c *Consortium) containers(ctx context.Context, org string) ([]string, error) {
	var ids []string
	for _, s := range c.Services(org) {
		id, err := c.container(ctx, s)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// KillOrg kills every container of org's host at once (docker kill:
// SIGKILL, as a power cut would).
func (c *Consortium) KillOrg(ctx context.Context, org string) error {
	ids, err := c.containers(ctx, org)
	if err != nil {
		return err
	}
	_, err = run(ctx, nil, append([]string{"docker", "kill"}, ids...)...)
	return err
}

// StartOrg starts org's stopped containers again, on their volumes.
func (c *Consortium) StartOrg(ctx context.Context, org string) error {
	_, err := c.compose(ctx, append([]string{"start"}, c.Services(org)...)...)
	return err
}

// RestartOrg stops and starts every container of org's host.
func (c *Consortium) RestartOrg(ctx context.Context, org string) error {
	ids, err := c.containers(ctx, org)
	if err != nil {
		return err
	}
	_, err = run(ctx, nil, append([]string{"docker", "restart", "--time", "5"}, ids...)...)
	return err
}

// Disconnect cuts an orderer's host off the consortium's network.
func (c *Consortium) Disconnect(ctx context.Context, o fabnet.Orderer) error {
	id, err := c.container(ctx, o.Name)
	if err != nil {
		return err
	}
	_, err = run(ctx, nil, "docker", "network", "disconnect", c.Network, id)
	return err
}

// Reconnect puts an orderer's host back on the network under its name.
func (c *Consortium) Reconnect(ctx context.Context, o fabnet.Orderer) error {
	id, err := c.container(ctx, o.Name)
	if err != nil {
		return err
	}
	_, err = run(ctx, nil, "docker", "network", "connect", "--alias", o.Host, c.Network, id)
	return err
}

// GatewayURL is where the host reaches org's gateway: its REST port,
// published on the loopback address c.Publish only.
func (c *Consortium) GatewayURL(org string) string {
	o, _ := c.Layout.Org(org)
	return "http://" + net.JoinHostPort(c.Publish, strconv.Itoa(o.GatewayPort))
}

// GatewayDir is org's gateway folder on the host (its description, its
// database, master key and dev tokens).
func (c *Consortium) GatewayDir(org string) string {
	return filepath.Dir(fabnet.OrgConfigFile(c.Dir, org))
}

// WaitGateways waits (bounded) until every organisation's gateway answers
// /readyz with 200 through its published port.
func (c *Consortium) WaitGateways(ctx context.Context, timeout time.Duration) error {
	return c.waitGateways(ctx, timeout, c.Layout.Orgs)
}

func (c *Consortium) waitGateways(ctx context.Context, timeout time.Duration, orgs []fabnet.Org) error {
	defer c.step(fmt.Sprintf("%d gateways ready on %s", len(orgs), c.Publish))()
	for _, o := range orgs {
		url := c.GatewayURL(o.Name) + "/readyz"
		err := retry(ctx, timeout, func() error {
			rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(rctx, http.MethodGet, url, nil)
			if err != nil {
				return err
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("%s: %s %s", url, resp.Status, b)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("consortium: %s's gateway not ready: %w", o.Name, err)
		}
	}
	return nil
}

// ContainerMount is one mount of a running container (docker inspect).
type ContainerMount struct {
	Type        string `json:"Type"`
	Name        string `json:"Name"`
	Source      string `json:"Source"`
	Destination string `json:"Destination"`
	RW          bool   `json:"RW"`
}

// Mounts returns the mounts of every running container of org's host.
func (c *Consortium) Mounts(ctx context.Context, org string) (map[string][]ContainerMount, error) {
	out := map[string][]ContainerMount{}
	for _, s := range c.Services(org) {
		id, err := c.container(ctx, s)
		if err != nil {
			return nil, err
		}
		b, err := run(ctx, nil, "docker", "inspect", "-f", "{{json .Mounts}}", id)
		if err != nil {
			return nil, err
		}
		var ms []ContainerMount
		if err := json.Unmarshal(b, &ms); err != nil {
			return nil, fmt.Errorf("consortium: mounts of %s: %w", s, err)
		}
		out[s] = ms
	}
	return out, nil
}

// ErrForeignMount reports a container that sees a folder other than its
// own organisation's, the public bundle, its own gateway folder and its
// ledger volume.
var ErrForeignMount = errors.New("consortium: a container mounts what is not its organisation's")

// CheckMounts checks what every running container sees: its own
// organisation's folder read-only, the public bundle read-only, its
// gateway folder (gateways) and a named volume (ledgers) read-write,
// nothing else; so no container of one organisation can read another's
// private keys.
func (c *Consortium) CheckMounts(ctx context.Context) error {
	var errs []error
	for _, o := range c.Layout.Orgs {
		all, err := c.Mounts(ctx, o.Name)
		if err != nil {
			return err
		}
		own := filepath.Join(c.Dir, "orgs", o.Name)
		for svc, ms := range all {
			for _, m := range ms {
				ok := false
				switch {
				case m.Type == "volume":
					ok = m.RW && !strings.HasPrefix(m.Destination, Mount)
				case m.Source == own:
					ok = !m.RW && m.Destination == Mount+"/orgs/"+o.Name
				case m.Source == filepath.Join(c.Dir, "public"):
					ok = !m.RW && m.Destination == Mount+"/public"
				case m.Source == filepath.Join(own, "gateway"):
					ok = svc == GatewayService(o.Name) && m.Destination == Mount+"/orgs/"+o.Name+"/gateway"
				}
				if !ok {
					errs = append(errs, fmt.Errorf("%w: %s (%s) has %s %s → %s (rw %v)", ErrForeignMount, svc, o.Name, m.Type, m.Source, m.Destination, m.RW))
				}
			}
		}
	}
	return errors.Join(errs...)
}

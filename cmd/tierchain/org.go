package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"

	"github.com/tierchain/tierchain/internal/channelconfig"
	"github.com/tierchain/tierchain/internal/fabnet"
)

const orgUsage = `usage: tierchain org <command> [flags]

Change the consortium's membership on the running network (majority-signed
channel config updates; docs/OPERATIONS.md, "Admitting a member").

On one machine, acting for each organisation with only its own keys:
  add      admit an organisation (a bank or a core enterprise): its keys,
           the config update signed by a majority of the members' admins,
           its peer joined, a chaincode definition that counts it, its
           gateway started and its enterprise registered; run it again to
           resume an interrupted admission
  remove   take an organisation off the channel
  suspend  keep an organisation on the channel, reading, but let none of its
           identities write
  reinstate  undo suspend
  orderer  add|remove a Raft consenter run by a member (majority of the
           ordering organisations' admins; osnadmin join and remove)

Across hosts, one step per organisation, with files in between:
  propose  compute an update (add --definition F | remove, suspend or
           reinstate --name ORG)
  sign     add this organisation's admin signature to an update file
  show     say what an update changes and whose signatures count
  submit   submit an update once a majority has signed
`

func runOrg(w io.Writer, args []string) error {
	change := func(what string) subcommand {
		return func(ctx context.Context, w io.Writer, args []string) error { return runOrgChange(ctx, w, what, args) }
	}
	return runSubcommand(w, "org", orgUsage, args, map[string]subcommand{
		"add": runOrgAdd, "remove": change("remove"), "suspend": change("suspend"), "reinstate": change("reinstate"),
		"orderer": runOrgOrderer, "propose": runOrgPropose, "sign": runOrgSign, "show": runOrgShow, "submit": runOrgSubmit,
	})
}

// subcommand is one command of a group (org, admin): its context ends on
// an interrupt.
type subcommand func(ctx context.Context, w io.Writer, args []string) error

// runSubcommand runs the command of group that args[0] names, printing the
// group's usage for help, a missing or an unknown command.
func runSubcommand(w io.Writer, group, usage string, args []string, cmds map[string]subcommand) error {
	if len(args) == 0 {
		fmt.Fprint(w, usage)
		return fmt.Errorf("%s: missing command", group)
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(w, usage)
		return nil
	}
	run, ok := cmds[args[0]]
	if !ok {
		fmt.Fprint(w, usage)
		return fmt.Errorf("%s: unknown command %q", group, args[0])
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, w, args[1:])
}

// openNetwork attaches to the running network in dir with process control.
func openNetwork(ctx context.Context, w io.Writer, dir string) (*fabnet.Network, error) {
	repo, err := fabnet.RepoRoot(".")
	if err != nil {
		return nil, fmt.Errorf("run tierchain from a TierChain checkout: %w", err)
	}
	return fabnet.OpenAdmin(ctx, dir, repo, w)
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// networkCmd is an org command that acts on the running network in --dir.
type networkCmd struct {
	fs  *flag.FlagSet
	dir *string
}

func newNetworkCmd(name string, w io.Writer) networkCmd {
	fs, dir := commandFlags(name, w, "data directory of the running network")
	return networkCmd{fs: fs, dir: dir}
}

// open parses args, runs check (when not nil) on what they say and only
// then attaches to the network; the caller detaches.
func (c networkCmd) open(ctx context.Context, w io.Writer, args []string, check func() error) (*fabnet.Network, error) {
	if err := c.fs.Parse(args); err != nil {
		return nil, err
	}
	if check != nil {
		if err := check(); err != nil {
			return nil, err
		}
	}
	return openNetwork(ctx, w, *c.dir)
}

func runOrgAdd(ctx context.Context, w io.Writer, args []string) error {
	c := newNetworkCmd("org add", w)
	fs := c.fs
	name := fs.String("name", "BankC", "the newcomer organisation's name (its MSP ID is <name>MSP)")
	role := fs.String("role", "bank", "bank or core")
	entID := fs.String("enterprise-id", "bankC", "its founding enterprise's ID")
	entName := fs.String("enterprise-name", "Vestland Bank ASA", "its founding enterprise's name")
	legalID := fs.String("legal-id", "0192:986000003", "its founding enterprise's legal ID")
	signers := fs.String("signers", "", "comma-separated organisations whose admins sign, in order, until a majority has (default: the endorsing members)")
	submitter := fs.String("submitter", "", "the organisation whose admin submits (default: the first signer)")
	stopAfter := fs.String("stop-after", "", "stop after this step: keys, config, join, chaincode, record")
	withGateway := fs.Bool("gateway", true, "start the newcomer's REST gateway and wait until its enterprise is registered")
	n, err := c.open(ctx, w, args, nil)
	if err != nil {
		return err
	}
	defer n.Detach()
	start := time.Now()
	fmt.Fprintf(w, "admitting %s (%s) to channel %q\n", *name, *role, fabnet.ChannelName)
	o, err := n.Admit(ctx, fabnet.Newcomer{Name: *name, Role: fabnet.Role(*role),
		Enterprise: fabnet.Enterprise{ID: *entID, Name: *entName, LegalID: *legalID}},
		fabnet.AdmitOptions{Signers: splitList(*signers), Submitter: *submitter, StopAfter: *stopAfter, Out: w})
	if errors.Is(err, fabnet.ErrStopped) {
		fmt.Fprintf(w, "%v; run the same command again to go on\n", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w\nrun the same command again to resume", err)
	}
	fmt.Fprintf(w, "%s is a member: peer %s, chaincode server %s (definition %s)\n", o.Name, n.Layout.PeerAddress(o),
		n.Layout.ChaincodeAddress(o), n.DefinitionFile(o.Name))
	if *withGateway {
		if err := startGateways(ctx, n.Dir, n.Layout); err != nil {
			return err
		}
		gs := gateways(n.Dir, n.Layout)
		fmt.Fprintf(w, "%s's gateway is up and its enterprise %s registered:\n", o.Name, o.Enterprise.ID)
		for _, g := range gs {
			if g.Org == o.Name {
				printGateways(w, []gateway{g})
			}
		}
	}
	fmt.Fprintf(w, "admitted in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func runOrgChange(ctx context.Context, w io.Writer, what string, args []string) error {
	c := newNetworkCmd("org "+what, w)
	name := c.fs.String("name", "", "the organisation to "+what)
	signers := c.fs.String("signers", "", "comma-separated organisations whose admins sign (default: the other endorsing members)")
	submitter := c.fs.String("submitter", "", "the organisation whose admin submits (default: the first signer)")
	n, err := c.open(ctx, w, args, func() error {
		if *name == "" {
			return fmt.Errorf("org %s: --name is required", what)
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer n.Detach()
	opts := fabnet.AdmitOptions{Signers: splitList(*signers), Submitter: *submitter, Out: w}
	switch what {
	case "remove":
		err = n.Remove(ctx, *name, opts)
	case "suspend":
		err = n.Suspend(ctx, *name, opts)
	default:
		err = n.Reinstate(ctx, *name, opts)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: done (%s)\n", what, *name)
	return nil
}

func runOrgOrderer(ctx context.Context, w io.Writer, args []string) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "remove") {
		return errors.New("org orderer: add --name ORG | remove --orderer NAME")
	}
	c := newNetworkCmd("org orderer "+args[0], w)
	name := c.fs.String("name", "", "add: the member that runs the new consenter")
	orderer := c.fs.String("orderer", "", "remove: the orderer (one added since genesis), e.g. orderer3")
	n, err := c.open(ctx, w, args[1:], nil)
	if err != nil {
		return err
	}
	defer n.Detach()
	opts := fabnet.AdmitOptions{Out: w}
	if args[0] == "remove" {
		if err := n.RemoveOrderer(ctx, *orderer, opts); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s left the consenter set and stopped\n", *orderer)
		return nil
	}
	o, err := n.AddOrderer(ctx, *name, opts)
	if err != nil {
		return fmt.Errorf("%w\nrun the same command again to resume", err)
	}
	fmt.Fprintf(w, "%s (run by %s) is a consenter at %s and has caught up\n", o.Name, o.Owner, n.Layout.OrdererAddress(o))
	return nil
}

// runOrgPropose writes an unsigned update computed against the channel's
// current config, fetched as --as's admin.
func runOrgPropose(ctx context.Context, w io.Writer, args []string) error {
	if len(args) == 0 {
		return errors.New("org propose: add, remove, suspend or reinstate")
	}
	kind := args[0]
	c := newNetworkCmd("org propose "+kind, w)
	as := c.fs.String("as", "Operator", "the organisation that proposes (its admin fetches the config)")
	def := c.fs.String("definition", "", "add: the newcomer's definition file")
	name := c.fs.String("name", "", "remove, suspend, reinstate: the organisation")
	out := c.fs.String("o", "update.pb", "the update file to write")
	n, err := c.open(ctx, w, args[1:], nil)
	if err != nil {
		return err
	}
	defer n.Detach()
	var change func(*cb.Config) (*cb.Config, error)
	switch kind {
	case "add":
		b, err := os.ReadFile(*def)
		if err != nil {
			return err
		}
		d, err := channelconfig.ParseDefinition(b)
		if err != nil {
			return err
		}
		change = func(c *cb.Config) (*cb.Config, error) { return channelconfig.AddOrg(c, d) }
	case "remove", "suspend", "reinstate":
		o, ok := n.Layout.Org(*name)
		if !ok {
			return fmt.Errorf("%w %q", fabnet.ErrNoOrg, *name)
		}
		f := map[string]func(*cb.Config, string) (*cb.Config, error){
			"remove": channelconfig.RemoveOrg, "suspend": channelconfig.SuspendOrg, "reinstate": channelconfig.ReinstateOrg}[kind]
		change = func(c *cb.Config) (*cb.Config, error) { return f(c, o.MSPID) }
	default:
		return fmt.Errorf("org propose: unknown change %q (add, remove, suspend or reinstate)", kind)
	}
	env, err := n.ProposeUpdate(ctx, *as, change)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, env, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s; each member's admin signs it: tierchain org sign --as <Org> %s\n", *out, *out)
	return nil
}

// updateCmd is the common part of sign, show and submit: an organisation
// acting with its own keys on one update file.
type updateCmd struct {
	networkCmd
	name string
	as   *string
}

func newUpdateCmd(name string, w io.Writer) *updateCmd {
	c := &updateCmd{networkCmd: newNetworkCmd(name, w), name: name}
	c.as = c.fs.String("as", "", "the organisation acting (with its own keys)")
	return c
}

// open parses args, reads the update file and attaches to the network;
// the caller detaches.
func (c *updateCmd) open(ctx context.Context, w io.Writer, args []string) (*fabnet.Network, []byte, error) {
	var env []byte
	n, err := c.networkCmd.open(ctx, w, args, func() error {
		if c.fs.NArg() != 1 || *c.as == "" {
			return fmt.Errorf("%s: --as ORG and one update file", c.name)
		}
		var err error
		env, err = os.ReadFile(c.fs.Arg(0))
		return err
	})
	return n, env, err
}

func runOrgSign(ctx context.Context, w io.Writer, args []string) error {
	c := newUpdateCmd("org sign", w)
	user := c.fs.String("user", "Admin", "the identity that signs (only an admin's signature counts)")
	out := c.fs.String("o", "", "write the signed update here (default: in place)")
	n, env, err := c.open(ctx, w, args)
	if err != nil {
		return err
	}
	defer n.Detach()
	if err := describeUpdate(ctx, w, n, *c.as, env); err != nil {
		return err
	}
	signed, err := n.SignUpdate(ctx, env, *c.as, *user)
	if err != nil {
		return err
	}
	if *out == "" {
		*out = c.fs.Arg(0)
	}
	if err := os.WriteFile(*out, signed, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(w, "signed by %s of %s: %s\n", *user, *c.as, *out)
	return nil
}

func runOrgShow(ctx context.Context, w io.Writer, args []string) error {
	c := newUpdateCmd("org show", w)
	n, env, err := c.open(ctx, w, args)
	if err != nil {
		return err
	}
	defer n.Detach()
	return describeUpdate(ctx, w, n, *c.as, env)
}

// describeUpdate prints what the update changes and which signatures
// count, against the config --as fetches.
func describeUpdate(ctx context.Context, w io.Writer, n *fabnet.Network, as string, env []byte) error {
	u, err := channelconfig.ParseUpdate(env)
	if err != nil {
		return err
	}
	cfg, err := n.ChannelConfig(ctx, as)
	if err != nil {
		return err
	}
	orderer := false
	for _, line := range channelconfig.Describe(cfg, u) {
		fmt.Fprintf(w, "  %s\n", line)
		orderer = orderer || strings.Contains(line, " Orderer/")
	}
	signed, checks := u.Check(cfg)
	for _, c := range checks {
		verdict := "counts"
		if !c.Admin {
			verdict = "does not count: " + c.Problem
		}
		fmt.Fprintf(w, "  signature of %s: %s\n", c.MSPID, verdict)
	}
	fmt.Fprintf(w, "  %d of %d application organisations signed, %d needed\n", len(signed), len(channelconfig.ApplicationOrgs(cfg)), channelconfig.Majority(cfg))
	if orderer {
		// A change to the Orderer group needs a majority of the ordering
		// organisations' admins instead.
		if err := u.EnoughIn(cfg, "Orderer"); err != nil {
			fmt.Fprintf(w, "  the Orderer group: %v\n", err)
		} else {
			fmt.Fprintln(w, "  the Orderer group: a majority of the ordering organisations signed")
		}
	}
	return channelconfig.CheckCurrent(cfg, u)
}

func runOrgSubmit(ctx context.Context, w io.Writer, args []string) error {
	c := newUpdateCmd("org submit", w)
	force := c.fs.Bool("force", false, "submit even if fewer than a majority signed (the orderer refuses it)")
	n, env, err := c.open(ctx, w, args)
	if err != nil {
		return err
	}
	defer n.Detach()
	u, err := channelconfig.ParseUpdate(env)
	if err != nil {
		return err
	}
	cfg, err := n.ChannelConfig(ctx, *c.as)
	if err != nil {
		return err
	}
	if err := u.Enough(cfg); err != nil && !*force {
		return err
	}
	if err := n.SubmitUpdate(ctx, env, *c.as, "Admin"); err != nil {
		return err
	}
	fmt.Fprintln(w, "submitted; the channel's config has changed")
	return nil
}

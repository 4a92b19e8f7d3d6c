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
	if len(args) == 0 {
		fmt.Fprint(w, orgUsage)
		return errors.New("org: missing command")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "add":
		return runOrgAdd(ctx, w, args[1:])
	case "remove", "suspend", "reinstate":
		return runOrgChange(ctx, w, args[0], args[1:])
	case "orderer":
		return runOrgOrderer(ctx, w, args[1:])
	case "propose":
		return runOrgPropose(ctx, w, args[1:])
	case "sign":
		return runOrgSign(ctx, w, args[1:])
	case "show":
		return runOrgShow(ctx, w, args[1:])
	case "submit":
		return runOrgSubmit(ctx, w, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(w, orgUsage)
		return nil
	}
	fmt.Fprint(w, orgUsage)
	return fmt.Errorf("org: unknown command %q", args[0])
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

func runOrgAdd(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("org add", flag.ContinueOnError)
	fs.SetOutput(w)
	dir := fs.String("dir", defaultDir(), "data directory of the running network")
	name := fs.String("name", "BankC", "the newcomer organisation's name (its MSP ID is <name>MSP)")
	role := fs.String("role", "bank", "bank or core")
	entID := fs.String("enterprise-id", "bankC", "its founding enterprise's ID")
	entName := fs.String("enterprise-name", "Vestland Bank ASA", "its founding enterprise's name")
	legalID := fs.String("legal-id", "0192:986000003", "its founding enterprise's legal ID")
	signers := fs.String("signers", "", "comma-separated organisations whose admins sign, in order, until a majority has (default: the endorsing members)")
	submitter := fs.String("submitter", "", "the organisation whose admin submits (default: the first signer)")
	stopAfter := fs.String("stop-after", "", "stop after this step: keys, config, join, chaincode, record")
	withGateway := fs.Bool("gateway", true, "start the newcomer's REST gateway and wait until its enterprise is registered")
	if err := fs.Parse(args); err != nil {
		return err
	}
	n, err := openNetwork(ctx, w, *dir)
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
	fs := flag.NewFlagSet("org "+what, flag.ContinueOnError)
	fs.SetOutput(w)
	dir := fs.String("dir", defaultDir(), "data directory of the running network")
	name := fs.String("name", "", "the organisation to "+what)
	signers := fs.String("signers", "", "comma-separated organisations whose admins sign (default: the other endorsing members)")
	submitter := fs.String("submitter", "", "the organisation whose admin submits (default: the first signer)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" {
		return fmt.Errorf("org %s: --name is required", what)
	}
	n, err := openNetwork(ctx, w, *dir)
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
	fs := flag.NewFlagSet("org orderer "+args[0], flag.ContinueOnError)
	fs.SetOutput(w)
	dir := fs.String("dir", defaultDir(), "data directory of the running network")
	name := fs.String("name", "", "add: the member that runs the new consenter")
	orderer := fs.String("orderer", "", "remove: the orderer (one added since genesis), e.g. orderer3")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	n, err := openNetwork(ctx, w, *dir)
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
	fs := flag.NewFlagSet("org propose "+kind, flag.ContinueOnError)
	fs.SetOutput(w)
	dir := fs.String("dir", defaultDir(), "data directory of the running network")
	as := fs.String("as", "Operator", "the organisation that proposes (its admin fetches the config)")
	def := fs.String("definition", "", "add: the newcomer's definition file")
	name := fs.String("name", "", "remove, suspend, reinstate: the organisation")
	out := fs.String("o", "update.pb", "the update file to write")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	n, err := openNetwork(ctx, w, *dir)
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
	name    string
	fs      *flag.FlagSet
	dir, as *string
}

func newUpdateCmd(name string, w io.Writer) *updateCmd {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	return &updateCmd{name: name, fs: fs,
		dir: fs.String("dir", defaultDir(), "data directory of the running network"),
		as:  fs.String("as", "", "the organisation acting (with its own keys)")}
}

// open parses args, reads the update file and attaches to the network;
// the caller detaches.
func (c *updateCmd) open(ctx context.Context, w io.Writer, args []string) (*fabnet.Network, []byte, error) {
	if err := c.fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if c.fs.NArg() != 1 || *c.as == "" {
		return nil, nil, fmt.Errorf("%s: --as ORG and one update file", c.name)
	}
	env, err := os.ReadFile(c.fs.Arg(0))
	if err != nil {
		return nil, nil, err
	}
	n, err := openNetwork(ctx, w, *c.dir)
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

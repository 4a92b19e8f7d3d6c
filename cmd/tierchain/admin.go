package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"

	"github.com/tierchain/tierchain/internal/channelconfig"
)

const adminUsage = `usage: tierchain admin <command> [flags]

An organisation's admin steps that need nothing but its own admin identity
and the orderer's address: what the Kubernetes Jobs (network/k8s) and the
compose consortium's hosts run. Each succeeds when its step was done
before, so a Job that runs again completes.

  lock-writers  take the organisation out of the channel's Writers (the
                Regulator, once it approved the chaincode definition): the
                config update computed in Go (internal/channelconfig),
                signed and submitted by its own admin
`

func runAdmin(w io.Writer, args []string) error {
	return runSubcommand(w, "admin", adminUsage, args, map[string]subcommand{"lock-writers": runLockWriters})
}

// errAdminFlags reports a missing or bad flag of an admin command.
var errAdminFlags = errors.New("admin: bad flags")

// lockWritersFlags are lock-writers' flags.
type lockWritersFlags struct {
	channel, msp, cert, key, orderer, ordererCA string
	timeout                                     time.Duration
}

func parseLockWriters(w io.Writer, args []string) (lockWritersFlags, error) {
	var f lockWritersFlags
	fs := flag.NewFlagSet("admin lock-writers", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.StringVar(&f.channel, "channel", "scf", "the channel")
	fs.StringVar(&f.msp, "msp", "", "the organisation's MSP ID (its admin signs and submits)")
	fs.StringVar(&f.cert, "cert", "", "its admin's certificate (PEM: the MSP's signcerts file)")
	fs.StringVar(&f.key, "key", "", "its admin's private key (PEM: the MSP's keystore file)")
	fs.StringVar(&f.orderer, "orderer", "", "an orderer's address, host:port")
	fs.StringVar(&f.ordererCA, "orderer-ca", "", "the orderer's TLS CA certificate (PEM)")
	fs.DurationVar(&f.timeout, "timeout", 2*time.Minute, "how long to wait for the orderer and for the update's commit")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	var missing []string
	for _, x := range []struct{ name, v string }{{"msp", f.msp}, {"cert", f.cert}, {"key", f.key}, {"orderer", f.orderer}, {"orderer-ca", f.ordererCA}, {"channel", f.channel}} {
		if x.v == "" {
			missing = append(missing, "--"+x.name)
		}
	}
	if len(missing) > 0 || fs.NArg() > 0 {
		return f, fmt.Errorf("%w: missing %v, extra %v", errAdminFlags, missing, fs.Args())
	}
	return f, nil
}

// runLockWriters: the organisation's admin fetches the channel's config,
// and unless its Writers are locked already, computes the update that
// locks them (channelconfig.LockOrgWriters), signs and submits it, and
// waits until the config shows them locked.
func runLockWriters(ctx context.Context, w io.Writer, args []string) error {
	f, err := parseLockWriters(w, args)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	admin, err := channelconfig.NewSigner(f.msp, f.cert, f.key)
	if err != nil {
		return err
	}
	ord := channelconfig.Orderer{Address: f.orderer, TLSCAPath: f.ordererCA}
	config := func() (*cfgView, error) {
		b, err := channelconfig.FetchConfig(ctx, ord, f.channel, admin)
		if err != nil {
			return nil, err
		}
		cfg, _, err := channelconfig.FromBlock(b)
		if err != nil {
			return nil, err
		}
		return &cfgView{cfg: cfg, locked: channelconfig.Locked(cfg, f.msp)}, nil
	}
	var v *cfgView
	if err := retryUntil(ctx, func() error { v, err = config(); return err }); err != nil {
		return err
	}
	if v.locked {
		fmt.Fprintf(w, "%s's Writers on channel %s: locked before (nothing to do)\n", f.msp, f.channel)
		return nil
	}
	updated, err := channelconfig.LockOrgWriters(v.cfg, f.msp)
	if err != nil {
		return err
	}
	cu, err := channelconfig.Compute(f.channel, v.cfg, updated)
	if err != nil {
		return err
	}
	env, err := channelconfig.NewUpdateEnvelope(cu)
	if err != nil {
		return err
	}
	u, err := channelconfig.ParseUpdate(env)
	if err != nil {
		return err
	}
	if err := u.Sign(admin); err != nil {
		return err
	}
	if err := channelconfig.Submit(ctx, ord, u, admin); err != nil {
		return err
	}
	err = retryUntil(ctx, func() error {
		if v, err = config(); err == nil && !v.locked {
			err = errors.New("admin: the update is not committed yet")
		}
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s's Writers on channel %s: locked (config sequence %d)\n", f.msp, f.channel, v.cfg.GetSequence())
	return nil
}

type cfgView struct {
	cfg    *cb.Config
	locked bool
}

// retryUntil calls f every second until it succeeds or ctx ends.
func retryUntil(ctx context.Context, f func() error) error {
	for {
		err := f()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(time.Second):
		}
	}
}

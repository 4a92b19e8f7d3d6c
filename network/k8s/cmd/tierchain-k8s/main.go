// Command tierchain-k8s writes the Kubernetes overlays of the TierChain
// organisations and the files their Secrets are made from.
//
//	go run ./network/k8s/cmd/tierchain-k8s overlays
//	    regenerate network/k8s/overlays/<org>/ from fabnet's layout
//	go run ./network/k8s/cmd/tierchain-k8s prepare -dir DIR
//	    a trial consortium's folders, all five on this machine (fabnet.Prepare
//	    with the overlays' layout): each organisation's keys in DIR/orgs/<Org>/,
//	    the public bundle in DIR/public/
//	go run ./network/k8s/cmd/tierchain-k8s secrets -dir DIR -org BankB
//	    copy BankB's keys (DIR/orgs/BankB/) and the public bundle
//	    (DIR/public/) into network/k8s/overlays/bankb/secrets/
//
// DIR is a folder prepared with the layout of docker-compose.yml (every
// node at its own DNS name); each organisation runs `secrets` on its own
// host with its own folder.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/network/k8s"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tierchain-k8s:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: tierchain-k8s overlays [-root DIR] | prepare -dir DIR | secrets -dir DIR -org ORG [-root DIR] [-out DIR]")
	}
	l := k8s.Layout()
	fs := flag.NewFlagSet("tierchain-k8s "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", "", "the kustomize tree (default: network/k8s of the checkout)")
	switch args[0] {
	case "overlays":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		r, err := rootDir(*root)
		if err != nil {
			return err
		}
		if err := k8s.WriteOverlays(r, l); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "overlays of %d organisations written below %s\n", len(l.Orgs), filepath.Join(r, "overlays"))
		return nil
	case "prepare":
		dir := fs.String("dir", "", "where to prepare (replaced)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *dir == "" {
			return fmt.Errorf("prepare: -dir is required")
		}
		repo, err := fabnet.RepoRoot(".")
		if err != nil {
			return err
		}
		if _, err := fabnet.Prepare(context.Background(), fabnet.Options{Dir: *dir, RepoRoot: repo, Layout: &l, Out: stderr, Fresh: true}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d organisations' folders prepared in %s\n", len(l.Orgs), *dir)
		return nil
	case "secrets":
		dir := fs.String("dir", "", "the prepared folder (orgs/<Org>/ and public/)")
		org := fs.String("org", "", "the organisation, e.g. BankB")
		out := fs.String("out", "", "where to write (default: the organisation's overlay's secrets/)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *dir == "" || *org == "" {
			return fmt.Errorf("secrets: -dir and -org are required")
		}
		o, ok := l.Org(*org)
		if !ok {
			return fmt.Errorf("%w %q", k8s.ErrNoOrg, *org)
		}
		if *out == "" {
			r, err := rootDir(*root)
			if err != nil {
				return err
			}
			*out = filepath.Join(r, k8s.OverlayDir(o), k8s.SecretsDir)
		}
		if err := k8s.WriteSecrets(*dir, o.Name, l, *out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s's Secrets and the public bundle written to %s (never check them in)\n", o.Name, *out)
		return nil
	}
	return fmt.Errorf("unknown command %q (overlays, prepare, secrets)", args[0])
}

func rootDir(root string) (string, error) {
	if root != "" {
		return root, nil
	}
	repo, err := fabnet.RepoRoot(".")
	if err != nil {
		return "", err
	}
	return filepath.Join(repo, "network", "k8s"), nil
}

// Command tierchain runs the TierChain platform on one machine.
//
//	tierchain up [--dir D] [--base PORT] [--orderers 1|3] [--batch-timeout 150ms] [--fresh] [--gateway=false] [--demo=false]
//	tierchain serve [--dir D | --org-config FILE [--data D]] [--addr A] [--db DSN]
//	tierchain demo [--dir D] [--maturity 20s] [--once]
//	tierchain status [--dir D]
//	tierchain down [--dir D] [--purge]
//	tierchain ping [--dir D] [--org Core]
//	tierchain org add|remove|suspend|propose|sign|show|submit [flags]
//	tierchain wallet <create|request|onboard|accept|move-in|move-out|sync|holdings|split|finance> [flags]
//	tierchain admin lock-writers --msp M --cert F --key F --orderer H:P --orderer-ca F
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

const usage = `usage: tierchain <command> [flags]

commands:
  up       start the platform: the Fabric network (orderers, peers, chaincode
           servers), from nothing or again on its ledgers, each
           organisation's REST gateway in the background (on its own
           address), and the demo story once on a new ledger
  serve    run one organisation's REST gateway in the foreground
  demo     play the demo story over REST, each step at the acting
           organisation's gateway (again, with new suppliers)
  status   show what is running where
  down     stop every process 'up' started and wait for them (--purge also removes the data)
  ping     commit one plaintext transaction and say how long it took
  org      admit, remove or suspend an organisation (majority-signed
           channel config updates)
  wallet   a self-custody enterprise's wallet: keys on this machine, the
           gateway only relays what it signs (JSON output)
  admin    an organisation's admin steps with its own identity only
           (lock-writers: what the Kubernetes Jobs run)

Run 'tierchain <command> -h' for its flags.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "up":
		err = runUp(os.Stdout, os.Args[2:])
	case "serve":
		err = runServe(os.Stdout, os.Args[2:])
	case "demo":
		err = runDemo(os.Stdout, os.Args[2:])
	case "status":
		err = runStatus(os.Stdout, os.Args[2:])
	case "down":
		err = runDown(os.Stdout, os.Args[2:])
	case "ping":
		err = runPing(os.Stdout, os.Args[2:])
	case "org":
		err = runOrg(os.Stdout, os.Args[2:])
	case "wallet":
		err = runWallet(os.Stdout, os.Args[2:])
	case "admin":
		err = runAdmin(os.Stdout, os.Args[2:])
	case "-h", "--help", "help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "tierchain: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tierchain:", err)
		os.Exit(1)
	}
}

// defaultDir is where up keeps the network: .tierchain/network in the checkout.
func defaultDir() string {
	return ".tierchain/network"
}

// commandFlags is the flag set of command name, writing its usage to w,
// with the --dir every command that works on a network takes (dirUsage
// says what it is to that command).
func commandFlags(name string, w io.Writer, dirUsage string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	return fs, fs.String("dir", defaultDir(), dirUsage)
}

// Command once runs one of an organisation's admin steps (Fabric's peer
// or osnadmin CLI) so that running it again is harmless: a step that had
// been done before (the peer joined, the package installed, this sequence
// approved or committed, the orderer joined) counts as success, anything
// else fails as the CLI did. The Kubernetes admin Jobs (network/k8s) run
// their steps through it, so a Job that runs again (re-applied, its pod
// retried after the step took effect) completes instead of failing.
//
//	once peer channel join -b /tierchain/public/scf.block
//	once osnadmin channel join --channelID scf --config-block … -o …
//
// The program is looked up on PATH; its output is passed through. A
// static binary in the peer and orderer images (network/docker/build.sh),
// where there is no shell.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: once peer|osnadmin ARGS… (an admin step; done before counts as success)")
		return 2
	}
	step := append([]string{filepath.Base(args[0])}, args[1:]...)
	if _, err := known(step); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	var out bytes.Buffer
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout = io.MultiWriter(stdout, &out)
	cmd.Stderr = io.MultiWriter(stderr, &out)
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fmt.Fprintf(stderr, "once: %v\n", err)
		return 1
	}
	outcome, _ := Classify(step, err == nil, out.String())
	fmt.Fprintf(stderr, "once: %s %s: %s\n", step[0], step[1], outcome)
	if outcome == Failed {
		if exit != nil && exit.ExitCode() > 0 {
			return exit.ExitCode()
		}
		return 1
	}
	return 0
}

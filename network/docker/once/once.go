package main

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
)

// Outcome is what a step's run amounts to.
type Outcome int

const (
	// Failed: the step did not take effect; the Job retries it.
	Failed Outcome = iota
	// Done: the step took effect now.
	Done
	// DoneBefore: the step had taken effect before (an earlier run of the
	// Job, or an administrator by hand); the Job succeeds.
	DoneBefore
)

func (o Outcome) String() string {
	switch o {
	case Done:
		return "done"
	case DoneBefore:
		return "done before"
	}
	return "failed"
}

// step is an admin step the wrapper knows: the command line it starts with
// and how its output says it had been done before.
type step struct {
	prefix []string
	before func(out string) bool
}

var (
	// peer channel join: the peer's ledger for the channel exists.
	ledgerExists = regexp.MustCompile(`ledger \[[^\]]+\] already exists`)
	// approveformyorg of the sequence this org approved, committed or not,
	// with the same content.
	approvedUncommitted = regexp.MustCompile(`attempted to redefine uncommitted sequence \(\d+\) for namespace \S+ with unchanged content`)
	approvedCommitted   = regexp.MustCompile(`attempted to redefine the current committed sequence \(\d+\) for namespace \S+?(\s|$)`)
	differentParameters = regexp.MustCompile(`attempted to redefine the current committed sequence \(\d+\) for namespace \S+ with different parameters`)
	// approveformyorg of a sequence the channel has gone past.
	superseded = regexp.MustCompile(`currently defined sequence (\d+) is larger than requested sequence (\d+)`)
	// commit of a sequence committed already.
	committedSeq  = regexp.MustCompile(`requested sequence is (\d+), but new definition must be sequence (\d+)`)
	installed     = regexp.MustCompile(`chaincode already successfully installed`)
	channelExists = regexp.MustCompile(`channel already exists`)
	// osnadmin channel join: the status line it prints (it exits 0 on any
	// HTTP status).
	osnStatus = regexp.MustCompile(`(?m)^Status: (\d{3})\s*$`)
)

var steps = []step{
	{[]string{"peer", "channel", "join"}, ledgerExists.MatchString},
	{[]string{"peer", "lifecycle", "chaincode", "install"}, installed.MatchString},
	{[]string{"peer", "lifecycle", "chaincode", "approveformyorg"}, func(out string) bool {
		if differentParameters.MatchString(out) {
			return false
		}
		if approvedUncommitted.MatchString(out) || approvedCommitted.MatchString(out) {
			return true
		}
		m := superseded.FindStringSubmatch(out)
		return m != nil && atoi(m[1]) > atoi(m[2])
	}},
	{[]string{"peer", "lifecycle", "chaincode", "commit"}, func(out string) bool {
		m := committedSeq.FindStringSubmatch(out)
		return m != nil && atoi(m[1]) < atoi(m[2])
	}},
	{[]string{"osnadmin", "channel", "join"}, func(out string) bool {
		m := osnStatus.FindStringSubmatch(out)
		return m != nil && m[1] == "405" && channelExists.MatchString(out)
	}},
}

func atoi(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// ErrUnknownStep reports a command line the wrapper does not know: it
// would not know how the step says it was done before.
var ErrUnknownStep = fmt.Errorf("once: unknown admin step")

// known returns the step args start with (the program's base name first).
func known(args []string) (step, error) {
	for _, s := range steps {
		if len(args) >= len(s.prefix) && slices.Equal(args[:len(s.prefix)], s.prefix) {
			return s, nil
		}
	}
	return step{}, fmt.Errorf("%w: %q", ErrUnknownStep, args)
}

// Classify says what a run of the step args came to, from its exit status
// (ok) and its combined output. osnadmin exits 0 whatever the orderer
// answered: its printed status decides (201 is done).
func Classify(args []string, ok bool, out string) (Outcome, error) {
	s, err := known(args)
	if err != nil {
		return Failed, err
	}
	if args[0] == "osnadmin" && ok {
		if m := osnStatus.FindStringSubmatch(out); m != nil && m[1] != "201" {
			ok = false
		}
	}
	if ok {
		return Done, nil
	}
	if s.before(out) {
		return DoneBefore, nil
	}
	return Failed, nil
}

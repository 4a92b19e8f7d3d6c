package consortium

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// Ledger drives chain-level transactions on the plaintext baseline
// contract, each organisation through its own identity and its own peer,
// and keeps count: a transaction is submitted once an orderer accepted it,
// committed once its commit status on the submitting peer is VALID. Every
// account's expected balance is kept so that any peer's state can be
// checked against what was committed.
type Ledger struct {
	c *Consortium

	mu        sync.Mutex
	clients   map[string]*fabnet.Connection
	submitted int
	committed int
	// resubmitted counts submissions of a transaction already submitted
	// whose commit did not come (dropped by a Raft leader change).
	resubmitted int
	expected    map[string]uint64
}

// NewLedger returns a Ledger on the consortium.
func (c *Consortium) NewLedger() *Ledger {
	return &Ledger{c: c, clients: map[string]*fabnet.Connection{}, expected: map[string]uint64{}}
}

// Close closes every client.
func (l *Ledger) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for org, cl := range l.clients {
		cl.Close()
		delete(l.clients, org)
	}
}

// Counts returns how many transactions were submitted, committed, and
// submitted again after a commit that did not come.
func (l *Ledger) Counts() (submitted, committed, resubmitted int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.submitted, l.committed, l.resubmitted
}

// Reconnect drops org's client (its peer's container may have a new
// address after a restart); the next use connects again.
func (l *Ledger) Reconnect(org string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cl, ok := l.clients[org]; ok {
		cl.Close()
		delete(l.clients, org)
	}
}

func (l *Ledger) client(ctx context.Context, org string) (*fabnet.Connection, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cl, ok := l.clients[org]; ok {
		return cl, nil
	}
	cl, err := l.c.Connect(ctx, org, "User1")
	if err != nil {
		return nil, err
	}
	l.clients[org] = cl
	return cl, nil
}

// Account is the baseline account an organisation mints to.
func Account(org string) string { return "consortium-" + strings.ToLower(org) }

// ErrNotCommitted reports a transaction the orderer accepted whose commit
// status is not VALID.
var ErrNotCommitted = errors.New("consortium: submitted transaction not committed")

// endorseTries bounds the endorsements of one transaction (an endorsing
// peer that just went away is found out by discovery within seconds).
const endorseTries = 40

// submitTries bounds the resubmissions of one transaction, statusWait how
// long each waits for its commit.
const (
	submitTries = 5
	statusWait  = 20 * time.Second
)

// Submit runs one baseline transaction as org's User1 through org's peer:
// endorse (retried, bounded, while discovery catches up with a dead or
// restarted peer), submit, wait for the commit status. changes are the
// balance changes it makes, recorded once it committed.
func (l *Ledger) Submit(ctx context.Context, org, fn string, changes map[string]int64, args ...string) error {
	cl, err := l.client(ctx, org)
	if err != nil {
		return err
	}
	var tx *client.Transaction
	for i := 0; ; i++ {
		prop, err := cl.Contract("baseline").NewProposal(fn, client.WithArguments(args...))
		if err != nil {
			return err
		}
		tx, err = prop.EndorseWithContext(ctx)
		if err == nil {
			break
		}
		if i == endorseTries || ctx.Err() != nil {
			return fmt.Errorf("%s %s%v: endorse: %w", org, fn, args, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	// An orderer acknowledges a transaction once it has queued it; Raft may
	// still drop it when the leader changes (Fabric's documented
	// behaviour), so a transaction not committed within statusWait is
	// submitted again, the same signed envelope: its ID commits at most once.
	var st *client.Status
	for attempt := 0; ; attempt++ {
		commit, err := tx.SubmitWithContext(ctx)
		if err != nil && attempt == 0 {
			// Refused by every orderer the peer tried: not submitted.
			return fmt.Errorf("%s %s%v: submit: %w", org, fn, args, err)
		}
		if err != nil {
			if attempt < submitTries && ctx.Err() == nil {
				time.Sleep(time.Second)
				continue
			}
			break
		}
		if attempt == 0 {
			l.mu.Lock()
			l.submitted++
			l.mu.Unlock()
		} else {
			l.mu.Lock()
			l.resubmitted++
			l.mu.Unlock()
		}
		sctx, cancel := context.WithTimeout(ctx, statusWait)
		st, err = commit.StatusWithContext(sctx)
		cancel()
		if err == nil || attempt >= submitTries || ctx.Err() != nil {
			break
		}
	}
	if st == nil {
		return fmt.Errorf("%w: %s %s%v (transaction %s) after %d submissions", ErrNotCommitted, org, fn, args, tx.TransactionID(), submitTries+1)
	}
	if st.Code != pb.TxValidationCode_VALID {
		return fmt.Errorf("%w: %s %s%v: %s", ErrNotCommitted, org, fn, args, st.Code)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.committed++
	for acct, d := range changes {
		l.expected[acct] = uint64(int64(l.expected[acct]) + d)
	}
	return nil
}

// Mint credits amount to account, as org.
func (l *Ledger) Mint(ctx context.Context, org, account string, amount uint64) error {
	return l.Submit(ctx, org, "Mint", map[string]int64{account: int64(amount)}, account, strconv.FormatUint(amount, 10))
}

// Transfer moves amount between accounts, as org.
func (l *Ledger) Transfer(ctx context.Context, org, from, to string, amount uint64) error {
	return l.Submit(ctx, org, "Transfer", map[string]int64{from: -int64(amount), to: int64(amount)}, from, to, strconv.FormatUint(amount, 10))
}

// Rounds runs n rounds in which every given organisation mints 1 to its
// own account, the organisations at once.
func (l *Ledger) Rounds(ctx context.Context, n int, orgs ...string) error {
	for r := 0; r < n; r++ {
		errs := make([]error, len(orgs))
		var wg sync.WaitGroup
		for i, org := range orgs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = l.Mint(ctx, org, Account(org), 1)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
	}
	return nil
}

// Balance reads account's balance as org's User1 on org's own peer.
func (l *Ledger) Balance(ctx context.Context, org, account string) (uint64, error) {
	cl, err := l.client(ctx, org)
	if err != nil {
		return 0, err
	}
	b, err := cl.Contract("baseline").EvaluateWithContext(ctx, "Balance", client.WithArguments(account))
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
}

// Expected returns every account's balance as committed so far.
func (l *Ledger) Expected() map[string]uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := make(map[string]uint64, len(l.expected))
	for k, v := range l.expected {
		m[k] = v
	}
	return m
}

// CheckState compares every account's balance on org's peer with what was
// committed.
func (l *Ledger) CheckState(ctx context.Context, org string) error {
	var errs []error
	for acct, want := range l.Expected() {
		got, err := l.Balance(ctx, org, acct)
		if err != nil {
			return fmt.Errorf("%s: balance of %s: %w", org, acct, err)
		}
		if got != want {
			errs = append(errs, fmt.Errorf("%s's peer: %s = %d, committed %d", org, acct, got, want))
		}
	}
	return errors.Join(errs...)
}

// RaftLeader returns the orderer that leads the channel's Raft cluster,
// from the orderers' metrics (consensus_etcdraft_is_leader), read at their
// containers' addresses.
func (c *Consortium) RaftLeader(ctx context.Context) (fabnet.Orderer, error) {
	for _, o := range c.Layout.Orderers {
		ip, err := c.containerIP(ctx, o.Name)
		if err != nil {
			continue
		}
		leader, err := isLeader(ctx, net.JoinHostPort(ip, strconv.Itoa(o.Ports.Operations)))
		if err == nil && leader {
			return o, nil
		}
	}
	return fabnet.Orderer{}, errors.New("consortium: no orderer reports itself Raft leader")
}

func isLeader(ctx context.Context, addr string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return false, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return false, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "consensus_etcdraft_is_leader{") && strings.Contains(line, `channel="`+fabnet.ChannelName+`"`) {
			return strings.HasSuffix(strings.TrimSpace(line), " 1"), nil
		}
	}
	return false, nil
}

// WaitHeights waits (bounded) until every organisation's peer has the
// same channel height, at least min, and returns it.
func (c *Consortium) WaitHeights(ctx context.Context, min uint64, timeout time.Duration) (uint64, error) {
	var last map[string]uint64
	err := retry(ctx, timeout, func() error {
		hs, err := c.Heights(ctx)
		if err != nil {
			return err
		}
		last = hs
		var h uint64
		for _, v := range hs {
			if h == 0 {
				h = v
			}
			if v != h || v < min {
				return fmt.Errorf("consortium: peers at heights %v (want all equal, at least %d)", hs, min)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, v := range last {
		return v, nil
	}
	return 0, nil
}

package faults_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
)

// splitOp is one intended split (one Idempotency-Key) and every attempt
// made to get it answered.
type splitOp struct {
	client   int
	key      string
	input    string
	body     map[string]any
	attempts []reply
	start    time.Time
	end      time.Time
	final    reply    // the last answer
	txID     string   // of a 2xx
	tokens   []string // a 2xx's new tokens, outputs then change
	// lost: the answer was a problem, yet the ledger shows the input spent
	// by this client's split (found when the next attempt said CONFLICT).
	lost bool
}

func (o *splitOp) committed() bool { return o.final.status/100 == 2 }

// history is the op's answers in order, repeats counted.
func (o *splitOp) history() string {
	var parts []string
	for i := 0; i < len(o.attempts); {
		j := i
		for j < len(o.attempts) && o.attempts[j].String() == o.attempts[i].String() {
			j++
		}
		s := o.attempts[i].String()
		if o.attempts[i].err != nil {
			s = "no answer"
		}
		if j-i > 1 {
			s = fmt.Sprintf("%s ×%d", s, j-i)
		}
		parts = append(parts, s)
		i = j
	}
	return strings.Join(parts, " → ")
}

// transient says whether a client should retry the same request: nothing
// came back, or the gateway said to retry (503, LEDGER_CONFLICT,
// IDEMPOTENCY_IN_FLIGHT), or a 5xx whose outcome is unknown (502, 504, 500).
func transient(r reply) bool {
	switch {
	case r.err != nil, r.status >= 500:
		return true
	case r.status == http.StatusConflict:
		return r.code == "LEDGER_CONFLICT" || r.code == "IDEMPOTENCY_IN_FLIGHT"
	}
	return false
}

// loadRun drives chains of splits: client i holds one token, splits 1.00
// off to the next client's supplier, and goes on with its change.
type loadRun struct {
	g         *gatewayProc
	suppliers []string
	tokens    []string // API tokens of the suppliers
	opBudget  time.Duration

	mu  sync.Mutex
	ops []*splitOp
	ok  []time.Time // when each 2xx arrived
}

func (l *loadRun) do(ctx context.Context, op *splitOp) {
	op.start = time.Now()
	deadline := op.start.Add(l.opBudget)
	for {
		r := write(ctx, l.g.base(), l.tokens[op.client], op.key, "/v1/tokens/"+op.input+"/split", op.body)
		op.attempts = append(op.attempts, r)
		op.final = r
		if r.status/100 == 2 {
			var out struct {
				TxID   string `json:"txId"`
				Tokens []struct {
					ID string `json:"id"`
				} `json:"tokens"`
			}
			if err := json.Unmarshal(r.body, &out); err != nil {
				op.final.err = err
				break
			}
			op.txID = out.TxID
			for _, t := range out.Tokens {
				op.tokens = append(op.tokens, t.ID)
			}
			l.mu.Lock()
			l.ok = append(l.ok, time.Now())
			l.mu.Unlock()
			break
		}
		if !transient(r) || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(r.retryAfter(300 * time.Millisecond))
	}
	op.end = time.Now()
}

// firstOKAfter waits up to timeout for a split answered 2xx after t0 and
// returns when it was answered (zero if none).
func (l *loadRun) firstOKAfter(t0 time.Time, timeout time.Duration) time.Time {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		l.mu.Lock()
		i := slices.IndexFunc(l.ok, func(at time.Time) bool { return at.After(t0) })
		var at time.Time
		if i >= 0 {
			at = l.ok[i]
		}
		l.mu.Unlock()
		if i >= 0 {
			return at
		}
	}
	return time.Time{}
}

// changeOf finds the client's change among the children of a spent input
// (after an answer was lost): the child it holds.
func (l *loadRun) changeOf(ctx context.Context, client int, input string) (string, bool) {
	c := &demo.Client{Base: l.g.base(), Token: l.tokens[client]}
	var tok struct {
		LedgerStatus string   `json:"ledgerStatus"`
		Children     []string `json:"children"`
	}
	if err := c.Do(ctx, http.MethodGet, "/v1/tokens/"+input, nil, &tok); err != nil || tok.LedgerStatus != "SPLIT" {
		return "", false
	}
	for _, id := range tok.Children {
		var child demo.Token
		if err := c.Do(ctx, http.MethodGet, "/v1/tokens/"+id, nil, &child); err == nil && child.Holder == l.suppliers[client] {
			return id, true
		}
	}
	return "", false
}

// chain runs client i's splits until stop is closed.
func (l *loadRun) chain(ctx context.Context, i int, cur string, stop <-chan struct{}) {
	next := l.suppliers[(i+1)%len(l.suppliers)]
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		default:
		}
		op := &splitOp{client: i, key: fmt.Sprintf("load-%s-%d", cur[:12], n), input: cur,
			body: map[string]any{"outputs": []map[string]string{{"to": next, "amount": "1.00"}}}}
		l.do(ctx, op)
		l.mu.Lock()
		l.ops = append(l.ops, op)
		l.mu.Unlock()
		switch {
		case op.committed():
			cur = op.tokens[len(op.tokens)-1]
		case op.final.status == http.StatusConflict && op.final.code == "CONFLICT":
			// The input is spent: an earlier attempt committed although
			// its answer was lost or was a problem.
			change, ok := l.changeOf(ctx, i, cur)
			if !ok {
				return
			}
			op.lost, cur = true, change
		case transient(op.final):
			// Unresolved within the budget: the outcome is unknown, so the
			// chain cannot go on from this token. Find out from the ledger.
			time.Sleep(time.Second)
			if change, ok := l.changeOf(ctx, i, cur); ok {
				op.lost, cur = true, change
			}
		}
	}
}

// fault is one kill and restart during the load.
type fault struct {
	name          string
	kill, restart func() error
	down          time.Duration
	// measured
	killedAt, restartedAt, recoveredAt time.Time
}

// TestFaultsDuringLoad: three suppliers split 1.00 at a time off their
// tokens through REST, each write with its own Idempotency-Key and
// retried with it on a transient answer, while the gateway's own peer,
// the chaincode server and the gateway itself are killed and restarted
// one after the other, and an indexer following the chain is killed every
// few seconds. Afterwards: every split answered 2xx is on the ledger
// exactly once (its input spent, exactly its reported tokens as children,
// with the reported transaction and amounts); every other request left
// nothing (no token outside the reported splits); sending each request
// again with its key commits nothing new; and the killed indexer's read
// model equals the ledger and an uninterrupted indexer's, event for event.
func TestFaultsDuringLoad(t *testing.T) {
	g := gw(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	n := fabnettest.Network()

	ref := newFollower(t, "reference") // never killed
	if err := ref.start(ctx); err != nil {
		t.Fatal(err)
	}
	killed := newFollower(t, "killed")
	if err := killed.start(ctx); err != nil {
		t.Fatal(err)
	}

	res := g.story(t, ctx, "-load")
	l := &loadRun{g: g, suppliers: res.Suppliers[:], tokens: res.SupplierTokens[:], opBudget: 15 * time.Second}
	regulator := g.client("regulator")
	before := readLedger(t, ctx, regulator)

	faults := []*fault{
		{name: "peer (peer0-operator, the gateway's peer)", down: 4 * time.Second,
			kill: func() error { return n.Kill("peer0-operator") }, restart: func() error { return n.StartPeer("Operator") }},
		{name: "endorsing peer (peer0-banka)", down: 4 * time.Second,
			kill: func() error { return n.Kill("peer0-banka") }, restart: func() error { return n.StartPeer("BankA") }},
		{name: "chaincode server", down: 3 * time.Second,
			kill: func() error { return n.Kill("chaincode") }, restart: n.StartChaincode},
		{name: "gateway (stop, new platform on the same data and port)",
			kill: func() error { return nil }, restart: func() error { return g.restart(ctx) }},
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range l.suppliers {
		wg.Go(func() { l.chain(ctx, i, res.Held[i].ID, stop) })
	}
	// The indexer is killed every 2.5 s while the load runs.
	ixStop := make(chan struct{})
	ixDone := make(chan error, 1)
	go func() {
		for {
			select {
			case <-ixStop:
				ixDone <- nil
				return
			case <-time.After(2500 * time.Millisecond):
			}
			if err := killed.kill(); err != nil {
				ixDone <- fmt.Errorf("kill indexer: %w", err)
				return
			}
			if err := killed.start(ctx); err != nil {
				ixDone <- fmt.Errorf("restart indexer: %w", err)
				return
			}
		}
	}()

	loadStart := time.Now()
	time.Sleep(4 * time.Second)
	for _, f := range faults {
		f.killedAt = time.Now()
		if err := f.kill(); err != nil {
			t.Fatalf("%s: kill: %v", f.name, err)
		}
		time.Sleep(f.down)
		if err := f.restart(); err != nil {
			t.Fatalf("%s: restart: %v", f.name, err)
		}
		f.restartedAt = time.Now()
		if f.recoveredAt = l.firstOKAfter(f.restartedAt, 90*time.Second); f.recoveredAt.IsZero() {
			t.Errorf("%s: no split committed within 90 s of the restart", f.name)
		}
		time.Sleep(3 * time.Second)
	}
	close(stop)
	wg.Wait()
	close(ixStop)
	if err := <-ixDone; err != nil {
		t.Fatal(err)
	}
	loadTime := time.Since(loadStart)

	l.report(t, faults, loadTime, killed.starts)
	after := readLedger(t, ctx, regulator)
	l.checkLedger(t, before, after)

	// The same requests again, with their keys: nothing new commits.
	l.resend(t, ctx)
	again := readLedger(t, ctx, regulator)
	if d := diff(after.String(), again.String()); d != "" {
		t.Errorf("sending the requests again changed the ledger:\n%s", d)
	}

	// The indexer that was killed catches up with no gap or duplicate.
	caughtUp := time.Now()
	var why string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		var err error
		if why, err = killed.compare(ctx, again); err == nil && why == "" {
			if why, err = ref.compare(ctx, again); err == nil && why == "" {
				break
			}
		}
		if err != nil {
			why = err.Error()
		}
	}
	if why != "" {
		t.Fatalf("read model after 60 s: %s", why)
	}
	t.Logf("indexer: killed and restarted %d times; read models equal the ledger %s after the load",
		killed.starts-1, time.Since(caughtUp).Round(time.Millisecond))
	checkEvents(t, ctx, killed, ref, l)
}

// checkEvents: the killed indexer's events log is the uninterrupted one's,
// in the same order, each transaction once, with every reported split.
func checkEvents(t *testing.T, ctx context.Context, killed, ref *follower, l *loadRun) {
	t.Helper()
	a, err := killed.events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ref.events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, e := range a {
		if seen[e.TxID] {
			t.Fatalf("event %d: transaction %s twice", i, e.TxID)
		}
		seen[e.TxID] = true
		if i > 0 && e.BlockNumber < a[i-1].BlockNumber {
			t.Fatalf("event %d: block %d after block %d", i, e.BlockNumber, a[i-1].BlockNumber)
		}
	}
	if len(a) != len(b) {
		t.Fatalf("killed indexer: %d events, uninterrupted: %d", len(a), len(b))
	}
	for i := range a {
		if a[i].TxID != b[i].TxID || a[i].Outcome != b[i].Outcome {
			t.Fatalf("event %d: killed %s %s, uninterrupted %s %s", i, a[i].TxID, a[i].Outcome, b[i].TxID, b[i].Outcome)
		}
	}
	for _, op := range l.ops {
		if op.committed() && !seen[op.txID] {
			t.Errorf("split %s (%s) not in the events log", op.key, op.txID)
		}
	}
	t.Logf("events log: %d transactions, each once, in ledger order, equal to the uninterrupted indexer's", len(a))
}

// checkLedger: every 2xx split is on the ledger exactly once, and the
// load made no other token.
func (l *loadRun) checkLedger(t *testing.T, before, after *ledger) {
	t.Helper()
	byInput := map[string][]*splitOp{}
	reported := map[string]bool{}
	for _, op := range l.ops {
		byInput[op.input] = append(byInput[op.input], op)
		for _, id := range op.tokens {
			reported[id] = true
		}
	}
	for input, ops := range byInput {
		var won []*splitOp
		lost := false
		for _, op := range ops {
			if op.committed() {
				won = append(won, op)
			}
			lost = lost || op.lost
		}
		in := after.Tokens[input]
		switch {
		case len(won) > 1:
			t.Errorf("input %s: %d splits answered 2xx (%s, %s)", input, len(won), won[0].txID, won[1].txID)
		case len(won) == 1:
			op := won[0]
			got, want := slices.Sorted(slices.Values(in.Children)), slices.Sorted(slices.Values(op.tokens))
			if in.Status != "SPLIT" || !slices.Equal(got, want) {
				t.Errorf("split %s: input %s is %s with children %v, reported %v", op.key, input, in.Status, got, want)
				continue
			}
			for i, id := range op.tokens {
				c := after.Tokens[id]
				if c.TxID != op.txID || len(c.Parents) != 1 || c.Parents[0] != input {
					t.Errorf("split %s: token %s made by %s from %v, reported %s from %s", op.key, id, c.TxID, c.Parents, op.txID, input)
				}
				want := uint64(100)
				if i == len(op.tokens)-1 {
					want = in.Minor - 100
				}
				if c.Minor != want {
					t.Errorf("split %s: token %s opens to %d, want %d", op.key, id, c.Minor, want)
				}
			}
		case lost:
			// Spent by a split whose answer was lost: its children are the
			// ones the chain went on from; counted in the report.
			for _, id := range in.Children {
				reported[id] = true
			}
		default:
			if in.Status != "ACTIVE" || len(in.Children) != 0 {
				t.Errorf("input %s: no split answered 2xx, yet it is %s with children %v", input, in.Status, in.Children)
			}
		}
	}
	// No token but the reported ones appeared.
	for id, tok := range after.Tokens {
		if _, ok := before.Tokens[id]; !ok && !reported[id] {
			t.Errorf("token %s (from %v, tx %s) appeared, though no answer reported it", id, tok.Parents, tok.TxID)
		}
	}
	if after.Problems != 0 {
		t.Errorf("the regulator's conservation checks: %d breaks", after.Problems)
	}
}

// resend sends every request that needed more than one attempt, or did
// not end in 2xx, once more with its key.
func (l *loadRun) resend(t *testing.T, ctx context.Context) {
	t.Helper()
	outcomes := map[string]int{}
	for _, op := range l.ops {
		if len(op.attempts) == 1 && op.committed() {
			continue
		}
		r := write(ctx, l.g.base(), l.tokens[op.client], op.key, "/v1/tokens/"+op.input+"/split", op.body)
		kind := r.String()
		if r.status/100 == 2 {
			var out struct {
				TxID string `json:"txId"`
			}
			json.Unmarshal(r.body, &out)
			replayed := r.header.Get("Idempotent-Replayed") == "true"
			switch {
			case op.committed() && replayed && out.TxID == op.txID:
				kind = "2xx replayed, same transaction"
			case op.committed():
				t.Errorf("resend %s: %d (replayed %v) tx %s, first answer tx %s", op.key, r.status, replayed, out.TxID, op.txID)
			default:
				t.Errorf("resend %s: %d tx %s after a final %s", op.key, r.status, out.TxID, op.final)
			}
		}
		outcomes[kind]++
	}
	t.Logf("resent with the same keys: %v", outcomes)
}

// report logs the figures.
func (l *loadRun) report(t *testing.T, faults []*fault, loadTime time.Duration, ixStarts int) {
	t.Helper()
	kinds := map[string]int{}
	committed, retried, lost, attempts := 0, 0, 0, 0
	var unresolved []string
	var lat []time.Duration
	for _, op := range l.ops {
		attempts += len(op.attempts)
		for _, a := range op.attempts[:len(op.attempts)-1] {
			kinds[a.kind()]++
		}
		if len(op.attempts) > 1 {
			retried++
		}
		if op.committed() {
			committed++
			lat = append(lat, op.end.Sub(op.start))
		} else {
			kinds["final "+op.final.kind()]++
			if transient(op.final) {
				unresolved = append(unresolved, op.key+" "+op.final.String())
			}
		}
		if op.lost {
			lost++
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(p*float64(len(lat)-1))].Round(time.Millisecond)
	}
	t.Logf("load: %d splits in %s from %d clients; %d answered 2xx, %d HTTP requests, %d splits retried with their key, %d answered with a problem yet committed",
		len(l.ops), loadTime.Round(time.Millisecond), len(l.suppliers), committed, attempts, retried, lost)
	t.Logf("latency of a committed split (first attempt to answer): p50 %s, p95 %s, max %s", pct(0.5), pct(0.95), pct(1))
	var ks []string
	for k, v := range kinds {
		ks = append(ks, fmt.Sprintf("%s ×%d", k, v))
	}
	sort.Strings(ks)
	t.Logf("answers before the last attempt, and final non-2xx answers: %s", strings.Join(ks, "; "))
	for _, op := range l.ops {
		if len(op.attempts) > 1 || !op.committed() || op.lost {
			t.Logf("  %s (%s): %s%s", op.key, op.start.Format("15:04:05.000"), op.history(), map[bool]string{true: " — committed (found on the ledger)"}[op.lost])
		}
	}
	if len(unresolved) > 0 {
		t.Logf("unresolved within %s: %v", l.opBudget, unresolved)
	}
	for _, f := range faults {
		t.Logf("%s: down %s, first 2xx %s after the restart (%s after the kill)", f.name,
			f.restartedAt.Sub(f.killedAt).Round(time.Millisecond), f.recoveredAt.Sub(f.restartedAt).Round(time.Millisecond),
			f.recoveredAt.Sub(f.killedAt).Round(time.Millisecond))
	}
}

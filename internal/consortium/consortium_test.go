//go:build consortium

package consortium

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/channelconfig"
	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/internal/fabnet"
)

// start prepares and brings up a consortium in a fresh folder, fails the
// test if Docker is not usable, and removes everything at the end.
func start(t *testing.T, ctx context.Context) *Consortium {
	t.Helper()
	if _, err := run(ctx, nil, "docker", "info"); err != nil {
		t.Fatalf("no Docker engine (make test-consortium installs and starts one: scripts/docker.sh): %v", err)
	}
	repo, err := fabnet.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("TIERCHAIN_COMPOSE_DIR")
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "compose")
	}
	c, err := Prepare(ctx, Options{Dir: dir, Repo: repo, Gateways: true, Out: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	// A project left by an interrupted run goes first.
	if err := c.Down(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			c.dumpLogs(context.Background(), t)
		}
		if err := c.Down(context.Background()); err != nil {
			t.Error(err)
		}
	})
	if err := c.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Deploy(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.StartGateways(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	return c
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) { w.t.Logf("%s", b); return len(b), nil }

// endorsers are the organisations whose peers endorse (3 of 4 needed).
var endorsers = []string{"Operator", "Core", "BankA", "BankB"}

// TestConsortium runs the compose consortium as five hosts and survives
// three faults against the real containers, with chain-level transactions
// (each organisation through its own identity and its own peer):
//
//  1. BankB's host is killed (docker kill): the others go on committing;
//     what waited for BankB meanwhile (a balance minted to it) is there
//     when it comes back; it catches up to the same height and state and
//     acts on it through its own peer.
//  2. The Raft leader's host is cut off the network: ordering goes on with
//     2 of 3; reconnected, it catches up to the others' height.
//  3. The Regulator's host restarts: afterwards its peer still reads every
//     balance, equal to what was committed.
//
// Then docker-compose down -v leaves no container, network or volume. The
// last line starts "consortium:"; lost (submitted but not committed, or
// missing from a peer's state) must be 0.
func TestConsortium(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	began := time.Now()
	c := start(t, ctx)
	// Keys stay home: each running container sees its own organisation's
	// folder and the public bundle only.
	if err := c.CheckMounts(ctx); err != nil {
		t.Fatal(err)
	}
	// The Regulator's lock (tierchain admin lock-writers in its gateway
	// image, as the Kubernetes Job runs it) again: done before, success.
	if out, err := c.LockRegulator(ctx); err != nil || !strings.Contains(out, "locked before") {
		t.Fatalf("the Regulator's Writers lock run again: %v\n%s", err, out)
	}
	h0, err := c.WaitHeights(ctx, 1, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("channel at height %d on all %d peers", h0, len(c.Layout.Orgs))
	ld := c.NewLedger()
	defer ld.Close()
	if err := ld.Rounds(ctx, 3, endorsers...); err != nil {
		t.Fatal(err)
	}

	// The story across the five gateways, each step at the acting
	// organisation's; then a second one up to the financing request, which
	// will wait for BankB.
	cfg, err := c.StoryConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Out = testWriter{t}
	story, err := demo.Run(ctx, cfg)
	if err != nil {
		t.Fatalf("story across the gateways: %v", err)
	}
	// Its receivable must not mature while the faults run (an overdue
	// token cannot be financed).
	cfg.Suffix, cfg.StopBefore, cfg.Maturity = "-waits", "finance", time.Hour
	waits, err := demo.Run(ctx, cfg)
	if err != nil {
		t.Fatalf("second story up to the financing: %v", err)
	}

	// The Regulator writes nothing: the orderer refuses it.
	if err := ld.Mint(ctx, "Regulator", Account("Regulator"), 1); err == nil {
		t.Fatal("the Regulator's transaction was committed: its organisation must have no writer")
	} else if errors.Is(err, ErrNotCommitted) {
		t.Fatalf("the Regulator's transaction was accepted by the orderer: %v", err)
	}
	faults := 0

	// 1. BankB's host dies.
	if err := c.KillOrg(ctx, "BankB"); err != nil {
		t.Fatal(err)
	}
	ld.Reconnect("BankB")
	others := []string{"Operator", "Core", "BankA"}
	if err := ld.Rounds(ctx, 3, others...); err != nil {
		t.Fatalf("with BankB down: %v", err)
	}
	if running, err := c.running(ctx, "BankB"); err != nil || len(running) > 0 {
		t.Fatalf("BankB's containers %v still run after docker kill (%v)", running, err)
	}
	const waiting = 7
	if err := ld.Mint(ctx, "Core", "waiting-for-bankb", waiting); err != nil {
		t.Fatalf("with BankB down: %v", err)
	}
	// Tier 3 (hosted at the operator) asks BankB for financing while BankB is down.
	tier3 := &demo.Client{Base: c.GatewayURL("Operator"), Token: waits.SupplierTokens[2]}
	piece := waits.Held[2]
	if piece.ID == "" || piece.Amount == nil {
		t.Fatalf("the second story left tier 3 no piece with an amount: %+v", piece)
	}
	if err := tier3.Do(ctx, http.MethodPost, "/v1/tokens/"+piece.ID+"/financing", map[string]string{"bank": "bankB"}, nil); err != nil {
		t.Fatalf("financing request while BankB is down: %v", err)
	}
	if err := c.StartOrg(ctx, "BankB"); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitGateways(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	bankB := As(cfg, "bankB")
	err = waitInbox(ctx, bankB, piece)
	if err != nil {
		t.Fatalf("BankB after its restart: %v", err)
	}
	var financed demo.Token
	if err := bankB.Do(ctx, http.MethodPost, "/v1/tokens/"+piece.ID+"/financing/approve", map[string]string{
		"disbursementRef": "NB-WAITED-" + piece.ID[:8], "agreementHash": strings.Repeat("ab", 32)}, &financed); err != nil {
		t.Fatalf("BankB approving the request that waited for it: %v", err)
	}
	if financed.Status != "FINANCED" {
		t.Fatalf("approved token is %s, want FINANCED", financed.Status)
	}
	h1, err := c.WaitHeights(ctx, 0, 2*time.Minute)
	if err != nil {
		t.Fatalf("BankB does not catch up: %v", err)
	}
	if err := ld.CheckState(ctx, "BankB"); err != nil {
		t.Fatalf("BankB caught up to height %d with another state: %v", h1, err)
	}
	if err := ld.Transfer(ctx, "BankB", "waiting-for-bankb", Account("BankB"), waiting); err != nil {
		t.Fatalf("BankB acting on what waited for it: %v", err)
	}
	t.Logf("fault 1: BankB killed, restarted, caught up to height %d, approved the financing request (%d.%02d) and acted on the balance that waited for it",
		h1, piece.Amount.Minor/100, piece.Amount.Minor%100)
	faults++

	// 2. The Raft leader's host is partitioned.
	var cut fabnet.Orderer
	if err := retry(ctx, 30*time.Second, func() error { var err error; cut, err = c.RaftLeader(ctx); return err }); err != nil {
		t.Fatal(err)
	}
	if err := c.Disconnect(ctx, cut); err != nil {
		t.Fatal(err)
	}
	// The two left elect (or keep) a leader among themselves.
	var leader fabnet.Orderer
	err = retry(ctx, time.Minute, func() error {
		var err error
		if leader, err = c.RaftLeader(ctx); err == nil && leader.Name == cut.Name {
			err = fmt.Errorf("%s, cut off, is still the leader the others see", cut.Name)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := ld.Rounds(ctx, 3, endorsers...); err != nil {
		t.Fatalf("with %s cut off: %v", cut.Name, err)
	}
	var rest []uint64
	for _, o := range c.Layout.Orderers {
		if o.Name == cut.Name {
			continue
		}
		h, err := c.OrdererHeight(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		rest = append(rest, h)
	}
	if err := c.Reconnect(ctx, cut); err != nil {
		t.Fatal(err)
	}
	err = retry(ctx, 2*time.Minute, func() error {
		h, err := c.OrdererHeight(ctx, cut)
		if err != nil {
			return err
		}
		if h < rest[0] || h < rest[1] {
			return fmt.Errorf("%s at height %d, the others at %v", cut.Name, h, rest)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s does not catch up after reconnecting: %v", cut.Name, err)
	}
	t.Logf("fault 2: %s (Raft leader) cut off, %s led the 2 of 3 left to height %v; reconnected, it caught up", cut.Name, leader.Name, rest)
	faults++

	// 3. The Regulator's host restarts.
	if err := c.RestartOrg(ctx, "Regulator"); err != nil {
		t.Fatal(err)
	}
	ld.Reconnect("Regulator")
	if err := ld.Rounds(ctx, 2, endorsers...); err != nil {
		t.Fatal(err)
	}
	h3, err := c.WaitHeights(ctx, 0, 2*time.Minute)
	if err != nil {
		t.Fatalf("after the Regulator's restart: %v", err)
	}
	err = retry(ctx, time.Minute, func() error { return ld.CheckState(ctx, "Regulator") })
	if err != nil {
		t.Fatalf("the Regulator's peer after its restart: %v", err)
	}
	// Its gateway's reconciliation still covers every amount: the two
	// stories' tokens and the one financed after BankB's restart.
	if err := c.WaitGateways(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	var report demo.Report
	err = retry(ctx, 2*time.Minute, func() error {
		report = demo.Report{}
		if err := As(cfg, "regulator").Do(ctx, http.MethodGet, "/v1/audit/reconciliation", nil, &report); err != nil {
			return err
		}
		ids := map[string]bool{}
		for _, it := range report.Items {
			ids[it.ID] = true
		}
		if report.Problems != 0 || report.Summary.Reconciled <= story.Report.Summary.Reconciled || !ids[piece.ID] {
			return fmt.Errorf("reconciliation: %d reconciled (story: %d), %d problems, financed piece listed %v",
				report.Summary.Reconciled, story.Report.Summary.Reconciled, report.Problems, ids[piece.ID])
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the Regulator's gateway after its restart: %v", err)
	}
	t.Logf("fault 3: Regulator restarted, reads every balance at height %d; its gateway reconciles %d amounts, no problem", h3, report.Summary.Reconciled)
	faults++

	// BankC joins the running consortium as a sixth host.
	admitted := admitBankC(t, ctx, c, ld, waits)
	h3, err = c.WaitHeights(ctx, 0, 2*time.Minute)
	if err != nil {
		t.Fatalf("after BankC's admission: %v", err)
	}

	// Every peer holds exactly what was committed.
	for _, o := range c.Layout.Orgs {
		if err := ld.CheckState(ctx, o.Name); err != nil {
			t.Error(err)
		}
	}
	submitted, committed, resubmitted := ld.Counts()
	lost := submitted - committed
	ld.Close()
	if err := c.Down(ctx); err != nil {
		t.Fatal(err)
	}
	left, err := c.Leftovers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("docker-compose down -v left %v", left)
	}
	if lost != 0 || t.Failed() {
		t.Fatalf("submitted %d, committed %d", submitted, committed)
	}
	fmt.Printf("consortium: orgs=%d (admitted %s) hosts=%d txs=%d faults=%d lost=%d resubmitted=%d height=%d wall=%s\n",
		len(c.Layout.Orgs), admitted, len(c.Layout.Orgs), committed, faults, lost, resubmitted, h3, time.Since(began).Round(time.Second))
}

// admitBankC admits BankC to the running consortium the way the companies
// would, and returns its name:
//
//   - BankC makes its keys in its own folder and publishes its definition;
//   - an update signed by one member's admin only is refused by the
//     orderer, and the channel's config stays as it was;
//   - the admission stops after the config update (a crash between steps)
//     and the same call resumes it: BankC's host starts from its override
//     file, its peer joins from block 0 and catches up, a new chaincode
//     sequence counts it (every member approved, BankC included), its
//     gateway comes up with its enterprise registered;
//   - its containers see only its own folder and the public bundle; it
//     endorses and submits chain-level transactions through its own peer;
//   - tier 2 (at the operator's gateway) requests financing at BankC and
//     BankC approves it through its own gateway.
func admitBankC(t *testing.T, ctx context.Context, c *Consortium, ld *Ledger, waits *demo.Result) string {
	t.Helper()
	began := time.Now()
	nc := fabnet.Newcomer{Name: "BankC", Role: fabnet.RoleBank,
		Enterprise: fabnet.Enterprise{ID: "bankC", Name: "Vestland Bank ASA", LegalID: "0192:986000003"}}
	o, err := c.NewcomerKeys(ctx, nc)
	if err != nil {
		t.Fatal(err)
	}
	seq, err := c.ConfigSequence(ctx, "Operator")
	if err != nil {
		t.Fatal(err)
	}
	minority, err := c.ProposeAdd(ctx, "Operator", o.Name)
	if err != nil {
		t.Fatal(err)
	}
	if minority, err = c.SignUpdate(ctx, minority, "Core"); err != nil {
		t.Fatal(err)
	}
	if err := c.SubmitUpdate(ctx, minority, "Operator"); !errors.Is(err, channelconfig.ErrRefused) {
		t.Fatalf("an update signed by Core's admin alone: %v, want the orderer's refusal", err)
	}
	if after, err := c.ConfigSequence(ctx, "Operator"); err != nil || after != seq {
		t.Fatalf("after the refused update the config is at sequence %d (%v), was %d", after, err, seq)
	}
	if in, err := c.IsMember(ctx, "Operator", o.MSPID); err != nil || in {
		t.Fatalf("BankC is on the channel after a minority's update (%v)", err)
	}
	if _, err := c.Admit(ctx, nc, AdmitOptions{StopAfter: fabnet.StepConfig}); !errors.Is(err, fabnet.ErrStopped) {
		t.Fatalf("admission stopped after its config update: %v", err)
	}
	if in, err := c.IsMember(ctx, "Operator", o.MSPID); err != nil || !in {
		t.Fatalf("BankC is not on the channel after a majority signed (%v)", err)
	}
	if _, err := c.Admit(ctx, nc, AdmitOptions{}); err != nil {
		t.Fatalf("the admission resumed: %v", err)
	}
	if err := c.CheckMounts(ctx); err != nil {
		t.Fatal(err)
	}
	seqCC, approvals, err := c.Committed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if seqCC != 2 || !approvals[o.MSPID] || len(approvals) != len(c.Layout.Orgs) {
		t.Fatalf("chaincode definition: sequence %d approved by %v; want sequence 2 approved by all %d organisations", seqCC, approvals, len(c.Layout.Orgs))
	}
	ld.Reconnect(o.Name)
	if err := ld.Rounds(ctx, 2, append(slices.Clone(endorsers), o.Name)...); err != nil {
		t.Fatalf("transactions with BankC a member: %v", err)
	}
	if err := ld.CheckState(ctx, o.Name); err != nil {
		t.Fatalf("BankC's peer caught up with another state: %v", err)
	}

	// Tier 2 finances its piece of the second story at BankC.
	story, err := c.StoryConfig()
	if err != nil {
		t.Fatal(err)
	}
	bankC := As(story, nc.Enterprise.ID)
	if bankC.Token == "" {
		t.Fatalf("BankC's gateway wrote no token for %s", nc.Enterprise.ID)
	}
	tier2 := &demo.Client{Base: c.GatewayURL("Operator"), Token: waits.SupplierTokens[1]}
	piece := waits.Held[1]
	if piece.ID == "" || piece.Amount == nil {
		t.Fatalf("the second story left tier 2 no piece with an amount: %+v", piece)
	}
	if err := tier2.Do(ctx, http.MethodPost, "/v1/tokens/"+piece.ID+"/financing", map[string]string{"bank": nc.Enterprise.ID}, nil); err != nil {
		t.Fatalf("tier 2 requests financing at BankC: %v", err)
	}
	err = waitInbox(ctx, bankC, piece)
	if err != nil {
		t.Fatal(err)
	}
	var financed demo.Token
	if err := bankC.Do(ctx, http.MethodPost, "/v1/tokens/"+piece.ID+"/financing/approve", map[string]string{
		"disbursementRef": "VB-" + piece.ID[:8], "agreementHash": strings.Repeat("cd", 32)}, &financed); err != nil {
		t.Fatalf("BankC approving: %v", err)
	}
	if financed.Status != "FINANCED" || financed.Holder != nc.Enterprise.ID {
		t.Fatalf("approved token is %s held by %q, want FINANCED held by %s", financed.Status, financed.Holder, nc.Enterprise.ID)
	}
	t.Logf("admission: BankC admitted in %s (a minority's update refused; stopped after the config update and resumed); chaincode sequence %d approved by %d organisations; tier 2's piece (%d.%02d) financed by BankC",
		time.Since(began).Round(time.Second), seqCC, len(approvals), piece.Amount.Minor/100, piece.Amount.Minor%100)
	return o.Name
}

// logsTail is how many lines of each container's log a failure shows.
const logsTail = "40"

// dumpLogs writes the tail of every container's log to t (on failure).
func (c *Consortium) dumpLogs(ctx context.Context, t interface{ Logf(string, ...any) }) {
	for _, s := range c.allServices() {
		id, err := c.container(ctx, s)
		if err != nil {
			continue
		}
		// docker logs gives the container's stderr on its own stderr.
		out, _ := exec.CommandContext(ctx, "docker", "logs", "--tail", logsTail, id).CombinedOutput()
		t.Logf("---- %s ----\n%s", s, out)
	}
}

// running lists org's containers that are running.
func (c *Consortium) running(ctx context.Context, org string) ([]string, error) {
	out, err := run(ctx, nil, "docker", "ps", "--filter", "label=com.docker.compose.project="+c.Project,
		"--filter", "label=tierchain.org="+org, "--format", "{{.Names}}")
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

// waitInbox waits (bounded) until bank's inbox of financing requests,
// through its own gateway, lists piece with its amount opened.
func waitInbox(ctx context.Context, bank *demo.Client, piece demo.Token) error {
	return retry(ctx, 2*time.Minute, func() error {
		var inbox struct {
			Items []demo.Token `json:"items"`
		}
		if err := bank.Do(ctx, http.MethodGet, "/v1/financing-requests", nil, &inbox); err != nil {
			return err
		}
		for _, it := range inbox.Items {
			if it.ID == piece.ID && it.Amount != nil && it.Amount.Minor == piece.Amount.Minor {
				return nil
			}
		}
		return fmt.Errorf("%s's inbox %+v lacks %s", bank.Base, inbox.Items, piece.ID)
	})
}

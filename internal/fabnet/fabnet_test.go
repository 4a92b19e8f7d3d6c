package fabnet_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
)

func TestMain(m *testing.M) { os.Exit(fabnettest.Main(m, fabnettest.Options{})) }

func balance(t testing.TB, c *fabnet.Connection, account string) int {
	t.Helper()
	r, err := c.Contract("baseline").EvaluateTransaction("Balance", account)
	if err != nil {
		t.Fatalf("balance of %s: %v", account, err)
	}
	v, err := strconv.Atoi(string(r))
	if err != nil {
		t.Fatalf("balance %q: %v", r, err)
	}
	return v
}

// waitBalance polls until the org's own peer shows want (it may lag behind
// the peer that reported the commit).
func waitBalance(t testing.TB, c *fabnet.Connection, account string, want int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := balance(t, c, account)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("balance of %s = %d, want %d", account, got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestCommittedOnEveryPeer: a transaction committed through Core's gateway
// is on every peer, the Regulator's included (evaluations run on the
// caller's own org peer).
func TestCommittedOnEveryPeer(t *testing.T) {
	core := fabnettest.Connect(t, "Core", "User1")
	if _, err := core.Contract("baseline").SubmitTransaction("Mint", "every-peer", "42"); err != nil {
		t.Fatal(err)
	}
	for _, o := range fabnettest.Network().Layout.Orgs {
		waitBalance(t, fabnettest.Connect(t, o.Name, "User1"), "every-peer", 42)
	}
}

// TestRegulatorIsReadOnly: the Regulator can query, and a transaction it
// submits, as a client or as its admin, is refused by the network (the
// orderer checks the channel's Writers, which hold no Regulator identity
// once the chaincode is deployed); nothing changes.
func TestRegulatorIsReadOnly(t *testing.T) {
	core := fabnettest.Connect(t, "Core", "User1")
	if _, err := core.Contract("baseline").SubmitTransaction("Mint", "reg-target", "5"); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"User1", "Admin"} {
		reg := fabnettest.Connect(t, "Regulator", user)
		waitBalance(t, reg, "reg-target", 5)
		_, err := reg.Contract("baseline").SubmitTransaction("Mint", "reg-target", "1000")
		if err == nil {
			t.Fatalf("a transaction of the Regulator's %s was committed", user)
		}
		var submitErr *client.SubmitError
		if !errors.As(err, &submitErr) {
			t.Fatalf("%s: want the orderer to refuse it (SubmitError), got %T: %v", user, err, err)
		}
		t.Logf("Regulator %s refused: %v", user, err)
	}
	// Give a wrongly accepted transaction time to land, then check nothing changed.
	if _, err := core.Contract("baseline").SubmitTransaction("Mint", "reg-fence", "1"); err != nil {
		t.Fatal(err)
	}
	reg := fabnettest.Connect(t, "Regulator", "User1")
	waitBalance(t, reg, "reg-fence", 1)
	if got := balance(t, reg, "reg-target"); got != 5 {
		t.Fatalf("balance changed to %d by a Regulator transaction", got)
	}
}

// stream submits Mint(account-i, 1) from several clients until stop is
// closed, and returns the accounts whose transactions reported committed.
func stream(t *testing.T, c *fabnet.Connection, prefix string, stop <-chan struct{}, count *atomic.Int64) (committed []string, failed int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				acct := fmt.Sprintf("%s-%d-%d", prefix, w, i)
				// Bounded: a transaction stuck behind a dead node counts
				// as failed (it may still commit: that is allowed, it just
				// is not in the "reported committed" set).
				ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
				_, err := c.Contract("baseline").SubmitWithContext(ctx, "Mint", client.WithArguments(acct, "1"))
				cancel()
				mu.Lock()
				if err == nil {
					committed = append(committed, acct)
					count.Add(1)
				} else {
					failed++
				}
				mu.Unlock()
				if err != nil {
					time.Sleep(100 * time.Millisecond)
				}
			}
		}(w)
	}
	wg.Wait()
	return committed, failed
}

// checkExactlyOnce: every committed account has balance exactly 1 on every
// peer: present, and not applied twice.
func checkExactlyOnce(t *testing.T, n *fabnet.Network, accounts []string) {
	for _, o := range n.Layout.Orgs {
		c, err := n.Connect(o.Name, "User1")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		waitBalance(t, c, accounts[len(accounts)-1], 1)
		for _, a := range accounts {
			if got := balance(t, c, a); got != 1 {
				t.Fatalf("%s on %s: balance %d, want 1", a, o.Name, got)
			}
		}
	}
}

// faultDuringStream runs a transaction stream through Core's gateway,
// injects fault after 1.5 s, lets the stream run 2 s, runs recover, lets it
// run until at least 5 more transactions commit (at least 2 s, at most 60 s:
// a loaded machine recovers slower), and checks every transaction reported
// committed is on every peer exactly once.
func faultDuringStream(t *testing.T, n *fabnet.Network, prefix string, fault, recover func() error) {
	core, err := n.Connect("Core", "User1")
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	stop := make(chan struct{})
	var committed []string
	var failed int
	var count atomic.Int64
	done := make(chan struct{})
	go func() { committed, failed = stream(t, core, prefix, stop, &count); close(done) }()
	time.Sleep(1500 * time.Millisecond)
	if err := fault(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if err := recover(); err != nil {
		t.Fatal(err)
	}
	recovered := count.Load()
	time.Sleep(2 * time.Second)
	for deadline := time.Now().Add(60 * time.Second); count.Load() < recovered+5 || count.Load() < 10; {
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	<-done
	t.Logf("%d committed, %d failed", len(committed), failed)
	if len(committed) < 10 {
		t.Fatalf("only %d transactions committed", len(committed))
	}
	checkExactlyOnce(t, n, committed)
}

// TestPeerKilledDuringStream kills an endorsing peer while transactions
// flow (3 of 4 endorsers remain), then restarts it.
func TestPeerKilledDuringStream(t *testing.T) {
	n := fabnettest.Network()
	faultDuringStream(t, n, "peerfault",
		func() error { return n.Kill("peer0-banka") },
		func() error { return n.StartPeer("BankA") })
}

// TestChaincodeServerKilledDuringStream kills every organisation's
// chaincode server (every peer's endorsements fail while they are down)
// and restarts them.
func TestChaincodeServerKilledDuringStream(t *testing.T) {
	n := fabnettest.Network()
	faultDuringStream(t, n, "ccfault",
		func() error { return n.Kill("chaincode") },
		func() error { return n.StartChaincode() })
}

// TestRaftLeaderKilledDuringStream runs a second network with three Raft
// orderers, kills the leader while transactions flow, waits for a new
// leader, then restarts the old one.
func TestRaftLeaderKilledDuringStream(t *testing.T) {
	ctx := context.Background()
	n, err := fabnettest.StartNetwork(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { n.Stop(); os.RemoveAll(n.Dir) }()
	var leader string
	faultDuringStream(t, n, "raftfault",
		func() error {
			if leader, err = n.RaftLeader(ctx); err != nil {
				return err
			}
			if err := n.Kill(leader); err != nil {
				return err
			}
			deadline := time.Now().Add(20 * time.Second)
			for {
				next, err := n.RaftLeader(ctx)
				if err == nil && next != leader {
					t.Logf("leader %s killed, %s elected", leader, next)
					return nil
				}
				if time.Now().After(deadline) {
					return fmt.Errorf("no new leader after killing %s", leader)
				}
				time.Sleep(200 * time.Millisecond)
			}
		},
		func() error { return n.StartOrderer(leader) })
}

// TestLifecycleFromDisk exercises what `tierchain status/up/down` do from
// another process: status from the recorded state, a second start refused
// while running, stop by recorded PIDs, a restart on the kept ledgers, a
// crash (every process killed) and a restart after it, then purge.
func TestLifecycleFromDisk(t *testing.T) {
	ctx := context.Background()
	n, err := fabnettest.StartNetwork(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { n.Stop(); os.RemoveAll(n.Dir) }()
	mint(t, n, "kept", 7)
	st, err := fabnet.Status(n.Dir)
	if err != nil {
		t.Fatal(err)
	}
	// An orderer, and a peer and a chaincode server per organisation.
	nprocs := len(n.Layout.Orderers) + 2*len(n.Layout.Orgs)
	if len(st.Procs) != nprocs {
		t.Fatalf("status lists %d processes, want %d (orderer, 5 peers, 5 chaincode servers)", len(st.Procs), nprocs)
	}
	for _, p := range st.Procs {
		if !p.Running {
			t.Fatalf("%s not running", p.Name)
		}
	}
	repo, _ := fabnet.RepoRoot(".")
	opts := fabnet.Options{Dir: n.Dir, RepoRoot: repo, Base: n.Layout.Orderers[0].Ports.Listen}
	if _, err := fabnet.Start(ctx, opts); !errors.Is(err, fabnet.ErrAlreadyRunning) {
		t.Fatalf("second start: %v", err)
	}
	stopped, err := fabnet.StopDir(n.Dir, false)
	if err != nil || stopped != nprocs {
		t.Fatalf("StopDir stopped %d: %v", stopped, err)
	}
	n.Stop() // releases this process's hold on the port range, as `tierchain up` exiting does
	if st, _ := fabnet.Status(n.Dir); len(st.Procs) != 0 || !st.Stopped {
		t.Fatalf("status after stop: %d processes, stopped %v", len(st.Procs), st.Stopped)
	}

	// up after down: the same ledgers.
	if n, err = fabnet.Start(ctx, opts); err != nil {
		t.Fatal(err)
	}
	waitEveryPeer(t, n, "kept", 7)
	mint(t, n, "after-restart", 1)

	// up after a crash: every process killed, stale PIDs on disk.
	n.Crash()
	if st, _ := fabnet.Status(n.Dir); len(st.Procs) != nprocs || st.Procs[0].Running {
		t.Fatalf("status after a crash: %+v", st)
	}
	if n, err = fabnet.Start(ctx, opts); err != nil {
		t.Fatal(err)
	}
	waitEveryPeer(t, n, "kept", 7)
	waitEveryPeer(t, n, "after-restart", 1)
	if _, err := fabnet.Start(ctx, fabnet.Options{Dir: n.Dir, RepoRoot: repo, Base: opts.Base + 1}); !errors.Is(err, fabnet.ErrAlreadyRunning) {
		t.Fatalf("start while running, other ports: %v", err)
	}

	if stopped, _ := fabnet.StopDir(n.Dir, true); stopped != nprocs {
		t.Fatalf("stop with purge stopped %d", stopped)
	}
	if _, err := os.Stat(n.Dir); !os.IsNotExist(err) {
		t.Fatalf("purge left %s: %v", n.Dir, err)
	}
	if stopped, _ := fabnet.StopDir(n.Dir, true); stopped != 0 {
		t.Fatalf("second stop stopped %d", stopped)
	}
}

// mint commits Mint(account, amount) through Core's gateway.
func mint(t *testing.T, n *fabnet.Network, account string, amount int) {
	t.Helper()
	c, err := n.Connect("Core", "User1")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Contract("baseline").SubmitTransaction("Mint", account, strconv.Itoa(amount)); err != nil {
		t.Fatal(err)
	}
}

// waitEveryPeer waits until every org's peer shows the balance.
func waitEveryPeer(t testing.TB, n *fabnet.Network, account string, want int) {
	t.Helper()
	for _, o := range n.Layout.Orgs {
		c, err := n.Connect(o.Name, "User1")
		if err != nil {
			t.Fatal(err)
		}
		waitBalance(t, c, account, want)
		c.Close()
	}
}

// TestKeysStayHome walks every organisation's folder of the running
// network and parses every private key there: none may belong to a
// certificate of another organisation (an organisation's certificates are
// those its own CAs issued, wherever they lie under the network's
// directory, the public bundle included), and no private key may lie
// outside its owner's folder. Chaincode packages (gzipped tars, the
// installed ones in each peer's ledger folder included) are opened down to
// the keys in their connection.json: each peer must have installed its own
// organisation's package, holding its own organisation's chaincode client
// key and no other's. It then reads, from each running node's
// environment, the key files the node was started with: each must lie in
// its own organisation's folder and parse.
func TestKeysStayHome(t *testing.T) {
	n := fabnettest.Network()
	keys := fabnettest.KeysStayHome(t, n.Dir, n.Layout)
	// Every peer installed a package, with its own organisation's key in it.
	for _, o := range n.Layout.Orgs {
		installed := filepath.Join(n.OrgDir(o.Name), "data", "peer0-"+strings.ToLower(o.Name), "lifecycle", "chaincodes") + string(filepath.Separator)
		found := 0
		for _, k := range keys {
			if strings.HasPrefix(k.Path, installed) && strings.Contains(k.Path, "connection.json") {
				found++
			}
		}
		if found == 0 {
			t.Errorf("%s's peer installed no chaincode package with a client key (looked in %s)", o.Name, installed)
		}
	}

	// The key files each node runs with lie in its own organisation's folder.
	st, err := fabnet.Status(n.Dir)
	if err != nil {
		t.Fatal(err)
	}
	keyVars := []string{"CORE_PEER_TLS_KEY_FILE", "ORDERER_GENERAL_TLS_PRIVATEKEY", "ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY",
		"ORDERER_ADMIN_TLS_PRIVATEKEY", "CHAINCODE_TLS_KEY"}
	mspVars := []string{"CORE_PEER_MSPCONFIGPATH", "ORDERER_GENERAL_LOCALMSPDIR"}
	for _, p := range st.Procs {
		org := ""
		for _, o := range n.Layout.Orgs {
			if p.Name == "peer0-"+strings.ToLower(o.Name) || p.Name == fabnet.ChaincodeProcessOf(o.Name) {
				org = o.Name
			}
		}
		for _, o := range n.Layout.Orderers {
			if p.Name == o.Name {
				org = o.Owner
			}
		}
		if org == "" {
			t.Errorf("process %s belongs to no organisation", p.Name)
			continue
		}
		chaincode := strings.HasPrefix(p.Name, fabnet.ChaincodeProcess+"-")
		home := n.OrgDir(org) + string(filepath.Separator)
		env := procEnv(t, p.PID)
		// An orderer runs as a member of the organisation that owns it.
		if msp, ok := env["ORDERER_GENERAL_LOCALMSPID"]; ok && msp != org+"MSP" {
			t.Errorf("%s runs as %s, its owner is %s", p.Name, msp, org)
		}
		var files []string
		for _, v := range keyVars {
			if f, ok := env[v]; ok {
				files = append(files, f)
			}
		}
		for _, v := range mspVars {
			if d, ok := env[v]; ok {
				files = append(files, filepath.Join(d, "keystore", "priv_sk"))
			}
		}
		want := 2 // a TLS key and an MSP signing key
		if chaincode {
			want = 1 // a TLS key only
		}
		if len(files) < want {
			t.Errorf("%s runs with key files %v: want its TLS key and (a peer or orderer) its MSP signing key", p.Name, files)
		}
		for _, f := range files {
			if !strings.HasPrefix(f, home) {
				t.Errorf("%s runs with %s, outside %s's folder %s", p.Name, f, org, home)
			}
			if _, err := parseKeyFile(f); err != nil {
				t.Errorf("%s: %v", p.Name, err)
			}
		}
	}
}

func parseKeyFile(path string) (crypto.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%s: no PEM", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k.(crypto.Signer).Public(), nil
}

// procEnv reads a running process's environment.
func procEnv(t *testing.T, pid int) map[string]string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, kv := range strings.Split(string(b), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

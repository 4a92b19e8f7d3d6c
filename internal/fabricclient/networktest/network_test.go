package networktest

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/internal/fabricclient"
)

func TestMain(m *testing.M) { os.Exit(fabnettest.Main(m, fabnettest.Options{})) }

// dial opens a Client with its own connection from the org's files, the
// way a deployed gateway does.
func dial(t *testing.T, org string) *fabricclient.Client {
	t.Helper()
	id, err := fabnettest.Network().IdentityFor(org, "User1")
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	c, err := fabricclient.Dial(fabricclient.Config{
		PeerEndpoint: id.PeerAddress, TLSCACertPEM: read(id.TLSCAPath),
		CertPEM: read(id.CertPath), KeyPEM: read(id.KeyPath), MSPID: id.MSPID,
		Options: fabricclient.Options{Channel: fabnet.ChannelName, Chaincode: fabnet.ChaincodeName},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func balance(t *testing.T, c *fabricclient.Client, account string) uint64 {
	t.Helper()
	out, err := c.Evaluate(t.Context(), "baseline", "Balance", account)
	if err != nil {
		t.Fatal(err)
	}
	v, err := strconv.ParseUint(string(out), 10, 64)
	if err != nil {
		t.Fatalf("balance %q: %v", out, err)
	}
	return v
}

func TestSubmitThenEvaluate(t *testing.T) {
	core := dial(t, "Core")
	if err := core.Ping(t.Context()); err != nil {
		t.Fatalf("ping: %v", err)
	}
	res, err := core.Submit(t.Context(), "baseline", "Mint", "fc-alice", "42")
	if err != nil {
		t.Fatal(err)
	}
	if res.TxID == "" || res.BlockNumber == 0 {
		t.Fatalf("result %+v has no transaction ID or block", res)
	}
	// Submit returns after the commit on the org's own peer, so its own
	// read sees it at once.
	if got := balance(t, core, "fc-alice"); got != 42 {
		t.Fatalf("balance %d, want 42", got)
	}
}

// TestTransactionLookup: a committed transaction looked up by ID (what a
// retry after a lost answer does) says what Submit said: its function,
// payload and block, so that a resumed write answers as its first run
// would have.
func TestTransactionLookup(t *testing.T) {
	core := dial(t, "Core")
	res, err := core.Submit(t.Context(), "baseline", "Mint", "fc-lookup", "7")
	if err != nil {
		t.Fatal(err)
	}
	tx, err := core.Transaction(t.Context(), res.TxID)
	if err != nil {
		t.Fatal(err)
	}
	if !tx.Valid() || tx.Function != "baseline:Mint" || tx.BlockNumber != res.BlockNumber || tx.Result().BlockNumber != res.BlockNumber {
		t.Fatalf("looked up %+v, submitted %+v", tx, res)
	}
	if _, err := core.Transaction(t.Context(), "0000000000000000000000000000000000000000000000000000000000000000"); !errors.Is(err, fabricclient.ErrTransactionNotFound) {
		t.Fatalf("an unknown transaction: %v", err)
	}
}

func TestRegulatorSubmitIsForbidden(t *testing.T) {
	reg := dial(t, "Regulator")
	// Until gossip has told the regulator's peer about the others, no
	// endorsement plan exists: ErrUnavailable, which is what it is. Wait
	// that out; the orderer's refusal is what this test is about.
	var err error
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		_, err = reg.Submit(t.Context(), "baseline", "Mint", "fc-reg", "1000")
		if !errors.Is(err, fabricclient.ErrUnavailable) || time.Now().After(deadline) {
			break
		}
	}
	if !errors.Is(err, fabricclient.ErrForbidden) {
		t.Fatalf("want ErrForbidden, got %v", err)
	}
	var se *client.SubmitError
	if !errors.As(err, &se) {
		t.Fatalf("the fabric-gateway error is not kept in the chain: %v", err)
	}
	if got := balance(t, reg, "fc-reg"); got != 0 {
		t.Fatalf("a regulator transaction changed the balance to %d", got)
	}
}

func TestUnknownFunction(t *testing.T) {
	core := dial(t, "Core")
	for _, call := range []func() error{
		func() error { _, err := core.Evaluate(t.Context(), "baseline", "NoSuchFunction"); return err },
		func() error { _, err := core.Submit(t.Context(), "baseline", "NoSuchFunction"); return err },
	} {
		err := call()
		var ce *fabricclient.ChaincodeError
		if !errors.As(err, &ce) {
			t.Fatalf("want *ChaincodeError, got %T: %v", err, err)
		}
		if ce.Typed() || !strings.Contains(ce.Message, "NoSuchFunction") {
			t.Fatalf("want an untyped error naming the function, got code %q message %q", ce.Code, ce.Message)
		}
	}
}

func TestUntypedChaincodeError(t *testing.T) {
	core := dial(t, "Core")
	// The baseline contract's errors are plain ("baseline: empty account").
	_, err := core.Evaluate(t.Context(), "baseline", "Balance", "")
	var ce *fabricclient.ChaincodeError
	if !errors.As(err, &ce) || !strings.Contains(ce.Message, "empty account") {
		t.Fatalf("got %T: %v", err, err)
	}
}

func TestCallerDeadline(t *testing.T) {
	core := dial(t, "Core")
	ctx, cancel := context.WithTimeout(t.Context(), time.Nanosecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	_, err := core.Submit(ctx, "baseline", "Mint", "fc-late", "1")
	if !errors.Is(err, fabricclient.ErrTimeout) {
		t.Fatalf("want ErrTimeout, got %v", err)
	}
}

func TestChaincodeEventsResume(t *testing.T) {
	core := dial(t, "Core")
	first, err := core.Submit(t.Context(), "baseline", "Mint", "fc-ev", "1")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	// Replay from the block of the first mint: the stream starts there
	// whether or not the baseline contract emits events, and must end
	// cleanly when ctx does.
	events, err := core.ChaincodeEvents(ctx, fabricclient.FromBlock(first.BlockNumber))
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	for range events {
	}
}

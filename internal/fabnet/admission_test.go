package fabnet_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"

	"github.com/tierchain/tierchain/internal/channelconfig"
	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
)

var bankC = fabnet.Newcomer{Name: "BankC", Role: fabnet.RoleBank,
	Enterprise: fabnet.Enterprise{ID: "bankC", Name: "Vestland Bank ASA", LegalID: "0192:986000003"}}

// TestAdmitBankC admits a bank to a running network (its own, since the
// admission changes the channel and the chaincode definition): the
// newcomer makes its keys; updates signed by a minority of the members'
// admins, by their clients, or by the regulator alone are refused by the
// orderer and change nothing, and so is a newcomer whose MSP ID is a
// member's; the admission, interrupted after the config update and again
// after the join, resumes; then BankC's peer has caught up, the
// definition's new sequence counts it, the regulator writes nothing again,
// and BankC's client submits through its own peer. Removing and
// suspending follow on the same network, and before them a Raft consenter
// of BankC's, added and removed while transactions flow.
func TestAdmitBankC(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	n, err := fabnettest.StartNetwork(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		n.Stop()
		if !t.Failed() {
			os.RemoveAll(n.Dir)
		} else {
			t.Logf("network kept in %s", n.Dir)
		}
	}()

	if _, err := n.Admit(ctx, bankC, fabnet.AdmitOptions{StopAfter: fabnet.StepKeys}); !errors.Is(err, fabnet.ErrStopped) {
		t.Fatalf("keys: %v", err)
	}
	def, err := n.ReadDefinition("BankC")
	if err != nil {
		t.Fatal(err)
	}
	before, err := n.ChannelConfig(ctx, "Operator")
	if err != nil {
		t.Fatal(err)
	}
	add := func(cfg *cb.Config) (*cb.Config, error) { return channelconfig.AddOrg(cfg, def) }
	for _, tc := range []struct {
		name      string
		signers   [][2]string // org, user
		submitter string
	}{
		{"minority", [][2]string{{"Operator", "Admin"}, {"Core", "Admin"}}, "Operator"},
		{"clients", [][2]string{{"Operator", "User1"}, {"Core", "User1"}, {"BankA", "User1"}, {"BankB", "User1"}}, "Core"},
		{"regulator alone", [][2]string{{"Regulator", "Admin"}}, "BankA"},
	} {
		env, err := n.ProposeUpdate(ctx, tc.submitter, add)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range tc.signers {
			if env, err = n.SignUpdate(ctx, env, s[0], s[1]); err != nil {
				t.Fatal(err)
			}
		}
		err = n.SubmitUpdate(ctx, env, tc.submitter, "Admin")
		if !errors.Is(err, channelconfig.ErrRefused) {
			t.Errorf("%s: submit = %v, want the orderer's refusal", tc.name, err)
		}
		t.Logf("%s: %v", tc.name, err)
	}
	collide := def
	collide.MSPID = "BankAMSP"
	if _, err := n.ProposeUpdate(ctx, "Operator", func(cfg *cb.Config) (*cb.Config, error) { return channelconfig.AddOrg(cfg, collide) }); !errors.Is(err, channelconfig.ErrOrgExists) {
		t.Errorf("colliding MSP ID: %v", err)
	}
	if _, err := n.Admit(ctx, fabnet.Newcomer{Name: "BankA", Role: fabnet.RoleBank, Enterprise: bankC.Enterprise}, fabnet.AdmitOptions{}); !errors.Is(err, channelconfig.ErrOrgExists) {
		t.Errorf("admitting a second BankA: %v", err)
	}
	after, err := n.ChannelConfig(ctx, "Operator")
	if err != nil {
		t.Fatal(err)
	}
	if after.Sequence != before.Sequence || slices.Contains(channelconfig.ApplicationOrgs(after), "BankCMSP") {
		t.Fatalf("a refused update changed the channel: sequence %d → %d, orgs %v", before.Sequence, after.Sequence, channelconfig.ApplicationOrgs(after))
	}

	// Interrupted after the config update, then after the join: each run
	// goes on where the last stopped.
	for _, stop := range []string{fabnet.StepConfig, fabnet.StepJoin} {
		if _, err := n.Admit(ctx, bankC, fabnet.AdmitOptions{StopAfter: stop}); !errors.Is(err, fabnet.ErrStopped) {
			t.Fatalf("stop after %s: %v", stop, err)
		}
	}
	cfg, err := n.ChannelConfig(ctx, "Operator")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(channelconfig.ApplicationOrgs(cfg), "BankCMSP") {
		t.Fatal("BankC not on the channel after the config step")
	}
	o, err := n.Admit(ctx, bankC, fabnet.AdmitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if o.MSPID != "BankCMSP" || !o.Endorser {
		t.Fatalf("admitted %+v", o)
	}
	if seq, err := n.CommittedSequence(ctx); err != nil || seq != 2 {
		t.Errorf("committed sequence %d, %v; want 2", seq, err)
	}
	cfg, err = n.ChannelConfig(ctx, "Operator")
	if err != nil {
		t.Fatal(err)
	}
	if !channelconfig.Locked(cfg, "RegulatorMSP") {
		t.Error("the regulator's Writers are open after the upgrade")
	}
	// BankC's client submits through BankC's own peer, and the others see it.
	c, err := n.Connect("BankC", "User1")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Contract("baseline").SubmitTransaction("Mint", "bankc-first", "7"); err != nil {
		t.Fatalf("BankC submits: %v", err)
	}
	core, err := n.Connect("Core", "User1")
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	// SubmitTransaction returned once BankC's own peer committed it; Core's
	// peer commits the same block a moment later.
	var v []byte
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if v, err = core.Contract("baseline").EvaluateTransaction("Balance", "bankc-first"); err == nil && string(v) == "7" {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("Core reads %q, %v", v, err)
			break
		}
	}
	// Again: nothing to do.
	if _, err := n.Admit(ctx, bankC, fabnet.AdmitOptions{}); err != nil {
		t.Errorf("admitting again: %v", err)
	}
	st, err := fabnet.Status(n.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Layout.Org("BankC"); !ok {
		t.Error("the recorded network does not list BankC")
	}

	// BankC runs a Raft consenter, added and removed while transactions
	// flow: every transaction reported committed is on every peer once.
	stop := make(chan struct{})
	var count atomic.Int64
	var committed []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		committed, _ = stream(t, core, "consenter", stop, &count)
	}()
	ord, err := n.AddOrderer(ctx, "BankC", fabnet.AdmitOptions{})
	if err != nil {
		close(stop)
		<-done
		t.Fatal(err)
	}
	cfg, err = n.ChannelConfig(ctx, "Operator")
	if err != nil {
		t.Fatal(err)
	}
	if cs, _ := channelconfig.Consenters(cfg); len(cs) != 4 {
		t.Errorf("%d consenters after adding BankC's", len(cs))
	}
	if ws, _ := channelconfig.WriterOrgs(cfg, "Orderer"); !slices.Contains(ws, "BankCMSP") {
		t.Errorf("BankC is not in the Orderer group: %v", ws)
	}
	mark := count.Load()
	time.Sleep(3 * time.Second)
	if count.Load() == mark {
		t.Error("no transaction committed with BankC's consenter in the cluster")
	}
	if err := n.RemoveOrderer(ctx, ord.Name, fabnet.AdmitOptions{}); err != nil {
		close(stop)
		<-done
		t.Fatal(err)
	}
	mark = count.Load()
	time.Sleep(3 * time.Second)
	close(stop)
	<-done
	if count.Load() == mark {
		t.Error("no transaction committed after BankC's consenter left")
	}
	if cfg, err = n.ChannelConfig(ctx, "Operator"); err != nil {
		t.Fatal(err)
	}
	if cs, _ := channelconfig.Consenters(cfg); len(cs) != 3 {
		t.Errorf("%d consenters after removing BankC's", len(cs))
	}
	t.Logf("%d transactions committed while BankC's consenter came and went", len(committed))
	checkExactlyOnce(t, n, committed)

	// Suspended, BankC still reads but can no longer submit.
	if err := n.Suspend(ctx, "BankC", fabnet.AdmitOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Contract("baseline").SubmitTransaction("Mint", "bankc-second", "1"); err == nil {
		t.Error("suspended BankC submitted a transaction")
	}
	if v, err := c.Contract("baseline").EvaluateTransaction("Balance", "bankc-first"); err != nil || string(v) != "7" {
		t.Errorf("suspended BankC reads %q, %v", v, err)
	}
	if err := n.Suspend(ctx, "BankC", fabnet.AdmitOptions{}); err != nil {
		t.Errorf("suspending again: %v", err)
	}
	// Reinstated, it submits again.
	if err := n.Reinstate(ctx, "BankC", fabnet.AdmitOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Contract("baseline").SubmitTransaction("Mint", "bankc-third", "1"); err != nil {
		t.Errorf("reinstated BankC cannot submit: %v", err)
	}

	// BankB writes, then is removed: its peer gets no further blocks, its
	// client can no longer submit, and what it wrote stays readable to the
	// regulator.
	bankB, err := n.Connect("BankB", "User1")
	if err != nil {
		t.Fatal(err)
	}
	defer bankB.Close()
	if _, err := bankB.Contract("baseline").SubmitTransaction("Mint", "bankb-held", "11"); err != nil {
		t.Fatal(err)
	}
	if err := n.Remove(ctx, "BankB", fabnet.AdmitOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := n.Layout.Org("BankB"); ok {
		t.Error("BankB still in the layout")
	}
	if _, err := core.Contract("baseline").SubmitTransaction("Mint", "after-removal", "1"); err != nil {
		t.Fatalf("the remaining members submit: %v", err)
	}
	if _, err := bankB.Contract("baseline").SubmitTransaction("Mint", "bankb-after", "1"); err == nil {
		t.Error("removed BankB submitted a transaction")
	}
	time.Sleep(2 * time.Second) // what BankB's peer would get by now
	if v, err := bankB.Contract("baseline").EvaluateTransaction("Balance", "after-removal"); err == nil && string(v) == "1" {
		t.Error("BankB's peer received a block after its removal")
	}
	reg, err := n.Connect("Regulator", "User1")
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if v, err := reg.Contract("baseline").EvaluateTransaction("Balance", "bankb-held"); err != nil || string(v) != "11" {
		t.Errorf("the regulator reads what BankB held as %q, %v", v, err)
	}
	st, err = fabnet.Status(n.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Layout.Org("BankB"); ok {
		t.Error("the recorded network still lists BankB")
	}
}

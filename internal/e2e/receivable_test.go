package e2e

import (
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/zk/audit"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

func TestMain(m *testing.M) { os.Exit(fabnettest.Main(m, fabnettest.Options{})) }

// party is an enterprise backed by a real Fabric identity of the network.
type party struct {
	id, org, user string
	role          model.Role
	key           *envelope.PrivateKey
	conn          *fabnet.Connection
	certDER       []byte
	mspID         string
}

func newParty(t *testing.T, id, org, user string, role model.Role) *party {
	t.Helper()
	n := fabnettest.Network()
	ident, err := n.IdentityFor(org, user)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, err := os.ReadFile(ident.CertPath)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(certPEM)
	key, err := envelope.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &party{id: id, org: org, user: user, role: role, key: key, conn: fabnettest.Connect(t, org, user),
		certDER: block.Bytes, mspID: ident.MSPID}
}

func (p *party) recipient() protocol.Recipient {
	return protocol.Recipient{ID: p.id, Key: p.key.Public()}
}

// submit sends fn(request as JSON) to the tierchain contract and decodes the
// JSON result into out (if not nil).
func (p *party) submit(t *testing.T, fn string, req any, out any) error {
	t.Helper()
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.conn.Contract("tierchain").Submit(fn, client.WithArguments(string(b)))
	if err != nil {
		return err
	}
	if out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			t.Fatalf("%s result: %v: %s", fn, err, res)
		}
	}
	return nil
}

func (p *party) must(t *testing.T, fn string, req any, out any) {
	t.Helper()
	if err := p.submit(t, fn, req, out); err != nil {
		t.Fatalf("%s by %s: %v", fn, p.id, detail(err))
	}
}

func (p *party) token(t *testing.T, id string) model.Token {
	t.Helper()
	res, err := p.conn.Contract("tierchain").EvaluateTransaction("GetToken", id)
	if err != nil {
		t.Fatalf("GetToken %s: %v", id, detail(err))
	}
	var tok model.Token
	if err := json.Unmarshal(res, &tok); err != nil {
		t.Fatal(err)
	}
	return tok
}

// detail includes the peers' error details of an endorsement failure.
func detail(err error) error {
	var e *client.EndorseError
	if errors.As(err, &e) {
		return errors.Join(err, errors.New(e.GRPCStatus().String()))
	}
	return err
}

func opening(t *testing.T, v uint64) pedersen.Opening {
	o, err := pedersen.NewOpening(v, nil)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestReceivableOnRealNetwork: the operator bootstraps and registers the
// enterprises (real cryptogen identities); a supplier registers two
// invoices the core confirms; a bank grants a credit line; the core issues
// a confidential receivable to tier 1, which splits it to tier 2 keeping
// the change; tier 2 finances its piece at the bank; at maturity the core
// pays every holder, who confirm, and the credit line's outstanding sum
// returns to zero. The regulator opens every amount from the ledger. A
// double spend, a regulator write and an early payment are refused and
// change nothing.
func TestReceivableOnRealNetwork(t *testing.T) {
	ctx := protocol.Context{Channel: fabnet.ChannelName, Chaincode: fabnet.ChaincodeName}
	admin := newParty(t, "", "Operator", "Admin", "")
	operator := newParty(t, "operator", "Operator", "User1", model.RoleOperator)
	tier1 := newParty(t, "tier1", "Operator", "User2", model.RoleSupplier) // hosted by the operator
	tier2 := newParty(t, "tier2", "Operator", "User3", model.RoleSupplier)
	core := newParty(t, "carmaker", "Core", "User1", model.RoleCore)
	bank := newParty(t, "bankB", "BankB", "User1", model.RoleBank)
	regulator := newParty(t, "regulator", "Regulator", "User1", model.RoleRegulator)
	auditKey, err := audit.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	register := func(p *party) *model.RegisterEnterpriseRequest {
		r := &model.RegisterEnterpriseRequest{ID: p.id, Name: p.id + " Ltd", Role: p.role, MSPID: p.mspID,
			Certificate: p.certDER, EncryptionKey: p.key.Public().Bytes()}
		if p.role == model.RoleRegulator {
			r.AuditKey = auditKey.Public().Bytes()
		}
		return r
	}
	// Bootstrap by an admin of the operator org, then the operator registers the rest.
	admin.must(t, "RegisterEnterprise", register(operator), nil)
	for _, p := range []*party{tier1, tier2, core, bank, regulator} {
		operator.must(t, "RegisterEnterprise", register(p), nil)
	}
	auditor := protocol.Auditor{AuditKey: auditKey.Public(), EncryptionKey: regulator.key.Public()}

	// Invoices 600 000.00 + 400 000.00, confirmed by the core.
	// A maturity a few seconds away, so the test can pay at maturity for real.
	maturity := time.Now().UTC().Add(20 * time.Second).Truncate(time.Second)
	var invoices []protocol.OpenedInvoice
	for i, v := range []uint64{600_000_00, 400_000_00} {
		o := opening(t, v)
		fp := make([]byte, 64)
		fp[0], fp[1] = byte(i+1), 0xA5
		req, err := protocol.BuildInvoice(ctx, protocol.InvoiceInput{Supplier: tier1.id, Buyer: core.recipient(),
			Fingerprint: fp, DocumentHash: make([]byte, 32), DueDate: maturity, Amount: o}, auditor, nil)
		if err != nil {
			t.Fatal(err)
		}
		var inv model.Invoice
		tier1.must(t, "RegisterInvoice", req, &inv)
		core.must(t, "ConfirmInvoice", &model.InvoiceActionRequest{Invoice: inv.ID}, nil)
		invoices = append(invoices, protocol.OpenedInvoice{ID: inv.ID, Opening: o})
	}
	bank.must(t, "GrantCreditLine", &model.GrantCreditLineRequest{Core: core.id, Limit: 5_000_000_00, Expiry: maturity.AddDate(1, 0, 0)}, nil)

	// Issue 1 000 000.00 to tier 1.
	rootOpening := opening(t, 1_000_000_00)
	issue, err := protocol.BuildIssue(ctx, protocol.IssueInput{Issuer: core.id, Bank: bank.id, Holder: tier1.recipient(),
		Invoices: invoices, Limit: 5_000_000_00, Outstanding: pedersen.Opening{Value: 0, Blinding: group.NewScalar()},
		Maturity: maturity, Amount: rootOpening}, auditor, nil)
	if err != nil {
		t.Fatal(err)
	}
	var root model.Token
	core.must(t, "Issue", issue, &root)

	// The holder opens its envelope from the ledger.
	onChain := tier1.token(t, root.ID)
	c, err := pedersen.DecodeCommitment(onChain.Commitment)
	if err != nil {
		t.Fatal(err)
	}
	got, err := envelope.Open(tier1.key, onChain.HolderEnvelope, protocol.OutputBinding(c, "holder"))
	if err != nil || got.Value != 1_000_000_00 {
		t.Fatalf("holder opens %d, %v", got.Value, err)
	}

	// Tier 1 splits 400 000.00 to tier 2 and keeps 600 000.00.
	toTier2, change := opening(t, 400_000_00), opening(t, 600_000_00)
	split, err := protocol.BuildSplit(ctx, protocol.SplitInput{Kind: protocol.KindSplit, Spender: tier1.id,
		Inputs:  []protocol.OpenedToken{{ID: root.ID, Opening: rootOpening}},
		Outputs: []protocol.OutputSpec{{Holder: tier2.recipient(), Opening: toTier2}, {Holder: tier1.recipient(), Opening: change}}}, auditor, nil)
	if err != nil {
		t.Fatal(err)
	}
	var outs []model.Token
	tier1.must(t, "Split", split, &outs)
	if len(outs) != 2 || outs[0].Holder != tier2.id || outs[0].Tier != root.Tier+1 {
		t.Fatalf("split outputs %+v", outs)
	}

	// The same split again is a double spend; a regulator write is refused;
	// neither changes anything.
	if err := tier1.submit(t, "Split", split, nil); err == nil {
		t.Fatal("double spend committed")
	}
	if err := regulator.submit(t, "Freeze", &model.TokenActionRequest{Token: outs[0].ID, Reason: "x"}, nil); err == nil {
		t.Fatal("a regulator write committed")
	}
	if st := regulator.token(t, outs[0].ID).Status; st != model.TokenActive {
		t.Errorf("tier-2 token status %s after the refused writes", st)
	}

	// Before maturity the core cannot pay.
	if err := core.submit(t, "DeclarePayment", &model.TokenActionRequest{Token: outs[1].ID, Reason: "early"}, nil); err == nil {
		t.Fatal("payment declared before maturity")
	}

	// Tier 2 finances its 400 000.00 at the bank, which sees the amount,
	// pays off-chain and becomes the holder.
	c2, err := pedersen.DecodeCommitment(outs[0].Commitment)
	if err != nil {
		t.Fatal(err)
	}
	fin, err := protocol.BuildFinance(outs[0].ID, c2, toTier2, bank.recipient(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tier2.must(t, "RequestFinancing", fin, nil)
	requested := bank.token(t, outs[0].ID)
	if requested.Status != model.TokenFinancing || requested.Financing == nil {
		t.Fatalf("after the request: %s", requested.Status)
	}
	disclosed, err := envelope.Open(bank.key, requested.Financing.BankEnvelope,
		envelope.Binding{Commitment: c2, TokenID: outs[0].ID, Purpose: protocol.PurposeBank})
	if err != nil || disclosed.Value != 400_000_00 {
		t.Fatalf("bank sees %d, %v", disclosed.Value, err)
	}
	bank.must(t, "ApproveFinancing", &model.ApproveFinancingRequest{Token: outs[0].ID, DisbursementRef: "SWIFT-0001",
		AgreementHash: make([]byte, 32)}, nil)
	if tok := bank.token(t, outs[0].ID); tok.Status != model.TokenFinanced || tok.Holder != bank.id {
		t.Fatalf("after approval: %s held by %s", tok.Status, tok.Holder)
	}

	// At maturity the core pays every holder; each confirms receipt.
	time.Sleep(time.Until(maturity) + 2*time.Second)
	for _, leaf := range []struct {
		id     string
		holder *party
	}{{outs[0].ID, bank}, {outs[1].ID, tier1}} {
		core.must(t, "DeclarePayment", &model.TokenActionRequest{Token: leaf.id, Reason: "PAY-" + leaf.id[:8]}, nil)
		leaf.holder.must(t, "ConfirmPayment", &model.TokenActionRequest{Token: leaf.id}, nil)
		if st := regulator.token(t, leaf.id).Status; st != model.TokenSettled {
			t.Fatalf("%s: %s after payment", leaf.id, st)
		}
	}
	res, err := regulator.conn.Contract("tierchain").EvaluateTransaction("GetCreditLine", core.id, bank.id)
	if err != nil {
		t.Fatal(detail(err))
	}
	var line model.CreditLine
	if err := json.Unmarshal(res, &line); err != nil {
		t.Fatal(err)
	}
	if id := group.NewIdentity().Bytes(); line.Settled != 1 || string(line.Outstanding) != string(id) {
		t.Fatalf("credit line after settlement: settled %d, outstanding %x", line.Settled, line.Outstanding)
	}

	// The regulator opens every amount from the ledger with its audit key.
	for id, want := range map[string]uint64{root.ID: 1_000_000_00, outs[0].ID: 400_000_00, outs[1].ID: 600_000_00} {
		tok := regulator.token(t, id)
		c, err := pedersen.DecodeCommitment(tok.Commitment)
		if err != nil {
			t.Fatal(err)
		}
		h, err := audit.DecodeHandle(tok.Handle)
		if err != nil {
			t.Fatal(err)
		}
		if !auditKey.CheckValue(c, h, want) {
			t.Errorf("regulator cannot open %s as %d", id, want)
		}
	}
	if st := regulator.token(t, root.ID).Status; st != model.TokenSplit {
		t.Errorf("root status %s after the split", st)
	}
}

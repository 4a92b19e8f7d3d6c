package e2e

import (
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

func TestMain(m *testing.M) { os.Exit(fabnettest.Main(m, fabnettest.Options{})) }

// party is an enterprise backed by a real Fabric identity of the network.
type party struct {
	id      string
	role    model.Role
	key     *envelope.PrivateKey
	conn    *fabnet.Connection // lives as long as the test binary
	certDER []byte
	mspID   string
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
	conn, err := n.Connect(org, user)
	if err != nil {
		t.Fatal(err)
	}
	return &party{id: id, role: role, key: key, conn: conn, certDER: block.Bytes, mspID: ident.MSPID}
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

// must submits and fails the test on error. A submit returns once the
// submitter's peer committed the block; the next step may be endorsed by
// other peers, so must then waits until every peer has committed it.
func (p *party) must(t *testing.T, fn string, req any, out any) {
	t.Helper()
	if err := p.submit(t, fn, req, out); err != nil {
		t.Fatalf("%s by %s: %v", fn, p.id, detail(err))
	}
	awaitPeers(t, height(t, p.conn))
}

// height is the chain height p's peer has committed.
func height(t *testing.T, c *fabnet.Connection) uint64 {
	t.Helper()
	res, err := c.GetNetwork(fabnet.ChannelName).GetContract("qscc").EvaluateTransaction("GetChainInfo", fabnet.ChannelName)
	if err != nil {
		t.Fatalf("GetChainInfo: %v", detail(err))
	}
	var info common.BlockchainInfo
	if err := proto.Unmarshal(res, &info); err != nil {
		t.Fatal(err)
	}
	return info.Height
}

var (
	peersOnce sync.Once
	peers     []*fabnet.Connection // one per org, for awaitPeers
)

// awaitPeers waits until every org's peer has committed h blocks.
func awaitPeers(t *testing.T, h uint64) {
	t.Helper()
	peersOnce.Do(func() {
		n := fabnettest.Network()
		for _, o := range n.Layout.Orgs {
			c, err := n.Connect(o.Name, "User1")
			if err != nil {
				t.Fatal(err)
			}
			peers = append(peers, c)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for _, c := range peers {
		for height(t, c) < h {
			if time.Now().After(deadline) {
				t.Fatalf("a peer has not committed block %d after 10 s", h-1)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// token reads a token on p's own peer. A submit returns once the
// submitter's peer committed the block; p's peer may commit it a moment
// later, so a NOT_FOUND is retried for a few seconds.
func (p *party) token(t *testing.T, id string) model.Token {
	t.Helper()
	var res []byte
	var err error
	for range 50 {
		res, err = p.conn.Contract("tierchain").EvaluateTransaction("GetToken", id)
		if err == nil || !strings.Contains(detail(err).Error(), string(model.CodeNotFound)) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
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
	t.Helper()
	o, err := pedersen.NewOpening(v, nil)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// world is the set of registered enterprises, shared by the tests of this
// binary: the operator's bootstrap happens once per network.
type world struct {
	ctx                                           protocol.Context
	operator, tier1, tier2, core, bank, regulator *party
	auditKey                                      *elgamal.PrivateKey
	auditor                                       protocol.Auditor
	mu                                            sync.Mutex
	invoices                                      byte
	outstanding                                   pedersen.Opening // of the bank's credit line
}

var (
	worldOnce sync.Once
	shared    *world
)

// setup registers every enterprise once per test binary, with real
// cryptogen identities: the operator org's admin bootstraps the operator,
// which registers suppliers hosted on its org, the core, a bank and the
// regulator; the bank grants the core a credit line.
func setup(t *testing.T) *world {
	t.Helper()
	worldOnce.Do(func() { shared = newWorld(t) })
	if shared == nil {
		t.Fatal("world setup failed in an earlier test")
	}
	return shared
}

const creditLimit = 50_000_000_00

// currency is the world's: its invoices, the bank's line and every
// receivable are in it.
const currency = "CNY"

func newWorld(t *testing.T) *world {
	admin := newParty(t, "", "Operator", "Admin", "")
	w := &world{
		ctx:       protocol.Context{Channel: fabnet.ChannelName, Chaincode: fabnet.ChaincodeName},
		operator:  newParty(t, "operator", "Operator", "User1", model.RoleOperator),
		tier1:     newParty(t, "tier1", "Operator", "User2", model.RoleSupplier), // hosted by the operator
		tier2:     newParty(t, "tier2", "Operator", "User3", model.RoleSupplier),
		core:      newParty(t, "carmaker", "Core", "User1", model.RoleCore),
		bank:      newParty(t, "bankB", "BankB", "User1", model.RoleBank),
		regulator: newParty(t, "regulator", "Regulator", "User1", model.RoleRegulator),
	}
	var err error
	if w.auditKey, err = elgamal.GenerateKey(nil); err != nil {
		t.Fatal(err)
	}
	w.auditor = protocol.Auditor{AuditKey: w.auditKey.Public(), EncryptionKey: w.regulator.key.Public()}
	register := func(p *party) *model.RegisterEnterpriseRequest {
		r := &model.RegisterEnterpriseRequest{ID: p.id, Name: p.id + " Ltd", Role: p.role, MSPID: p.mspID,
			Certificate: p.certDER, EncryptionKey: p.key.Public().Bytes()}
		if p.role == model.RoleRegulator {
			r.AuditKey = w.auditKey.Public().Bytes()
		}
		return r
	}
	admin.must(t, "RegisterEnterprise", register(w.operator), nil)
	for _, p := range []*party{w.tier1, w.tier2, w.core, w.bank, w.regulator} {
		w.operator.must(t, "RegisterEnterprise", register(p), nil)
	}
	w.bank.must(t, "GrantCreditLine", &model.GrantCreditLineRequest{Core: w.core.id, Currency: currency, Limit: creditLimit,
		Expiry: time.Now().UTC().AddDate(1, 0, 0).Truncate(time.Second)}, nil)
	w.outstanding = pedersen.Opening{Value: 0, Blinding: group.NewScalar()}
	return w
}

// issue registers and confirms invoices of tier 1 for amounts, and has the
// core issue their total to tier 1 against the bank's line. It returns the
// root token and its opening.
func (w *world) issue(t *testing.T, maturity time.Time, amounts ...uint64) (model.Token, pedersen.Opening) {
	t.Helper()
	maturity = maturity.UTC().Truncate(time.Second) // the ledger keeps whole seconds
	w.mu.Lock()
	defer w.mu.Unlock()
	var invoices []protocol.OpenedInvoice
	var total uint64
	for _, v := range amounts {
		w.invoices++
		o := opening(t, v)
		fp := make([]byte, 64)
		fp[0], fp[1] = w.invoices, 0xA5
		req, err := protocol.BuildInvoice(w.ctx, protocol.InvoiceInput{Currency: currency, Supplier: w.tier1.id, Buyer: w.core.recipient(),
			Fingerprint: fp, DocumentHash: make([]byte, 32), DueDate: maturity, Amount: o}, w.auditor, nil)
		if err != nil {
			t.Fatal(err)
		}
		var inv model.Invoice
		w.tier1.must(t, "RegisterInvoice", req, &inv)
		w.core.must(t, "ConfirmInvoice", &model.InvoiceActionRequest{Invoice: inv.ID, Fingerprint: inv.Fingerprint}, nil)
		invoices = append(invoices, protocol.OpenedInvoice{ID: inv.ID, Opening: o})
		total += v
	}
	amount := opening(t, total)
	req, err := protocol.BuildIssue(w.ctx, protocol.IssueInput{Currency: currency, Issuer: w.core.id, IssuerKey: w.core.key.Public(), Bank: w.bank.id, Holder: w.tier1.recipient(),
		Invoices: invoices, Limit: creditLimit, Outstanding: w.outstanding, Maturity: maturity, Amount: amount}, w.auditor, nil)
	if err != nil {
		t.Fatal(err)
	}
	var root model.Token
	w.core.must(t, "Issue", req, &root)
	// The core's wallet tracks the line's outstanding opening.
	w.outstanding = pedersen.Opening{Value: w.outstanding.Value + total,
		Blinding: group.NewScalar().Add(w.outstanding.Blinding, amount.Blinding)}
	return root, amount
}

// settled removes a settled receivable from the core's tracked outstanding
// opening, as the chaincode removes it from the line's outstanding sum.
func (w *world) settled(amount pedersen.Opening) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.outstanding = pedersen.Opening{Value: w.outstanding.Value - amount.Value,
		Blinding: group.NewScalar().Subtract(w.outstanding.Blinding, amount.Blinding)}
}

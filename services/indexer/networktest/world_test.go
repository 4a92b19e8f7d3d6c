package networktest

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// member is an enterprise signing with a real identity of the network,
// through fabricclient (whose Submit reports the transaction and block).
// Its connection lives as long as the test binary.
type member struct {
	id      string
	role    model.Role
	key     *envelope.PrivateKey
	certDER []byte
	mspID   string
	ledger  *fabricclient.Client
}

func join(tb testing.TB, id, org, user string, role model.Role) *member {
	tb.Helper()
	n := fabnettest.Network()
	ident, err := n.IdentityFor(org, user)
	if err != nil {
		tb.Fatal(err)
	}
	certPEM, err := os.ReadFile(ident.CertPath)
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := pem.Decode(certPEM)
	key, err := envelope.GenerateKey(nil)
	if err != nil {
		tb.Fatal(err)
	}
	conn, err := n.Connect(org, user)
	if err != nil {
		tb.Fatal(err)
	}
	return &member{id: id, role: role, key: key, certDER: block.Bytes, mspID: ident.MSPID,
		ledger: fabricclient.New(conn.Gateway, fabricclient.Options{Channel: fabnet.ChannelName, Chaincode: fabnet.ChaincodeName,
			MSPID: ident.MSPID, MVCCRetries: 3})}
}

func (m *member) recipient() protocol.Recipient {
	return protocol.Recipient{ID: m.id, Key: m.key.Public()}
}

// world is the consortium of this test binary's network. Its members are
// joined once; registering them (the operator's bootstrap) happens once
// per network, after the caller has had the chance to start a follower.
type world struct {
	admin, operator, tier1, tier2, core, bank, regulator *member
	auditKey                                             *elgamal.PrivateKey
	auditor                                              protocol.Auditor
	pctx                                                 protocol.Context

	registerOnce sync.Once
	registered   bool

	mu       sync.Mutex
	txs      []string // every TierChain transaction committed, in commit order
	invoices int      // fingerprints used
}

const creditLimit = 50_000_000_00

// currency is the consortium's: invoices, the line and receivables.
const currency = "CNY"

var (
	worldOnce sync.Once
	shared    *world
)

func members(tb testing.TB) *world {
	tb.Helper()
	worldOnce.Do(func() {
		w := &world{
			admin:     join(tb, "", "Operator", "Admin", ""),
			operator:  join(tb, "operator", "Operator", "User1", model.RoleOperator),
			tier1:     join(tb, "tier1", "Operator", "User2", model.RoleSupplier),
			tier2:     join(tb, "tier2", "Operator", "User3", model.RoleSupplier),
			core:      join(tb, "carmaker", "Core", "User1", model.RoleCore),
			bank:      join(tb, "bankB", "BankB", "User1", model.RoleBank),
			regulator: join(tb, "regulator", "Regulator", "User1", model.RoleRegulator),
			pctx:      protocol.Context{Channel: fabnet.ChannelName, Chaincode: fabnet.ChaincodeName},
		}
		var err error
		if w.auditKey, err = elgamal.GenerateKey(nil); err != nil {
			tb.Fatal(err)
		}
		w.auditor = protocol.Auditor{AuditKey: w.auditKey.Public(), EncryptionKey: w.regulator.key.Public()}
		shared = w
	})
	if shared == nil {
		tb.Fatal("joining the network failed in an earlier test")
	}
	return shared
}

// register bootstraps the operator, which registers the others, and has
// the bank grant the core a credit line: seven transactions, once.
func (w *world) register(tb testing.TB) {
	tb.Helper()
	w.registerOnce.Do(func() {
		enroll := func(by, m *member) {
			req := &model.RegisterEnterpriseRequest{ID: m.id, Name: m.id + " Ltd", Role: m.role, MSPID: m.mspID,
				Certificate: m.certDER, EncryptionKey: m.key.Public().Bytes()}
			if m.role == model.RoleRegulator {
				req.AuditKey = w.auditKey.Public().Bytes()
			}
			w.submit(tb, by, "RegisterEnterprise", req, nil)
		}
		enroll(w.admin, w.operator)
		for _, m := range []*member{w.regulator, w.tier1, w.tier2, w.core, w.bank} {
			enroll(w.operator, m)
		}
		w.submit(tb, w.bank, "GrantCreditLine", &model.GrantCreditLineRequest{Core: w.core.id, Currency: currency, Limit: creditLimit,
			Expiry: time.Now().UTC().AddDate(1, 0, 0).Truncate(time.Second)}, nil)
		w.registered = true
	})
	if !w.registered {
		tb.Fatal("registering the consortium failed in an earlier test")
	}
}

// submit sends fn(request as JSON) as m, records the transaction and
// decodes the result into out (if not nil).
func (w *world) submit(tb testing.TB, m *member, fn string, req, out any) fabricclient.Result {
	tb.Helper()
	res, err := w.trySubmit(tb.Context(), m, fn, req, out)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// trySubmit is submit for goroutines other than the test's.
func (w *world) trySubmit(ctx context.Context, m *member, fn string, req, out any) (fabricclient.Result, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return fabricclient.Result{}, err
	}
	res, err := m.ledger.Submit(ctx, "tierchain", fn, string(b))
	if err != nil {
		var ee *client.EndorseError
		if errors.As(err, &ee) {
			err = errors.Join(err, errors.New(ee.GRPCStatus().String()))
		}
		return res, fmt.Errorf("%s by %s: %w", fn, m.id, err)
	}
	if out != nil {
		if err := json.Unmarshal(res.Payload, out); err != nil {
			return res, fmt.Errorf("%s result: %w", fn, err)
		}
	}
	w.mu.Lock()
	w.txs = append(w.txs, res.TxID)
	w.mu.Unlock()
	return res, nil
}

// committed returns the transactions committed so far.
func (w *world) committed() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.txs...)
}

// registerInvoice registers an invoice of supplier to the core, with a
// fingerprint of its own, and returns it with its transaction.
func (w *world) registerInvoice(tb testing.TB, supplier *member, due time.Time, amount pedersen.Opening) (model.Invoice, fabricclient.Result) {
	tb.Helper()
	inv, res, err := w.tryRegisterInvoice(tb.Context(), supplier, due, amount)
	if err != nil {
		tb.Fatal(err)
	}
	return inv, res
}

func (w *world) tryRegisterInvoice(ctx context.Context, supplier *member, due time.Time, amount pedersen.Opening) (model.Invoice, fabricclient.Result, error) {
	w.mu.Lock()
	w.invoices++
	n := w.invoices
	w.mu.Unlock()
	fp := make([]byte, 64)
	fp[0], fp[1], fp[2] = 0xA5, byte(n>>8), byte(n)
	var inv model.Invoice
	req, err := protocol.BuildInvoice(w.pctx, protocol.InvoiceInput{Currency: currency, Supplier: supplier.id, Buyer: w.core.recipient(),
		Fingerprint: fp, DocumentHash: make([]byte, 32), DueDate: due, Amount: amount}, w.auditor, nil)
	if err != nil {
		return inv, fabricclient.Result{}, err
	}
	res, err := w.trySubmit(ctx, supplier, "RegisterInvoice", req, &inv)
	return inv, res, err
}

// openings are fresh openings of the values, in order.
func openings(tb testing.TB, values ...uint64) []pedersen.Opening {
	tb.Helper()
	out := make([]pedersen.Opening, len(values))
	for i, v := range values {
		var err error
		if out[i], err = pedersen.NewOpening(v, nil); err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

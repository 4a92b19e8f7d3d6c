package networktest

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/indexer"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/zk/audit"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

func TestMain(m *testing.M) { os.Exit(fabnettest.Main(m, fabnettest.Options{})) }

// member is an enterprise signing with a real identity of the network,
// through fabricclient (whose Submit reports the transaction and block).
type member struct {
	id      string
	role    model.Role
	key     *envelope.PrivateKey
	certDER []byte
	mspID   string
	ledger  *fabricclient.Client
}

func join(t *testing.T, id, org, user string, role model.Role) *member {
	t.Helper()
	ident, err := fabnettest.Network().IdentityFor(org, user)
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
	conn := fabnettest.Connect(t, org, user)
	return &member{id: id, role: role, key: key, certDER: block.Bytes, mspID: ident.MSPID,
		ledger: fabricclient.New(conn.Gateway, fabricclient.Options{Channel: fabnet.ChannelName, Chaincode: fabnet.ChaincodeName,
			MSPID: ident.MSPID, MVCCRetries: 3})}
}

func (m *member) recipient() protocol.Recipient {
	return protocol.Recipient{ID: m.id, Key: m.key.Public()}
}

// ledgerLog is every TierChain transaction the test committed, in order.
type ledgerLog struct {
	txs []string
}

// submit sends fn(request as JSON), records the transaction and decodes
// the result into out (if not nil).
func (l *ledgerLog) submit(t *testing.T, m *member, fn string, req, out any) fabricclient.Result {
	t.Helper()
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.ledger.Submit(t.Context(), "tierchain", fn, string(b))
	if err != nil {
		var ee *client.EndorseError
		if errors.As(err, &ee) {
			err = errors.Join(err, errors.New(ee.GRPCStatus().String()))
		}
		t.Fatalf("%s by %s: %v", fn, m.id, err)
	}
	if out != nil {
		if err := json.Unmarshal(res.Payload, out); err != nil {
			t.Fatalf("%s result: %v", fn, err)
		}
	}
	l.txs = append(l.txs, res.TxID)
	return res
}

// openings are fresh openings of the values, in order.
func openings(t *testing.T, values ...uint64) []pedersen.Opening {
	t.Helper()
	out := make([]pedersen.Opening, len(values))
	for i, v := range values {
		var err error
		if out[i], err = pedersen.NewOpening(v, nil); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// follower is an indexer's Run in the background, following the ledger
// as the operator.
type follower struct {
	ix     *indexer.Indexer
	cancel context.CancelFunc
	done   chan error
}

func follow(t *testing.T, db *store.DB, operator *member) *follower {
	t.Helper()
	return followFrom(t, db, operator, operator.ledger, nil)
}

// followFrom follows src; cancel, if not nil, receives the function that
// stops the follower.
func followFrom(t *testing.T, db *store.DB, operator *member, src indexer.Source, cancelled func(context.CancelFunc)) *follower {
	t.Helper()
	ix, err := indexer.New(t.Context(), db, operator.ledger, indexer.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Backoff: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if cancelled != nil {
		cancelled(cancel)
	}
	f := &follower{ix: ix, cancel: cancel, done: make(chan error, 1)}
	go func() { f.done <- ix.Run(ctx, src) }()
	return f
}

// killAfter passes the real stream on and kills the follower as soon as
// it has handed over n events: the follower dies in the middle of the
// stream, perhaps in the middle of applying.
type killAfter struct {
	indexer.Source
	n    int
	kill context.CancelFunc
}

func (k *killAfter) ChaincodeEvents(ctx context.Context, opts ...fabricclient.EventsOption) (<-chan fabricclient.Event, error) {
	in, err := k.Source.ChaincodeEvents(ctx, opts...)
	if err != nil {
		return nil, err
	}
	out := make(chan fabricclient.Event)
	go func() {
		defer close(out)
		for ev := range in {
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			}
			if k.n--; k.n == 0 {
				k.kill()
			}
		}
	}()
	return out, nil
}

func (f *follower) stop(t *testing.T) {
	t.Helper()
	f.cancel()
	select {
	case err := <-f.done:
		if err != context.Canceled {
			t.Fatalf("Run returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// waitApplied waits until the read model reflects transaction txID.
func (f *follower) waitApplied(t *testing.T, txID string) {
	t.Helper()
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ok, err := f.ix.Applied(t.Context(), txID)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			cp, _ := f.ix.Checkpoint(t.Context())
			t.Fatalf("transaction %s not in the read model (checkpoint %+v, connected %v)", txID, cp, f.ix.Connected())
		}
	}
}

// assertLog checks the events log: every committed transaction once, in
// ledger order, all applied.
func assertLog(t *testing.T, ix *indexer.Indexer, want []string) {
	t.Helper()
	page, err := ix.Events(t.Context(), indexer.EventQuery{Limit: indexer.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range page.Items {
		if e.Outcome != indexer.Applied {
			t.Errorf("tx %s %s: %s", e.TxID, e.Outcome, e.Reason)
		}
		got = append(got, e.TxID)
	}
	slices.Reverse(got)
	if !slices.Equal(got, want) {
		t.Fatalf("events log\n%v\nwant\n%v", got, want)
	}
}

// TestIndexerFollowsTheLedger registers the consortium, issues a
// receivable on confirmed invoices while an indexer follows from the
// genesis block, then stops the indexer, splits the receivable, and starts
// a new indexer on the same database: the read model holds every
// transaction once, with the full records from the ledger.
func TestIndexerFollowsTheLedger(t *testing.T) {
	admin := join(t, "", "Operator", "Admin", "")
	operator := join(t, "operator", "Operator", "User1", model.RoleOperator)
	tier1 := join(t, "tier1", "Operator", "User2", model.RoleSupplier)
	tier2 := join(t, "tier2", "Operator", "User3", model.RoleSupplier)
	core := join(t, "carmaker", "Core", "User1", model.RoleCore)
	bank := join(t, "bankB", "BankB", "User1", model.RoleBank)
	regulator := join(t, "regulator", "Regulator", "User1", model.RoleRegulator)
	auditKey, err := audit.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	auditor := protocol.Auditor{AuditKey: auditKey.Public(), EncryptionKey: regulator.key.Public()}
	pctx := protocol.Context{Channel: fabnet.ChannelName, Chaincode: fabnet.ChaincodeName}
	var log ledgerLog

	// The indexer starts on an empty ledger and follows from block 0.
	db := storetest.SQLite(t)
	f := follow(t, db, operator)

	register := func(by, m *member) {
		req := &model.RegisterEnterpriseRequest{ID: m.id, Name: m.id + " Ltd", Role: m.role, MSPID: m.mspID,
			Certificate: m.certDER, EncryptionKey: m.key.Public().Bytes()}
		if m.role == model.RoleRegulator {
			req.AuditKey = auditKey.Public().Bytes()
		}
		log.submit(t, by, "RegisterEnterprise", req, nil)
	}
	register(admin, operator)
	for _, m := range []*member{regulator, tier1, tier2, core, bank} {
		register(operator, m)
	}
	const limit = 50_000_000_00
	log.submit(t, bank, "GrantCreditLine", &model.GrantCreditLineRequest{Core: core.id, Limit: limit,
		Expiry: time.Now().UTC().AddDate(1, 0, 0).Truncate(time.Second)}, nil)
	maturity := time.Now().UTC().AddDate(0, 6, 0).Truncate(time.Second)
	amount := openings(t, 1_000_000_00)[0]
	invReq, err := protocol.BuildInvoice(pctx, protocol.InvoiceInput{Supplier: tier1.id, Buyer: core.recipient(),
		Fingerprint: append([]byte{0xA5}, make([]byte, 63)...), DocumentHash: make([]byte, 32), DueDate: maturity, Amount: amount}, auditor, nil)
	if err != nil {
		t.Fatal(err)
	}
	var inv model.Invoice
	log.submit(t, tier1, "RegisterInvoice", invReq, &inv)
	log.submit(t, core, "ConfirmInvoice", &model.InvoiceActionRequest{Invoice: inv.ID}, nil)
	issueReq, err := protocol.BuildIssue(pctx, protocol.IssueInput{Issuer: core.id, IssuerKey: core.key.Public(), Bank: bank.id, Holder: tier1.recipient(),
		Invoices: []protocol.OpenedInvoice{{ID: inv.ID, Opening: amount}}, Limit: limit,
		Outstanding: pedersen.Opening{Value: 0, Blinding: group.NewScalar()}, Maturity: maturity, Amount: amount}, auditor, nil)
	if err != nil {
		t.Fatal(err)
	}
	var root model.Token
	issued := log.submit(t, core, "Issue", issueReq, &root)

	f.waitApplied(t, issued.TxID)
	ctx := t.Context()
	tok, err := f.ix.Token(ctx, root.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if tok.Tier != 1 || tok.Issuer != core.id || tok.Bank != bank.id || tok.Holder != tier1.id || tok.Status != model.TokenActive ||
		!tok.Maturity.Equal(maturity) || tok.TxID != issued.TxID || tok.BlockNumber != issued.BlockNumber ||
		string(tok.Commitment) != string(root.Commitment) {
		t.Errorf("root token in the read model: %+v", tok)
	}
	var rec model.Token
	if err := json.Unmarshal(tok.Record, &rec); err != nil || string(rec.HolderEnvelope) != string(root.HolderEnvelope) ||
		len(rec.RegulatorEnvelope) == 0 || !slices.Equal(rec.Invoices, []string{inv.ID}) {
		t.Errorf("token record %s: %v", tok.Record, err)
	}
	if got, err := f.ix.Invoice(ctx, inv.ID); err != nil || got.Status != model.InvoiceUsed || got.UsedBy != root.ID || !got.DueDate.Equal(maturity) {
		t.Errorf("invoice %+v %v", got, err)
	}
	if cl, err := f.ix.CreditLine(ctx, core.id, bank.id); err != nil || cl.Limit != limit || cl.Issued != 1 {
		t.Errorf("credit line %+v %v", cl, err)
	}
	if page, err := f.ix.Enterprises(ctx, indexer.EnterpriseQuery{}); err != nil || len(page.Items) != 6 {
		t.Errorf("enterprises %+v %v", page.Items, err)
	}
	assertLog(t, f.ix, log.txs)

	// Stopped, the indexer misses a split; a new one on the same database
	// resumes from the checkpoint.
	f.stop(t)
	parts := openings(t, 400_000_00, 600_000_00)
	toTier2, change := parts[0], parts[1]
	split, err := protocol.BuildSplit(pctx, protocol.SplitInput{Kind: protocol.KindSplit, Spender: tier1.id,
		Inputs:  []protocol.OpenedToken{{ID: root.ID, Opening: amount}},
		Outputs: []protocol.OutputSpec{{Holder: tier2.recipient(), Opening: toTier2}, {Holder: tier1.recipient(), Opening: change}}}, auditor, nil)
	if err != nil {
		t.Fatal(err)
	}
	var outs []model.Token
	log.submit(t, tier1, "Split", split, &outs)
	invReq2, err := protocol.BuildInvoice(pctx, protocol.InvoiceInput{Supplier: tier2.id, Buyer: core.recipient(),
		Fingerprint: append([]byte{0xA6}, make([]byte, 63)...), DocumentHash: make([]byte, 32), DueDate: maturity, Amount: toTier2}, auditor, nil)
	if err != nil {
		t.Fatal(err)
	}
	last := log.submit(t, tier2, "RegisterInvoice", invReq2, nil)

	g := follow(t, db, operator)
	defer g.stop(t)
	g.waitApplied(t, last.TxID)
	assertLog(t, g.ix, log.txs)
	page, err := g.ix.Tokens(ctx, indexer.TokenQuery{Root: root.ID})
	if err != nil || len(page.Items) != 3 {
		t.Fatalf("tokens of the receivable: %+v %v", page.Items, err)
	}
	if page.Items[2].ID != root.ID || page.Items[2].Status != model.TokenSplit {
		t.Errorf("root after the split: %+v", page.Items[2])
	}
	if t2, err := g.ix.Token(ctx, outs[0].ID, time.Now()); err != nil || t2.Tier != 2 || t2.Holder != tier2.id ||
		!slices.Equal(t2.Parents, []string{root.ID}) || !t2.Maturity.Equal(maturity) {
		t.Errorf("tier-2 token %+v %v", t2, err)
	}
	if lag, err := g.ix.Lag(ctx, last.BlockNumber); err != nil || lag != 0 {
		t.Errorf("lag %d %v after the last transaction", lag, err)
	}
	if cp, _ := g.ix.Checkpoint(ctx); cp.Block != last.BlockNumber || cp.TxID != last.TxID {
		t.Errorf("checkpoint %+v, want the last transaction %s in block %d", cp, last.TxID, last.BlockNumber)
	}

	// A new read model from block 0, its follower killed after 5 events in
	// the middle of catching up, then resumed by another.
	db2 := storetest.SQLite(t)
	kill := &killAfter{Source: operator.ledger, n: 5}
	h := followFrom(t, db2, operator, kill, func(c context.CancelFunc) { kill.kill = c })
	select {
	case <-h.done:
	case <-time.After(90 * time.Second):
		t.Fatal("the follower was not killed")
	}
	cp, err := h.ix.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	applied := slices.Index(log.txs, cp.TxID) + 1
	if applied > 5 {
		t.Fatalf("checkpoint %+v is past the 5 events handed over", cp)
	}
	page2, err := h.ix.Events(ctx, indexer.EventQuery{Limit: indexer.MaxPageSize})
	if err != nil || len(page2.Items) != applied {
		t.Fatalf("%d events logged for a checkpoint after %d (%v)", len(page2.Items), applied, err)
	}
	t.Logf("killed after 5 events handed over: %d applied", applied)
	k := follow(t, db2, operator)
	defer k.stop(t)
	k.waitApplied(t, last.TxID)
	assertLog(t, k.ix, log.txs)
}

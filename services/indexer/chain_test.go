package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/internal/fabricclient"
)

// fakeLedger answers GetEnterprise, GetInvoice, GetCreditLine, GetToken
// and GetTokens from the records a chain wrote, the way the chaincode does.
type fakeLedger struct {
	mu      sync.Mutex
	records map[string][]byte
	hidden  map[string]int // key → NOT_FOUND answers left (a peer whose state lags its blocks)
	fail    error          // every call fails with it
	calls   atomic.Int64
	refused map[string]model.Code // key → the code every answer for it gets
	// noGetTokens plays a chaincode from before GetTokens.
	noGetTokens bool
	batches     []int // the IDs of each GetTokens call, in order
	// metadata, when set, is GetMetadata's answer; else one made from
	// noGetTokens (metadataOf).
	metadata      []byte
	metadataCalls int
	getTokensFail error // GetTokens alone fails with it
}

func newFakeLedger() *fakeLedger {
	return &fakeLedger{records: map[string][]byte{}, hidden: map[string]int{}, refused: map[string]model.Code{}}
}

func ledgerKey(fn string, args ...string) string { return fn + "|" + strings.Join(args, "|") }

func (l *fakeLedger) Evaluate(ctx context.Context, contract, fn string, args ...string) ([]byte, error) {
	l.calls.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return nil, l.fail
	}
	if contract == systemContract && fn == "GetMetadata" {
		l.metadataCalls++
		if l.metadata != nil {
			return l.metadata, nil
		}
		return metadataOf(!l.noGetTokens), nil
	}
	if contract != Contract {
		return nil, fmt.Errorf("contract %q", contract)
	}
	if fn == "GetTokens" {
		return l.getTokens(args)
	}
	return l.answer(ledgerKey(fn, args...), fn)
}

// answer is the record under key, as fn answers it.
func (l *fakeLedger) answer(key, fn string) ([]byte, error) {
	if code, ok := l.refused[key]; ok {
		return nil, &fabricclient.ChaincodeError{Op: "evaluate " + fn, Code: string(code), Message: "refused " + key}
	}
	if l.hidden[key] > 0 {
		l.hidden[key]--
		return nil, &fabricclient.ChaincodeError{Op: "evaluate " + fn, Code: string(model.CodeNotFound), Message: "hidden"}
	}
	b, ok := l.records[key]
	if !ok {
		return nil, &fabricclient.ChaincodeError{Op: "evaluate " + fn, Code: string(model.CodeNotFound), Message: key}
	}
	return b, nil
}

// getTokens answers GetTokens as the chaincode does: per ID, what GetToken
// answers (rules.GetTokens), or contractapi's unknown-function error when
// the fake plays a chaincode from before it.
func (l *fakeLedger) getTokens(args []string) ([]byte, error) {
	if l.noGetTokens {
		return nil, &fabricclient.ChaincodeError{Op: "evaluate GetTokens", Message: "Function GetTokens not found in contract tierchain"}
	}
	if l.getTokensFail != nil {
		return nil, l.getTokensFail
	}
	if len(args) != 1 {
		return nil, &fabricclient.ChaincodeError{Op: "evaluate GetTokens", Code: string(model.CodeInvalidArgument), Message: "one argument"}
	}
	ids, err := rules.DecodeTokenIDs(args[0])
	if err != nil {
		return nil, &fabricclient.ChaincodeError{Op: "evaluate GetTokens", Code: string(model.CodeOf(err)), Message: err.Error()}
	}
	l.batches = append(l.batches, len(ids))
	out := make([]rules.TokenResult, len(ids))
	for i, id := range ids {
		out[i].ID = id
		b, err := l.answer(ledgerKey("GetToken", id), "GetToken")
		var ce *fabricclient.ChaincodeError
		switch {
		case errors.As(err, &ce):
			out[i].Code, out[i].Error = model.Code(ce.Code), ce.Message
		case err != nil:
			return nil, err
		default:
			out[i].Token = new(model.TokenView)
			if err := json.Unmarshal(b, out[i].Token); err != nil {
				return nil, err
			}
		}
	}
	return json.Marshal(out)
}

// metadataOf is GetMetadata's answer, in contractapi's shape, of a
// chaincode whose "tierchain" contract has GetTokens or not.
func metadataOf(getTokens bool) []byte {
	type tx struct {
		Name string   `json:"name"`
		Tag  []string `json:"tag,omitempty"`
	}
	txs := []tx{{"GetCreditLine", []string{"evaluate"}}, {"GetEnterprise", []string{"evaluate"}}, {"GetInvoice", []string{"evaluate"}}, {"GetToken", []string{"evaluate"}}}
	if getTokens {
		txs = append(txs, tx{"GetTokens", []string{"evaluate"}})
	}
	type contract struct {
		Name         string `json:"name"`
		Transactions []tx   `json:"transactions"`
		Default      bool   `json:"default"`
	}
	b, err := json.Marshal(map[string]any{
		"info": map[string]string{"title": "undefined", "version": "latest"},
		"contracts": map[string]contract{
			Contract:       {Name: Contract, Transactions: txs, Default: true},
			systemContract: {Name: systemContract, Transactions: []tx{{"GetMetadata", []string{"evaluate"}}}},
		},
		"components": map[string]any{},
	})
	if err != nil {
		panic(err)
	}
	return b
}

// refuse makes fn(args) answer code (a caller the chaincode refuses).
func (l *fakeLedger) refuse(code model.Code, fn string, args ...string) {
	l.mu.Lock()
	l.refused[ledgerKey(fn, args...)] = code
	l.mu.Unlock()
}

func (l *fakeLedger) put(t testing.TB, v any, fn string, args ...string) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	l.records[ledgerKey(fn, args...)] = b
	l.mu.Unlock()
}

func (l *fakeLedger) setFail(err error) {
	l.mu.Lock()
	l.fail = err
	l.mu.Unlock()
}

func (l *fakeLedger) hide(n int, fn string, args ...string) {
	l.mu.Lock()
	l.hidden[ledgerKey(fn, args...)] = n
	l.mu.Unlock()
}

// chain is a small in-memory ledger that runs the TierChain story: each
// call is one transaction, writes its records to the fake ledger and
// returns its event, PerBlock transactions to a block.
type chain struct {
	t        testing.TB
	ledger   *fakeLedger
	perBlock int
	txs      int
	now      time.Time
	events   []fabricclient.Event
	tokens   map[string]*model.Token
	invoices map[string]*model.Invoice
	lines    map[[2]string]*model.CreditLine
}

func newChain(t testing.TB, ledger *fakeLedger) *chain {
	return &chain{t: t, ledger: ledger, perBlock: 2, now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		tokens: map[string]*model.Token{}, invoices: map[string]*model.Invoice{}, lines: map[[2]string]*model.CreditLine{}}
}

// tx makes the next transaction's event; fill adds its changes.
func (c *chain) tx(kind, actor string, fill func(e *model.Event)) fabricclient.Event {
	c.t.Helper()
	c.txs++
	c.now = c.now.Add(time.Second)
	e := model.Event{Version: model.EventVersion, Kind: kind, TxID: fmt.Sprintf("tx%05d", c.txs), Timestamp: c.now, Actor: actor}
	fill(&e)
	b, err := json.Marshal(e)
	if err != nil {
		c.t.Fatal(err)
	}
	ev := fabricclient.Event{BlockNumber: c.block(), TxID: e.TxID, Chaincode: "tierchain", Name: model.EventName, Payload: b}
	c.events = append(c.events, ev)
	return ev
}

func (c *chain) block() uint64 { return uint64(5 + (c.txs-1)/c.perBlock) }

// raw appends an event with any name and payload as the next transaction.
func (c *chain) raw(name string, payload []byte) fabricclient.Event {
	c.txs++
	ev := fabricclient.Event{BlockNumber: c.block(), TxID: fmt.Sprintf("tx%05d", c.txs), Chaincode: "tierchain", Name: name, Payload: payload}
	c.events = append(c.events, ev)
	return ev
}

func (c *chain) register(id string, role model.Role) fabricclient.Event {
	return c.tx(protocol.KindRegisterEnterprise, "operator", func(e *model.Event) {
		en := model.Enterprise{ID: id, Name: id + " AS", Role: role, MSPID: "OperatorMSP", CertHash: "ab",
			EncryptionKey: []byte{1, 2, 3}, Status: model.EnterpriseActive, RegisteredBy: "operator",
			RegisteredAt: c.now, UpdatedAt: c.now}
		c.ledger.put(c.t, en, "GetEnterprise", id)
		e.Enterprises = append(e.Enterprises, model.EnterpriseChange{ID: id, Role: role, Status: en.Status})
	})
}

func (c *chain) registerInvoice(supplier, buyer string, due time.Time) string {
	id := fmt.Sprintf("%0128x", len(c.invoices)+1)
	c.tx(protocol.KindRegisterInvoice, supplier, func(e *model.Event) {
		inv := &model.Invoice{ID: id, Supplier: supplier, Buyer: buyer, DueDate: due, Commitment: make([]byte, 32),
			Status: model.InvoiceRegistered, RegisteredAt: c.now, UpdatedAt: c.now, TxID: e.TxID}
		c.invoices[id] = inv
		c.invoiceChanged(e, inv)
	})
	return id
}

func (c *chain) invoiceChanged(e *model.Event, inv *model.Invoice) {
	inv.UpdatedAt = c.now
	c.ledger.put(c.t, inv, "GetInvoice", inv.ID)
	e.Invoices = append(e.Invoices, model.InvoiceChange{ID: inv.ID, Supplier: inv.Supplier, Buyer: inv.Buyer, Status: inv.Status})
}

func (c *chain) confirmInvoice(id string) {
	inv := c.invoices[id]
	c.tx(protocol.KindConfirmInvoice, inv.Buyer, func(e *model.Event) {
		inv.Status = model.InvoiceConfirmed
		c.invoiceChanged(e, inv)
	})
}

func (c *chain) grant(core, bank string, limit uint64) {
	c.tx(protocol.KindGrantCreditLine, bank, func(e *model.Event) {
		cl := &model.CreditLine{Core: core, Bank: bank, Limit: limit, Expiry: c.now.AddDate(1, 0, 0),
			Outstanding: make([]byte, 32), GrantedAt: c.now}
		c.lines[[2]string{core, bank}] = cl
		c.lineChanged(e, cl)
	})
}

func (c *chain) lineChanged(e *model.Event, cl *model.CreditLine) {
	cl.UpdatedAt = c.now
	c.ledger.put(c.t, cl, "GetCreditLine", cl.Core, cl.Bank, cl.Currency)
	e.CreditLines = append(e.CreditLines, model.CreditLineChange{Core: cl.Core, Bank: cl.Bank, Currency: cl.Currency, Limit: cl.Limit, Outstanding: cl.Outstanding})
}

func (c *chain) tokenChanged(e *model.Event, t *model.Token, created bool) {
	t.UpdatedAt = c.now
	c.ledger.put(c.t, model.TokenView{Token: *t, LedgerStatus: t.Status}, "GetToken", t.ID)
	ch := model.TokenChange{ID: t.ID, Root: t.Root, Holder: t.Holder, Status: t.Status}
	if created {
		ch.Commitment = t.Commitment
	}
	if t.Financing != nil {
		ch.Bank = t.Financing.Bank
	}
	e.Tokens = append(e.Tokens, ch)
}

func (c *chain) newToken(e *model.Event, i int, holder string, tier int, issuer, bank, root string, parents []string, maturity time.Time) *model.Token {
	id := fmt.Sprintf("t%s-%d", e.TxID, i)
	if root == "" {
		root = id
	}
	t := &model.Token{ID: id, Root: root, Parents: parents, Tier: tier, Issuer: issuer, Bank: bank, Holder: holder,
		Commitment: []byte{byte(c.txs), byte(i), 3}, Maturity: maturity, Status: model.TokenActive, CreatedAt: c.now, TxID: e.TxID}
	c.tokens[id] = t
	c.tokenChanged(e, t, true)
	return t
}

// issue issues a receivable of core to holder against bank's line, backed
// by the invoices; it returns the root token's ID.
func (c *chain) issue(core, bank, holder string, maturity time.Time, invoices ...string) string {
	var id string
	c.tx(protocol.KindIssue, core, func(e *model.Event) {
		for _, iid := range invoices {
			inv := c.invoices[iid]
			inv.Status = model.InvoiceUsed
			inv.UsedBy = fmt.Sprintf("t%s-0", e.TxID)
			c.invoiceChanged(e, inv)
		}
		cl := c.lines[[2]string{core, bank}]
		cl.Issued++
		c.lineChanged(e, cl)
		t := c.newToken(e, 0, holder, 1, core, bank, "", nil, maturity)
		t.Invoices = invoices
		c.ledger.put(c.t, model.TokenView{Token: *t, LedgerStatus: t.Status}, "GetToken", t.ID)
		id = t.ID
	})
	return id
}

// split spends token id into one output per holder; an output to another
// holder is a tier below.
func (c *chain) split(id string, holders ...string) []string {
	in := c.tokens[id]
	var out []string
	c.tx(protocol.KindSplit, in.Holder, func(e *model.Event) {
		in.Status = model.TokenSplit
		for i, h := range holders {
			tier := in.Tier
			if h != in.Holder {
				tier++
			}
			t := c.newToken(e, i, h, tier, in.Issuer, in.Bank, in.Root, []string{in.ID}, in.Maturity)
			in.Children = append(in.Children, t.ID)
			out = append(out, t.ID)
		}
		c.tokenChanged(e, in, false)
	})
	return out
}

// act changes one token's state as the transaction kind does.
func (c *chain) act(kind, id, bank string) {
	t := c.tokens[id]
	actor := t.Holder
	c.tx(kind, actor, func(e *model.Event) {
		switch kind {
		case protocol.KindRequestFinancing:
			t.Status = model.TokenFinancing
			t.Financing = &model.Financing{Bank: bank, Requester: t.Holder, BankEnvelope: []byte{9}, RequestedAt: c.now}
		case protocol.KindApproveFinancing:
			e.Actor = t.Financing.Bank
			t.Status, t.Holder, t.Financing.ApprovedAt = model.TokenFinanced, t.Financing.Bank, c.now
		case protocol.KindRejectFinancing, protocol.KindCancelFinancing:
			t.Status, t.Financing = model.TokenActive, nil
		case protocol.KindDeclarePayment:
			e.Actor = t.Issuer
			t.Payment = &model.Payment{Ref: "pay", Payee: t.Holder, PriorStatus: t.Status, DeclaredAt: c.now}
			t.Status = model.TokenPaying
		case protocol.KindConfirmPayment:
			t.Status, t.Payment.ConfirmedAt = model.TokenSettled, c.now
		case protocol.KindFreeze:
			e.Actor = "operator"
			t.Freeze = &model.Freeze{Reason: "court", PriorStatus: t.Status, By: "operator", At: c.now}
			t.Status = model.TokenFrozen
		default:
			c.t.Fatalf("act %s", kind)
		}
		c.tokenChanged(e, t, false)
	})
}

// storyTokens are the tokens of the story: the first receivable's root, its
// split (to tier2, change to tier1), the second split (to tier3, change to
// tier2), and the second receivable's root.
type storyTokens struct {
	root   string
	l1, l2 []string
	root2  string
}

// story runs the receivable story of DESIGN §1 and a second receivable:
// thirty transactions touching every table. The first receivable is
// issued by tx00015, split by tx00016 and tx00017; tx00021 approves the
// financing of l2[0] at bankB.
func (c *chain) story() storyTokens {
	for _, p := range []struct {
		id   string
		role model.Role
	}{{"operator", model.RoleOperator}, {"core", model.RoleCore}, {"core2", model.RoleCore}, {"bankA", model.RoleBank},
		{"bankB", model.RoleBank}, {"tier1", model.RoleSupplier}, {"tier2", model.RoleSupplier}, {"tier3", model.RoleSupplier}} {
		c.register(p.id, p.role)
	}
	c.grant("core", "bankA", 50_000_000_00)
	c.grant("core2", "bankB", 10_000_000_00)
	maturity := time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)
	inv1, inv2 := c.registerInvoice("tier1", "core", maturity), c.registerInvoice("tier1", "core", maturity)
	c.confirmInvoice(inv1)
	c.confirmInvoice(inv2)
	root := c.issue("core", "bankA", "tier1", maturity, inv1, inv2)
	l1 := c.split(root, "tier2", "tier1")
	l2 := c.split(l1[0], "tier3", "tier2")
	c.act(protocol.KindRequestFinancing, l2[0], "bankB")
	c.act(protocol.KindRejectFinancing, l2[0], "")
	c.act(protocol.KindRequestFinancing, l2[0], "bankB")
	c.act(protocol.KindApproveFinancing, l2[0], "")
	c.act(protocol.KindRequestFinancing, l1[1], "bankA")
	c.act(protocol.KindCancelFinancing, l1[1], "")
	c.act(protocol.KindDeclarePayment, l2[1], "")
	c.act(protocol.KindConfirmPayment, l2[1], "")
	inv3 := c.registerInvoice("tier2", "core2", maturity.AddDate(0, -6, 0))
	c.confirmInvoice(inv3)
	r2 := c.issue("core2", "bankB", "tier2", maturity.AddDate(0, -6, 0), inv3)
	c.act(protocol.KindFreeze, r2, "")
	c.registerInvoice("tier3", "core", maturity)
	return storyTokens{root: root, l1: l1, l2: l2, root2: r2}
}

// fakeSource plays a chain's events the way Fabric does with the
// checkpoint the indexer passes: it starts right after the indexer's
// persisted checkpoint (which is what the indexer hands it as an option).
// Each connection delivers at most breakAfter events (0: all) then ends,
// as a broken stream does; after the last event it stays open.
type fakeSource struct {
	t          testing.TB
	events     []fabricclient.Event
	ix         *Indexer
	breakAfter int
	replayAll  bool // ignore the checkpoint: a source that repeats everything
	onDeliver  func(n int64)
	opened     atomic.Int32
	delivered  atomic.Int64
}

func (s *fakeSource) ChaincodeEvents(ctx context.Context, opts ...fabricclient.EventsOption) (<-chan fabricclient.Event, error) {
	s.opened.Add(1)
	if len(opts) != 1 {
		s.t.Errorf("ChaincodeEvents got %d options, want one start position", len(opts))
	}
	start := 0
	if !s.replayAll {
		cp, err := s.ix.Checkpoint(ctx)
		if err != nil {
			return nil, err
		}
		start = after(s.events, cp)
	}
	ch := make(chan fabricclient.Event)
	go func() {
		defer close(ch)
		sent := 0
		for _, ev := range s.events[start:] {
			if s.breakAfter > 0 && sent == s.breakAfter {
				return
			}
			select {
			case ch <- ev:
				sent++
				n := s.delivered.Add(1)
				if s.onDeliver != nil {
					s.onDeliver(n)
				}
			case <-ctx.Done():
				return
			}
		}
		<-ctx.Done()
	}()
	return ch, nil
}

// after is the index of the first event after the checkpoint.
func after(events []fabricclient.Event, cp Checkpoint) int {
	if cp.IsZero() {
		return 0
	}
	if i := slices.IndexFunc(events, func(ev fabricclient.Event) bool { return ev.BlockNumber == cp.Block && ev.TxID == cp.TxID }); i >= 0 {
		return i + 1
	}
	if i := slices.IndexFunc(events, func(ev fabricclient.Event) bool { return ev.BlockNumber > cp.Block }); i >= 0 {
		return i
	}
	return len(events)
}

package api

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/indexer"
	"github.com/tierchain/tierchain/services/invoice"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/services/wallet"
)

// refsLedger answers GetToken, GetTokens, GetInvoice and GetEnterprise
// from the records it holds, as the chaincode does, and the contract
// API's GetMetadata, and counts the evaluations of each function.
type refsLedger struct {
	mu    sync.Mutex
	recs  map[string][]byte
	calls map[string]int
}

func newRefsLedger() *refsLedger {
	return &refsLedger{recs: map[string][]byte{}, calls: map[string]int{}}
}

func (l *refsLedger) Evaluate(ctx context.Context, contract, fn string, args ...string) ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls[fn]++
	if contract == "org.hyperledger.fabric" && fn == "GetMetadata" {
		// What the indexer asks before its first token fetch: the
		// contract's transactions, GetTokens among them.
		return []byte(`{"contracts":{"` + Contract + `":{"name":"` + Contract + `","transactions":[{"name":"GetToken"},{"name":"GetTokens"},{"name":"GetInvoice"},{"name":"GetEnterprise"}]}}}`), nil
	}
	if contract != Contract {
		return nil, fmt.Errorf("contract %q", contract)
	}
	if fn == "GetTokens" {
		ids, err := rules.DecodeTokenIDs(args[0])
		if err != nil {
			return nil, err
		}
		out := make([]rules.TokenResult, len(ids))
		for i, id := range ids {
			out[i].ID = id
			if b, ok := l.recs["GetToken|"+id]; ok {
				out[i].Token = new(model.TokenView)
				if err := json.Unmarshal(b, out[i].Token); err != nil {
					return nil, err
				}
			} else {
				out[i].Code, out[i].Error = model.CodeNotFound, "no token "+id
			}
		}
		return json.Marshal(out)
	}
	b, ok := l.recs[fn+"|"+strings.Join(args, "|")]
	if !ok {
		return nil, &fabricclient.ChaincodeError{Op: "evaluate " + fn, Code: string(model.CodeNotFound), Message: "no " + strings.Join(args, "|")}
	}
	return b, nil
}

func (l *refsLedger) put(t testing.TB, v any, fn, id string) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	l.recs[fn+"|"+id] = b
	l.mu.Unlock()
}

// counted returns the evaluations made since the last call, by function.
func (l *refsLedger) counted() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.calls
	l.calls = map[string]int{}
	return out
}

func total(calls map[string]int) int {
	n := 0
	for _, c := range calls {
		n += c
	}
	return n
}

// hashPrints fingerprints with SHA-512: a deterministic stand-in for the
// operator's OPRF (64 bytes, as its output; the check compares bytes).
type hashPrints struct{}

func (hashPrints) Fingerprint(_ context.Context, in []byte) ([]byte, error) {
	s := sha512.Sum512(in)
	return s[:], nil
}

var refsTime = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// refsWorld is a bank's inbox: pending pieces under receivables whose
// invoices and parties are records on the ledger (and, as the test
// chooses, in the read model).
type refsWorld struct {
	l     *refsLedger
	items []refItem
	// records: what the read model can be fed, by kind.
	enterprises, invoices, roots []string
}

func (w *refsWorld) enterprise(t testing.TB, id, legal string) {
	w.l.put(t, model.Enterprise{ID: id, Role: model.RoleSupplier, LegalID: legal, Status: model.EnterpriseActive, UpdatedAt: refsTime}, "GetEnterprise", id)
	w.enterprises = append(w.enterprises, id)
}

// invoice registers an invoice of seller to buyer keyed by number under
// the parties' legal IDs; v2 gives it a filing (the key the bank can
// recompute), else it looks keyed under v1.
func (w *refsWorld) invoice(t testing.TB, seller, sellerLegal, buyer, buyerLegal, number string, v2 bool) string {
	fp, _ := hashPrints{}.Fingerprint(context.Background(), invoice.KeysFor(sellerLegal, buyerLegal, number)[0].Input())
	id := hex.EncodeToString(fp)
	inv := model.Invoice{ID: id, Fingerprint: fp, Supplier: seller, Buyer: buyer, Status: model.InvoiceUsed, UpdatedAt: refsTime}
	if v2 {
		inv.FilingEnvelope = []byte("filing")
	}
	w.l.put(t, inv, "GetInvoice", id)
	w.invoices = append(w.invoices, id)
	return id
}

func (w *refsWorld) root(t testing.TB, id string, invoices []string) {
	w.l.put(t, model.TokenView{Token: model.Token{ID: id, Root: id, Holder: "sup", Status: model.TokenSplit, Invoices: invoices,
		UpdatedAt: refsTime}}, "GetToken", id)
	w.roots = append(w.roots, id)
}

// piece adds a pending request on a piece of root disclosing refs.
func (w *refsWorld) piece(root string, i int, refs []protocol.InvoiceNumber, opened error) {
	w.items = append(w.items, refItem{token: &model.Token{ID: fmt.Sprintf("%s-p%d", root, i), Root: root}, refs: refs, opened: opened})
}

// inboxWorld is n pending pieces spread over m receivables of two
// invoices each, between one seller and one buyer, every number disclosed
// and true.
func inboxWorld(t testing.TB, n, m int) *refsWorld {
	w := &refsWorld{l: newRefsLedger()}
	w.enterprise(t, "sup", "LEI:SUPPLIER")
	w.enterprise(t, "core", "LEI:CORE")
	for r := range m {
		root := fmt.Sprintf("root%d", r)
		var ids []string
		var refs []protocol.InvoiceNumber
		for k := range 2 {
			number := fmt.Sprintf("INV-%d-%d", r, k)
			id := w.invoice(t, "sup", "LEI:SUPPLIER", "core", "LEI:CORE", number, true)
			ids = append(ids, id)
			refs = append(refs, protocol.InvoiceNumber{Invoice: id, Number: number})
		}
		w.root(t, root, ids)
		for i := range n / m {
			w.piece(root, i, refs, nil)
		}
	}
	return w
}

// index feeds the read model the records named (their events, the
// records read from the ledger as the indexer reads them), then forgets
// the evaluations that took.
func (w *refsWorld) index(t testing.TB, enterprises, invoices, roots []string) *indexer.Indexer {
	return w.indexFrom(t, w.l, enterprises, invoices, roots)
}

// indexFrom is index with the records read from l (the copies an older
// gateway's indexer made, say).
func (w *refsWorld) indexFrom(t testing.TB, l *refsLedger, enterprises, invoices, roots []string) *indexer.Indexer {
	t.Helper()
	ix, err := indexer.New(context.Background(), storetest.SQLite(t), l, indexer.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e := model.Event{Version: model.EventVersion, Kind: "seed", TxID: "tx1", Timestamp: refsTime, Actor: "bootstrap"}
	for _, id := range enterprises {
		e.Enterprises = append(e.Enterprises, model.EnterpriseChange{ID: id, Role: model.RoleSupplier, Status: model.EnterpriseActive})
	}
	for _, id := range invoices {
		var inv model.Invoice
		if err := json.Unmarshal(w.l.recs["GetInvoice|"+id], &inv); err != nil {
			t.Fatal(err)
		}
		e.Invoices = append(e.Invoices, model.InvoiceChange{ID: id, Supplier: inv.Supplier, Buyer: inv.Buyer, Status: inv.Status})
	}
	for _, id := range roots {
		e.Tokens = append(e.Tokens, model.TokenChange{ID: id, Root: id, Holder: "sup", Status: model.TokenSplit})
	}
	payload, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.ApplyEvents(context.Background(), []fabricclient.Event{{BlockNumber: 1, TxID: "tx1", Chaincode: Contract, Name: model.EventName, Payload: payload}}, true); err != nil {
		t.Fatal(err)
	}
	if pg, err := ix.Events(context.Background(), indexer.EventQuery{Outcome: indexer.Rejected}); err != nil || len(pg.Items) != 0 {
		t.Fatalf("the read model refused the records: %+v %v", pg.Items, err)
	}
	w.l.counted()
	l.counted()
	return ix
}

func refsAPI(ix *indexer.Indexer) *API {
	return New(Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Invoices: &invoice.Service{Fingerprinter: hashPrints{}}, Index: ix})
}

// perItem is the inbox as it was checked before the page shared its
// reads: each request on its own, from the ledger.
func perItem(a *API, l wallet.Ledger, items []refItem) [][]InvoiceRefView {
	out := make([][]InvoiceRefView, len(items))
	for i := range items {
		out[i] = a.checkedRefsPage(context.Background(), l, items[i:i+1])[0]
	}
	return out
}

// TestInboxPageEvaluations: a page of 20 requests on pieces of 4
// receivables (2 invoices each, one seller and one buyer) cost 100 ledger
// evaluations when each request was checked on its own from the ledger
// (a root, 2 invoices and 2 parties each); shared within the page they
// are 14 (4 roots, 8 invoices, 2 parties), and none when the bank's read
// model holds the records. The views are the same every way.
func TestInboxPageEvaluations(t *testing.T) {
	w := inboxWorld(t, 20, 4)
	ctx := context.Background()

	before := perItem(refsAPI(nil), w.l, w.items)
	if got := w.l.counted(); total(got) != 100 || got["GetToken"] != 20 || got["GetInvoice"] != 40 || got["GetEnterprise"] != 40 {
		t.Fatalf("each request on its own from the ledger: %v, want 100 (20 roots, 40 invoices, 40 parties)", got)
	}
	for _, v := range before {
		if len(v) != 2 || v[0].Status != wallet.RefVerified || v[1].Status != wallet.RefVerified {
			t.Fatalf("a true number is not verified: %+v", v)
		}
	}

	shared := refsAPI(nil).checkedRefsPage(ctx, w.l, w.items)
	if got := w.l.counted(); total(got) != 14 || got["GetToken"] != 4 || got["GetInvoice"] != 8 || got["GetEnterprise"] != 2 {
		t.Fatalf("one page from the ledger: %v, want 14 (4 roots, 8 invoices, 2 parties)", got)
	}
	if !reflect.DeepEqual(shared, before) {
		t.Fatalf("shared reads changed the views:\n%+v\nwant\n%+v", shared, before)
	}

	ix := w.index(t, w.enterprises, w.invoices, w.roots)
	indexed := refsAPI(ix).checkedRefsPage(ctx, w.l, w.items)
	if got := w.l.counted(); total(got) != 0 {
		t.Fatalf("one page with the read model holding every record: %v evaluations, want none", got)
	}
	if !reflect.DeepEqual(indexed, before) {
		t.Fatalf("the read model changed the views:\n%+v\nwant\n%+v", indexed, before)
	}
}

// TestInboxRefsSameFromReadModel: every outcome — verified (a true number,
// and one typed as its alias), mismatch (a wrong number on an invoice
// keyed as the bank recomputes), unverifiable (a party without a legal
// ID; a number on an invoice keyed under v1), not disclosed (an invoice
// with no number; references that did not open) — is the same from the
// read model as from the ledger, and the same as each request checked on
// its own, even when the read model's copies lack fields.
func TestInboxRefsSameFromReadModel(t *testing.T) {
	w := &refsWorld{l: newRefsLedger()}
	w.enterprise(t, "sup", "LEI:SUPPLIER")
	w.enterprise(t, "core", "LEI:CORE")
	w.enterprise(t, "old", "") // registered before legal IDs
	good := w.invoice(t, "sup", "LEI:SUPPLIER", "core", "LEI:CORE", "INV-1", true)
	// An invoice with an alias: the number as typed with separators keys
	// the main fingerprint; its joined form keys the alias.
	keys := invoice.KeysFor("LEI:SUPPLIER", "LEI:CORE", "INV-2026-0500")
	if len(keys) != 2 {
		t.Fatalf("keys of a number with separators: %d", len(keys))
	}
	mainFP, _ := hashPrints{}.Fingerprint(context.Background(), keys[0].Input())
	aliasFP, _ := hashPrints{}.Fingerprint(context.Background(), keys[1].Input())
	aliased := hex.EncodeToString(aliasFP) // registered under the joined form, the spaced one its alias
	w.l.put(t, model.Invoice{ID: aliased, Fingerprint: aliasFP, Aliases: [][]byte{mainFP}, Supplier: "sup", Buyer: "core",
		Status: model.InvoiceUsed, UpdatedAt: refsTime}, "GetInvoice", aliased)
	w.invoices = append(w.invoices, aliased)
	wrong := w.invoice(t, "sup", "LEI:SUPPLIER", "core", "LEI:CORE", "INV-3", true)
	legacyParty := w.invoice(t, "old", "", "core", "LEI:CORE", "INV-4", true)
	v1 := hex.EncodeToString(bytes.Repeat([]byte{7}, 64)) // keyed under v1: no filing, no aliases
	w.l.put(t, model.Invoice{ID: v1, Fingerprint: bytes.Repeat([]byte{7}, 64), Supplier: "sup", Buyer: "core", Status: model.InvoiceUsed,
		UpdatedAt: refsTime}, "GetInvoice", v1)
	w.invoices = append(w.invoices, v1)
	silent := w.invoice(t, "sup", "LEI:SUPPLIER", "core", "LEI:CORE", "INV-6", true)
	w.root(t, "rootA", []string{good, aliased, wrong})
	w.root(t, "rootB", []string{legacyParty, v1, silent})
	refsA := []protocol.InvoiceNumber{{Invoice: good, Number: "INV-1"}, {Invoice: aliased, Number: "INV-2026-0500"}, {Invoice: wrong, Number: "INV-33"}}
	refsB := []protocol.InvoiceNumber{{Invoice: legacyParty, Number: "INV-4"}, {Invoice: v1, Number: "INV-5"}}
	w.piece("rootA", 0, refsA, nil)
	w.piece("rootB", 0, refsB, nil)
	w.piece("rootA", 1, nil, wallet.ErrNotFound) // references that did not open
	w.items = append(w.items, refItem{token: &model.Token{ID: "rootB", Root: "rootB", Invoices: []string{legacyParty, v1, silent}}, refs: refsB})

	want := [][]string{
		{wallet.RefVerified, wallet.RefVerified, wallet.RefMismatch},
		{wallet.RefUnverifiable, wallet.RefUnverifiable, wallet.RefNotDisclosed},
		{wallet.RefNotDisclosed, wallet.RefNotDisclosed, wallet.RefNotDisclosed},
		{wallet.RefUnverifiable, wallet.RefUnverifiable, wallet.RefNotDisclosed},
	}
	statuses := func(views [][]InvoiceRefView) [][]string {
		out := make([][]string, len(views))
		for i, v := range views {
			for _, r := range v {
				out[i] = append(out[i], r.Status)
			}
		}
		return out
	}
	ctx := context.Background()
	fromLedger := refsAPI(nil).checkedRefsPage(ctx, w.l, w.items)
	if got := statuses(fromLedger); !reflect.DeepEqual(got, want) {
		t.Fatalf("statuses from the ledger: %v, want %v", got, want)
	}
	if alone := perItem(refsAPI(nil), w.l, w.items); !reflect.DeepEqual(alone, fromLedger) {
		t.Fatalf("checked on its own:\n%+v\nin a page:\n%+v", alone, fromLedger)
	}
	w.l.counted()
	ix := w.index(t, w.enterprises, w.invoices, w.roots)
	fromIndex := refsAPI(ix).checkedRefsPage(ctx, w.l, w.items)
	// A number verified from the read model is verified; the requests with
	// another outcome are checked again on the ledger: rootA-p0's three
	// invoices and two parties, rootB's two disclosed invoices and the
	// party without a legal ID (the second rootB request shares them).
	if got, want := w.l.counted(), map[string]int{"GetInvoice": 5, "GetEnterprise": 3}; !maps.Equal(got, want) {
		t.Fatalf("evaluations with the read model holding every record: %v, want %v", got, want)
	}
	if !reflect.DeepEqual(fromIndex, fromLedger) {
		t.Fatalf("from the read model:\n%+v\nfrom the ledger:\n%+v", fromIndex, fromLedger)
	}

	// Copies that lack fields the ledger has (indexed by a gateway older
	// than aliases, filings and legal IDs; a root without its invoices)
	// give the ledger's views all the same.
	old := newRefsLedger()
	for k, b := range w.l.recs {
		var rec map[string]any
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatal(err)
		}
		delete(rec, "aliases")
		delete(rec, "filingEnvelope")
		delete(rec, "legalId")
		if k == "GetToken|rootA" {
			delete(rec, "invoices")
		}
		old.put(t, rec, strings.Split(k, "|")[0], strings.Split(k, "|")[1])
	}
	stale := w.indexFrom(t, old, w.enterprises, w.invoices, w.roots)
	if got := refsAPI(stale).checkedRefsPage(ctx, w.l, w.items); !reflect.DeepEqual(got, fromLedger) {
		t.Fatalf("from older copies:\n%+v\nfrom the ledger:\n%+v", got, fromLedger)
	}
}

// TestInboxRefsFallBackToLedger: records the read model lacks (not
// indexed yet) are read from the ledger, each once for the page, and the
// views are those the ledger alone gives; a record neither holds leaves
// its request's numbers unchecked, or (its root) lists nothing.
func TestInboxRefsFallBackToLedger(t *testing.T) {
	w := inboxWorld(t, 20, 4)
	ctx := context.Background()
	want := refsAPI(nil).checkedRefsPage(ctx, w.l, w.items)
	w.l.counted()

	// The read model lags: it lacks a root, two invoices of another
	// receivable, and the buyer.
	ix := w.index(t, []string{"sup"}, slices.Delete(slices.Clone(w.invoices), 2, 4), slices.Delete(slices.Clone(w.roots), 0, 1))
	got := refsAPI(ix).checkedRefsPage(ctx, w.l, w.items)
	calls := w.l.counted()
	if wantCalls := map[string]int{"GetToken": 1, "GetInvoice": 2, "GetEnterprise": 1}; !maps.Equal(calls, wantCalls) {
		t.Fatalf("evaluations with a lagging read model: %v, want %v", calls, wantCalls)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("with a lagging read model:\n%+v\nwant\n%+v", got, want)
	}

	// A root neither holds lists nothing; an invoice neither holds leaves
	// the numbers of its request unchecked — each read once a page.
	w.items = append(w.items, refItem{token: &model.Token{ID: "gone-p0", Root: "gone"}, refs: w.items[0].refs},
		refItem{token: &model.Token{ID: "gone-p1", Root: "gone"}, refs: w.items[0].refs})
	missing := hex.EncodeToString(bytes.Repeat([]byte{9}, 64))
	w.root(t, "rootX", []string{missing})
	w.items = append(w.items, refItem{token: &model.Token{ID: "rootX-p0", Root: "rootX"}, refs: []protocol.InvoiceNumber{{Invoice: missing, Number: "INV-X"}}})
	got = refsAPI(ix).checkedRefsPage(ctx, w.l, w.items)
	calls = w.l.counted()
	if wantCalls := map[string]int{"GetToken": 3, "GetInvoice": 3, "GetEnterprise": 1}; !maps.Equal(calls, wantCalls) {
		t.Fatalf("evaluations: %v, want %v (roots0, gone and rootX; 2 lagging invoices and the missing one; the buyer)", calls, wantCalls)
	}
	n := len(got)
	if len(got[n-3]) != 0 || len(got[n-2]) != 0 {
		t.Fatalf("an unreadable root listed %+v and %+v", got[n-3], got[n-2])
	}
	if x := got[n-1]; len(x) != 1 || x[0].Status != RefUnchecked || x[0].Number != "INV-X" {
		t.Fatalf("an invoice the ledger lacks: %+v, want its number unchecked", x)
	}
}

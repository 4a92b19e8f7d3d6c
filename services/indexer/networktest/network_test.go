package networktest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/indexer"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

func TestMain(m *testing.M) { os.Exit(fabnettest.Main(m, fabnettest.Options{})) }

// follower is an indexer's Run in the background, reading the ledger as
// the operator.
type follower struct {
	ix     *indexer.Indexer
	cancel context.CancelFunc
	done   chan error
}

// follow starts a follower of src on db; kill, if not nil, receives the
// function that stops it.
func follow(tb testing.TB, db *store.DB, w *world, src indexer.Source, kill func(context.CancelFunc)) *follower {
	tb.Helper()
	ix, err := indexer.New(tb.Context(), db, w.operator.ledger, indexer.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Backoff: 100 * time.Millisecond})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if kill != nil {
		kill(cancel)
	}
	f := &follower{ix: ix, cancel: cancel, done: make(chan error, 1)}
	go func() { f.done <- ix.Run(ctx, src) }()
	return f
}

func (f *follower) stop(tb testing.TB) {
	tb.Helper()
	f.cancel()
	select {
	case err := <-f.done:
		if err != context.Canceled {
			tb.Fatalf("Run returned %v", err)
		}
	case <-time.After(30 * time.Second):
		tb.Fatal("Run did not stop")
	}
}

// waitApplied waits until the read model reflects transaction txID.
func (f *follower) waitApplied(tb testing.TB, txID string) {
	tb.Helper()
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		ok, err := f.ix.Applied(tb.Context(), txID)
		if err != nil {
			tb.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			cp, _ := f.ix.Checkpoint(tb.Context())
			tb.Fatalf("transaction %s not in the read model (checkpoint %+v, connected %v)", txID, cp, f.ix.Connected())
		}
	}
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
// receivable on a confirmed invoice while an indexer follows from the
// genesis block, then stops the indexer, splits the receivable, and starts
// a new indexer on the same database; last, a third indexer catching up
// from block 0 is killed after five events and a fourth resumes its
// database. Each read model holds every transaction once, with the full
// records from the ledger.
func TestIndexerFollowsTheLedger(t *testing.T) {
	w := members(t)
	// The indexer starts on an empty ledger and follows from block 0.
	db := storetest.SQLite(t)
	f := follow(t, db, w, w.operator.ledger, nil)
	w.register(t)

	maturity := time.Now().UTC().AddDate(0, 6, 0).Truncate(time.Second)
	amount := openings(t, 1_000_000_00)[0]
	inv, _ := w.registerInvoice(t, w.tier1, maturity, amount)
	w.submit(t, w.core, "ConfirmInvoice", &model.InvoiceActionRequest{Invoice: inv.ID, Fingerprint: inv.Fingerprint}, nil)
	issueReq, err := protocol.BuildIssue(w.pctx, protocol.IssueInput{Currency: currency, Issuer: w.core.id, IssuerKey: w.core.key.Public(),
		Bank: w.bank.id, Holder: w.tier1.recipient(), Invoices: []protocol.OpenedInvoice{{ID: inv.ID, Opening: amount}},
		Limit: creditLimit, Outstanding: pedersen.Opening{Value: 0, Blinding: group.NewScalar()}, Maturity: maturity,
		Amount: amount}, w.auditor, nil)
	if err != nil {
		t.Fatal(err)
	}
	var root model.Token
	issued := w.submit(t, w.core, "Issue", issueReq, &root)

	f.waitApplied(t, issued.TxID)
	ctx := t.Context()
	tok, err := f.ix.Token(ctx, root.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if tok.Tier != 1 || tok.Issuer != w.core.id || tok.Bank != w.bank.id || tok.Holder != w.tier1.id ||
		tok.Status != model.TokenActive || !tok.Maturity.Equal(maturity) || tok.TxID != issued.TxID ||
		tok.BlockNumber != issued.BlockNumber || string(tok.Commitment) != string(root.Commitment) {
		t.Errorf("root token in the read model: %+v", tok)
	}
	var rec model.Token
	if err := json.Unmarshal(tok.Record, &rec); err != nil || string(rec.HolderEnvelope) != string(root.HolderEnvelope) ||
		len(rec.RegulatorEnvelope) == 0 || !slices.Equal(rec.Invoices, []string{inv.ID}) {
		t.Errorf("token record %s: %v", tok.Record, err)
	}
	if got, err := f.ix.Invoice(ctx, inv.ID); err != nil || got.Status != model.InvoiceUsed || got.UsedBy != root.ID ||
		!got.DueDate.Equal(maturity) {
		t.Errorf("invoice %+v %v", got, err)
	}
	if cl, err := f.ix.CreditLine(ctx, w.core.id, w.bank.id, currency); err != nil || cl.Limit != creditLimit || cl.Issued != 1 {
		t.Errorf("credit line %+v %v", cl, err)
	}
	if page, err := f.ix.Enterprises(ctx, indexer.EnterpriseQuery{}); err != nil || len(page.Items) != 6 {
		t.Errorf("enterprises %+v %v", page.Items, err)
	}
	assertLog(t, f.ix, w.committed())

	// Stopped, the indexer misses a split; a new one on the same database
	// resumes from the checkpoint.
	f.stop(t)
	parts := openings(t, 400_000_00, 600_000_00)
	split, err := protocol.BuildSplit(w.pctx, protocol.SplitInput{Kind: protocol.KindSplit, Spender: w.tier1.id,
		Inputs: []protocol.OpenedToken{{ID: root.ID, Currency: root.Currency, Opening: amount}},
		Outputs: []protocol.OutputSpec{{Holder: w.tier2.recipient(), Opening: parts[0]},
			{Holder: w.tier1.recipient(), Opening: parts[1]}}}, w.auditor, nil)
	if err != nil {
		t.Fatal(err)
	}
	var outs []model.Token
	w.submit(t, w.tier1, "Split", split, &outs)
	_, last := w.registerInvoice(t, w.tier2, maturity, parts[0])

	g := follow(t, db, w, w.operator.ledger, nil)
	g.waitApplied(t, last.TxID)
	assertLog(t, g.ix, w.committed())
	page, err := g.ix.Tokens(ctx, indexer.TokenQuery{Root: root.ID})
	if err != nil || len(page.Items) != 3 {
		t.Fatalf("tokens of the receivable: %+v %v", page.Items, err)
	}
	if page.Items[2].ID != root.ID || page.Items[2].Status != model.TokenSplit {
		t.Errorf("root after the split: %+v", page.Items[2])
	}
	if t2, err := g.ix.Token(ctx, outs[0].ID, time.Now()); err != nil || t2.Tier != 2 || t2.Holder != w.tier2.id ||
		!slices.Equal(t2.Parents, []string{root.ID}) || !t2.Maturity.Equal(maturity) {
		t.Errorf("tier-2 token %+v %v", t2, err)
	}
	if lag, err := g.ix.Lag(ctx, last.BlockNumber); err != nil || lag != 0 {
		t.Errorf("lag %d %v after the last transaction", lag, err)
	}
	if cp, _ := g.ix.Checkpoint(ctx); cp.Block != last.BlockNumber || cp.TxID != last.TxID {
		t.Errorf("checkpoint %+v, want the last transaction %s in block %d", cp, last.TxID, last.BlockNumber)
	}
	g.stop(t)

	// A new read model from block 0, its follower killed after 5 events in
	// the middle of catching up, then resumed by another.
	db2 := storetest.SQLite(t)
	kill := &killAfter{Source: w.operator.ledger, n: 5}
	h := follow(t, db2, w, kill, func(c context.CancelFunc) { kill.kill = c })
	select {
	case <-h.done:
	case <-time.After(90 * time.Second):
		t.Fatal("the follower was not killed")
	}
	cp, err := h.ix.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	applied := slices.Index(w.committed(), cp.TxID) + 1
	if applied > 5 {
		t.Fatalf("checkpoint %+v is past the 5 events handed over", cp)
	}
	if page, err := h.ix.Events(ctx, indexer.EventQuery{Limit: indexer.MaxPageSize}); err != nil || len(page.Items) != applied {
		t.Fatalf("%d events logged for a checkpoint after %d (%v)", len(page.Items), applied, err)
	}
	t.Logf("killed after 5 events handed over: %d applied", applied)
	k := follow(t, db2, w, w.operator.ledger, nil)
	defer k.stop(t)
	k.waitApplied(t, last.TxID)
	assertLog(t, k.ix, w.committed())

	// The chaincode's GetTokens, which the indexers read tokens with,
	// answers a bank each entry exactly as its GetToken does.
	ids := []string{root.ID, outs[0].ID, "no-such-token", outs[1].ID}
	arg, _ := json.Marshal(ids)
	raw, err := w.bank.ledger.Evaluate(ctx, indexer.Contract, "GetTokens", string(arg))
	if err != nil {
		t.Fatalf("GetTokens: %v", err)
	}
	var got []rules.TokenResult
	if err := json.Unmarshal(raw, &got); err != nil || len(got) != len(ids) {
		t.Fatalf("GetTokens answered %s (%v)", raw, err)
	}
	for i, id := range ids {
		one, err := w.bank.ledger.Evaluate(ctx, indexer.Contract, "GetToken", id)
		if err != nil {
			var ce *fabricclient.ChaincodeError
			if !errors.As(err, &ce) || got[i].ID != id || got[i].Token != nil || string(got[i].Code) != ce.Code {
				t.Errorf("%s: GetTokens entry %+v, GetToken %v", id, got[i], err)
			}
			continue
		}
		var view model.TokenView
		if err := json.Unmarshal(one, &view); err != nil || got[i].Token == nil || got[i].Code != "" ||
			got[i].Token.ID != id || got[i].Token.Status != view.Status || got[i].Token.Holder != view.Holder ||
			string(got[i].Token.HolderEnvelope) != string(view.HolderEnvelope) {
			t.Errorf("%s: GetTokens entry %+v, GetToken %s", id, got[i], one)
		}
	}
	if got[2].Code != model.CodeNotFound {
		t.Errorf("a missing token: %+v", got[2])
	}
}

package wallet_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/services/wallet"
)

// must returns v or panics: fixture steps that must not fail (the panic
// fails the test with the stack).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// registerInvoice has supplier register an invoice of v to the core
// through the wallet's builder, and the core confirm it.
func (h *harness) registerInvoice(t testing.TB, supplier *rulestest.Party, label string, v uint64) string {
	t.Helper()
	ctx := context.Background()
	dir := h.directory(supplier)
	doc := sha256.Sum256([]byte(label))
	req := must(h.wallet.BuildInvoice(ctx, wallet.InvoiceSpec{
		Supplier: supplier.ID, Buyer: must(dir.Recipient(ctx, h.Core.ID)), Currency: rulestest.Currency, Auditor: must(dir.Auditor(ctx)),
		Amount: v, Fingerprint: rulestest.Fingerprint(label), DocumentHash: doc[:], DueDate: rulestest.Maturity,
	}))
	inv := must(h.Rules.RegisterInvoice(h.As(supplier), req))
	must(h.Rules.ConfirmInvoice(h.As(h.Core), &model.InvoiceActionRequest{Invoice: inv.ID, Fingerprint: inv.Fingerprint}))
	return inv.ID
}

// spend builds a spend with the wallet and submits it as the holder, in
// the compact encoding as the gateway does, and checks that the tokens
// the wallet builds from the result (Spend.Committed) are the ledger's.
func (h *harness) spend(t *testing.T, holder *rulestest.Party, inputs []string, outputs ...wallet.Payment) []*model.Token {
	t.Helper()
	ctx := context.Background()
	sp := must(h.wallet.BuildSpend(ctx, h.ledger(holder), wallet.SpendSpec{
		Holder: holder.ID, Inputs: inputs, Outputs: outputs, Auditor: must(h.directory(holder).Auditor(ctx)),
	}))
	wire := must(sp.Wire())
	if !protocol.IsCompactSplitRequest(string(wire)) {
		t.Fatalf("%s: Wire is not the compact encoding (first byte %#x)", sp.Function, wire[0])
	}
	req := must(protocol.DecodeSplitRequest(wire))
	st := h.As(holder)
	txID, at := st.TxID(), st.Now
	var out []*model.Token
	var err error
	switch sp.Function {
	case "Split":
		out, err = h.Rules.Split(st, req)
	case "Merge":
		out, err = h.Rules.Merge(st, req)
	case "Transfer":
		out, err = h.Rules.Transfer(st, req)
	default:
		t.Fatalf("function %q", sp.Function)
	}
	if err != nil {
		t.Fatalf("%s: %v", sp.Function, err)
	}
	checkCommitted(t, h, sp, out, txID, at)
	return out
}

// checkCommitted checks that the tokens sp.Committed builds from the IDs
// the chaincode answers a compact request with are, field by field, the
// tokens the ledger holds after the transaction.
func checkCommitted(t *testing.T, h *harness, sp *wallet.Spend, out []*model.Token, txID string, at time.Time) {
	t.Helper()
	ids := make([]string, len(out))
	for i, tok := range out {
		ids[i] = tok.ID
	}
	result := must(json.Marshal(ids))
	built, err := sp.Committed(result, txID, at)
	if err != nil {
		t.Fatalf("Committed: %v", err)
	}
	if len(built) != len(out) {
		t.Fatalf("Committed built %d tokens, the ledger has %d", len(built), len(out))
	}
	for i := range built {
		st := h.World.State.Overlay()
		st.Submitter, st.Now = h.Core.Identity, h.World.Now
		onLedger := must(h.Rules.GetToken(st, out[i].ID)).Token
		if got, want := must(json.Marshal(built[i])), must(json.Marshal(onLedger)); !bytes.Equal(got, want) {
			t.Fatalf("output %d built from the result:\n%s\nthe ledger holds:\n%s", i, got, want)
		}
	}
}

// issued has the core issue v to S1 on one new invoice (label) against a
// fresh line at BankA, and syncs S1: the root S1 holds.
func (h *harness) issued(t testing.TB, label string, v uint64) *model.Token {
	t.Helper()
	ctx := context.Background()
	inv := h.registerInvoice(t, h.S1, label, v)
	must(h.Rules.GrantCreditLine(h.As(h.BankA), &model.GrantCreditLineRequest{Core: h.Core.ID, Currency: rulestest.Currency,
		Limit: 10_000, Expiry: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}))
	h.sync(t, h.Core)
	dir := h.directory(h.Core)
	root := must(h.Rules.Issue(h.As(h.Core), must(h.wallet.BuildIssue(ctx, h.ledger(h.Core), wallet.IssueSpec{
		Core: h.Core.ID, Bank: h.BankA.ID, Currency: rulestest.Currency, Invoices: []string{inv}, Amount: v,
		Holder: must(dir.Recipient(ctx, h.S1.ID)), Auditor: must(dir.Auditor(ctx)), Maturity: rulestest.Maturity,
	}))))
	h.sync(t, h.S1)
	return root
}

func (h *harness) pay(t testing.TB, to *rulestest.Party, v uint64) wallet.Payment {
	t.Helper()
	return wallet.Payment{To: must(h.directory(to).Recipient(context.Background(), to.ID)), Amount: v}
}

func (h *harness) holding(t *testing.T, p *rulestest.Party, v uint64) wallet.Holding {
	t.Helper()
	hs := must(h.wallet.Holdings(context.Background(), p.ID))
	for _, x := range hs {
		if x.Value == v {
			return x
		}
	}
	t.Fatalf("%s holds no token of the value sought among %d", p.ID, len(hs))
	return wallet.Holding{}
}

// snapshot is every opening the wallet holds for the parties, encoded.
func (h *harness) snapshot(t *testing.T) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	out := map[string][]byte{}
	add := func(key string, v uint64, blinding []byte) {
		out[key] = append(binaryValue(v), blinding...)
	}
	for _, p := range []*rulestest.Party{h.S1, h.S2, h.S3, h.BankA, h.BankB, h.Core} {
		for _, list := range []func(context.Context, string) ([]wallet.Holding, error){h.wallet.Holdings, h.wallet.FinancingRequests, h.wallet.Issued} {
			for _, x := range must(list(ctx, p.ID)) {
				o := must(h.wallet.TokenOpening(ctx, p.ID, x.TokenID))
				add(p.ID+"/token/"+x.TokenID+"/"+string(x.LedgerStatus), o.Value, o.Blinding.Bytes())
			}
		}
		for _, inv := range must(h.wallet.Invoices(ctx, p.ID)) {
			o := must(h.wallet.InvoiceOpening(ctx, p.ID, inv.ID))
			add(p.ID+"/invoice/"+inv.ID+"/"+string(inv.Status), o.Value, o.Blinding.Bytes())
		}
	}
	return out
}

func binaryValue(v uint64) []byte {
	var b [8]byte
	for i := range b {
		b[i] = byte(v >> (56 - 8*i))
	}
	return b[:]
}

// TestLifecycle runs the story through the wallet's builders and the real
// rules: invoices, issue, split, transfer, financing, merge, payment; then
// drops every opening and rebuilds them from the chain and the keys.
func TestLifecycle(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h := newHarness(t, db, rulestest.NewWorld())
		inv1 := h.registerInvoice(t, h.S1, "LC-1", 600)
		inv2 := h.registerInvoice(t, h.S1, "LC-2", 400)
		expiry := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
		must(h.Rules.GrantCreditLine(h.As(h.BankA), &model.GrantCreditLineRequest{Core: h.Core.ID, Currency: rulestest.Currency, Limit: 10_000, Expiry: expiry}))

		h.sync(t, h.Core)
		invs := must(h.wallet.Invoices(ctx, h.Core.ID))
		if len(invs) != 2 || invs[0].Value+invs[1].Value != 1000 || invs[0].Status != model.InvoiceConfirmed {
			t.Fatalf("core's invoices: %v", invs)
		}

		// Issue 1000 to S1 against BankA's line.
		dir := h.directory(h.Core)
		issue := must(h.wallet.BuildIssue(ctx, h.ledger(h.Core), wallet.IssueSpec{
			Core: h.Core.ID, Bank: h.BankA.ID, Currency: rulestest.Currency, Invoices: []string{inv1, inv2}, Amount: 1000,
			Holder: must(dir.Recipient(ctx, h.S1.ID)), Auditor: must(dir.Auditor(ctx)), Maturity: rulestest.Maturity,
		}))
		root := must(h.Rules.Issue(h.As(h.Core), issue))
		out, _ := must2(h.wallet.OutstandingOpening(ctx, h.Core.ID, h.BankA.ID, rulestest.Currency, h.ledger(h.Core)))
		if out.Value != 1000 {
			t.Fatalf("outstanding after the issue: wrong value")
		}
		if roots := must(h.wallet.Issued(ctx, h.Core.ID)); len(roots) != 1 || !roots[0].Unsettled || roots[0].TokenID != root.ID {
			t.Fatalf("core's receivable: %v", roots)
		}

		h.sync(t, h.S1)
		if got := h.values(t, h.S1); !slices.Equal(got, []uint64{1000}) {
			t.Fatalf("S1 holds %v", got)
		}
		// Split 300 to S2, 700 back to S1 as change.
		outs := h.spend(t, h.S1, []string{root.ID}, h.pay(t, h.S2, 300))
		if len(outs) != 2 {
			t.Fatalf("split made %d tokens", len(outs))
		}
		h.sync(t, h.S1)
		h.sync(t, h.S2)
		if got := h.values(t, h.S1); !slices.Equal(got, []uint64{700}) {
			t.Fatalf("S1 holds %v after the split", got)
		}
		// S2 transfers its 300 to S3.
		t300 := h.holding(t, h.S2, 300)
		if sp := h.spend(t, h.S2, []string{t300.TokenID}, h.pay(t, h.S3, 300)); len(sp) != 1 {
			t.Fatalf("transfer made %d tokens", len(sp))
		}
		h.sync(t, h.S2)
		h.sync(t, h.S3)
		if got := h.values(t, h.S2); len(got) != 0 {
			t.Fatalf("S2 still holds %v", got)
		}
		// S3 finances its 300 at BankB.
		t3 := h.holding(t, h.S3, 300)
		bank := must(h.directory(h.S3).Recipient(ctx, h.BankB.ID))
		fin := must(h.wallet.BuildFinance(ctx, h.ledger(h.S3), h.S3.ID, t3.TokenID, bank))
		must(h.Rules.RequestFinancing(h.As(h.S3), fin))
		h.sync(t, h.BankB)
		if reqs := must(h.wallet.FinancingRequests(ctx, h.BankB.ID)); len(reqs) != 1 || reqs[0].Value != 300 || reqs[0].TokenID != t3.TokenID {
			t.Fatalf("BankB's financing requests: %v", reqs)
		}
		must(h.Rules.ApproveFinancing(h.As(h.BankB), &model.ApproveFinancingRequest{Token: t3.TokenID, DisbursementRef: "D-1", AgreementHash: make([]byte, 32)}))
		h.sync(t, h.BankB)
		h.sync(t, h.S3)
		if got := h.values(t, h.BankB); !slices.Equal(got, []uint64{300}) {
			t.Fatalf("BankB holds %v", got)
		}
		if reqs := must(h.wallet.FinancingRequests(ctx, h.BankB.ID)); len(reqs) != 0 {
			t.Fatalf("BankB still has %d requests", len(reqs))
		}
		// S1 splits its 700 into 200 + 500 for itself, then merges them back.
		t700 := h.holding(t, h.S1, 700)
		h.spend(t, h.S1, []string{t700.TokenID}, h.pay(t, h.S1, 200))
		h.sync(t, h.S1)
		sel := must(h.wallet.SelectTokens(ctx, h.S1.ID, root.ID, 650))
		if len(sel) != 2 {
			t.Fatalf("selected %d tokens for 650 of 200 + 500", len(sel))
		}
		if one := must(h.wallet.SelectTokens(ctx, h.S1.ID, "", 500)); len(one) != 1 || one[0].Value != 500 {
			t.Fatalf("exact match not chosen")
		}
		h.spend(t, h.S1, []string{sel[0].TokenID, sel[1].TokenID}, h.pay(t, h.S1, 700))
		h.sync(t, h.S1)
		if got := h.values(t, h.S1); !slices.Equal(got, []uint64{700}) {
			t.Fatalf("S1 holds %v after the merge", got)
		}

		// Rebuild: drop every opening, sync, the same openings come back
		// (BankA's: the root issued against its line).
		h.sync(t, h.Core)
		h.sync(t, h.BankA)
		before := h.snapshot(t)
		if _, err := db.SQL.ExecContext(ctx, `DELETE FROM wallet_openings`); err != nil {
			t.Fatal(err)
		}
		if len(h.snapshot(t)) != 0 {
			t.Fatal("openings left after the delete")
		}
		for _, p := range []*rulestest.Party{h.S1, h.S2, h.S3, h.BankA, h.BankB, h.Core} {
			h.sync(t, p)
		}
		after := h.snapshot(t)
		if len(before) < 5 || len(after) != len(before) {
			t.Fatalf("rebuilt %d openings, had %d", len(after), len(before))
		}
		for k, v := range before {
			if !bytes.Equal(after[k], v) {
				t.Errorf("opening %s differs after the rebuild", k)
			}
		}
		// A second sync changes nothing and opens nothing.
		if rep := h.sync(t, h.S1); rep.Opened != 0 || rep.Kept != 1 {
			t.Errorf("second sync opened %d, kept %d", rep.Opened, rep.Kept)
		}

		// At maturity the core pays every holder; once both confirm, the
		// outstanding is zero again.
		h.Now = rulestest.Maturity.Add(time.Hour)
		for _, p := range []*rulestest.Party{h.S1, h.BankB} {
			x := h.values(t, p)
			tok := h.holding(t, p, x[0])
			must(h.Rules.DeclarePayment(h.As(h.Core), &model.TokenActionRequest{Token: tok.TokenID, Reason: "PAY-" + p.ID}))
			must(h.Rules.ConfirmPayment(h.As(p), &model.TokenActionRequest{Token: tok.TokenID}))
		}
		out, _ = must2(h.wallet.OutstandingOpening(ctx, h.Core.ID, h.BankA.ID, rulestest.Currency, h.ledger(h.Core)))
		if out.Value != 0 {
			t.Fatalf("outstanding after settlement is not zero")
		}
		h.sync(t, h.S1)
		if hs := must(h.wallet.Holdings(ctx, h.S1.ID)); len(hs) != 1 || hs[0].Status != model.TokenSettled {
			t.Fatalf("S1's settled holding: %v", hs)
		}
		h.sync(t, h.Core)
		if roots := must(h.wallet.Issued(ctx, h.Core.ID)); len(roots) != 1 || roots[0].Unsettled || roots[0].Value != 1000 {
			t.Fatalf("core's settled receivable: %v", roots)
		}
	})
}

// must2 is must for functions with two results.
func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}

// Wallet errors match the chaincode's codes, so the gateway maps them.
func TestErrorsMatchModelCodes(t *testing.T) {
	for _, c := range []struct {
		err  error
		want error
	}{
		{wallet.ErrInsufficientValue, model.ErrInvalidArgument},
		{wallet.ErrNotFound, model.ErrNotFound},
		{wallet.ErrCommitmentMismatch, model.ErrInvalidState},
		{wallet.ErrKeyExists, model.ErrConflict},
	} {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%v is not %v", c.err, c.want)
		}
	}
}

// Every coded sentinel keeps its message and the chaincode code the
// gateway renders it with; the two storage errors carry no code.
func TestErrorSentinels(t *testing.T) {
	for _, c := range []struct {
		err  *wallet.Error
		msg  string
		code model.Code
	}{
		{wallet.ErrNoKey, "wallet: no key for this enterprise", model.CodeNotFound},
		{wallet.ErrKeyExists, "wallet: the enterprise already has a key", model.CodeConflict},
		{wallet.ErrKeyMismatch, "wallet: key differs from the ledger's encryption key", model.CodeInvalidState},
		{wallet.ErrNotFound, "wallet: no opening", model.CodeNotFound},
		{wallet.ErrCommitmentMismatch, "wallet: opening does not match the ledger commitment", model.CodeInvalidState},
		{wallet.ErrInsufficientValue, "wallet: amount exceeds the tokens' value", model.CodeInvalidArgument},
		{wallet.ErrInvalidArgument, "wallet: invalid argument", model.CodeInvalidArgument},
		{wallet.ErrNotSpendable, "wallet: token is not spendable", model.CodeInvalidState},
		{wallet.ErrCurrencyMismatch, "wallet: amounts in different currencies", model.CodeCurrencyMismatch},
	} {
		if c.err.Error() != c.msg || c.err.Code() != c.code {
			t.Errorf("%q (%s), want %q (%s)", c.err.Error(), c.err.Code(), c.msg, c.code)
		}
	}
	var coded *wallet.Error
	for _, err := range []error{wallet.ErrWrongMasterKey, wallet.ErrCorrupt} {
		if errors.As(err, &coded) || errors.Is(err, model.ErrInternal) {
			t.Errorf("%v carries a chaincode code", err)
		}
	}
}

// Concurrent Syncs of one enterprise (a gateway serving parallel requests)
// all succeed and leave one opening per token.
func TestConcurrentSync(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h, s := scenario(t, db)
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				_, err := h.wallet.Sync(ctx, h.S1.ID, h.ledger(h.S1))
				errs <- err
			}()
		}
		for range 4 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		if o, err := h.wallet.TokenOpening(ctx, h.S1.ID, s.Root); err != nil || o.Value != rulestest.RootAmount {
			t.Fatalf("opening after concurrent syncs: %v", err)
		}
	})
}

// TestSpendAmounts: the wallet says what a split pays and gives back as
// change, before the spend and after it (its input spent), and which kind
// of spend each function commits.
func TestSpendAmounts(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h := newHarness(t, db, rulestest.NewWorld())
		root := h.issued(t, "SA-1", 1000)

		split := wallet.SpendSpec{Holder: h.S1.ID, Inputs: []string{root.ID}, Outputs: []wallet.Payment{h.pay(t, h.S2, 300), h.pay(t, h.S3, 200)}}
		if got := must(h.wallet.SpendAmounts(ctx, split)); !slices.Equal(got, []uint64{300, 200, 500}) {
			t.Fatalf("split's amounts before it: %v", got)
		}
		whole := wallet.SpendSpec{Holder: h.S1.ID, Inputs: []string{root.ID}, Outputs: []wallet.Payment{h.pay(t, h.S2, 1000)}}
		if got := must(h.wallet.SpendAmounts(ctx, whole)); !slices.Equal(got, []uint64{1000}) {
			t.Fatalf("a transfer has no change: %v", got)
		}
		over := wallet.SpendSpec{Holder: h.S1.ID, Inputs: []string{root.ID}, Outputs: []wallet.Payment{h.pay(t, h.S2, 1001)}}
		if _, err := h.wallet.SpendAmounts(ctx, over); !errors.Is(err, wallet.ErrInsufficientValue) {
			t.Fatalf("outputs over the input: %v", err)
		}
		if _, err := h.wallet.SpendAmounts(ctx, wallet.SpendSpec{Holder: h.S2.ID, Inputs: []string{root.ID}}); !errors.Is(err, wallet.ErrNotFound) {
			t.Fatalf("an input the wallet holds no opening of: %v", err)
		}

		outs := h.spend(t, h.S1, split.Inputs, split.Outputs...)
		if len(outs) != 3 {
			t.Fatalf("split made %d tokens", len(outs))
		}
		if got := must(h.wallet.SpendAmounts(ctx, split)); !slices.Equal(got, []uint64{300, 200, 500}) {
			t.Fatalf("split's amounts after it: %v", got)
		}
	})
	for fn, kind := range map[string]string{"Split": protocol.KindSplit, "Merge": protocol.KindMerge, "Transfer": protocol.KindTransfer, "Issue": ""} {
		if got := wallet.SpendKind(fn); got != kind {
			t.Errorf("SpendKind(%q) = %q, want %q", fn, got, kind)
		}
	}
	if fns := wallet.SpendFunctions(); len(fns) != 3 || fns[0] != "Split" {
		t.Errorf("SpendFunctions() = %v", fns)
	}
}

package indexer

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// storyIndex applies the story and returns the indexer and the chain.
func storyIndex(t *testing.T, db *store.DB) (*Indexer, *chain, storyTokens) {
	t.Helper()
	c := newChain(t, newFakeLedger())
	st := c.story()
	ix := newIndexer(t, db, c.ledger, Options{})
	if _, err := ix.apply(t.Context(), c.events); err != nil {
		t.Fatal(err)
	}
	return ix, c, st
}

// allPages walks a listing one item per page.
func allPages[T any](t *testing.T, list func(cursor string) (Page[T], error)) []T {
	t.Helper()
	var out []T
	for cursor := ""; ; {
		page, err := list(cursor)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Items...)
		if cursor = page.Next; cursor == "" {
			return out
		}
	}
}

func tokenIDs(ts []Token) []string {
	var ids []string
	for _, t := range ts {
		ids = append(ids, t.ID+":"+string(t.Status))
	}
	return ids
}

func TestTokenReaders(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ix, c, st := storyIndex(t, db)
		before := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) // before the first maturity
		tokens := func(q TokenQuery) []string {
			q.Limit, q.Now = 1, before
			return tokenIDs(allPages(t, func(cursor string) (Page[Token], error) {
				q.Cursor = cursor
				return ix.Tokens(t.Context(), q)
			}))
		}
		root, l1, l2, root2 := st.root, st.l1, st.l2, st.root2
		for _, tc := range []struct {
			name string
			q    TokenQuery
			want []string
		}{
			{"holder tier2", TokenQuery{Holder: "tier2"}, []string{root2 + ":FROZEN", l2[1] + ":SETTLED", l1[0] + ":SPLIT"}},
			{"holder bankB", TokenQuery{Holder: "bankB"}, []string{l2[0] + ":FINANCED"}},
			{"issuer core", TokenQuery{Issuer: "core"}, []string{l2[1] + ":SETTLED", l2[0] + ":FINANCED", l1[1] + ":ACTIVE", l1[0] + ":SPLIT", root + ":SPLIT"}},
			{"root", TokenQuery{Root: root2}, []string{root2 + ":FROZEN"}},
			{"bank of the line", TokenQuery{Bank: "bankB"}, []string{root2 + ":FROZEN"}},
			{"active", TokenQuery{Status: model.TokenActive}, []string{l1[1] + ":ACTIVE"}},
			{"overdue before maturity", TokenQuery{Status: model.TokenOverdue}, nil},
			{"issuer and holder", TokenQuery{Issuer: "core", Holder: "tier1"}, []string{l1[1] + ":ACTIVE", root + ":SPLIT"}},
		} {
			if got := tokens(tc.q); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
		after := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		page, err := ix.Tokens(t.Context(), TokenQuery{Status: model.TokenOverdue, Now: after})
		if err != nil || !slices.Equal(tokenIDs(page.Items), []string{l2[0] + ":OVERDUE", l1[1] + ":OVERDUE"}) {
			t.Errorf("overdue after maturity: %v %v", tokenIDs(page.Items), err)
		}
		if page, _ := ix.Tokens(t.Context(), TokenQuery{Status: model.TokenActive, Now: after}); len(page.Items) != 0 {
			t.Errorf("ACTIVE after maturity: %v", tokenIDs(page.Items))
		}

		tok, err := ix.Token(t.Context(), l2[0], before)
		if err != nil {
			t.Fatal(err)
		}
		want := c.tokens[l2[0]]
		if tok.Tier != 3 || tok.Issuer != "core" || tok.Bank != "bankA" || tok.Holder != "bankB" || tok.FinancingBank != "bankB" ||
			!tok.Maturity.Equal(want.Maturity) || !slices.Equal(tok.Parents, []string{l1[0]}) || tok.Root != root ||
			tok.TxID != "tx00017" || tok.BlockNumber != c.events[16].BlockNumber || tok.LastTxID != "tx00021" ||
			string(tok.Commitment) != string(want.Commitment) || !tok.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("token %+v", tok)
		}
		var rec model.Token
		if err := json.Unmarshal(tok.Record, &rec); err != nil || rec.Financing == nil || rec.Financing.Bank != "bankB" ||
			rec.Status != model.TokenFinanced || rec.Tier != 3 {
			t.Errorf("record %s: %v", tok.Record, err)
		}
		if _, err := ix.Token(t.Context(), "nope", before); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing token: %v", err)
		}
		for _, bad := range []string{"x", "0", "-1", "01", "99999999999999999999"} {
			if _, err := ix.Tokens(t.Context(), TokenQuery{Cursor: bad}); !errors.Is(err, ErrBadCursor) {
				t.Errorf("cursor %q: %v", bad, err)
			}
		}
	})
}

func TestOtherReaders(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ix, c, st := storyIndex(t, db)
		ctx := t.Context()
		l1, l2 := st.l1[1], st.l2[0]

		fin := allPages(t, func(cursor string) (Page[FinancingRequest], error) {
			return ix.FinancingRequests(ctx, FinancingQuery{Bank: "bankB", Cursor: cursor, Limit: 1})
		})
		if len(fin) != 2 || fin[0].Status != FinancingApproved || fin[1].Status != FinancingRejected ||
			fin[0].Token != l2 || fin[0].Requester != "tier3" || fin[0].DecisionTxID != "tx00021" || fin[0].DecidedAt.IsZero() {
			t.Errorf("bankB's requests: %+v", fin)
		}
		if page, err := ix.FinancingRequests(ctx, FinancingQuery{Bank: "bankA"}); err != nil || len(page.Items) != 1 ||
			page.Items[0].Status != FinancingCancelled || page.Items[0].Token != l1 {
			t.Errorf("bankA's requests: %+v %v", page.Items, err)
		}
		if page, _ := ix.FinancingRequests(ctx, FinancingQuery{Status: FinancingPending}); len(page.Items) != 0 {
			t.Errorf("pending: %+v", page.Items)
		}

		invs := allPages(t, func(cursor string) (Page[Invoice], error) {
			return ix.Invoices(ctx, InvoiceQuery{Buyer: "core", Cursor: cursor, Limit: 2})
		})
		if len(invs) != 3 || invs[0].Supplier != "tier3" || invs[0].Status != model.InvoiceRegistered ||
			invs[1].Status != model.InvoiceUsed || invs[1].UsedBy != st.root || invs[1].DueDate.IsZero() {
			t.Errorf("core's invoices: %+v", invs)
		}
		if page, _ := ix.Invoices(ctx, InvoiceQuery{Supplier: "tier2"}); len(page.Items) != 1 || page.Items[0].Buyer != "core2" {
			t.Errorf("tier2's invoices: %+v", page.Items)
		}
		if page, _ := ix.Invoices(ctx, InvoiceQuery{Supplier: "tier1", Status: model.InvoiceUsed}); len(page.Items) != 2 {
			t.Errorf("tier1's used invoices: %+v", page.Items)
		}
		if inv, err := ix.Invoice(ctx, invs[0].ID); err != nil || inv.ID != invs[0].ID {
			t.Errorf("invoice: %+v %v", inv, err)
		}

		cl, err := ix.CreditLine(ctx, "core", "bankA", "")
		if err != nil || cl.Limit != 50_000_000_00 || cl.Issued != 1 || cl.Expiry.IsZero() || len(cl.Outstanding) != 32 || cl.TxID != "tx00015" {
			t.Errorf("credit line: %+v %v", cl, err)
		}
		if page, _ := ix.CreditLines(ctx, CreditLineQuery{Bank: "bankB"}); len(page.Items) != 1 || page.Items[0].Core != "core2" {
			t.Errorf("bankB's lines: %+v", page.Items)
		}
		if page, _ := ix.CreditLines(ctx, CreditLineQuery{Core: "core"}); len(page.Items) != 1 {
			t.Errorf("core's lines: %+v", page.Items)
		}

		banks, err := ix.Enterprises(ctx, EnterpriseQuery{Role: model.RoleBank})
		if err != nil || len(banks.Items) != 2 || banks.Items[0].ID != "bankB" || banks.Items[0].MSPID != "OperatorMSP" {
			t.Errorf("banks: %+v %v", banks.Items, err)
		}
		if e, err := ix.Enterprise(ctx, "tier3"); err != nil || e.Name != "tier3 AS" || e.Status != model.EnterpriseActive {
			t.Errorf("tier3: %+v %v", e, err)
		}

		issues, err := ix.Events(ctx, EventQuery{Kind: "issue"})
		if err != nil || len(issues.Items) != 2 || issues.Items[0].Actor != "core2" || issues.Items[0].Outcome != Applied {
			t.Errorf("issue events: %+v %v", issues.Items, err)
		}

		// Checkpoint, Lag and Applied.
		cp, err := ix.Checkpoint(ctx)
		if err != nil || cp != lastCheckpoint(c) {
			t.Errorf("checkpoint %+v %v", cp, err)
		}
		if lag, _ := ix.Lag(ctx, cp.Block+3); lag != 3 {
			t.Errorf("lag %d, want 3", lag)
		}
		if lag, _ := ix.Lag(ctx, cp.Block-1); lag != 0 {
			t.Errorf("lag behind the checkpoint %d", lag)
		}
		if ok, err := ix.Applied(ctx, "tx00005"); !ok || err != nil {
			t.Errorf("Applied(tx00005) = %v %v", ok, err)
		}
		if ok, _ := ix.Applied(ctx, "tx-future"); ok {
			t.Error("Applied(unknown)")
		}
		if err := ix.Ready(ctx); !errors.Is(err, ErrNotFollowing) {
			t.Errorf("Ready without Run: %v", err)
		}
	})
}

func TestExposure(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ix, _, _ := storyIndex(t, db)
		after := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		for _, tc := range []struct {
			by   GroupBy
			want []Exposure
		}{
			{ByIssuer, []Exposure{
				{Party: "core", Receivables: 1, Tokens: 3, Unpaid: 2, Overdue: 2, Financed: 1, Settled: 1},
				{Party: "core2", Receivables: 1, Tokens: 1, Frozen: 1},
			}},
			{ByBank, []Exposure{
				{Party: "bankA", Receivables: 1, Tokens: 3, Unpaid: 2, Overdue: 2, Financed: 1, Settled: 1},
				{Party: "bankB", Receivables: 1, Tokens: 1, Frozen: 1},
			}},
			{ByHolder, []Exposure{
				{Party: "bankB", Receivables: 1, Tokens: 1, Unpaid: 1, Overdue: 1, Financed: 1},
				{Party: "tier1", Receivables: 1, Tokens: 1, Unpaid: 1, Overdue: 1},
				{Party: "tier2", Receivables: 2, Tokens: 2, Settled: 1, Frozen: 1},
			}},
		} {
			got, err := ix.Exposure(t.Context(), tc.by, after)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("by %s: %+v %v\nwant %+v", tc.by, got, err, tc.want)
			}
		}
		if _, err := ix.Exposure(t.Context(), "amount", after); err == nil {
			t.Error("exposure by an unknown column")
		}
	})
}

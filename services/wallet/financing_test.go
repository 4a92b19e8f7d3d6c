package wallet_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/services/wallet"
)

func financingTerms() terms.Terms {
	day := rulestest.Start.Truncate(24 * time.Hour)
	return terms.Terms{AdvanceRateBP: 8500, DiscountRateBP: 650, DayCount: terms.ACT365, PenaltyRateBP: 900,
		ValueDate: day, Expiry: day.AddDate(0, 0, 3)}
}

// TestTermFinancing: the holder's wallet builds a partial financing with
// terms against the channel's cap; the holder and the bank open the same
// advance and fee from the ledger, equal to the terms' figures; the bank's
// wallet then holds the piece; a request above the cap is refused before
// it reaches the ledger, and leaves every wallet as it was.
func TestTermFinancing(t *testing.T) {
	ctx := context.Background()
	h, s := scenario(t, storetest.SQLite(t))
	must(h.Rules.SetFinancingPolicy(h.As(h.Operator), &model.SetFinancingPolicyRequest{MaxAdvanceBP: 8000, GraceDays: 5}))
	h.sync(t, h.S1)
	dir := h.directory(h.S1)
	spec := wallet.TermFinanceSpec{Holder: h.S1.ID, Token: s.Root, Bank: must(dir.Recipient(ctx, h.BankA.ID)),
		Auditor: must(dir.Auditor(ctx)), Terms: financingTerms(), Fee: 2, Piece: 600}

	// 85 % of face is above the channel's 80 % cap: the quote says so,
	// and the wallet refuses to build it.
	before := h.snapshot(t)
	if q, err := h.wallet.QuoteTermFinance(ctx, h.ledger(h.S1), spec); err != nil || q.WithinCap || q.MaxAdvanceBP != 8000 || q.Advance.Face != 600 {
		t.Fatalf("quote above the cap %+v, %v", q, err)
	}
	if _, _, err := h.wallet.BuildTermFinance(ctx, h.ledger(h.S1), spec); !errors.Is(err, wallet.ErrInvalidArgument) || !errors.Is(err, model.ErrInvalidArgument) {
		t.Fatalf("advance above the cap: %v", err)
	}
	for _, bad := range []func(*wallet.TermFinanceSpec){
		func(s *wallet.TermFinanceSpec) { s.Terms.AdvanceRateBP = 10_001 },
		func(s *wallet.TermFinanceSpec) { s.Terms.DiscountRateBP = -1 },
		func(s *wallet.TermFinanceSpec) { s.Piece = rulestest.RootAmount },
	} {
		sp := spec
		bad(&sp)
		if _, _, err := h.wallet.BuildTermFinance(ctx, h.ledger(h.S1), sp); !errors.Is(err, wallet.ErrInvalidArgument) {
			t.Fatalf("bad spec %+v: %v", sp, err)
		}
	}

	if after := h.snapshot(t); !reflect.DeepEqual(before, after) {
		t.Fatal("a refused financing changed a wallet")
	}

	spec.Terms.AdvanceRateBP = 8000
	req, adv, err := h.wallet.BuildTermFinance(ctx, h.ledger(h.S1), spec)
	if err != nil {
		t.Fatal(err)
	}
	if adv.Face != 600 || adv.Advance == 0 || adv.Advance > 480 {
		t.Fatalf("advance %+v", adv)
	}
	if q, err := h.wallet.QuoteTermFinance(ctx, h.ledger(h.S1), spec); err != nil || !q.WithinCap || q.Advance != adv {
		t.Fatalf("quote %+v, %v; the request pays %+v", q, err, adv)
	}
	out := must(h.Rules.RequestTermFinancing(h.As(h.S1), req))
	piece := must(h.Rules.GetToken(h.As(h.S1), out[0].ID))
	h.sync(t, h.S1)
	h.sync(t, h.BankA)
	for _, p := range []*rulestest.Party{h.S1, h.BankA} {
		got, err := h.wallet.OpenFinancing(ctx, p.ID, piece)
		if err != nil {
			t.Fatalf("%s opens the financing: %v", p.ID, err)
		}
		if got.Face != 600 || got.Advance != adv.Advance || got.Fee != 2 || got.Quote != adv {
			t.Fatalf("%s sees %+v, want %+v", p.ID, got, adv)
		}
	}
	if _, err := h.wallet.OpenFinancing(ctx, h.BankB.ID, piece); !errors.Is(err, wallet.ErrNotFound) {
		t.Fatalf("another bank opens it: %v", err)
	}
	if h.values(t, h.S1)[0] == 0 {
		t.Fatal("S1 holds nothing")
	}
	must(h.Rules.ApproveFinancing(h.As(h.BankA), &model.ApproveFinancingRequest{Token: piece.ID, DisbursementRef: "W-1", AgreementHash: make([]byte, 32)}))
	h.sync(t, h.BankA)
	if hb := h.holding(t, h.BankA, 600); hb.TokenID != piece.ID {
		t.Fatalf("the bank holds %+v", hb)
	}
	h.sync(t, h.S1)
	h.holding(t, h.S1, 400) // the change
}

package wallet_test

import (
	"context"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/services/wallet"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// TestLineUsage: the core's wallet seals each issue's opening to the
// line's bank; the bank's Sync opens the roots of its lines and LineUsage
// sums them per (core, currency). A root issued without a bank envelope,
// or with one that lies, counts as sealed (the lie is a bad envelope with
// the core as sender); another bank's line is not counted.
func TestLineUsage(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h, _ := scenario(t, db)
		dir := h.directory(h.Core)
		inv1 := h.ConfirmedInvoice(h.S1, "LB-1", 100).ID // the core's wallet opens it on Sync
		h.sync(t, h.Core)
		issue := must(h.wallet.BuildIssue(ctx, h.ledger(h.Core), wallet.IssueSpec{
			Core: h.Core.ID, Bank: h.BankB.ID, Currency: rulestest.Currency, Invoices: []string{inv1}, Amount: 100,
			Holder: must(dir.Recipient(ctx, h.S1.ID)), Auditor: must(dir.Auditor(ctx)), Maturity: rulestest.Maturity,
		}))
		if len(issue.BankEnvelope) != envelope.SealedSize {
			t.Fatal("the wallet's issue carries no bank envelope")
		}
		must(h.Rules.Issue(h.As(h.Core), issue))

		// Two issues against BankB's line built by hand: one without a
		// bank envelope, one whose bank envelope carries a wrong value.
		issueB := func(label string, v uint64, bankEnv func(pedersen.Opening) []byte) *model.Token {
			inv := h.ConfirmedInvoice(h.S1, label, v)
			out, _ := must2(h.wallet.OutstandingOpening(ctx, h.Core.ID, h.BankB.ID, rulestest.Currency, h.ledger(h.Core)))
			amount := rulestest.Opening(v)
			req := must(protocol.BuildIssue(h.Ctx(), protocol.IssueInput{Currency: rulestest.Currency,
				Issuer: h.Core.ID, IssuerKey: h.Core.Key.Public(), Bank: h.BankB.ID, Holder: h.S1.Recipient(),
				Invoices: []protocol.OpenedInvoice{inv}, Limit: rulestest.LimitB, Outstanding: out, Maturity: rulestest.Maturity,
				Amount: amount, BankEnvelope: bankEnv(amount)}, h.Auditor(), nil))
			return must(h.Rules.Issue(h.As(h.Core), req))
		}
		issueB("LB-2", 50, func(pedersen.Opening) []byte { return nil })
		liar := issueB("LB-3", 30, func(o pedersen.Opening) []byte {
			wrong := pedersen.Opening{Value: o.Value + 1000, Blinding: o.Blinding}
			return must(envelope.Seal(h.BankB.Key.Public(), wrong, protocol.OutputBinding(o.Commitment(), protocol.PurposeLineBank), nil))
		})

		rep := must(h.wallet.Sync(ctx, h.BankB.ID, h.ledger(h.BankB)))
		if len(rep.Bad) != 1 || rep.Bad[0].ID != liar.ID || rep.Bad[0].Sender != h.Core.ID || rep.Bad[0].Kind != "root" {
			t.Fatalf("bank's sync, bad envelopes: %+v", rep.Bad)
		}
		u := must(h.wallet.LineUsage(ctx, h.BankB.ID, h.Core.ID, rulestest.Currency, h.ledger(h.BankB)))
		if u != (wallet.LineUsage{Used: 100, Roots: 1, Sealed: 2}) {
			t.Fatalf("BankB's line: %+v", u)
		}
		if u := must(h.wallet.LineUsage(ctx, h.BankB.ID, h.Core.ID, "USD", h.ledger(h.BankB))); u != (wallet.LineUsage{}) {
			t.Fatalf("BankB's USD line: %+v", u)
		}
		// BankA's line: the scenario's root, issued without a bank envelope.
		must(h.wallet.Sync(ctx, h.BankA.ID, h.ledger(h.BankA)))
		if u := must(h.wallet.LineUsage(ctx, h.BankA.ID, h.Core.ID, rulestest.Currency, h.ledger(h.BankA))); u != (wallet.LineUsage{Sealed: 1}) {
			t.Fatalf("BankA's line: %+v", u)
		}
		// Syncing again keeps the opening and the known lie.
		rep = must(h.wallet.Sync(ctx, h.BankB.ID, h.ledger(h.BankB)))
		if rep.KnownBad != 1 || rep.Opened != 0 {
			t.Fatalf("second sync: %+v", rep)
		}
		if u := must(h.wallet.LineUsage(ctx, h.BankB.ID, h.Core.ID, rulestest.Currency, h.ledger(h.BankB))); u.Used != 100 {
			t.Fatalf("after a second sync: %+v", u)
		}
	})
}

package wallet_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/services/wallet"
)

// TestBadEnvelopeRecorded: S1 pays S2 with an output whose holder
// envelope lies (each way a sender can). The chaincode accepts it; S2's
// wallet, by Sync or by ReceiveToken, stores no opening, records the token
// as bad with S1 named as the sender and the reason, reports it once, and
// does not open the same bytes again.
func TestBadEnvelopeRecorded(t *testing.T) {
	for _, path := range []string{"sync", "receive"} {
		for i, lie := range rulestest.LyingEnvelopes(rulestest.NewWorld().S2.Key.Public(), rulestest.Opening(1)) {
			t.Run(path+"/"+lie.Name, func(t *testing.T) { badEnvelopeRecorded(t, storetest.SQLite(t), path, i) })
		}
	}
	// The same SQL on every dialect.
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) { badEnvelopeRecorded(t, db, "sync", 0) })
}

func badEnvelopeRecorded(t *testing.T, db *store.DB, path string, lieIndex int) {
	ctx := context.Background()
	h, s := scenario(t, db)
	paid := rulestest.Opening(600)
	lie := rulestest.LyingEnvelopes(h.S2.Key.Public(), paid)[lieIndex]
	outs := must(h.Rules.Split(h.As(h.S1), s.SplitRequest(protocol.KindSplit, h.S1, []protocol.OpenedToken{{ID: s.Root, Currency: rulestest.Currency, Opening: s.RootOpening}},
		rulestest.Lying(h.S2, paid, lie.Envelope), rulestest.To(h.S1, rulestest.Opening(rulestest.RootAmount-600)))))
	bad := outs[0]

	var rep *wallet.SyncReport
	var err error
	if path == "sync" {
		rep, err = h.wallet.Sync(ctx, h.S2.ID, h.ledger(h.S2))
	} else {
		rep, err = h.wallet.ReceiveToken(ctx, h.S2.ID, h.ledger(h.S2), bad.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	want := wallet.BadEnvelope{Kind: "token", ID: bad.ID, Root: s.Root, Sender: h.S1.ID, Reason: lie.Reason, SealedIn: bad.TxID, DetectedAt: h.Now.UTC()}
	if rep.Opened != 0 || len(rep.Refused) != 1 || len(rep.Bad) != 1 || rep.Bad[0] != want {
		t.Fatalf("report %+v, want one bad envelope %+v", rep, want)
	}
	if !errors.Is(rep.Refused[0].Err, wallet.ErrCommitmentMismatch) {
		t.Fatalf("refusal %v", rep.Refused[0])
	}
	if _, err := h.wallet.TokenOpening(ctx, h.S2.ID, bad.ID); !errors.Is(err, wallet.ErrNotFound) {
		t.Fatalf("an opening was stored for a bad envelope: %v", err)
	}
	list := must(h.wallet.BadEnvelopes(ctx, h.S2.ID))
	if len(list) != 1 || list[0] != want {
		t.Fatalf("BadEnvelopes %+v, want %+v", list, want)
	}
	if got, err := h.wallet.TokenBadEnvelope(ctx, h.S2.ID, bad.ID); err != nil || got != want {
		t.Fatalf("TokenBadEnvelope %+v, %v", got, err)
	}
	if _, err := h.wallet.TokenBadEnvelope(ctx, h.S1.ID, bad.ID); !errors.Is(err, wallet.ErrNotFound) {
		t.Fatalf("another enterprise's bad envelope: %v", err)
	}
	if l := must(h.wallet.BadEnvelopes(ctx, h.S1.ID)); len(l) != 0 {
		t.Fatalf("S1 has bad envelopes %+v", l)
	}

	// Again: recorded once, not reopened, not reported as new.
	h.Now = h.Now.Add(time.Minute)
	rep = must(h.wallet.Sync(ctx, h.S2.ID, h.ledger(h.S2)))
	if len(rep.Bad) != 0 || len(rep.Refused) != 0 || rep.KnownBad != 1 {
		t.Fatalf("second sync %+v, want the bad envelope known", rep)
	}
	if list := must(h.wallet.BadEnvelopes(ctx, h.S2.ID)); len(list) != 1 || list[0] != want {
		t.Fatalf("after a second sync %+v", list)
	}
	// S2 cannot spend it: its wallet holds no opening.
	if _, err := h.wallet.BuildSpend(ctx, h.ledger(h.S2), wallet.SpendSpec{Holder: h.S2.ID, Inputs: []string{bad.ID},
		Outputs: []wallet.Payment{h.pay(t, h.S3, 1)}, Auditor: must(h.directory(h.S2).Auditor(ctx))}); err == nil {
		t.Fatal("a token with a bad envelope was spendable")
	}
}

// TestBadEnvelopeSenders: the other ways a sender seals a lie. The core
// issues a root whose holder envelope lies (the sender is the issuer); a
// supplier asks a bank to finance a token with an envelope the bank cannot
// open (the sender is the requester), which the bank's wallet flags as a
// pending request and again as a holding once it approved.
func TestBadEnvelopeSenders(t *testing.T) {
	ctx := context.Background()
	h, s := scenario(t, storetest.SQLite(t))
	amount := rulestest.Opening(1_500)
	lie := rulestest.LyingEnvelopes(h.S1.Key.Public(), amount)[1] // wrong blinding
	req := must(protocol.BuildIssue(h.Ctx(), protocol.IssueInput{Currency: rulestest.Currency,
		Issuer: h.Core.ID, IssuerKey: h.Core.Key.Public(), Bank: h.BankA.ID, Holder: h.S1.Recipient(), Invoices: s.Invoices[2:],
		Limit: rulestest.LimitA, Outstanding: s.Outstanding, Maturity: rulestest.Maturity, Amount: amount, HolderEnvelope: lie.Envelope,
	}, h.Auditor(), nil))
	root := must(h.Rules.Issue(h.As(h.Core), req))
	rep := must(h.wallet.Sync(ctx, h.S1.ID, h.ledger(h.S1)))
	if len(rep.Bad) != 1 || rep.Bad[0].ID != root.ID || rep.Bad[0].Sender != h.Core.ID || rep.Bad[0].Reason != model.DisputeWrongOpening {
		t.Fatalf("issue with a lying envelope: %+v", rep.Bad)
	}
	// The core's own issuer envelope is honest: its wallet opens the root.
	if rep := must(h.wallet.Sync(ctx, h.Core.ID, h.ledger(h.Core))); len(rep.Bad) != 0 {
		t.Fatalf("core's wallet: %+v", rep.Bad)
	}

	garbage := rulestest.LyingEnvelopes(h.BankA.Key.Public(), s.RootOpening)[2]
	must(h.Rules.RequestFinancing(h.As(h.S1), &model.FinanceRequest{Token: s.Root, Bank: h.BankA.ID, BankEnvelope: garbage.Envelope}))
	rep = must(h.wallet.Sync(ctx, h.BankA.ID, h.ledger(h.BankA)))
	want := wallet.BadEnvelope{Kind: "financing", ID: s.Root, Root: s.Root, Sender: h.S1.ID, Reason: model.DisputeUndecryptable, DetectedAt: h.Now.UTC()}
	if len(rep.Bad) != 1 || rep.Bad[0] != want {
		t.Fatalf("financing request: %+v, want %+v", rep.Bad, want)
	}
	must(h.Rules.ApproveFinancing(h.As(h.BankA), &model.ApproveFinancingRequest{Token: s.Root, DisbursementRef: "WIRE-1", AgreementHash: make([]byte, 32)}))
	rep = must(h.wallet.Sync(ctx, h.BankA.ID, h.ledger(h.BankA)))
	if len(rep.Bad) != 1 || rep.Bad[0].Kind != "token" || rep.Bad[0].Sender != h.S1.ID {
		t.Fatalf("financed holding: %+v", rep.Bad)
	}
	if b, err := h.wallet.TokenBadEnvelope(ctx, h.BankA.ID, s.Root); err != nil || b.Sender != h.S1.ID {
		t.Fatalf("bank's TokenBadEnvelope %+v, %v", b, err)
	}
	// The chaincode names the same sender when the bank disputes it.
	d := must(h.Rules.FileDispute(h.As(h.BankA), &model.FileDisputeRequest{Token: s.Root, Reason: model.DisputeUndecryptable}))
	if d.Sender != h.S1.ID || d.Envelope != model.DisputedBankEnvelope {
		t.Fatalf("bank's dispute %+v", d)
	}
}

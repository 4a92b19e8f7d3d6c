package platform_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/wallet"
)

// TestLyingEnvelopeOverREST: tier 1 pays tier 2 with a split whose
// output carries a holder envelope that does not open the output (built
// and submitted with tier 1's own identity, past the honest REST builder).
// The network commits it. Tier 2's wallet flags it on receipt with tier 1
// named, as a server-sent event and over the API; tier 1's dispute of tier 2's token is
// refused with the ledger unchanged; tier 2's dispute lands on the ledger;
// the regulator's reconciliation lists it with the amount it opened itself.
func TestLyingEnvelopeOverREST(t *testing.T) {
	c := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res := storyUntilPay(t, ctx, c, "-e")
	as := func(id, token string) *demo.Client { return &demo.Client{Base: c.URL(id), Token: token} }
	p := c.Gateway("Operator") // the suppliers' gateway
	sender, holder := res.Suppliers[0], res.Suppliers[1]
	tier1, tier2, regulator := as(res.Suppliers[0], res.SupplierTokens[0]), as(res.Suppliers[1], res.SupplierTokens[1]), as("regulator", c.Token("regulator"))
	events := subscribe(t, ctx, c.URL(res.Suppliers[1]), res.SupplierTokens[1])

	// Tier 1 lies: 100.00 to tier 2 with the envelope of 100.01.
	l, err := p.Directory.Client(ctx, sender)
	if err != nil {
		t.Fatal(err)
	}
	dir := wallet.Directory{Ledger: l}
	to, err := dir.Recipient(ctx, holder)
	if err != nil {
		t.Fatal(err)
	}
	self, err := dir.Recipient(ctx, sender)
	if err != nil {
		t.Fatal(err)
	}
	aud, err := dir.Auditor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	change := res.Held[0]
	in, err := p.Wallet.TokenOpening(ctx, sender, change.ID)
	if err != nil {
		t.Fatal(err)
	}
	held, err := p.Wallet.Holdings(ctx, sender)
	if err != nil {
		t.Fatal(err)
	}
	currency := ""
	for _, h := range held {
		if h.TokenID == change.ID {
			currency = h.Currency
		}
	}
	paid, rest := rulestest.Opening(100_00), rulestest.Opening(in.Value-100_00)
	lie := rulestest.LyingEnvelopes(to.Key, paid)[0]
	req, err := protocol.BuildSplit(protocol.Context{Channel: fabnet.ChannelName, Chaincode: fabnet.ChaincodeName}, protocol.SplitInput{
		Kind: protocol.KindSplit, Spender: sender, Inputs: []protocol.OpenedToken{{ID: change.ID, Currency: currency, Opening: in}},
		Outputs: []protocol.OutputSpec{{Holder: to, Opening: paid, HolderEnvelope: lie.Envelope}, {Holder: self, Opening: rest}},
	}, aud, nil)
	if err != nil {
		t.Fatal(err)
	}
	arg, _ := json.Marshal(req)
	out, err := l.Submit(ctx, "tierchain", "Split", string(arg))
	if err != nil {
		t.Fatalf("the network refused the lying split: %v", err)
	}
	var toks []model.Token
	if err := json.Unmarshal(out.Payload, &toks); err != nil || len(toks) != 2 {
		t.Fatalf("split result %s: %v", out.Payload, err)
	}
	bad := toks[0].ID

	// On receipt (the gateway's ledger feed), before tier 2 asks for
	// anything, its wallet checks the envelope and tells it.
	awaitEvent(t, events, "wallet.bad-envelope")

	// Tier 2's wallet flagged it, naming tier 1.
	var list struct {
		Items []wallet.BadEnvelope `json:"items"`
	}
	if err := tier2.Do(ctx, http.MethodGet, "/v1/bad-envelopes", nil, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].ID != bad || list.Items[0].Sender != sender || list.Items[0].Reason != model.DisputeWrongOpening {
		t.Fatalf("bad envelopes %+v, want %s from %s", list.Items, bad, sender)
	}
	var view struct {
		demo.Token
		BadEnvelope *wallet.BadEnvelope `json:"badEnvelope"`
	}
	if err := tier2.Do(ctx, http.MethodGet, "/v1/tokens/"+bad, nil, &view); err != nil {
		t.Fatal(err)
	}
	if (view.Amount != nil && !view.Amount.Sealed) || view.BadEnvelope == nil || view.BadEnvelope.Sender != sender {
		t.Fatalf("token view %+v (bad envelope %+v)", view.Token, view.BadEnvelope)
	}

	// Not the holder: tier 1 is refused by the gateway (its wallet found
	// nothing) and by the chaincode (submitted directly), and the ledger
	// is unchanged.
	before := ledgerState(t, ctx, regulator, tier1, tier2)
	wantProblem(t, tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+bad+"/dispute", nil, nil), http.StatusConflict, "INVALID_STATE")
	darg, _ := json.Marshal(model.FileDisputeRequest{Token: bad, Reason: model.DisputeWrongOpening})
	_, err = l.Submit(ctx, "tierchain", "FileDispute", string(darg))
	var cc *fabricclient.ChaincodeError
	if !errors.As(err, &cc) || cc.Code != "FORBIDDEN" {
		t.Fatalf("the sender's dispute: %v, want FORBIDDEN", err)
	}
	if _, err := l.Evaluate(ctx, "tierchain", "GetDispute", bad); !errors.As(err, &cc) || cc.Code != "NOT_FOUND" {
		t.Fatalf("a refused dispute is on the ledger: %v", err)
	}
	if after := ledgerState(t, ctx, regulator, tier1, tier2); after != before {
		t.Fatalf("state changed:\n%s\n---\n%s", before, after)
	}

	// The holder's dispute lands on the ledger, once.
	var d model.Dispute
	if err := tier2.Do(ctx, http.MethodPost, "/v1/tokens/"+bad+"/dispute", nil, &d); err != nil {
		t.Fatal(err)
	}
	if d.Token != bad || d.Holder != holder || d.Sender != sender || d.Reason != model.DisputeWrongOpening || d.TxID == "" {
		t.Fatalf("dispute %+v", d)
	}
	wantProblem(t, tier2.Do(ctx, http.MethodPost, "/v1/tokens/"+bad+"/dispute", nil, nil), http.StatusConflict, "CONFLICT")
	awaitEvent(t, events, "ledger.dispute.file")

	// The regulator reconciles it: the amount it opened itself, its own
	// envelope good.
	var rec struct {
		Disputes []struct {
			Dispute model.Dispute `json:"dispute"`
			Amount  struct {
				Minor  uint64 `json:"minor"`
				Status string `json:"status"`
			} `json:"amount"`
			RegulatorEnvelopeBad bool `json:"regulatorEnvelopeBad"`
		} `json:"disputes"`
	}
	if err := regulator.Do(ctx, http.MethodGet, "/v1/audit/reconciliation", nil, &rec); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, x := range rec.Disputes {
		if x.Dispute.Token != bad {
			continue
		}
		found = true
		if x.Dispute.Sender != sender || x.Dispute.Holder != holder || x.Amount.Minor != 100_00 || x.Amount.Status != "RECONCILED" || x.RegulatorEnvelopeBad {
			t.Fatalf("regulator's dispute %+v", x)
		}
	}
	if !found {
		t.Fatalf("the regulator's reconciliation lists no dispute of %s: %+v", bad, rec.Disputes)
	}
}

// awaitEvent waits up to 10 s for an event of type typ.
func awaitEvent(t *testing.T, events <-chan string, typ string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-events:
			if got == typ {
				return
			}
		case <-deadline:
			t.Fatalf("no %s event", typ)
		}
	}
}

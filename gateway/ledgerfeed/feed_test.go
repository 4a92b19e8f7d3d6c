package ledgerfeed

import (
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
)

// TestFeedPublishesToParties: each ledger event reaches its parties, the
// regulator and the operator, and no one else.
func TestFeedPublishesToParties(t *testing.T) {
	split := model.Event{Version: 1, Kind: "Split", TxID: "tx1", Actor: "tier1",
		Tokens: []model.TokenChange{{ID: "t2", Holder: "tier1"}, {ID: "t3", Holder: "tier2"}}}
	financing := model.Event{Version: 1, Kind: "RequestFinancing", TxID: "tx2", Actor: "tier3",
		Tokens: []model.TokenChange{{ID: "t9", Root: "r1", Holder: "tier3", Status: model.TokenFinancing, Bank: "bankB"}}}
	broker := gateway.NewBroker(16)
	subscribe := func(id string, role model.Role) *gateway.Subscription {
		sub, _, _, err := broker.Subscribe(gateway.Principal{EnterpriseID: id, Role: role, MSPID: "M"}, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sub.Close)
		return sub
	}
	bank, tier2, regulator, other := subscribe("bankB", model.RoleBank), subscribe("tier2", model.RoleSupplier),
		subscribe("reg", model.RoleRegulator), subscribe("tier9", model.RoleSupplier)

	feed := &Feed{Publisher: broker, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	feed.Receive(t.Context(), split)
	feed.Receive(t.Context(), financing)

	next := func(sub *gateway.Subscription) gateway.Event {
		t.Helper()
		select {
		case ev := <-sub.C():
			return ev
		case <-time.After(5 * time.Second):
			t.Fatal("no event")
			return gateway.Event{}
		}
	}
	ev := next(tier2)
	if ev.Type != "ledger.Split" {
		t.Fatalf("tier2 got %+v, want its split", ev)
	}
	var got model.Event
	if err := json.Unmarshal(ev.Data, &got); err != nil || got.TxID != "tx1" {
		t.Fatalf("data %s: %v; want the event with its transaction ID", ev.Data, err)
	}
	if ev := next(bank); ev.Type != "ledger.RequestFinancing" {
		t.Fatalf("bank got %+v, want the financing request (and not the split)", ev)
	}
	if a, b := next(regulator), next(regulator); a.Type != "ledger.Split" || b.Type != "ledger.RequestFinancing" {
		t.Fatalf("regulator got %s, %s", a.Type, b.Type)
	}
	select {
	case ev := <-other.C():
		t.Fatalf("an enterprise no event concerns got %+v", ev)
	default:
	}
}

func TestParties(t *testing.T) {
	e := model.Event{Actor: "core", Tokens: []model.TokenChange{{Holder: "s1", Bank: "b1"}, {Holder: "s1"}},
		Invoices: []model.InvoiceChange{{Supplier: "s1", Buyer: "core"}}, CreditLines: []model.CreditLineChange{{Core: "core", Bank: "b2"}},
		Enterprises: []model.EnterpriseChange{{ID: "new"}}}
	if got, want := Parties(e), []string{"b1", "b2", "core", "new", "s1"}; !slices.Equal(got, want) {
		t.Fatalf("Parties = %v, want %v", got, want)
	}
	// A dispute reaches its holder and the sender it names.
	if got := Parties(model.Event{Actor: "s2", Disputes: []model.DisputeChange{{Token: "t1", Holder: "s2", Sender: "s1"}}}); !slices.Equal(got, []string{"s1", "s2"}) {
		t.Fatalf("dispute parties = %v", got)
	}
	if got := Parties(model.Event{Actor: "bootstrap", Enterprises: []model.EnterpriseChange{{ID: "op"}}}); !slices.Equal(got, []string{"op"}) {
		t.Fatalf("bootstrap: %v", got)
	}
}

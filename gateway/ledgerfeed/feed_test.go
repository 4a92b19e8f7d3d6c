package ledgerfeed

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// fakeSource serves one prepared stream per connection, then blocks.
type fakeSource struct {
	streams [][]fabricclient.Event
	opened  atomic.Int32
}

func (s *fakeSource) ChaincodeEvents(ctx context.Context, _ ...fabricclient.EventsOption) (<-chan fabricclient.Event, error) {
	n := int(s.opened.Add(1)) - 1
	ch := make(chan fabricclient.Event)
	go func() {
		defer close(ch)
		if n >= len(s.streams) {
			<-ctx.Done()
			return
		}
		for _, ev := range s.streams[n] {
			select {
			case ch <- ev:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}

func ledgerEvent(t *testing.T, block uint64, tx string, e model.Event) fabricclient.Event {
	t.Helper()
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return fabricclient.Event{BlockNumber: block, TxID: tx, Chaincode: "tierchain", Name: model.EventName, Payload: b}
}

func TestFeedPublishesToPartiesAndCheckpoints(t *testing.T) {
	financing := model.Event{Version: 1, Kind: "RequestFinancing", TxID: "tx2", Actor: "tier3",
		Tokens: []model.TokenChange{{ID: "t9", Root: "r1", Holder: "tier3", Status: model.TokenFinancing, Bank: "bankB"}}}
	src := &fakeSource{streams: [][]fabricclient.Event{
		{
			ledgerEvent(t, 5, "tx1", model.Event{Version: 1, Kind: "Split", TxID: "tx1", Actor: "tier1",
				Tokens: []model.TokenChange{{ID: "t2", Holder: "tier1"}, {ID: "t3", Holder: "tier2"}}}),
			{BlockNumber: 5, TxID: "tx-other", Name: "something.else", Payload: []byte("x")},
		},
		// The stream broke; the reconnection brings the next transaction.
		{ledgerEvent(t, 6, "tx2", financing)},
	}}
	broker := gateway.NewBroker(16)
	subscribe := func(id string, role model.Role) *gateway.Subscription {
		sub, _, _, err := broker.Subscribe(gateway.Principal{EnterpriseID: id, Role: role, MSPID: "M"}, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sub.Close)
		return sub
	}
	bank, tier2, regulator := subscribe("bankB", model.RoleBank), subscribe("tier2", model.RoleSupplier), subscribe("reg", model.RoleRegulator)

	db := storetest.SQLite(t)
	seen := make(chan string, 8)
	feed := &Feed{Source: src, Publisher: broker, DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Backoff: time.Millisecond,
		OnEvent: func(_ context.Context, e model.Event) { seen <- e.TxID }}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- feed.Run(ctx) }()

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
	if ev := next(tier2); ev.Type != "ledger.Split" {
		t.Fatalf("tier2 got %+v, want its split", ev)
	}
	if ev := next(bank); ev.Type != "ledger.RequestFinancing" {
		t.Fatalf("bank got %+v, want the financing request (and not the split)", ev)
	}
	if a, b := next(regulator), next(regulator); a.Type != "ledger.Split" || b.Type != "ledger.RequestFinancing" {
		t.Fatalf("regulator got %s, %s", a.Type, b.Type)
	}
	// OnEvent saw each TierChain transaction once, in order, and nothing else.
	if a, b := <-seen, <-seen; a != "tx1" || b != "tx2" || len(seen) != 0 {
		t.Fatalf("OnEvent saw %s, %s (+%d)", a, b, len(seen))
	}
	// The checkpoint reaches the last transaction, and survives the feed.
	deadline := time.Now().Add(5 * time.Second)
	for {
		cp, err := feed.load(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if cp == (checkpoint{block: 6, txID: "tx2"}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %+v, want block 6 after tx2", cp)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run returned %v", err)
	}
	again := &Feed{DB: db, Name: "gateway"}
	if cp, err := again.load(t.Context()); err != nil || cp.block != 6 || cp.txID != "tx2" {
		t.Fatalf("after restart: %+v %v", cp, err)
	}
	if src.opened.Load() < 2 {
		t.Fatalf("the feed did not reconnect (%d streams opened)", src.opened.Load())
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

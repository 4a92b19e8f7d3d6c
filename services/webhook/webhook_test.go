package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/services/webhook"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// receiver is a bank's HTTP endpoint on loopback that verifies every
// delivery's signature and records each notification by ID.
type receiver struct {
	t      *testing.T
	addr   string
	secret []byte
	now    func() time.Time
	srv    *http.Server
	mu     sync.Mutex
	got    map[string]int // notification ID → deliveries
	types  map[string]webhook.EventType
	badSig int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := webhook.Verify(r.secret, req.Header.Get(webhook.HeaderSignature), body, r.now(), webhook.DefaultTolerance); err != nil {
		r.badSig++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var n webhook.Notification
	if err := json.Unmarshal(body, &n); err != nil || n.ID != req.Header.Get(webhook.HeaderEventID) {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	r.got[n.ID]++
	r.types[n.ID] = n.Type
	w.WriteHeader(http.StatusNoContent)
}

// start listens on addr ("127.0.0.1:0" the first time, then the same
// address again) and serves until stop.
func (r *receiver) start() {
	r.t.Helper()
	addr := r.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var ln net.Listener
	var err error
	for range 50 { // the port may linger a moment after stop
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		r.t.Fatal(err)
	}
	r.addr = ln.Addr().String()
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: time.Second}
	go r.srv.Serve(ln)
}

func (r *receiver) stop() { r.srv.Close() }

func (r *receiver) counts() (distinct, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.got {
		distinct++
		total += n
	}
	return
}

func quoteEvents() []model.Event {
	return []model.Event{
		{Version: model.EventVersion, Kind: protocol.KindRequestQuotes, TxID: "tx1", Actor: "tier1",
			Quotes: []model.QuoteChange{{RFQ: "r1", Token: "t1", Requester: "tier1", Banks: []string{"bankA", "bankB"}, Status: "OPEN"}}},
		{Version: model.EventVersion, Kind: protocol.KindAcceptQuote, TxID: "tx4", Actor: "tier1",
			Quotes: []model.QuoteChange{{RFQ: "r1", Token: "t1", Requester: "tier1", Status: "ACCEPTED"},
				{RFQ: "r1", Quote: "qa", Token: "t1", Requester: "tier1", Bank: "bankA", Status: "LAPSED"},
				{RFQ: "r1", Quote: "qb", Token: "t1", Requester: "tier1", Bank: "bankB", Status: "ACCEPTED"}}},
	}
}

// TestDeliveryWhileReceiverDown: notifications to a bank whose endpoint
// is stopped stay in the outbox, are retried with backoff, and are each
// delivered exactly once, correctly signed, once the endpoint is back on
// the same address.
func TestDeliveryWhileReceiverDown(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
		svc, err := webhook.New(ctx, db, webhook.Config{Now: clk.Now, MinBackoff: time.Second, MaxBackoff: 4 * time.Second, AllowNetworks: loopback})
		if err != nil {
			t.Fatal(err)
		}
		rcv := &receiver{t: t, now: clk.Now, got: map[string]int{}, types: map[string]webhook.EventType{}}
		rcv.start()
		defer rcv.stop()
		sub, secret, err := svc.Subscribe(ctx, "bankA", "http://"+rcv.addr+"/tierchain", nil)
		if err != nil {
			t.Fatal(err)
		}
		rcv.secret = secret
		// BankB wants only its wins, at another (never reachable) URL.
		subB, _, err := svc.Subscribe(ctx, "bankB", "http://127.0.0.1:1/hook", []webhook.EventType{webhook.QuoteAccepted})
		if err != nil {
			t.Fatal(err)
		}

		for _, ev := range quoteEvents() {
			if _, err := svc.HandleEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
			if n, err := svc.HandleEvent(ctx, ev); err != nil || n != 0 { // learned twice: once in the outbox
				t.Fatalf("the same event again added %d: %v", n, err)
			}
		}
		// bankA: financing.requested and quote.lapsed; bankB: quote.accepted only.
		delivered, failed, err := svc.Deliver(ctx)
		if err != nil || delivered != 2 || failed != 1 {
			t.Fatalf("first pass: %d delivered, %d failed, %v", delivered, failed, err)
		}
		if d, total := rcv.counts(); d != 2 || total != 2 || rcv.badSig != 0 {
			t.Fatalf("received %d distinct, %d total, %d bad signatures", d, total, rcv.badSig)
		}
		if ds := must(svc.Deliveries(ctx, "bankB", 10)); len(ds) != 1 || ds[0].Type != webhook.QuoteAccepted || ds[0].DeliveredAt != nil || ds[0].Attempts != 1 {
			t.Fatalf("bankB's deliveries %+v", ds)
		}
		// BankB gives up its endpoint: its undelivered notification goes with it.
		if err := svc.Unsubscribe(ctx, "bankB", subB.ID); err != nil {
			t.Fatal(err)
		}

		// The endpoint goes down; a default and a repayment happen.
		rcv.stop()
		for _, ev := range []model.Event{
			{Version: model.EventVersion, Kind: protocol.KindDeclareDefault, TxID: "tx9", Actor: "bankA",
				Tokens: []model.TokenChange{{ID: "t1", Holder: "bankA", Status: model.TokenDefaulted, Bank: "bankA"}}},
			{Version: model.EventVersion, Kind: protocol.KindDeclarePayment, TxID: "tx10", Actor: "core",
				Tokens: []model.TokenChange{{ID: "t2", Holder: "bankA", Status: model.TokenPaying, Bank: "bankA"}}},
		} {
			if n, err := svc.HandleEvent(ctx, ev); err != nil || n != 1 {
				t.Fatalf("%s added %d: %v", ev.Kind, n, err)
			}
		}
		if n, err := svc.MaturityDue(ctx, "bankA", []model.TokenView{
			{Token: model.Token{ID: "t3", Holder: "bankA", Maturity: clk.Now().Add(48 * time.Hour)}, LedgerStatus: model.TokenFinanced},
			{Token: model.Token{ID: "t4", Holder: "bankA", Maturity: clk.Now().Add(30 * 24 * time.Hour)}, LedgerStatus: model.TokenFinanced},
		}, clk.Now(), 72*time.Hour); err != nil || n != 1 {
			t.Fatalf("maturity due added %d: %v", n, err)
		}
		for i, wait := range []time.Duration{0, time.Second, 2 * time.Second} {
			clk.add(wait)
			if delivered, failed, err := svc.Deliver(ctx); err != nil || delivered != 0 || failed != 3 {
				t.Fatalf("pass %d while down: %d delivered, %d failed, %v", i, delivered, failed, err)
			}
			// Before the backoff has passed nothing is tried.
			if delivered, failed, _ := svc.Deliver(ctx); delivered+failed != 0 {
				t.Fatalf("pass %d retried before its backoff", i)
			}
		}
		ds, err := svc.Deliveries(ctx, "bankA", 10)
		if err != nil || len(ds) != 5 {
			t.Fatalf("deliveries %+v: %v", ds, err)
		}
		for _, d := range ds {
			if d.DeliveredAt == nil && (d.Attempts != 3 || d.LastError == "" || d.Subscription != sub.ID) {
				t.Fatalf("pending delivery %+v", d)
			}
		}

		// Back on the same address: everything arrives, once.
		rcv.start()
		clk.add(4 * time.Second)
		if delivered, failed, err := svc.Deliver(ctx); err != nil || delivered != 3 || failed != 0 {
			t.Fatalf("after restart: %d delivered, %d failed, %v", delivered, failed, err)
		}
		clk.add(time.Hour)
		if delivered, failed, _ := svc.Deliver(ctx); delivered+failed != 0 {
			t.Fatalf("a delivered notification was sent again (%d, %d)", delivered, failed)
		}
		d, total := rcv.counts()
		if d != 5 || total != 5 || rcv.badSig != 0 {
			t.Fatalf("received %d distinct, %d total, %d bad signatures", d, total, rcv.badSig)
		}
		seen := map[webhook.EventType]int{}
		for _, typ := range rcv.types {
			seen[typ]++
		}
		want := map[webhook.EventType]int{webhook.FinancingRequested: 1, webhook.QuoteLapsed: 1, webhook.Defaulted: 1, webhook.Repayment: 1, webhook.MaturityDue: 1}
		for k, v := range want {
			if seen[k] != v {
				t.Fatalf("received types %v, want %v", seen, want)
			}
		}
	})
}

// TestReceiverErrorIsRetried: a 5xx or a wrong signature check on the
// receiver's side is a failure: the notification is retried.
func TestReceiverErrorIsRetried(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	clk := &clock{t: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	svc := must(webhook.New(ctx, db, webhook.Config{Now: clk.Now, AllowNetworks: loopback}))
	rcv := &receiver{t: t, now: clk.Now, got: map[string]int{}, types: map[string]webhook.EventType{}, secret: []byte("not the secret")}
	rcv.start()
	defer rcv.stop()
	if _, _, err := svc.Subscribe(ctx, "bankA", "http://"+rcv.addr+"/", nil); err != nil {
		t.Fatal(err)
	}
	must(svc.HandleEvent(ctx, quoteEvents()[0]))
	if delivered, failed, _ := svc.Deliver(ctx); delivered != 0 || failed != 1 || rcv.badSig != 1 {
		t.Fatalf("%d delivered, %d failed, %d bad signatures", delivered, failed, rcv.badSig)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestSubscriptionsRefused: URLs that are not http(s), unknown event types,
// and another enterprise's subscription are refused with typed errors.
func TestSubscriptionsRefused(t *testing.T) {
	ctx := context.Background()
	svc := must(webhook.New(ctx, storetest.SQLite(t), webhook.Config{}))
	for _, u := range []string{"", "ftp://bank.example/hook", "javascript:alert(1)", "file:///etc/passwd", "http://", "http:///path",
		"https://user:pw@bank.example/hook", "//bank.example/hook", "bank.example/hook", "http://bank.example/" + string(make([]byte, 3000))} {
		if _, _, err := svc.Subscribe(ctx, "bankA", u, nil); !errors.Is(err, webhook.ErrBadURL) || !errors.Is(err, model.ErrInvalidArgument) {
			t.Errorf("%.40q: %v", u, err)
		}
	}
	if _, _, err := svc.Subscribe(ctx, "bankA", "https://bank.example/hook", []webhook.EventType{"quote.won"}); !errors.Is(err, webhook.ErrBadEvent) {
		t.Fatalf("unknown event: %v", err)
	}
	sub, _, err := svc.Subscribe(ctx, "bankA", "https://bank.example/hook", []webhook.EventType{webhook.Defaulted, webhook.Defaulted})
	if err != nil || len(sub.Events) != 1 {
		t.Fatalf("subscribe %+v: %v", sub, err)
	}
	if err := svc.Unsubscribe(ctx, "bankB", sub.ID); !errors.Is(err, webhook.ErrNotFound) || !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("another enterprise unsubscribed: %v", err)
	}
	if subs := must(svc.Subscriptions(ctx, "bankA")); len(subs) != 1 || subs[0].URL != "https://bank.example/hook" {
		t.Fatalf("subscriptions %+v", subs)
	}
	if err := svc.Unsubscribe(ctx, "bankA", sub.ID); err != nil {
		t.Fatal(err)
	}
	if subs := must(svc.Subscriptions(ctx, "bankA")); len(subs) != 0 {
		t.Fatalf("after unsubscribe %+v", subs)
	}
}

// TestVerify: a signature verifies only over the same body, secret and a
// timestamp within the tolerance.
func TestVerify(t *testing.T) {
	secret, body := []byte("whsec"), []byte(`{"id":"ev1"}`)
	now := time.Unix(1_800_000_000, 0)
	h := webhook.Sign(secret, body, now)
	if err := webhook.Verify(secret, h, body, now.Add(time.Minute), webhook.DefaultTolerance); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		secret, body []byte
		header       string
		at           time.Time
		want         error
	}{
		"body changed":   {secret, []byte(`{"id":"ev2"}`), h, now, webhook.ErrBadSignature},
		"other secret":   {[]byte("other"), body, h, now, webhook.ErrBadSignature},
		"replayed later": {secret, body, h, now.Add(10 * time.Minute), webhook.ErrStaleSignature},
		"no timestamp":   {secret, body, h[len("t=1800000000,"):], now, webhook.ErrMalformedHeader},
		"empty":          {secret, body, "", now, webhook.ErrMalformedHeader},
		"short mac":      {secret, body, "t=1800000000,v1=abcd", now, webhook.ErrMalformedHeader},
	} {
		if err := webhook.Verify(c.secret, c.header, c.body, c.at, webhook.DefaultTolerance); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

// FuzzVerify: any header is parsed without panic, and only the right
// signature verifies.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add(webhook.Sign([]byte("k"), []byte("b"), now))
	f.Add("t=1,v1=00")
	f.Add("t=-1,v1=,,=")
	f.Fuzz(func(t *testing.T, header string) {
		err := webhook.Verify([]byte("k"), header, []byte("b"), now, webhook.DefaultTolerance)
		if err == nil && header != webhook.Sign([]byte("k"), []byte("b"), now) {
			// Another header may verify only if it carries the same MAC.
			if webhook.Verify([]byte("other"), header, []byte("b"), now, webhook.DefaultTolerance) == nil {
				t.Fatal("a header verified under two secrets")
			}
		}
	})
}

// TestSweepMaturities: the sweep asks for each subscriber's tokens and
// notifies each financed piece due within the horizon once, however often
// it runs.
func TestSweepMaturities(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	svc := must(webhook.New(ctx, storetest.SQLite(t), webhook.Config{Now: clk.Now}))
	must2(svc.Subscribe(ctx, "bankA", "https://bank.example/hook", []webhook.EventType{webhook.MaturityDue}))
	asked := map[string]int{}
	list := func(_ context.Context, bank string) ([]model.TokenView, error) {
		asked[bank]++
		return []model.TokenView{
			{Token: model.Token{ID: "due", Holder: bank, Maturity: clk.Now().Add(24 * time.Hour)}, LedgerStatus: model.TokenFinanced},
			{Token: model.Token{ID: "later", Holder: bank, Maturity: clk.Now().AddDate(0, 1, 0)}, LedgerStatus: model.TokenFinanced},
			{Token: model.Token{ID: "paid", Holder: bank, Maturity: clk.Now()}, LedgerStatus: model.TokenPaying},
		}, nil
	}
	for i := range 2 {
		n, err := svc.SweepMaturities(ctx, list, 72*time.Hour)
		if err != nil || n != 1-i {
			t.Fatalf("sweep %d added %d: %v", i, n, err)
		}
	}
	if asked["bankA"] != 2 || len(asked) != 1 {
		t.Fatalf("asked %v", asked)
	}
	// The gateway's feed callback queues as HandleEvent does.
	if err := svc.ReceiveEvent(ctx, quoteEvents()[0]); err != nil {
		t.Fatal(err)
	}
	if ds := must(svc.Deliveries(ctx, "bankA", 10)); len(ds) != 1 || ds[0].Type != webhook.MaturityDue {
		t.Fatalf("deliveries %+v (a maturity-only subscription got another type)", ds)
	}
}

func must2[A, B any](a A, _ B, err error) A {
	if err != nil {
		panic(err)
	}
	return a
}

// TestSecretsSealedAtRest: with a master key the database holds no
// secret in clear; deliveries are still signed with it; under another
// master key nothing is sent unsigned, the notification waits.
func TestSecretsSealedAtRest(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	clk := &clock{t: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	key := bytes.Repeat([]byte{7}, webhook.MasterKeySize)
	svc := must(webhook.New(ctx, db, webhook.Config{Now: clk.Now, MasterKey: key, AllowNetworks: loopback}))
	rcv := &receiver{t: t, now: clk.Now, got: map[string]int{}, types: map[string]webhook.EventType{}}
	rcv.start()
	defer rcv.stop()
	_, secret, err := svc.Subscribe(ctx, "bankA", "http://"+rcv.addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	rcv.secret = secret
	var stored []byte
	if err := db.SQL.QueryRowContext(ctx, "SELECT secret FROM webhook_subscriptions").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stored, secret) {
		t.Fatal("the secret is stored in clear")
	}
	must(svc.HandleEvent(ctx, quoteEvents()[0]))

	other := must(webhook.New(ctx, db, webhook.Config{Now: clk.Now, MasterKey: bytes.Repeat([]byte{8}, webhook.MasterKeySize)}))
	if delivered, failed, err := other.Deliver(ctx); err != nil || delivered != 0 || failed != 1 {
		t.Fatalf("under another key: %d delivered, %d failed, %v", delivered, failed, err)
	}
	if _, err := webhook.New(ctx, db, webhook.Config{MasterKey: []byte("short")}); err == nil {
		t.Fatal("a short master key was taken")
	}
	clk.add(time.Minute)
	if delivered, failed, err := svc.Deliver(ctx); err != nil || delivered != 1 || failed != 0 || rcv.badSig != 0 {
		t.Fatalf("with the key: %d delivered, %d failed, %v, %d bad signatures", delivered, failed, err, rcv.badSig)
	}
}

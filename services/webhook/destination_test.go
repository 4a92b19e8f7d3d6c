package webhook_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/services/webhook"
)

// loopback lets the tests' receivers (httptest, on 127.0.0.1) be reached.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// TestPublic: the special-purpose ranges are not public; ordinary unicast
// addresses are.
func TestPublic(t *testing.T) {
	for _, a := range []string{"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
		"100.64.0.1", "224.0.0.1", "255.255.255.255", "192.0.2.7", "::1", "::", "fe80::1", "fc00::1", "fd12::1",
		"ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "2001:db8::1"} {
		if webhook.Public(netip.MustParseAddr(a)) {
			t.Errorf("%s reads as public", a)
		}
	}
	for _, a := range []string{"8.8.8.8", "1.1.1.1", "185.199.108.153", "2606:4700::1111", "::ffff:8.8.8.8"} {
		if !webhook.Public(netip.MustParseAddr(a)) {
			t.Errorf("%s reads as not public", a)
		}
	}
}

// TestDestinationsRefused: a subscription to a literal non-public address
// (or localhost) is refused with a typed error unless its network is
// allowed, and nothing is stored.
func TestDestinationsRefused(t *testing.T) {
	ctx := context.Background()
	svc := must(webhook.New(ctx, storetest.SQLite(t), webhook.Config{}))
	for _, u := range []string{"http://127.0.0.1:9443/metrics", "http://localhost:8081/v1/tokens", "http://LOCALHOST./x",
		"http://169.254.169.254/latest/meta-data/", "http://[::1]:7051/", "http://10.0.0.5/hook", "https://192.168.0.1/",
		"http://[fe80::1%25eth0]/", "http://0.0.0.0:8080/", "http://[::ffff:127.0.0.1]/", "http://api.localhost/"} {
		_, _, err := svc.Subscribe(ctx, "bankA", u, nil)
		if !errors.Is(err, webhook.ErrDestination) || !errors.Is(err, model.ErrInvalidArgument) {
			t.Errorf("%s: %v", u, err)
		}
	}
	if subs := must(svc.Subscriptions(ctx, "bankA")); len(subs) != 0 {
		t.Fatalf("refused subscriptions stored: %+v", subs)
	}
	// A public address and a name are accepted (names are checked when dialled).
	for _, u := range []string{"https://8.8.8.8/hook", "https://bank.example/hook"} {
		if _, _, err := svc.Subscribe(ctx, "bankA", u, nil); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	// An allowed network is accepted.
	allowed := must(webhook.New(ctx, storetest.SQLite(t), webhook.Config{AllowNetworks: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}))
	if _, _, err := allowed.Subscribe(ctx, "bankA", "http://10.0.0.5/hook", nil); err != nil {
		t.Fatalf("allowed network: %v", err)
	}
	if _, _, err := allowed.Subscribe(ctx, "bankA", "http://127.0.0.1/hook", nil); !errors.Is(err, webhook.ErrDestination) {
		t.Fatalf("loopback outside the allowed network: %v", err)
	}
}

// TestDeliveryDialGuard: the check also runs on the address dialled. A
// subscription stored while loopback was allowed (as a name could later be
// rebound to it) is not delivered by a service that does not allow it: the
// receiver sees nothing, the row stays with the reason; once the network is
// allowed again the same row is delivered.
func TestDeliveryDialGuard(t *testing.T) {
	ctx := context.Background()
	var hits atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		hits.Add(1)
	}))
	defer recv.Close()
	db := storetest.SQLite(t)
	clk := &clock{t: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	open := must(webhook.New(ctx, db, webhook.Config{Now: clk.Now, AllowNetworks: loopback}))
	if _, _, err := open.Subscribe(ctx, "bankA", recv.URL+"/hook", nil); err != nil {
		t.Fatal(err)
	}
	must(open.HandleEvent(ctx, quoteEvents()[0]))

	guarded := must(webhook.New(ctx, db, webhook.Config{Now: clk.Now}))
	if delivered, failed, err := guarded.Deliver(ctx); delivered != 0 || failed != 1 || err != nil {
		t.Fatalf("guarded: %d delivered, %d failed, %v", delivered, failed, err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the receiver on loopback was reached %d times", n)
	}
	ds := must(guarded.Deliveries(ctx, "bankA", 10))
	if len(ds) != 1 || ds[0].DeliveredAt != nil || !strings.Contains(ds[0].LastError, "destination not allowed") {
		t.Fatalf("deliveries after the refused dial: %+v", ds)
	}
	clk.add(time.Hour)
	if delivered, _, err := open.Deliver(ctx); delivered != 1 || err != nil {
		t.Fatalf("allowed again: %d delivered, %v", delivered, err)
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("receiver hits %d, want 1", n)
	}
}

package gateway

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
)

var (
	supplier1 = testPrincipals["tok-supplier"]
	supplier2 = testPrincipals["tok-supplier2"]
	regulator = testPrincipals["tok-regulator"]
)

func publish(t testing.TB, b *Broker, typ string, to ...string) Event {
	t.Helper()
	ev, err := b.Publish(Event{Type: typ, Data: json.RawMessage(`{"n": 1}`), To: to, Roles: []model.Role{model.RoleRegulator}})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func types(evs []Event) string {
	var s []string
	for _, e := range evs {
		s = append(s, e.Type)
	}
	return strings.Join(s, ",")
}

func TestBrokerFilteringAndResume(t *testing.T) {
	b := NewBroker(4)
	live1, _, _, _ := b.Subscribe(supplier1, "")
	liveReg, _, _, _ := b.Subscribe(regulator, "")
	first := publish(t, b, "a", supplier1.EnterpriseID)
	publish(t, b, "b", supplier2.EnterpriseID)
	third := publish(t, b, "c", supplier1.EnterpriseID, supplier2.EnterpriseID)

	if got := drain(live1); got != "a,c" {
		t.Errorf("supplier 1 live: %s", got)
	}
	if got := drain(liveReg); got != "a,b,c" {
		t.Errorf("regulator live: %s", got)
	}
	if string(first.Data) != `{"n":1}` {
		t.Errorf("data not compacted: %s", first.Data)
	}

	for _, tt := range []struct {
		name     string
		p        Principal
		last     string
		want     string
		complete bool
	}{
		{"no Last-Event-ID", supplier1, "", "", true},
		{"after the first", supplier1, first.ID, "c", true},
		{"after the first, other supplier", supplier2, first.ID, "b,c", true},
		{"after the last", supplier1, third.ID, "", true},
		{"other epoch", supplier1, "zzz-1", "a,c", false},
		{"malformed", supplier1, "nonsense", "a,c", false},
		{"from the future", supplier1, strings.Split(first.ID, "-")[0] + "-99", "a,c", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sub, backlog, complete, err := b.Subscribe(tt.p, tt.last)
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Close()
			if types(backlog) != tt.want || complete != tt.complete {
				t.Errorf("backlog %q complete %v, want %q %v", types(backlog), complete, tt.want, tt.complete)
			}
		})
	}

	// Push the first event out of the 4-event buffer: resuming after it
	// now has a gap.
	for i := range 3 {
		publish(t, b, fmt.Sprintf("x%d", i), supplier1.EnterpriseID)
	}
	_, backlog, complete, _ := b.Subscribe(supplier1, first.ID)
	if complete || types(backlog) != "c,x0,x1,x2" {
		t.Errorf("after eviction: %q complete %v", types(backlog), complete)
	}
	_, backlog, complete, _ = b.Subscribe(supplier1, third.ID)
	if !complete || types(backlog) != "x0,x1,x2" {
		t.Errorf("resume at the buffer's edge: %q complete %v", types(backlog), complete)
	}
}

func drain(s *Subscription) string {
	var evs []Event
	for {
		select {
		case ev := <-s.C():
			evs = append(evs, ev)
		default:
			return types(evs)
		}
	}
}

func TestBrokerDropsLaggingSubscriber(t *testing.T) {
	b := NewBroker(1024)
	slow, _, _, _ := b.Subscribe(supplier1, "")
	for range subscriberQueue + 1 {
		publish(t, b, "e", supplier1.EnterpriseID)
	}
	n := 0
	for range slow.C() {
		n++
	}
	if n != subscriberQueue || !slow.Lagged() {
		t.Fatalf("got %d events, lagged %v", n, slow.Lagged())
	}
	b.Close()
	if _, err := b.Publish(Event{Type: "late"}); err == nil {
		t.Fatal("publish after Close")
	}
	if _, err := b.Publish(Event{Type: "bad\ntype"}); err == nil {
		t.Fatal("a line break in the type was accepted")
	}
}

// sseClient reads one events stream.
type sseClient struct {
	resp *http.Response
	r    *bufio.Reader
}

func openStream(t *testing.T, ctx context.Context, url, token, lastID string) *sseClient {
	t.Helper()
	hr, _ := http.NewRequestWithContext(ctx, "GET", url+"/v1/events", nil)
	hr.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		hr.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return &sseClient{resp: resp, r: bufio.NewReader(resp.Body)}
}

// next returns the next event or comment block as "event:id" or ":comment".
func (c *sseClient) next(t *testing.T) string {
	t.Helper()
	var id, typ, comment string
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return "EOF"
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "":
			if typ != "" || comment != "" {
				if comment != "" {
					return ":" + comment
				}
				return typ + "@" + id
			}
		case strings.HasPrefix(line, ":"):
			comment = strings.TrimSpace(line[1:])
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "event: "):
			typ = line[7:]
		}
	}
}

func TestEventsStream(t *testing.T) {
	ts := newTestServer(t, nil, Config{EventsHeartbeat: 50 * time.Millisecond}, Deps{})
	srv := httptest.NewServer(ts.Handler())
	defer srv.Close()
	b := ts.Broker()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s1 := openStream(t, ctx, srv.URL, "tok-supplier", "")
	waitSubscribers(t, b, 1)
	e1 := publish(t, b, "token.issued", supplier1.EnterpriseID)
	publish(t, b, "token.issued", supplier2.EnterpriseID) // not for supplier 1
	e3 := publish(t, b, "financing.requested", supplier1.EnterpriseID)
	if got := s1.next(t); got != "token.issued@"+e1.ID {
		t.Fatalf("first: %s", got)
	}
	if got := s1.next(t); got != "financing.requested@"+e3.ID {
		t.Fatalf("second: %s", got)
	}
	if got := s1.next(t); got != ":heartbeat" {
		t.Fatalf("want a heartbeat, got %s", got)
	}

	// Resume after e1: the backlog brings e3 (and not the other supplier's).
	s2 := openStream(t, ctx, srv.URL, "tok-supplier", e1.ID)
	if got := s2.next(t); got != "financing.requested@"+e3.ID {
		t.Fatalf("resumed: %s", got)
	}
	// An unknown Last-Event-ID asks the client to resync first.
	s3 := openStream(t, ctx, srv.URL, "tok-regulator", "old-7")
	if got := s3.next(t); got != "resync@" {
		t.Fatalf("resync: %s", got)
	}

	// A client that leaves is unsubscribed.
	cctx, ccancel := context.WithCancel(ctx)
	openStream(t, cctx, srv.URL, "tok-bank", "")
	waitSubscribers(t, b, 4)
	ccancel()
	waitSubscribers(t, b, 3)

	// Closing the broker (shutdown) ends the streams.
	b.Close()
	for s1.next(t) != "EOF" {
	}
}

func waitSubscribers(t *testing.T, b *Broker, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b.mu.Lock()
		got := len(b.subs)
		b.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d subscribers, want %d", got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestEventsStreamOutlivesWriteTimeout: the stream lifts the server's
// WriteTimeout for itself, ordinary responses keep it.
func TestEventsStreamOutlivesWriteTimeout(t *testing.T) {
	ts := newTestServer(t, nil, Config{WriteTimeout: 300 * time.Millisecond, EventsHeartbeat: 50 * time.Millisecond}, Deps{})
	url, stop := serveRun(t, ts)
	defer stop()

	s := openStream(t, context.Background(), url, "tok-core", "")
	deadline := time.Now().Add(time.Second)
	beats := 0
	for time.Now().Before(deadline) {
		if got := s.next(t); got != ":heartbeat" {
			t.Fatalf("after %d heartbeats: %s", beats, got)
		}
		beats++
	}
	if beats < 10 {
		t.Fatalf("%d heartbeats in a second", beats)
	}
}

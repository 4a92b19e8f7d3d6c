package platform_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway/api"
	"github.com/tierchain/tierchain/internal/demo"
)

// sseEvent is one server-sent event: its type and data.
type sseEvent struct {
	typ  string
	data []byte
}

// subscribeData streams the events of GET /v1/events with their data.
func subscribeData(t *testing.T, ctx context.Context, base, token string) <-chan sseEvent {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("events: %s", resp.Status)
	}
	out := make(chan sseEvent, 1024)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.typ = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = []byte(strings.TrimPrefix(line, "data: "))
			case line == "" && ev.typ != "":
				out <- ev
				ev = sseEvent{}
			}
		}
	}()
	return out
}

// getJSON GETs path at base as token into v.
func getJSON(t *testing.T, ctx context.Context, base, token, path string, v any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// TestLedgerEventsComeAfterTheReadModel: a gateway's server-sent ledger
// events come from the one stream that fed its read model first. Each
// ledger event the core enterprise is told of names tokens its own
// gateway already lists, and GET /v1/height, the position both share, is
// followed, past genesis and never moves back.
func TestLedgerEventsComeAfterTheReadModel(t *testing.T) {
	c := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const core = "carmaker"
	base, token := c.URL(core), c.Token(core)
	events := subscribeData(t, ctx, base, token)
	story := make(chan error, 1)
	go func() {
		_, err := demo.Run(ctx, demo.Config{Base: c.Router, Tokens: c.Tokens(), Maturity: time.Hour, Suffix: "-ls",
			StopBefore: "pay", Out: testWriter{t}})
		story <- err
	}()
	var last api.LedgerHeight
	checked := 0
	for done := false; !done || checked == 0; {
		var ev sseEvent
		select {
		case err := <-story:
			if err != nil {
				t.Fatal(err)
			}
			done = true
			continue
		case e, ok := <-events:
			if !ok {
				t.Fatal("the event stream ended")
			}
			ev = e
		case <-ctx.Done():
			t.Fatalf("no ledger event with tokens reached %s (%d checked)", core, checked)
		}
		if !strings.HasPrefix(ev.typ, "ledger.") {
			continue
		}
		var h api.LedgerHeight
		getJSON(t, ctx, base, token, "/v1/height", &h)
		if !h.Following || h.Block == 0 || h.Block < last.Block {
			t.Fatalf("height %+v after %+v, at a %s event", h, last, ev.typ)
		}
		last = h
		var e model.Event
		if err := json.Unmarshal(ev.data, &e); err != nil {
			t.Fatalf("%s: %v", ev.typ, err)
		}
		for _, tc := range e.Tokens {
			if tc.Root == "" {
				continue
			}
			var page model.Page[api.TokenView]
			getJSON(t, ctx, base, token, "/v1/tokens?pageSize=200&root="+url.QueryEscape(tc.Root), &page)
			if !slices.ContainsFunc(page.Items, func(v api.TokenView) bool { return v.ID == tc.ID }) {
				t.Fatalf("%s told %s of token %s (tx %s) before its read model lists it", ev.typ, core, tc.ID, e.TxID)
			}
			checked++
		}
	}
}

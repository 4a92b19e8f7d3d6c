package browsertest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tierchain/tierchain/gateway/console"
)

// fakeAPI serves the console beside a /v1 that answers from fixtures the
// test sets: what a page shows from given records, in both languages,
// without a Fabric network. The core, supplier and regulator page tests
// (core_test.go, supplier_test.go, regulator_test.go) use it; the story
// tests drive the same pages against the real gateways.
type fakeAPI struct {
	t           *testing.T
	mu          sync.Mutex
	me          map[string]any   // GET /v1/me
	enterprises []map[string]any // GET /v1/enterprises (?role= filters)
	get         map[string]any   // path → JSON body (a *fakeProblem answers with it)
	post        map[string]func(body map[string]any) (int, any)
	posted      map[string][]map[string]any // path → bodies received
	subs        map[chan string]bool        // open GET /v1/events streams
	streams     int                         // event streams opened
}

// fakeProblem is a problem+json answer.
type fakeProblem struct {
	Status int
	Code   string
	Detail string
}

func newFakeAPI(t *testing.T) (*fakeAPI, string) {
	f := &fakeAPI{t: t, get: map[string]any{}, post: map[string]func(map[string]any) (int, any){},
		posted: map[string][]map[string]any{}, subs: map[chan string]bool{}}
	mux := http.NewServeMux()
	mux.Handle("/console/", http.StripPrefix("/console", console.Handler()))
	mux.HandleFunc("/v1/", f.serve)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fakeAPI) set(path string, body any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.get[path] = body
}

func (f *fakeAPI) onPost(path string, h func(map[string]any) (int, any)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.post[path] = h
}

func (f *fakeAPI) bodies(path string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.posted[path]
}

// event sends a ledger event to every open stream (a page left behind by
// a re-render may still hold one for a moment).
func (f *fakeAPI) event(id, kind string, data any) {
	b, err := json.Marshal(data)
	if err != nil {
		f.t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.subs {
		c <- fmt.Sprintf("id: %s\nevent: ledger.%s\ndata: %s\n\n", id, kind, b)
	}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	if p, ok := body.(*fakeProblem); ok {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(p.Status)
		json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": http.StatusText(p.Status), "status": p.Status, "code": p.Code, "detail": p.Detail})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") == "" {
		writeJSON(w, 0, &fakeProblem{Status: 401, Code: "UNAUTHENTICATED", Detail: "no token"})
		return
	}
	switch {
	case r.URL.Path == "/v1/events":
		f.stream(w, r)
		return
	case r.Method == http.MethodGet && r.URL.Path == "/v1/me":
		f.mu.Lock()
		me := f.me
		f.mu.Unlock()
		writeJSON(w, 200, me)
		return
	case r.Method == http.MethodGet && r.URL.Path == "/v1/enterprises":
		role := r.URL.Query().Get("role")
		out := []map[string]any{}
		f.mu.Lock()
		for _, e := range f.enterprises {
			if role == "" || e["role"] == role {
				out = append(out, e)
			}
		}
		f.mu.Unlock()
		writeJSON(w, 200, map[string]any{"items": out})
		return
	case r.Method == http.MethodPost:
		var body map[string]any
		if b, _ := io.ReadAll(r.Body); len(b) > 0 {
			if err := json.Unmarshal(b, &body); err != nil {
				writeJSON(w, 0, &fakeProblem{Status: 400, Code: "INVALID_ARGUMENT", Detail: err.Error()})
				return
			}
		}
		f.mu.Lock()
		f.posted[r.URL.Path] = append(f.posted[r.URL.Path], body)
		h := f.post[r.URL.Path]
		f.mu.Unlock()
		if h == nil {
			writeJSON(w, 0, &fakeProblem{Status: 404, Code: "NOT_FOUND", Detail: "no such route in the test: " + r.URL.Path})
			return
		}
		status, out := h(body)
		writeJSON(w, status, out)
		return
	}
	f.mu.Lock()
	body, ok := f.get[r.URL.Path]
	f.mu.Unlock()
	if !ok {
		switch {
		case r.URL.Path == "/v1/bad-envelopes", strings.HasSuffix(r.URL.Path, "s") && !strings.Contains(strings.TrimPrefix(r.URL.Path, "/v1/"), "/"):
			writeJSON(w, 200, map[string]any{"items": []any{}}) // an empty list
		default:
			writeJSON(w, 0, &fakeProblem{Status: 404, Code: "NOT_FOUND", Detail: "not found: " + r.URL.Path})
		}
		return
	}
	writeJSON(w, 200, body)
}

// stream serves GET /v1/events: what event() sends, with heartbeats.
func (f *fakeAPI) stream(w http.ResponseWriter, r *http.Request) {
	events := make(chan string, 16)
	f.mu.Lock()
	f.streams++
	f.subs[events] = true
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.subs, events)
		f.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(200)
	fl := w.(http.Flusher)
	io.WriteString(w, "retry: 3000\n\n")
	fl.Flush()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case ev := <-events:
			io.WriteString(w, ev)
			fl.Flush()
		case <-tick.C:
			io.WriteString(w, ": heartbeat\n\n")
			fl.Flush()
		}
	}
}

func (f *fakeAPI) openStreams() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.streams
}

// cny is an API Money in yuan: cny(1250000) is CNY 1,250,000.00.
func cny(yuan int64) map[string]any {
	return map[string]any{"minor": yuan * 100, "decimal": fmt.Sprintf("%d.00", yuan), "currency": "CNY"}
}

func usd(dollars int64) map[string]any {
	return map[string]any{"minor": dollars * 100, "decimal": fmt.Sprintf("%d.00", dollars), "currency": "USD"}
}

func sealed(currency string) map[string]any {
	return map[string]any{"currency": currency, "sealed": true}
}

// theParties are the enterprises of the fixtures: Chinese names and a
// Latin one, so that a name left to translation shows in the walk.
func theParties() []map[string]any {
	e := func(id, name, role string) map[string]any {
		return map[string]any{"id": id, "name": name, "role": role, "status": "ACTIVE"}
	}
	return []map[string]any{
		e("carmaker", "华东汽车集团", "core"),
		e("tier1", "江苏精密部件", "supplier"),
		e("tier2", "Suzhou Fasteners", "supplier"),
		e("tier3", "无锡橡胶制品", "supplier"),
		e("bankA", "宁波银行", "bank"),
		e("bankB", "Bank of Shanghai", "bank"),
		e("regulator", "监管局", "regulator"),
	}
}

// signInAs signs in on the fake API as enterprise id with role.
func (f *fakeAPI) signInAs(b *page, id, role string) {
	b.t.Helper()
	f.mu.Lock()
	f.me = map[string]any{"enterpriseId": id, "role": role, "name": id, "timeZone": "Asia/Shanghai"}
	for _, e := range f.enterprises {
		if e["id"] == id {
			f.me["name"] = e["name"]
		}
	}
	f.mu.Unlock()
	b.run(chromedp.Navigate(b.base+"/console/"), chromedp.Evaluate(`localStorage.setItem("tierchain.locale", "en"); true`, nil))
	b.signIn("test-token-"+id, role)
}

// inBothLanguages runs check once in English and once in Chinese on the
// page as it stands (each time re-rendered in that language), then
// checks the page for missing or untranslated text, axe-core, 390 px,
// whole figures, and keeps screenshots named name-<locale>.
func inBothLanguages(t *testing.T, b *page, name string, check func(loc string)) {
	t.Helper()
	for _, loc := range []string{"en", "zh-CN"} {
		if err := withLocale(b.ctx, loc); err != nil {
			t.Fatal(err)
		}
		check(loc)
		where := name + " " + loc
		untranslated(t, b.ctx, where)
		axeCheck(t, b.ctx)
		figuresWhole(t, b.ctx, where)
		screenshot(t, b.ctx, name+"-"+loc)
		if err := viewport390(b.ctx); err != nil {
			t.Fatal(err)
		}
		fitsWidth(t, b.ctx, where)
		screenshot(t, b.ctx, name+"-"+loc+"-390")
		if err := viewportDesktop(b.ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := withLocale(b.ctx, "en"); err != nil {
		t.Fatal(err)
	}
}

// spaces reads the no-break spaces Intl puts in amounts and dates as
// spaces, so a test writes "CNY 600,000.00".
var spaces = strings.NewReplacer("\u00a0", " ", "\u202f", " ")

// has reports whether sel's text holds every one of want, failing the test
// with what it holds otherwise.
func (p *page) has(sel string, want ...string) {
	p.t.Helper()
	got := spaces.Replace(p.text(sel))
	for _, w := range want {
		if !strings.Contains(got, spaces.Replace(w)) {
			p.shot("failure")
			p.t.Errorf("%s lacks %q; it reads %q", sel, w, got)
		}
	}
}

// lacks fails the test when sel's text holds any of bad.
func (p *page) lacks(sel string, bad ...string) {
	p.t.Helper()
	got := spaces.Replace(p.text(sel))
	for _, w := range bad {
		if strings.Contains(got, spaces.Replace(w)) {
			p.shot("failure")
			p.t.Errorf("%s shows %q; it reads %q", sel, w, got)
		}
	}
}

// count is how many elements match sel.
func (p *page) count(sel string) int {
	p.t.Helper()
	var n int
	p.eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n)
	return n
}

// waitFor waits until sel matches an element.
func (p *page) waitFor(sel string) {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for p.count(sel) == 0 {
		if time.Now().After(deadline) {
			p.shot("failure")
			p.t.Fatalf("%s never appeared", sel)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

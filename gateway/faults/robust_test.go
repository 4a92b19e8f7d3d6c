package faults_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/internal/fabnet"
)

// writeRoute is a write operation of the API document.
type writeRoute struct {
	method, path string
	props        map[string]string // the JSON body's top-level members and their types
	contentTypes []string          // the body's documented media types
}

// writeRoutes lists every write (any method but GET and HEAD) of
// docs/api/openapi.yaml.
func writeRoutes(t *testing.T) []writeRoute {
	t.Helper()
	root, err := fabnet.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "docs", "api", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	type mediaType struct {
		Schema map[string]any `yaml:"schema"`
	}
	var d struct {
		Paths map[string]map[string]struct {
			RequestBody struct {
				Content map[string]mediaType `yaml:"content"`
			} `yaml:"requestBody"`
		} `yaml:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]map[string]any `yaml:"properties"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	var out []writeRoute
	for path, ops := range d.Paths {
		for method, op := range ops {
			m := strings.ToUpper(method)
			if m == http.MethodGet || m == http.MethodHead || !slices.Contains([]string{"POST", "PUT", "PATCH", "DELETE"}, m) {
				continue
			}
			r := writeRoute{method: m, path: path, props: map[string]string{}}
			for ct, mt := range op.RequestBody.Content {
				r.contentTypes = append(r.contentTypes, ct)
				if ct != "application/json" {
					continue
				}
				ref, _ := mt.Schema["$ref"].(string)
				for name, p := range d.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")].Properties {
					typ, _ := p["type"].(string)
					if typ == "" {
						typ = "object" // a $ref
					}
					r.props[name] = typ
				}
			}
			sort.Strings(r.contentTypes)
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// badRequest is one malformed request of the run.
type badRequest struct {
	name        string
	path        string
	contentType string // "" sends none
	key         string // Idempotency-Key; "-" sends none
	body        []byte
	chunked     bool // no Content-Length: the body limit must stop the reader
	want        int  // the status an admitted caller must get (0: any 4xx)
}

// nestedJSON is n arrays deep inside an object member.
func nestedJSON(n int) []byte {
	return []byte(`{"outputs":` + strings.Repeat("[", n) + strings.Repeat("]", n) + "}")
}

// wrongTypes gives every documented member a value of another JSON type.
func wrongTypes(props map[string]string) []byte {
	m := map[string]any{}
	for name, typ := range props {
		switch typ {
		case "string":
			m[name] = 12345
		case "integer", "number":
			m[name] = "12345"
		case "array":
			m[name] = map[string]any{"a": 1}
		case "boolean":
			m[name] = "true"
		default:
			m[name] = []int{1}
		}
	}
	b, _ := json.Marshal(m)
	return b
}

// garbageValues gives every documented member a value of its own type that
// no validation should accept.
func garbageValues(props map[string]string) []byte {
	m := map[string]any{}
	for name, typ := range props {
		switch typ {
		case "string":
			m[name] = "\x00\uffff' OR '1'='1 <script>" + strings.Repeat("9", 300)
		case "integer", "number":
			m[name] = json.Number("-1")
		case "array":
			m[name] = []any{nil, 1e308, "\x00", map[string]any{"to": "", "amount": "-0.00"}}
		case "boolean":
			m[name] = nil
		default:
			m[name] = map[string]any{"": nil}
		}
	}
	b, _ := json.Marshal(m)
	return b
}

// badRequests are the malformed requests of one route, its path
// parameters filled with an ID no record has.
func badRequests(r writeRoute, rng *rand.Rand) []badRequest {
	param := regexp.MustCompile(`\{[^}]+\}`)
	path := param.ReplaceAllString(r.path, "nosuch-fault-1")
	json := "application/json"
	oversized := http.StatusRequestEntityTooLarge
	if slices.Contains(r.contentTypes, "multipart/form-data") {
		oversized = 0 // its limit is 11 MiB + 64 KiB
	}
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	}
	reqs := []badRequest{
		{name: "no body", path: path, contentType: json},
		{name: "truncated JSON", path: path, contentType: json, body: []byte(`{"outputs": [{"to": "x", "amo`)},
		{name: "null", path: path, contentType: json, body: []byte(`null`)},
		{name: "array", path: path, contentType: json, body: []byte(`[]`)},
		{name: "string", path: path, contentType: json, body: []byte(`"{}"`)},
		{name: "two values", path: path, contentType: json, body: []byte(`{} {}`)},
		{name: "trailing garbage", path: path, contentType: json, body: []byte(`{}garbage`)},
		{name: "unknown member", path: path, contentType: json, body: []byte(`{"sneaky": true}`)},
		{name: "duplicate members", path: path, contentType: json, body: []byte(`{"reason": "a", "reason": 1}`)},
		{name: "invalid UTF-8", path: path, contentType: json, body: []byte("{\"reason\": \"\xff\xfe\xfd\"}")},
		{name: "huge number", path: path, contentType: json, body: []byte(`{"limit": 1e400, "amount": 123456789012345678901234567890}`)},
		{name: "wrong types", path: path, contentType: json, body: wrongTypes(r.props)},
		{name: "garbage values", path: path, contentType: json, body: garbageValues(r.props)},
		{name: "deep nesting (100,000 arrays)", path: path, contentType: json, body: nestedJSON(100_000)},
		{name: "long string under the limit", path: path, contentType: json, body: []byte(`{"reason": "` + strings.Repeat("x", 900<<10) + `"}`)},
		{name: "random bytes", path: path, contentType: json, body: random(4096)},
		{name: "random bytes, no content type", path: path, body: random(512)},
		{name: "text/plain", path: path, contentType: "text/plain", body: []byte(`{}`)},
		{name: "garbage content type", path: path, contentType: "application/json; charset=;;=", body: []byte(`{}`)},
		{name: "form content type", path: path, contentType: "application/x-www-form-urlencoded", body: []byte(`outputs=1&reason=x`)},
		{name: "json as UTF-16", path: path, contentType: "application/json; charset=utf-16", body: []byte("\xff\xfe{\x00}\x00")},
		{name: "multipart without boundary", path: path, contentType: "multipart/form-data", body: []byte("--x\r\n\r\n--x--")},
		{name: "multipart with garbage parts", path: path, contentType: "multipart/form-data; boundary=x",
			body: []byte("--x\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a\"\r\nContent-Type: application/xml\r\n\r\n<<<\r\n--x\r\nContent-Disposition: form-data; name=\"document\"; filename=\"b\"\r\n\r\n\x00\x01\r\n--x")},
		{name: "XML, deep nesting", path: path, contentType: "application/xml", body: []byte(strings.Repeat("<a>", 200_000))},
		{name: "XML, entity expansion", path: path, contentType: "text/xml",
			body: []byte(`<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><Invoice>&c;&c;&c;</Invoice>`)},
		{name: "oversized (2 MiB)", want: oversized, path: path, contentType: json, body: []byte(`{"reason": "` + strings.Repeat("x", 2<<20) + `"}`)},
		{name: "oversized (2 MiB), chunked", path: path, contentType: json, body: []byte(`{"reason": "` + strings.Repeat("x", 2<<20) + `"}`), chunked: true},
		{name: "no Idempotency-Key", want: 400, path: path, contentType: json, key: "-", body: []byte(`{}`)},
		{name: "empty Idempotency-Key", want: 400, path: path, contentType: json, key: "=", body: []byte(`{}`)},
		{name: "Idempotency-Key with spaces", want: 400, path: path, contentType: json, key: "a b c", body: []byte(`{}`)},
		{name: "Idempotency-Key of 129 characters", want: 400, path: path, contentType: json, key: strings.Repeat("k", 129), body: []byte(`{}`)},
		{name: "Idempotency-Key not ASCII", want: 400, path: path, contentType: json, key: "nøkkel-ключ", body: []byte(`{}`)},
		{name: "Idempotency-Key starting with a dash", want: 400, path: path, contentType: json, key: "-abc", body: []byte(`{}`)},
	}
	if slices.Contains(r.contentTypes, "multipart/form-data") {
		// The invoice upload takes up to 11 MiB + 64 KiB.
		big := make([]byte, 12<<20)
		reqs = append(reqs, badRequest{name: "oversized (12 MiB)", want: http.StatusRequestEntityTooLarge, path: path, contentType: "multipart/form-data; boundary=x", body: big})
	}
	if path != r.path {
		for _, id := range []string{"..", "%2e%2e", "-lead", strings.Repeat("a", 129), "%00", "%ff%fe", "a%2Fb",
			"%27%20OR%20%271%27%3D%271", "%F0%9F%98%80", "a%20b", "a%0d%0aSet-Cookie:x"} {
			reqs = append(reqs, badRequest{name: "path ID " + id, path: param.ReplaceAllString(r.path, id), contentType: json, body: []byte(`{}`)})
		}
	}
	return reqs
}

// sendBad sends one malformed request as the bearer of token.
func sendBad(ctx context.Context, base, method, token string, b badRequest, n int) reply {
	h := map[string]string{"Authorization": "Bearer " + token}
	if b.contentType != "" {
		h["Content-Type"] = b.contentType
	}
	switch b.key {
	case "":
		h["Idempotency-Key"] = fmt.Sprintf("robust-%d", n)
	case "=":
		h["Idempotency-Key"] = ""
	case "-":
	default:
		h["Idempotency-Key"] = b.key
	}
	if !b.chunked {
		return send(ctx, method, base+b.path, h, b.body)
	}
	return sendReader(ctx, method, base+b.path, h, io.MultiReader(bytes.NewReader(b.body)))
}

// panics reads tierchain_gateway_http_panics_total from /metrics, as the
// operator (metrics need a credential).
func panics(t *testing.T, ctx context.Context, base, operatorToken string) float64 {
	t.Helper()
	r := send(ctx, http.MethodGet, base+"/metrics", map[string]string{"Authorization": "Bearer " + operatorToken}, nil)
	if r.status != http.StatusOK {
		t.Fatalf("/metrics: %s", r)
	}
	sc := bufio.NewScanner(strings.NewReader(string(r.body)))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "tierchain_gateway_http_panics_total" {
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatal("/metrics has no tierchain_gateway_http_panics_total")
	return 0
}

// reuseAttempts is how many invoice reuse attempts the regulator sees.
func reuseAttempts(t *testing.T, ctx context.Context, regulator *demo.Client) int {
	t.Helper()
	var out struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := regulator.Do(ctx, http.MethodGet, "/v1/audit/reuse-attempts", nil, &out); err != nil {
		t.Fatal(err)
	}
	return len(out.Items)
}

// TestRESTRobustness sends every write route of the API document, as every
// founder and a supplier, malformed JSON, wrong types, garbage values,
// deep nesting, random bytes, oversized bodies (with and without a
// Content-Length), wrong content types, missing and malformed
// Idempotency-Keys and malformed path IDs, eight at a time. No answer is
// 2xx or a 5xx other than 503 UNAVAILABLE, the gateway's panic counter
// stays 0, and the regulator's snapshot of the whole ledger (and its reuse
// log) is what it was.
func TestRESTRobustness(t *testing.T) {
	g := gw(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	routes := writeRoutes(t)
	if len(routes) < 15 {
		t.Fatalf("only %d write routes in the API document", len(routes))
	}
	// A supplier, so that supplier routes get past the role check.
	var onboarded struct {
		APIToken string `json:"apiToken"`
	}
	if err := g.client("operator").Do(ctx, http.MethodPost, "/v1/enterprises", map[string]string{"id": "robust-supplier",
		"name": "Robust AS", "role": "supplier", "legalId": "0192:999000118"}, &onboarded); err != nil {
		var p *demo.Problem
		if !errors.As(err, &p) || p.Status != http.StatusConflict {
			t.Fatal(err)
		}
	}
	callers := map[string]string{"supplier": onboarded.APIToken}
	for _, id := range []string{"operator", "carmaker", "bankA", "bankB", "regulator"} {
		callers[id] = g.token(id)
	}
	if callers["supplier"] == "" {
		delete(callers, "supplier") // onboarded by an earlier run of this binary's tests: its token was shown once
	}

	regulator := g.client("regulator")
	before := readLedger(t, ctx, regulator).String()
	reuseBefore := reuseAttempts(t, ctx, regulator)
	panicsBefore := panics(t, ctx, g.base(), g.platform().Tokens["operator"])

	type job struct {
		route    writeRoute
		caller   string
		req      badRequest
		admitted bool
	}
	rng := rand.New(rand.NewPCG(6, 6))
	// Every malformed request goes to the callers whose role the route
	// admits; the others (403 at the role check, before the body is read)
	// get the first five and the oversized ones.
	var jobs []job
	for _, r := range routes {
		reqs := badRequests(r, rng)
		for caller, token := range callers {
			// Each caller at its own gateway; a route that gateway refuses
			// outright (another role, not hosted there, the regulator's
			// read-only gateway) gets the short list too.
			probe := sendBad(ctx, g.url(caller), r.method, token, badRequest{path: reqs[0].path, contentType: "application/json", body: []byte(`{}`)}, -len(jobs)-1)
			admitted := probe.status != http.StatusForbidden ||
				(probe.code != "FORBIDDEN" && probe.code != "NOT_HOSTED" && probe.code != "READ_ONLY")
			for i, b := range reqs {
				if admitted || i < 5 || strings.HasPrefix(b.name, "oversized") {
					jobs = append(jobs, job{r, caller, b, admitted})
				}
			}
		}
	}
	var mu sync.Mutex
	statuses := map[string]int{}
	byCase := map[string]map[int]int{}
	var failures []string
	work := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range 8 {
		wg.Go(func() {
			for i := range work {
				j := jobs[i]
				r := sendBad(ctx, g.url(j.caller), j.route.method, callers[j.caller], j.req, i)
				mu.Lock()
				statuses[fmt.Sprintf("%d %s", r.status, r.code)]++
				if j.admitted {
					if byCase[j.req.name] == nil {
						byCase[j.req.name] = map[int]int{}
					}
					byCase[j.req.name][r.status]++
				}
				bad := r.err != nil || r.status/100 == 2 || (r.status >= 500 && !(r.status == http.StatusServiceUnavailable && r.code == "UNAVAILABLE")) ||
					j.admitted && j.req.want != 0 && r.status != j.req.want
				if bad {
					failures = append(failures, fmt.Sprintf("%s %s as %s, %s: %s %s", j.route.method, j.req.path, j.caller, j.req.name, r, trim(r.body)))
				}
				mu.Unlock()
			}
		})
	}
	for i := range jobs {
		work <- i
	}
	close(work)
	wg.Wait()
	took := time.Since(start)

	var ss []string
	for s, n := range statuses {
		ss = append(ss, fmt.Sprintf("%s ×%d", s, n))
	}
	sort.Strings(ss)
	t.Logf("%d malformed requests over %d write routes as %d callers in %s: %s", len(jobs), len(routes), len(callers),
		took.Round(time.Millisecond), strings.Join(ss, "; "))
	var cs []string
	for name, st := range byCase {
		cs = append(cs, fmt.Sprintf("%s %v", name, st))
	}
	sort.Strings(cs)
	t.Logf("statuses by case, admitted callers: %s", strings.Join(cs, "; "))
	sort.Strings(failures)
	for i, f := range failures {
		if i == 40 {
			t.Errorf("… and %d more", len(failures)-40)
			break
		}
		t.Error(f)
	}
	if p := panics(t, ctx, g.base(), g.platform().Tokens["operator"]); p != panicsBefore {
		t.Errorf("tierchain_gateway_http_panics_total went from %v to %v", panicsBefore, p)
	}
	if after := readLedger(t, ctx, regulator).String(); after != before {
		t.Errorf("the ledger changed:\n%s", diff(before, after))
	}
	if n := reuseAttempts(t, ctx, regulator); n != reuseBefore {
		t.Errorf("reuse attempts went from %d to %d", reuseBefore, n)
	}
}

func trim(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

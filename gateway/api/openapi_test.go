package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/gateway/api"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/audit"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/services/wallet"
	"github.com/tierchain/tierchain/services/webhook"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/oprf"
)

// openAPIPath is the committed API document; gateway/openapi_test.go checks
// the core gateway's part of it, this file the business API's.
const openAPIPath = "../../docs/api/openapi.yaml"

func init() { gin.SetMode(gin.TestMode) }

type doc struct {
	Paths      map[string]map[string]operation `yaml:"paths"`
	Components struct {
		Schemas    map[string]schema    `yaml:"schemas"`
		Parameters map[string]parameter `yaml:"parameters"`
	} `yaml:"components"`
}

type operation struct {
	Tags        []string               `yaml:"tags"`
	Description string                 `yaml:"description"`
	Parameters  []parameter            `yaml:"parameters"`
	RequestBody map[string]any         `yaml:"requestBody"`
	Security    *[]map[string][]string `yaml:"security"`
	Responses   map[string]any         `yaml:"responses"`
}

type parameter struct {
	Ref  string `yaml:"$ref"`
	Name string `yaml:"name"`
	In   string `yaml:"in"`
}

type schema struct {
	Ref             string            `yaml:"$ref"`
	Type            string            `yaml:"type"`
	Format          string            `yaml:"format"`
	ContentEncoding string            `yaml:"contentEncoding"`
	Required        []string          `yaml:"required"`
	Properties      map[string]schema `yaml:"properties"`
	AllOf           []schema          `yaml:"allOf"`
	Items           *schema           `yaml:"items"`
}

func loadDoc(t *testing.T) *doc {
	t.Helper()
	raw, err := os.ReadFile(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	var d doc
	if err := yaml.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%s: %v", openAPIPath, err)
	}
	return &d
}

const schemaPrefix = "#/components/schemas/"

// flatten resolves s's allOf (and a top-level $ref) into one set of
// properties and required members, as a validator applies them.
func (d *doc) flatten(s schema) (props map[string]schema, required []string) {
	props = map[string]schema{}
	var walk func(s schema, depth int)
	walk = func(s schema, depth int) {
		if depth > 16 {
			return
		}
		if s.Ref != "" {
			walk(d.Components.Schemas[strings.TrimPrefix(s.Ref, schemaPrefix)], depth+1)
		}
		for _, sub := range s.AllOf {
			walk(sub, depth+1)
		}
		for k, v := range s.Properties {
			props[k] = v
		}
		required = append(required, s.Required...)
	}
	walk(s, 0)
	slices.Sort(required)
	return props, slices.Compact(required)
}

func (d *doc) param(p parameter) parameter {
	if p.Ref != "" {
		return d.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
	}
	return p
}

// nopLedger answers nothing; the handlers never reach it here.
type nopLedger struct{}

func (nopLedger) Evaluate(context.Context, string, string, ...string) ([]byte, error) {
	return nil, nil
}
func (nopLedger) ChainHeight(context.Context) (uint64, string, error) { return 0, "", nil }
func (nopLedger) Submit(context.Context, string, string, ...string) (fabricclient.Result, error) {
	return fabricclient.Result{}, nil
}

var roles = []model.Role{model.RoleCore, model.RoleSupplier, model.RoleBank, model.RoleRegulator, model.RoleOperator}

func roleToken(r model.Role) string { return "openapi-test-" + string(r) }

// businessServer is a gateway with the business API and every optional
// dependency present (the regulator's auditor, the operator's OPRF), so
// that every route the product can serve is registered, and a token for
// each role.
func businessServer(t *testing.T) *gateway.Server {
	t.Helper()
	auditKey, err := elgamal.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	envKey, err := envelope.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	auditor, err := audit.New(audit.Config{Ledger: nopLedger{}, AuditKey: auditKey, EnvelopeKey: envKey, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	oprfKey, err := oprf.GenerateServerKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Every route a gateway may register: the regulator's audit routes,
	// and the operator's onboarding and OPRF.
	return serverWith(t, api.Deps{Log: log, Auditor: auditor, OPRF: oprf.NewServer(oprfKey), Onboarding: true}, gateway.Config{})
}

// serverWith is a gateway serving the business API with deps and cfg,
// with a token per role (MSP TestMSP).
func serverWith(t testing.TB, deps api.Deps, cfg gateway.Config) *gateway.Server {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	deps.Log = log
	a := api.New(deps)
	var seeds []gateway.SeedToken
	for _, r := range roles {
		seeds = append(seeds, gateway.SeedToken{Token: roleToken(r), Label: "openapi test",
			Principal: gateway.Principal{EnterpriseID: string(r) + "1", Role: r, MSPID: "TestMSP"}})
	}
	cfg.Tokens = append(cfg.Tokens, seeds...)
	s, err := gateway.New(cfg, gateway.Deps{
		Logger: log,
		DB:     storetest.SQLite(t),
		Routes: []func(*gateway.Routes){gateway.BaselineRoutes(nopLedger{}), a.Register},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Prepare(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

var ginParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// registered lists the server's routes as "METHOD /path/{param}".
func registered(t *testing.T, s *gateway.Server) []string {
	t.Helper()
	e, ok := s.Handler().(*gin.Engine)
	if !ok {
		t.Fatalf("Handler is a %T, want *gin.Engine", s.Handler())
	}
	var out []string
	for _, r := range e.Routes() {
		out = append(out, r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}"))
	}
	sort.Strings(out)
	return out
}

var methods = []string{"get", "put", "post", "delete", "patch", "head", "options"}

// documented lists the document's operations as "METHOD /path/{param}".
func (d *doc) documented() map[string]operation {
	out := map[string]operation{}
	for path, ops := range d.Paths {
		for method, op := range ops {
			if slices.Contains(methods, method) {
				out[strings.ToUpper(method)+" "+path] = op
			}
		}
	}
	return out
}

// TestOpenAPIRoutesExact: the routes of a gateway serving the business API
// are exactly the documented operations.
func TestOpenAPIRoutesExact(t *testing.T) {
	d := loadDoc(t)
	docd := d.documented()
	reg := registered(t, businessServer(t))
	for _, r := range reg {
		if _, ok := docd[r]; !ok {
			t.Errorf("route %s is not in %s", r, openAPIPath)
		}
	}
	for r := range docd {
		if !slices.Contains(reg, r) {
			t.Errorf("%s documents %s, which is not registered", openAPIPath, r)
		}
	}
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// TestOpenAPIOperations: every operation declares its path parameters,
// every write its Idempotency-Key and no read a body, and none opts out
// of bearer auth under /v1.
func TestOpenAPIOperations(t *testing.T) {
	d := loadDoc(t)
	for key, op := range d.documented() {
		method, path, _ := strings.Cut(key, " ")
		var inPath []string
		idempotent := false
		for _, p := range op.Parameters {
			p = d.param(p)
			switch {
			case p.Name == "" || p.In == "":
				t.Errorf("%s: parameter %+v does not resolve", key, p)
			case p.In == "path":
				inPath = append(inPath, p.Name)
			case p.In == "header" && p.Name == "Idempotency-Key":
				idempotent = true
			}
		}
		var want []string
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			want = append(want, m[1])
		}
		slices.Sort(inPath)
		slices.Sort(want)
		if !slices.Equal(inPath, want) {
			t.Errorf("%s: path parameters %v declared, the template has %v", key, inPath, want)
		}
		write := method != http.MethodGet && method != http.MethodHead
		if isSigned(path) {
			// A signed request between gateways: no token, and nothing to
			// replay (an evaluation or a read changes nothing).
			if op.Security == nil || len(*op.Security) != 1 || (*op.Security)[0]["signed"] == nil || idempotent {
				t.Errorf("%s: a signed route declares security [signed] and no Idempotency-Key", key)
			}
			continue
		}
		if write != idempotent {
			t.Errorf("%s: Idempotency-Key declared %v, want %v (required on every write)", key, idempotent, write)
		}
		if !write && op.RequestBody != nil {
			t.Errorf("%s: a read with a request body", key)
		}
		if strings.HasPrefix(path, "/v1/") && op.Security != nil {
			t.Errorf("%s: overrides the bearer security requirement", key)
		}
	}
}

// rolesSentence is how a business operation's description begins: "Any
// role", "Role bank", "Roles supplier and bank", "Roles supplier, bank and
// core".
var rolesSentence = regexp.MustCompile(`^(?:Any role|Roles? ([a-z]+(?:, [a-z]+)*(?: and [a-z]+)?))\b`)

// documentedRoles reads the roles a business operation's description
// names; ok is false when it names none.
func documentedRoles(desc string) (rs []model.Role, ok bool) {
	m := rolesSentence.FindStringSubmatch(desc)
	if m == nil {
		return nil, false
	}
	if m[1] == "" {
		return slices.Clone(roles), true
	}
	for _, f := range strings.FieldsFunc(strings.ReplaceAll(m[1], " and ", ","), func(r rune) bool { return r == ',' || r == ' ' }) {
		if !model.Role(f).Valid() {
			return nil, false
		}
		rs = append(rs, model.Role(f))
	}
	return rs, true
}

// TestOpenAPIRoles: each business operation's description names exactly
// the roles the gateway lets through. Every role's token calls every
// route; the role check answers 403 with its own detail before anything
// else runs (the handlers, without their services here, fail later in
// other ways).
func TestOpenAPIRoles(t *testing.T) {
	d := loadDoc(t)
	s := businessServer(t)
	h := s.Handler()
	n := 0
	for key, op := range d.documented() {
		if isCore(op) || isSigned(key) {
			continue
		}
		want, ok := documentedRoles(op.Description)
		if !ok {
			t.Errorf("%s: the description does not begin with the roles that may call it (%q)", key, op.Description)
			continue
		}
		method, path, _ := strings.Cut(key, " ")
		path = samplePath(path)
		var got []model.Role
		for _, r := range roles {
			n++
			req := httptest.NewRequestWithContext(t.Context(), method, path, nil)
			req.Header.Set("Authorization", "Bearer "+roleToken(r))
			req.Header.Set("Idempotency-Key", fmt.Sprintf("roles-%d", n))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var p problem.Problem
			_ = json.Unmarshal(rec.Body.Bytes(), &p)
			if rec.Code == http.StatusUnauthorized {
				t.Fatalf("%s as %s: 401 %s", key, r, rec.Body)
			}
			if !(rec.Code == http.StatusForbidden && strings.HasPrefix(p.Detail, "this operation is not open to")) {
				got = append(got, r)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the gateway lets %v call it, the description says %v", key, got, want)
		}
	}
}

// samplePath fills a path template with IDs the handlers accept.
func samplePath(path string) string {
	id := "x1"
	if strings.HasPrefix(path, "/v1/invoices/") {
		id = strings.Repeat("0", 128) // an invoice ID is a hex fingerprint
	}
	return pathParam.ReplaceAllString(path, id)
}

// TestOpenAPIRequestBodies: a business write documents a request body
// exactly when its handler reads one. A body of a type no route accepts
// gets 415 from a handler that decodes it; a handler that reads no body
// never answers 415.
func TestOpenAPIRequestBodies(t *testing.T) {
	d := loadDoc(t)
	h := businessServer(t).Handler()
	n := 0
	for key, op := range d.documented() {
		method, path, _ := strings.Cut(key, " ")
		if isCore(op) || isSigned(path) || method == http.MethodGet {
			continue
		}
		rs, ok := documentedRoles(op.Description)
		if !ok || len(rs) == 0 {
			continue // TestOpenAPIRoles reports it
		}
		n++
		req := httptest.NewRequestWithContext(t.Context(), method, samplePath(path), strings.NewReader("x"))
		req.Header.Set("Authorization", "Bearer "+roleToken(rs[0]))
		req.Header.Set("Idempotency-Key", fmt.Sprintf("bodies-%d", n))
		req.Header.Set("Content-Type", "text/plain")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got, want := rec.Code == http.StatusUnsupportedMediaType, op.RequestBody != nil; got != want {
			t.Errorf("%s: a text/plain body gets %d %s; documented request body: %v", key, rec.Code, rec.Body, want)
		}
	}
}

// isSigned: a route one gateway serves another's, signed instead of
// authenticated with a token.
func isSigned(path string) bool { return strings.Contains(path, "/v1/signed/") }

// coreTags tag the core gateway's operations (see gateway/openapi_test.go).
var coreTags = []string{"operations", "identity", "events", "ledger"}

func isCore(op operation) bool {
	for _, t := range op.Tags {
		if !slices.Contains(coreTags, t) {
			return false
		}
	}
	return len(op.Tags) > 0
}

// goSchemas are the documented schemas of the business API's Go types and
// of the model and audit types they render.
var goSchemas = map[string]reflect.Type{
	"Money":             reflect.TypeFor[api.Money](),
	"Enterprise":        reflect.TypeFor[api.EnterpriseView](),
	"EnterprisePage":    reflect.TypeFor[model.Page[api.EnterpriseView]](),
	"OnboardRequest":    reflect.TypeFor[api.OnboardRequest](),
	"OnboardResponse":   reflect.TypeFor[api.OnboardResponse](),
	"Invoice":           reflect.TypeFor[model.Invoice](),
	"InvoiceResponse":   reflect.TypeFor[api.InvoiceResponse](),
	"InvoicePage":       reflect.TypeFor[model.Page[api.InvoiceResponse]](),
	"ReasonRequest":     reflect.TypeFor[api.ReasonRequest](),
	"CreditLineRequest": reflect.TypeFor[api.CreditLineRequest](),
	"CreditLine":        reflect.TypeFor[model.CreditLine](),
	"CreditLineView":    reflect.TypeFor[api.CreditLineView](),
	"CreditLinePage":    reflect.TypeFor[model.Page[api.CreditLineView]](),
	"IssueRequest":      reflect.TypeFor[api.IssueRequest](),
	"Financing":         reflect.TypeFor[model.Financing](),
	"Payment":           reflect.TypeFor[model.Payment](),
	"Freeze":            reflect.TypeFor[model.Freeze](),
	"Token":             reflect.TypeFor[model.Token](),
	"LedgerTokenView":   reflect.TypeFor[model.TokenView](),
	"TokenView":         reflect.TypeFor[api.TokenView](),
	"TokenPage":         reflect.TypeFor[model.Page[api.TokenView]](),
	"ProvenanceNode":    reflect.TypeFor[model.ProvenanceNode](),
	"SplitRequest":      reflect.TypeFor[api.SplitRequest](),
	"SplitOutput":       reflect.TypeFor[api.SplitOutput](),
	"SplitResponse":     reflect.TypeFor[api.SplitResponse](),
	"FinancingRequest":  reflect.TypeFor[api.FinancingRequest](),
	"ApproveRequest":    reflect.TypeFor[api.ApproveRequest](),
	// Financing with terms (gateway/api/financing.go).
	"FinancingTerms":         reflect.TypeFor[model.FinancingTerms](),
	"Terms":                  reflect.TypeFor[terms.Terms](),
	"SealedAmount":           reflect.TypeFor[model.SealedAmount](),
	"Default":                reflect.TypeFor[model.Default](),
	"FinancingPolicy":        reflect.TypeFor[model.FinancingPolicy](),
	"FinancingPolicyRequest": reflect.TypeFor[api.FinancingPolicyRequest](),
	"TermFinancingRequest":   reflect.TypeFor[api.TermFinancingRequest](),
	"AdvanceView":            reflect.TypeFor[api.AdvanceView](),
	"FinancingResult":        reflect.TypeFor[api.FinancingResult](),
	// Requests for quotes (gateway/api/quotes.go).
	"FinancingQuote": reflect.TypeFor[model.FinancingQuote](),
	"RFQRequest":     reflect.TypeFor[api.RFQRequest](),
	"QuoteRequest":   reflect.TypeFor[api.QuoteRequest](),
	"RFQView":        reflect.TypeFor[api.RFQView](),
	"RFQViewPage":    reflect.TypeFor[model.Page[api.RFQView]](),
	"QuoteView":      reflect.TypeFor[api.QuoteView](),
	"AcceptResult":   reflect.TypeFor[api.AcceptResult](),
	// Resale (gateway/api/resale.go).
	"Resale":              reflect.TypeFor[model.Resale](),
	"ResaleRequest":       reflect.TypeFor[api.ResaleRequest](),
	"AcceptResaleRequest": reflect.TypeFor[api.AcceptResaleRequest](),
	"ResaleView":          reflect.TypeFor[api.ResaleView](),
	// Webhooks (gateway/api/webhooks.go, services/webhook).
	"WebhookRequest":      reflect.TypeFor[api.WebhookRequest](),
	"WebhookEventType":    reflect.TypeFor[webhook.EventType](),
	"WebhookSubscription": reflect.TypeFor[webhook.Subscription](),
	"WebhookCreated":      reflect.TypeFor[api.WebhookCreated](),
	"WebhookDelivery":     reflect.TypeFor[webhook.Delivery](),
	"WebhookNotification": reflect.TypeFor[webhook.Notification](),
	"FinancingView":       reflect.TypeFor[api.FinancingView](),
	"Portfolio":           reflect.TypeFor[api.Portfolio](),
	"Exposure":            reflect.TypeFor[api.Exposure](),
	"CurrencyTotal":       reflect.TypeFor[api.CurrencyTotal](),
	"Reconciliation":      reflect.TypeFor[api.Reconciliation](),
	"ReconItem":           reflect.TypeFor[api.ReconItem](),
	"OPRFRequest":         reflect.TypeFor[api.OPRFRequest](),
	"OPRFResponse":        reflect.TypeFor[api.OPRFResponse](),
	"AuditAmount":         reflect.TypeFor[audit.Amount](),
	"FinancingReport":     reflect.TypeFor[audit.FinancingReport](),
	"FinancingItem":       reflect.TypeFor[audit.FinancingItem](),
	"ResaleItem":          reflect.TypeFor[audit.ResaleItem](),
	"BankFinancing":       reflect.TypeFor[audit.BankFinancing](),
	"AuditSummary":        reflect.TypeFor[audit.Summary](),
	"ConservationBreak":   reflect.TypeFor[audit.Break](),
	"AuditTokenItem":      reflect.TypeFor[audit.TokenItem](),
	"AuditInvoiceItem":    reflect.TypeFor[audit.InvoiceItem](),
	"AuditSnapshot":       reflect.TypeFor[audit.Snapshot](),
	"AuditReport":         reflect.TypeFor[audit.Report](),
	"TraceNode":           reflect.TypeFor[audit.TraceNode](),
	"Trace":               reflect.TypeFor[audit.Trace](),
	"AuditAsOf":           reflect.TypeFor[audit.AsOf](),
	"OverdueItem":         reflect.TypeFor[audit.OverdueItem](),
	"OverdueReport":       reflect.TypeFor[audit.OverdueReport](),
	"OverdueTotal":        reflect.TypeFor[audit.OverdueTotal](),
	"Share":               reflect.TypeFor[audit.Share](),
	"Distribution":        reflect.TypeFor[audit.Distribution](),
	"ConcentrationReport": reflect.TypeFor[audit.ConcentrationReport](),
	"Concentration":       reflect.TypeFor[audit.Concentration](),
	"CreditLineItem":      reflect.TypeFor[audit.CreditLineItem](),
	"ReuseAttempt":        reflect.TypeFor[audit.ReuseAttempt](),
	"ReuseItem":           reflect.TypeFor[audit.ReuseItem](),
	"BadEnvelope":         reflect.TypeFor[wallet.BadEnvelope](),
	"BadEnvelopeList":     reflect.TypeFor[api.BadEnvelopeList](),
	"Dispute":             reflect.TypeFor[model.Dispute](),
	"AuditDisputeItem":    reflect.TypeFor[audit.DisputeItem](),
	// The ledger stream's position (gateway/api/height.go).
	"LedgerHeight": reflect.TypeFor[api.LedgerHeight](),
	// Named string types: members of these types must refer to them.
	"Role":             reflect.TypeFor[model.Role](),
	"EnterpriseStatus": reflect.TypeFor[model.EnterpriseStatus](),
	"InvoiceStatus":    reflect.TypeFor[model.InvoiceStatus](),
	"TokenStatus":      reflect.TypeFor[model.TokenStatus](),
	"DisputeReason":    reflect.TypeFor[model.DisputeReason](),
	// The bank inbox (gateway/api/financing_refs.go).
	"FinancingRequestPage": reflect.TypeFor[model.Page[api.FinancingRequestView]](),
	"FinancingRequestView": reflect.TypeFor[api.FinancingRequestView](),
	"InvoiceRefView":       reflect.TypeFor[api.InvoiceRefView](),
}

// otherSchemas are documented shapes with no Go struct to check against,
// and why.
var otherSchemas = map[string]string{
	"DecimalAmount":      "a string format (services/invoice.ParseAmount)",
	"TierChainInvoice":   "services/invoice's unexported JSON document; its own tests hold the format",
	"InvoiceParty":       "part of TierChainInvoice",
	"InvoiceUpload":      "the multipart/form-data parts of POST /v1/invoices",
	"CreditLineItemList": `gin.H{"items": []audit.CreditLineItem}`,
	"ReuseItemList":      `gin.H{"items": []audit.ReuseItem}`,
	"ReuseAttemptList":   `gin.H{"items": []audit.ReuseAttempt}`,
	// The core gateway's, checked by gateway/openapi_test.go.
	"Problem": "", "FieldError": "", "Principal": "", "Me": "", "Health": "", "Readiness": "",
	"BaselineBalance": "", "MintRequest": "", "MintResponse": "",
}

// marshalerOptional lists, for types with their own MarshalJSON, the
// members it leaves out although their fields are not omitempty.
var marshalerOptional = map[reflect.Type][]string{
	// audit.Amount.MarshalJSON drops minor when the amount is not known.
	reflect.TypeFor[audit.Amount](): {"minor"},
	// api.Money.MarshalJSON renders a sealed amount as its currency only.
	reflect.TypeFor[api.Money](): {"minor", "decimal"},
}

// member is one JSON member a Go struct renders.
type member struct {
	name   string
	typ    reflect.Type
	always bool // rendered whatever the value (no omitempty/omitzero that applies)
	depth  int
	tagged bool
}

// jsonMembers lists the members encoding/json renders for struct type typ:
// embedded structs without a JSON name are flattened, and of fields with
// the same name the shallowest wins (a tagged one among equals; several
// untagged equals cancel out), as in encoding/json.
func jsonMembers(typ reflect.Type) []member {
	var all []member
	var walk func(t reflect.Type, depth int, seen map[reflect.Type]bool)
	walk = func(t reflect.Type, depth int, seen map[reflect.Type]bool) {
		if seen[t] {
			return
		}
		seen = withType(seen, t)
		for f := range t.Fields() {
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			ft := f.Type
			if f.Anonymous {
				et := ft
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if name == "" && et.Kind() == reflect.Struct {
					walk(et, depth+1, seen)
					continue
				}
				if !f.IsExported() {
					continue
				}
			} else if !f.IsExported() {
				continue
			}
			m := member{name: name, typ: ft, depth: depth, tagged: name != ""}
			if name == "" {
				m.name = f.Name
			}
			omit := false
			for o := range strings.SplitSeq(opts, ",") {
				switch o {
				case "omitzero":
					omit = true
				case "omitempty":
					omit = omit || ft.Kind() != reflect.Struct // omitempty never omits a struct
				}
			}
			m.always = !omit
			all = append(all, m)
		}
	}
	walk(typ, 0, nil)
	byName := map[string][]member{}
	for _, m := range all {
		byName[m.name] = append(byName[m.name], m)
	}
	var out []member
	for _, ms := range byName {
		minDepth := slices.MinFunc(ms, func(a, b member) int { return a.depth - b.depth }).depth
		var top, tagged []member
		for _, m := range ms {
			if m.depth == minDepth {
				top = append(top, m)
				if m.tagged {
					tagged = append(tagged, m)
				}
			}
		}
		switch {
		case len(top) == 1:
			out = append(out, top[0])
		case len(tagged) == 1:
			out = append(out, tagged[0])
		}
	}
	if opt, ok := marshalerOptional[typ]; ok {
		for i := range out {
			if slices.Contains(opt, out[i].name) {
				out[i].always = false
			}
		}
	}
	slices.SortFunc(out, func(a, b member) int { return strings.Compare(a.name, b.name) })
	return out
}

func withType(m map[reflect.Type]bool, t reflect.Type) map[reflect.Type]bool {
	out := map[reflect.Type]bool{t: true}
	for k := range m {
		out[k] = true
	}
	return out
}

var marshaler = reflect.TypeFor[json.Marshaler]()

// resolve follows s's $ref to the component it names.
func (d *doc) resolve(s schema) schema {
	for i := 0; s.Ref != "" && i < 16; i++ {
		s = d.Components.Schemas[strings.TrimPrefix(s.Ref, schemaPrefix)]
	}
	return s
}

// checkType compares a member's schema with the JSON encoding/json gives
// its Go type: strings (also time.Time as date-time and []byte as base64),
// integers, numbers, booleans, arrays (element by element) and objects.
func (d *doc) checkType(s schema, typ reflect.Type) error {
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	r := d.resolve(s)
	got := r.Type
	if got == "" && (len(r.AllOf) > 0 || r.Properties != nil) {
		got = "object"
	}
	var want string
	switch k := typ.Kind(); {
	case typ == reflect.TypeFor[time.Time]():
		want = "string"
		if r.Format != "date-time" {
			return fmt.Errorf("%v is a date-time, documented with format %q", typ, r.Format)
		}
	case k == reflect.Slice && typ.Elem().Kind() == reflect.Uint8:
		want = "string"
		if r.ContentEncoding != "base64" {
			return fmt.Errorf("%v is base64, documented with contentEncoding %q", typ, r.ContentEncoding)
		}
	case k == reflect.Slice || k == reflect.Array:
		want = "array"
		if got == want && r.Items != nil {
			if err := d.checkType(*r.Items, typ.Elem()); err != nil {
				return fmt.Errorf("items: %w", err)
			}
		}
	case k == reflect.String:
		want = "string"
	case k >= reflect.Int && k <= reflect.Uint64:
		want = "integer"
	case k == reflect.Float32 || k == reflect.Float64:
		want = "number"
	case k == reflect.Bool:
		want = "boolean"
	case k == reflect.Struct || k == reflect.Map:
		want = "object"
	default:
		return nil
	}
	if got != want {
		return fmt.Errorf("%v renders a JSON %s, documented as %q", typ, want, got)
	}
	return nil
}

// difference lists the elements of a not in b.
func difference(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// TestOpenAPISchemas: each documented schema of a Go type has exactly the
// members the type renders, requires exactly those it always renders, and
// refers to the schema of each member's documented struct or enum type.
func TestOpenAPISchemas(t *testing.T) {
	d := loadDoc(t)
	schemaOf := map[reflect.Type]string{}
	for name, typ := range goSchemas {
		schemaOf[typ] = name
	}
	for name := range d.Components.Schemas {
		if _, ok := goSchemas[name]; ok {
			continue
		}
		if _, ok := otherSchemas[name]; !ok {
			t.Errorf("schema %s is neither in goSchemas nor in otherSchemas", name)
		}
	}
	for name, typ := range goSchemas {
		s, ok := d.Components.Schemas[name]
		if !ok {
			t.Errorf("schema %s (%v) is missing", name, typ)
			continue
		}
		if typ.Kind() != reflect.Struct {
			continue
		}
		if typ.Implements(marshaler) || reflect.PointerTo(typ).Implements(marshaler) {
			if _, ok := marshalerOptional[typ]; !ok {
				t.Errorf("%v has its own MarshalJSON: say in marshalerOptional what it leaves out", typ)
			}
		}
		props, required := d.flatten(s)
		var names, always []string
		for _, m := range jsonMembers(typ) {
			names = append(names, m.name)
			if m.always {
				always = append(always, m.name)
			}
			p, ok := props[m.name]
			if !ok {
				continue
			}
			if err := d.checkType(p, m.typ); err != nil {
				t.Errorf("schema %s: %s: %v", name, m.name, err)
			}
			// The member's schema: the struct or enum type it holds, through
			// a pointer or a slice.
			et := m.typ
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Slice && et.Elem().Kind() != reflect.Uint8 {
				et = et.Elem()
				if p.Items == nil {
					t.Errorf("schema %s: %s is a list (%v) without items", name, m.name, m.typ)
					continue
				}
				p = *p.Items
			}
			if want, ok := schemaOf[et]; ok && p.Ref != schemaPrefix+want {
				t.Errorf("schema %s: %s refers to %q, the Go type holds %v (schema %s)", name, m.name, p.Ref, et, want)
			}
		}
		var documented []string
		for p := range props {
			documented = append(documented, p)
		}
		slices.Sort(documented)
		if extra, missing := difference(documented, names), difference(names, documented); extra != nil || missing != nil {
			t.Errorf("schema %s: members %v are not rendered by %v, and %v are missing", name, extra, typ, missing)
		}
		if extra, missing := difference(required, always), difference(always, required); extra != nil || missing != nil {
			t.Errorf("schema %s: requires %v, which %v may leave out, and does not require %v, which it always renders", name, extra, typ, missing)
		}
	}
}

// TestJSONMembers pins the flattening against encoding/json itself.
func TestJSONMembers(t *testing.T) {
	v := api.TokenView{TokenView: model.TokenView{Token: model.Token{ID: "t1"}}}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	var rendered, always []string
	for k := range got {
		rendered = append(rendered, k)
	}
	slices.Sort(rendered)
	for _, m := range jsonMembers(reflect.TypeFor[api.TokenView]()) {
		if m.always {
			always = append(always, m.name)
		}
	}
	if !slices.Equal(rendered, always) {
		t.Errorf("a zero TokenView renders %v, jsonMembers says always %v", rendered, always)
	}
}

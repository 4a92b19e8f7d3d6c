package gateway

import (
	"context"
	"io"
	"log/slog"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// openAPIPath is the committed API document.
const openAPIPath = "../docs/api/openapi.yaml"

type openAPIDoc struct {
	OpenAPI    string                          `yaml:"openapi"`
	Paths      map[string]map[string]openAPIOp `yaml:"paths"`
	Components struct {
		Schemas   map[string]openAPISchema   `yaml:"schemas"`
		Responses map[string]openAPIResponse `yaml:"responses"`
	} `yaml:"components"`
}

type openAPIOp struct {
	Tags      []string                   `yaml:"tags"`
	Responses map[string]openAPIResponse `yaml:"responses"`
}

// coreTags tag the operations this package registers itself; the business
// routes (gateway/api) are documented in the same file under other tags and
// checked by gateway/api's own sync test.
var coreTags = []string{"operations", "identity", "events", "ledger"}

// isCore reports whether op is one of the gateway's own operations.
func (op openAPIOp) isCore() bool {
	for _, t := range op.Tags {
		if !slices.Contains(coreTags, t) {
			return false
		}
	}
	return len(op.Tags) > 0
}

type openAPIResponse struct {
	Ref     string                                    `yaml:"$ref"`
	Content map[string]struct{ Schema openAPISchema } `yaml:"content"`
}

type openAPISchema struct {
	Ref        string                   `yaml:"$ref"`
	Required   []string                 `yaml:"required"`
	Properties map[string]openAPISchema `yaml:"properties"`
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	raw, err := os.ReadFile(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", openAPIPath, err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi %q, want 3.1.x", doc.OpenAPI)
	}
	return doc
}

// nopLedger makes New register the ledger routes.
type nopLedger struct{}

func (nopLedger) Evaluate(context.Context, string, string, ...string) ([]byte, error) {
	return nil, nil
}
func (nopLedger) Submit(context.Context, string, string, ...string) (fabricclient.Result, error) {
	return fabricclient.Result{}, nil
}

// documentedServer is a gateway with every optional dependency present,
// so that every route the product can serve is registered.
func documentedServer(t *testing.T) *Server {
	t.Helper()
	s, err := New(Config{}, Deps{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		DB:     storetest.SQLite(t),
		Routes: []func(*Routes){BaselineRoutes(nopLedger{})},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var ginParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// TestOpenAPIRoutes: every registered route is documented, and every
// documented operation with a core tag is registered.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	var documented []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options":
				if op.isCore() {
					documented = append(documented, strings.ToUpper(method)+" "+path)
				}
			}
		}
	}
	var registered []string
	for _, r := range documentedServer(t).engine.Routes() {
		registered = append(registered, r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}"))
	}
	sort.Strings(documented)
	sort.Strings(registered)
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in %s", r, openAPIPath)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("%s documents %s, which is not registered", openAPIPath, d)
		}
	}
}

// jsonFields lists the JSON member names of a struct type.
func jsonFields(typ reflect.Type) []string {
	var out []string
	for f := range typ.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// TestOpenAPISchemas: the documented schemas have exactly the members the
// Go types render, the problem's first of all.
func TestOpenAPISchemas(t *testing.T) {
	doc := loadOpenAPI(t)
	for name, typ := range map[string]reflect.Type{
		"Problem":         reflect.TypeFor[problem.Problem](),
		"FieldError":      reflect.TypeFor[problem.FieldError](),
		"Principal":       reflect.TypeFor[Principal](),
		"Me":              reflect.TypeFor[Me](),
		"BaselineBalance": reflect.TypeFor[BaselineBalance](),
		"MintRequest":     reflect.TypeFor[MintRequest](),
		"MintResponse":    reflect.TypeFor[MintResponse](),
	} {
		schema, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("schema %s is missing", name)
			continue
		}
		var props []string
		for p := range schema.Properties {
			props = append(props, p)
		}
		sort.Strings(props)
		if want := jsonFields(typ); !slices.Equal(props, want) {
			t.Errorf("schema %s has %v, the Go type renders %v", name, props, want)
		}
	}
	// The members RFC 9457 and our clients rely on are required.
	for _, m := range []string{"type", "title", "status", "code"} {
		if !slices.Contains(doc.Components.Schemas["Problem"].Required, m) {
			t.Errorf("Problem does not require %q", m)
		}
	}
}

// TestOpenAPIErrorsAreProblems: every documented 4xx/5xx response is an
// application/problem+json Problem.
func TestOpenAPIErrorsAreProblems(t *testing.T) {
	doc := loadOpenAPI(t)
	resolve := func(r openAPIResponse) openAPIResponse {
		if r.Ref != "" {
			return doc.Components.Responses[strings.TrimPrefix(r.Ref, "#/components/responses/")]
		}
		return r
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			for status, r := range op.Responses {
				if status < "400" {
					continue
				}
				r = resolve(r)
				c, ok := r.Content[problem.MediaType]
				if !ok || c.Schema.Ref != "#/components/schemas/Problem" || len(r.Content) != 1 {
					t.Errorf("%s %s %s: not an %s Problem", method, path, status, problem.MediaType)
				}
			}
		}
	}
}

package platform_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/gateway/platform"
	"github.com/tierchain/tierchain/gateway/platform/platformtest"
	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/internal/enterprisecard"
	"github.com/tierchain/tierchain/internal/orgconfig"
	"github.com/tierchain/tierchain/services/invoice"
)

func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

// described is the test network's description of one organisation.
func described(t *testing.T, org string) orgconfig.Description {
	t.Helper()
	ds, err := platformtest.Descriptions()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Org.Name == org {
			return d
		}
	}
	t.Fatalf("no %s in the descriptions", org)
	return orgconfig.Description{}
}

// TestDescriptionRefused: a description the gateway cannot run from, or a
// database that holds another key for the founding enterprise, is refused
// before the gateway serves.
func TestDescriptionRefused(t *testing.T) {
	start(t) // the binary's consortium registers the founders first
	ctx := context.Background()
	t.Run("invalid", func(t *testing.T) {
		d := described(t, "BankB")
		d.Channel = ""
		_, err := platform.New(ctx, platform.Config{Org: d, DataDir: t.TempDir(), Logger: quiet()})
		if !errors.Is(err, orgconfig.ErrMissing) {
			t.Fatalf("err = %v, want ErrMissing", err)
		}
	})
	t.Run("no encryption key", func(t *testing.T) {
		d := described(t, "BankB")
		d.Org.Enterprise.EncryptionKeyPath = filepath.Join(t.TempDir(), "absent.key")
		_, err := platform.New(ctx, platform.Config{Org: d, DataDir: t.TempDir(), Logger: quiet()})
		if !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("err = %v, want the missing key file", err)
		}
	})
	t.Run("another key in the wallet", func(t *testing.T) {
		d := described(t, "BankB")
		data := t.TempDir()
		p, err := platform.New(ctx, platform.Config{Org: d, DataDir: data, Logger: quiet()})
		if err != nil {
			t.Fatal(err)
		}
		p.Close()
		other := t.TempDir()
		if _, err := enterprisecard.EnsureKeys(other, model.RoleBank, nil); err != nil {
			t.Fatal(err)
		}
		d.Org.Enterprise.EncryptionKeyPath = filepath.Join(other, enterprisecard.EncryptionKeyFile)
		_, err = platform.New(ctx, platform.Config{Org: d, DataDir: data, Logger: quiet()})
		if !errors.Is(err, platform.ErrFounderKey) {
			t.Fatalf("err = %v, want ErrFounderKey", err)
		}
	})
}

// TestGatewayRunsFromTheDescriptionAlone: with its peer's TLS CA given
// inline (as a deployment without the launcher's folders may give it),
// BankA's gateway builds on the running network from its description
// alone and acts as its enterprise through its own peer.
func TestGatewayRunsFromTheDescriptionAlone(t *testing.T) {
	start(t)
	d := described(t, "BankA")
	pem, err := d.Org.Peer.TLSCACert()
	if err != nil {
		t.Fatal(err)
	}
	d.Org.Peer.TLSCACertPEM, d.Org.Peer.TLSCACertPath = string(pem), ""
	ctx := context.Background()
	p, err := platform.New(ctx, platform.Config{Org: d, DataDir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	m, err := p.Directory.Get(ctx, "bankA")
	if err != nil || m.MSPID != "BankAMSP" || m.LegalID != d.Org.Enterprise.LegalID {
		t.Fatalf("bankA: %+v %v", m, err)
	}
	cl, err := p.Directory.Client(ctx, "bankA")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Evaluate(ctx, "tierchain", "Whoami"); err != nil {
		t.Errorf("Whoami: %v", err)
	}
	if !p.Registered(ctx) {
		t.Error("bankA is not registered")
	}
}

// call sends one request to a gateway and returns the response with its
// body read.
func call(t *testing.T, ctx context.Context, method, url, token string, body any, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet {
		req.Header.Set("Idempotency-Key", gateway.NewToken())
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// wantCode checks a problem+json response's status and code.
func wantCode(t *testing.T, what string, resp *http.Response, body []byte, status int, code string) {
	t.Helper()
	var p struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(body, &p)
	if resp.StatusCode != status || p.Code != code || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("%s: %d %s (%s), want %d %s problem+json", what, resp.StatusCode, p.Code, resp.Header.Get("Content-Type"), status, code)
	}
}

// TestCrossOrganisationStory: a supplier hosted at the operator requests
// financing at Bank B through the operator's gateway; Bank B's own gateway
// sees the request through its own peer, opens the amount with its own
// key and approves as its own identity; the regulator's gateway
// reconciles; no other gateway can.
func TestCrossOrganisationStory(t *testing.T) {
	c := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := demo.Run(ctx, demo.Config{Base: c.Router, Tokens: c.Tokens(), Maturity: time.Hour, Suffix: "-x",
		StopBefore: "finance", Out: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	tier3, tok := res.Suppliers[2], res.Held[2]
	resp, body := call(t, ctx, http.MethodPost, c.URL(tier3)+"/v1/tokens/"+tok.ID+"/financing", res.SupplierTokens[2],
		map[string]string{"bank": "bankB"}, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get(gateway.OrgHeader) != "Operator" {
		t.Fatalf("financing request at %s: %s %s (served by %q)", c.URL(tier3), resp.Status, body, resp.Header.Get(gateway.OrgHeader))
	}
	// Bank B's gateway learns of it from its own peer, and opens the
	// amount disclosed to it with the key only its organisation holds.
	bankB := c.URL("bankB")
	var seen *demo.Token
	for deadline := time.Now().Add(30 * time.Second); seen == nil && time.Now().Before(deadline); {
		resp, body := call(t, ctx, http.MethodGet, bankB+"/v1/financing-requests", c.Token("bankB"), nil, nil)
		if resp.Header.Get(gateway.OrgHeader) != "BankB" {
			t.Fatalf("financing requests served by %q", resp.Header.Get(gateway.OrgHeader))
		}
		var inbox struct {
			Items []demo.Token `json:"items"`
		}
		_ = json.Unmarshal(body, &inbox)
		for i := range inbox.Items {
			if inbox.Items[i].ID == tok.ID && inbox.Items[i].Amount != nil && !inbox.Items[i].Amount.Sealed {
				seen = &inbox.Items[i]
			}
		}
		if seen == nil {
			time.Sleep(300 * time.Millisecond)
		}
	}
	if seen == nil || seen.Amount.Minor != 150_000_00 {
		t.Fatalf("Bank B's inbox shows %+v", seen)
	}
	// Bank B's gateway names who asks: the tier-3 supplier's legal ID (the
	// operator onboarded it) and the core's (a member card), both from the
	// ledger; neither enterprise is in Bank B's directory.
	resp, body = call(t, ctx, http.MethodGet, bankB+"/v1/enterprises?role=supplier", c.Token("bankB"), nil, nil)
	var suppliers struct {
		Items []struct {
			ID      string `json:"id"`
			LegalID string `json:"legalId"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &suppliers); resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("Bank B lists suppliers: %s %s", resp.Status, body)
	}
	wantTier3, _ := invoice.CanonicalPartyID(demo.SupplierLegalID(2, "-x"))
	listed := false
	for _, e := range suppliers.Items {
		listed = listed || e.ID == tier3 && e.LegalID == wantTier3
	}
	if !listed {
		t.Errorf("Bank B's gateway lists no %s with legal ID %s: %s", tier3, wantTier3, body)
	}
	wantCore, _ := invoice.CanonicalPartyID(demo.CoreLegalID)
	for id, want := range map[string]string{tier3: wantTier3, "carmaker": wantCore} {
		resp, body := call(t, ctx, http.MethodGet, bankB+"/v1/enterprises/"+id, c.Token("bankB"), nil, nil)
		var e struct {
			LegalID string `json:"legalId"`
		}
		if err := json.Unmarshal(body, &e); resp.StatusCode != http.StatusOK || err != nil || e.LegalID != want {
			t.Errorf("Bank B's gateway shows %s: %s %s, want legal ID %s", id, resp.Status, body, want)
		}
	}
	// Another bank's gateway cannot open it: the envelope is not to it.
	_, body = call(t, ctx, http.MethodGet, c.URL("bankA")+"/v1/tokens/"+tok.ID, c.Token("bankA"), nil, nil)
	var other demo.Token
	_ = json.Unmarshal(body, &other)
	if other.Amount != nil && !other.Amount.Sealed {
		t.Errorf("Bank A's gateway opened the amount: %+v", other)
	}
	agreement := sha256.Sum256([]byte("financing agreement " + tok.ID))
	resp, body = call(t, ctx, http.MethodPost, bankB+"/v1/tokens/"+tok.ID+"/financing/approve", c.Token("bankB"),
		map[string]string{"disbursementRef": "NB-" + tok.ID[:8], "agreementHash": hex.EncodeToString(agreement[:])}, nil)
	var approved demo.Token
	if err := json.Unmarshal(body, &approved); resp.StatusCode != http.StatusOK || err != nil || approved.Holder != "bankB" {
		t.Fatalf("approve at Bank B: %s %s", resp.Status, body)
	}
	// The regulator's gateway reconciles every amount, this one included.
	var rec demo.Report
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, body := call(t, ctx, http.MethodGet, c.URL("regulator")+"/v1/audit/reconciliation", c.Token("regulator"), nil, nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get(gateway.OrgHeader) != "Regulator" {
			t.Fatalf("reconciliation: %s %s", resp.Status, body)
		}
		if err := json.Unmarshal(body, &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Problems == 0 && rec.Summary.Reconciled >= 7 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	if rec.Problems != 0 || rec.Summary.Reconciled < 7 {
		t.Errorf("reconciliation: %+v, %d problems", rec.Summary, rec.Problems)
	}
	// Every other gateway has no audit routes.
	for _, id := range []string{"operator", "carmaker", "bankA", "bankB"} {
		resp, body := call(t, ctx, http.MethodGet, c.URL(id)+"/v1/audit/reconciliation", c.Token(id), nil, nil)
		wantCode(t, id+"'s gateway reconciles", resp, body, http.StatusForbidden, "NOT_HOSTED")
	}
}

// TestNotHostedAndReadOnly: a gateway refuses what another organisation's
// gateway serves, a request naming another organisation, a principal of
// another MSP, and (the regulator's) every write, all before the ledger
// changes.
func TestNotHostedAndReadOnly(t *testing.T) {
	c := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	regulator := &demo.Client{Base: c.URL("regulator"), Token: c.Token("regulator")}
	before := ledgerState(t, ctx, regulator)
	bankB, tokB := c.URL("bankB"), c.Token("bankB")
	oprfBody := map[string]any{"blinded": base64.StdEncoding.EncodeToString(make([]byte, 32))}
	for _, tt := range []struct {
		name, method, url, token string
		body                     any
		hdr                      map[string]string
		status                   int
		code                     string
	}{
		{"audit at a bank's gateway", http.MethodGet, bankB + "/v1/audit/report", tokB, nil, nil, 403, "NOT_HOSTED"},
		{"onboarding at a bank's gateway", http.MethodPost, bankB + "/v1/enterprises", tokB,
			map[string]string{"id": "x", "name": "X", "role": "supplier", "legalId": "0192:915600123"}, nil, 403, "NOT_HOSTED"},
		{"suspension at a bank's gateway", http.MethodPost, bankB + "/v1/enterprises/carmaker/suspend", tokB, nil, nil, 403, "NOT_HOSTED"},
		{"OPRF at a core's gateway", http.MethodPost, c.URL("carmaker") + "/v1/oprf/evaluate", c.Token("carmaker"), oprfBody, nil, 403, "NOT_HOSTED"},
		{"another organisation named", http.MethodGet, bankB + "/v1/me", tokB, nil, map[string]string{gateway.OrgHeader: "BankA"}, 403, "NOT_HOSTED"},
		{"another organisation named, no token", http.MethodGet, bankB + "/v1/tokens", "", nil, map[string]string{gateway.OrgHeader: "Operator"}, 403, "NOT_HOSTED"},
		{"a bank's token at another bank's gateway", http.MethodGet, c.URL("bankA") + "/v1/me", tokB, nil, nil, 401, "UNAUTHENTICATED"},
		{"regulator writes a credit line", http.MethodPost, c.URL("regulator") + "/v1/credit-lines", c.Token("regulator"),
			map[string]any{"core": "carmaker", "limit": "1.00", "expiry": time.Now().AddDate(1, 0, 0)}, nil, 403, "READ_ONLY"},
		{"regulator mints", http.MethodPost, c.URL("regulator") + "/v1/ledger/baseline/x/mint", c.Token("regulator"), map[string]any{"amount": 1}, nil, 403, "READ_ONLY"},
		{"regulator disputes", http.MethodPost, c.URL("regulator") + "/v1/tokens/x/dispute", c.Token("regulator"), nil, nil, 403, "READ_ONLY"},
		{"signed OPRF unsigned", http.MethodPost, c.URL("operator") + "/v1/signed/oprf/evaluate", "", oprfBody, nil, 401, "UNAUTHENTICATED"},
		{"signed reuse attempts unsigned", http.MethodGet, c.URL("operator") + "/v1/signed/reuse-attempts", "", nil, nil, 401, "UNAUTHENTICATED"},
		{"signed OPRF at a bank's gateway", http.MethodPost, bankB + "/v1/signed/oprf/evaluate", "", oprfBody, nil, 403, "NOT_HOSTED"},
	} {
		resp, body := call(t, ctx, tt.method, tt.url, tt.token, tt.body, tt.hdr)
		wantCode(t, tt.name, resp, body, tt.status, tt.code)
		if resp.Header.Get(gateway.OrgHeader) == "" {
			t.Errorf("%s: no %s on the response", tt.name, gateway.OrgHeader)
		}
	}
	// Signed requests: the operator's gateway checks the signer against
	// the ledger, and its role.
	signer := func(org, as string) *platform.SignedClient {
		sc, err := platform.NewSignedClient(described(t, org), c.URL("operator"))
		if err != nil {
			t.Fatal(err)
		}
		if as != "" {
			sc.Enterprise = as
		}
		return sc
	}
	var ev struct{}
	blinded, _ := json.Marshal(oprfBody)
	for _, tt := range []struct {
		name, org, as, method, path string
		body                        []byte
		want                        string
	}{
		{"the regulator asks for an OPRF evaluation", "Regulator", "", http.MethodPost, "/signed/oprf/evaluate", blinded, "FORBIDDEN"},
		// A bank may ask (it checks the invoice numbers a financing
		// request discloses); this one's element is not a point.
		{"a bank asks for an OPRF evaluation of no point", "BankA", "", http.MethodPost, "/signed/oprf/evaluate", blinded, "INVALID_ARGUMENT"},
		{"a bank's certificate claims the core", "BankA", "carmaker", http.MethodPost, "/signed/oprf/evaluate", blinded, "UNAUTHENTICATED"},
		{"the core asks for the reuse attempts", "Core", "", http.MethodGet, "/signed/reuse-attempts", nil, "FORBIDDEN"},
	} {
		err := signer(tt.org, tt.as).Do(ctx, tt.method, tt.path, tt.body, &ev)
		if !errors.Is(err, platform.ErrSigned) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
		}
	}
	// A signed request is served once: the same bytes sent again within
	// the timestamp's window are refused.
	reg := signer("Regulator", "")
	var attempts struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := reg.Do(ctx, http.MethodGet, "/signed/reuse-attempts", nil, &attempts); err != nil {
		t.Fatalf("the regulator's signed read: %v", err)
	}
	reg.HTTP = &http.Client{Transport: sendTwice{}, Timeout: 30 * time.Second}
	if err := reg.Do(ctx, http.MethodGet, "/signed/reuse-attempts", nil, &attempts); !errors.Is(err, platform.ErrSigned) ||
		!strings.Contains(err.Error(), "UNAUTHENTICATED") || !strings.Contains(err.Error(), "replay") {
		t.Errorf("a replayed signed request: %v, want UNAUTHENTICATED (replay)", err)
	}
	// The regulator's own identity and reads still work.
	if resp, body := call(t, ctx, http.MethodGet, c.URL("regulator")+"/v1/me", c.Token("regulator"), nil, nil); resp.StatusCode != 200 {
		t.Errorf("regulator /v1/me: %s %s", resp.Status, body)
	}
	// A principal of another MSP (a token seeded for Bank A into Bank B's
	// gateway) acts for an enterprise that is not hosted there.
	d := described(t, "BankB")
	seeded := gateway.NewToken()
	p, err := platform.New(ctx, platform.Config{Org: d, DataDir: t.TempDir(), Logger: quiet(),
		Gateway: gateway.Config{Tokens: []gateway.SeedToken{{Token: seeded, Label: "foreign",
			Principal: gateway.Principal{EnterpriseID: "bankA", Role: model.RoleBank, MSPID: "BankAMSP"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Server.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Server.Handler())
	defer srv.Close()
	resp, body := call(t, ctx, http.MethodGet, srv.URL+"/v1/tokens", seeded, nil, nil)
	wantCode(t, "a principal of another MSP", resp, body, 403, "NOT_HOSTED")
	if after := ledgerState(t, ctx, regulator); after != before {
		t.Fatalf("the ledger changed:\n%s\n---\n%s", before, after)
	}
}

// TestKeysStayHome: no gateway's data directory (its SQLite database and
// every other file) holds another organisation's enterprise HPKE key, the
// regulator's audit key or the operator's OPRF key, in any encoding; each
// gateway's wallet and directory hold its own organisation's enterprises
// only; only the regulator's gateway has the audit key.
func TestKeysStayHome(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	type secret struct {
		org, what string
		b         []byte
	}
	var secrets []secret
	for _, g := range c.Gateways {
		e := g.Org.Enterprise
		k, err := enterprisecard.ReadEncryptionKey(e.EncryptionKeyPath)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, secret{g.Org.Name, "encryption key", k.Bytes()})
		if e.AuditKeyPath != "" {
			a, err := enterprisecard.ReadAuditKey(e.AuditKeyPath)
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, secret{g.Org.Name, "audit key", a.Bytes()})
		}
		if e.OPRFKeyPath != "" {
			o, err := enterprisecard.ReadOPRFKey(e.OPRFKeyPath)
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, secret{g.Org.Name, "OPRF key", o.Bytes()})
		}
	}
	for _, g := range c.Gateways {
		var files int
		err := filepath.WalkDir(g.DataDir, func(path string, de fs.DirEntry, err error) error {
			if err != nil || de.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			for _, s := range secrets {
				if s.org == g.Org.Name {
					continue
				}
				for _, enc := range [][]byte{s.b, []byte(hex.EncodeToString(s.b)), []byte(base64.StdEncoding.EncodeToString(s.b))} {
					if bytes.Contains(b, enc) {
						t.Errorf("%s's gateway: %s holds %s's %s", g.Org.Name, path, s.org, s.what)
					}
				}
			}
			return nil
		})
		if err != nil || files == 0 {
			t.Fatalf("%s: %d files, %v", g.Org.Name, files, err)
		}
		ids, err := g.Wallet.Enterprises(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if id != g.Enterprise && g.Org.Role != orgconfig.RoleOperator {
				t.Errorf("%s's wallet holds a key of %s", g.Org.Name, id)
			}
			if g.Org.Role == orgconfig.RoleOperator && id != g.Enterprise {
				if m, err := g.Directory.Get(ctx, id); err != nil || m.Role != model.RoleSupplier {
					t.Errorf("the operator's wallet holds a key of %s (%+v, %v), not a hosted supplier", id, m, err)
				}
			}
		}
		members, err := g.Directory.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			if m.MSPID != g.Org.MSPID {
				t.Errorf("%s's directory holds %s of %s", g.Org.Name, m.ID, m.MSPID)
			}
		}
		_, err = g.AuditKey(ctx)
		if (err == nil) != (g.Org.Role == orgconfig.RoleRegulator) {
			t.Errorf("%s's gateway: audit key %v", g.Org.Name, err)
		}
		if _, err := g.Wallet.PrivateKey(ctx, "regulator"); err == nil && g.Org.Role != orgconfig.RoleRegulator {
			t.Errorf("%s's wallet holds the regulator's key", g.Org.Name)
		}
	}
}

// TestLateCardIsRegistered: a member whose card appears in the cards
// folder after the operator's gateway started (an organisation that joins
// later) is registered by the operator's timer, with the public keys of
// its card and nothing else.
func TestLateCardIsRegistered(t *testing.T) {
	c := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	op := described(t, "Operator")
	bank := described(t, "BankA")
	id, err := bank.Org.Identity("User2") // another identity of BankA's CA stands in for the new member's
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, err := id.Read()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := enterprisecard.EnsureKeys(t.TempDir(), model.RoleBank, nil)
	if err != nil {
		t.Fatal(err)
	}
	card, err := enterprisecard.New("lateBank", "Sent Bank ASA", "0192:985000001", model.RoleBank, "BankAMSP", certPEM, keys)
	if err != nil {
		t.Fatal(err)
	}
	if err := enterprisecard.Write(op.CardsDir, card); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(enterprisecard.File(op.CardsDir, card.ID)) })
	cl, err := c.Gateway("Operator").Directory.Client(ctx, "operator")
	if err != nil {
		t.Fatal(err)
	}
	var e model.Enterprise
	for {
		b, err := cl.Evaluate(ctx, "tierchain", "GetEnterprise", card.ID)
		if err == nil {
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatal(err)
			}
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the late card is not registered: %v", err)
		case <-time.After(300 * time.Millisecond):
		}
	}
	if e.Role != model.RoleBank || e.MSPID != "BankAMSP" || !bytes.Equal(e.EncryptionKey, keys.Encryption.Public().Bytes()) || e.RegisteredBy != "operator" {
		t.Errorf("registered as %+v", e)
	}
}

// TestNotReadyUntilRegistered: a gateway whose enterprise is not on the
// ledger yet answers /readyz 503 naming the "registered" check; once its
// card reaches the operator's cards folder the operator registers it, and
// the gateway becomes ready without a restart.
func TestNotReadyUntilRegistered(t *testing.T) {
	start(t) // the operator's gateway registers the joiner's card
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d := described(t, "Core") // its User2 stands in for the joiner's identity (BankA's is TestLateCardIsRegistered's)
	keyDir := t.TempDir()
	keys, err := enterprisecard.EnsureKeys(keyDir, model.RoleCore, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Org.Enterprise = orgconfig.Enterprise{ID: "joiner", Name: "Joiner Motors ASA", LegalID: "0192:986000007", Identity: "User2",
		EncryptionKeyPath: filepath.Join(keyDir, enterprisecard.EncryptionKeyFile)}
	p, err := platform.New(ctx, platform.Config{Org: d, DataDir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	srv := httptest.NewServer(p.Server.Handler())
	defer srv.Close()
	registered := func() string {
		resp, body := call(t, ctx, http.MethodGet, srv.URL+"/readyz", "", nil, nil)
		var out struct {
			Checks map[string]string        `json:"checks"`
			Errors []struct{ Field string } `json:"errors"`
		}
		_ = json.Unmarshal(body, &out)
		if resp.StatusCode == http.StatusOK {
			return out.Checks["registered"]
		}
		for _, e := range out.Errors {
			if e.Field == "registered" {
				return "fail"
			}
		}
		t.Logf("readyz: %s %s", resp.Status, body)
		return "ok" // not ready for another reason
	}
	if got := registered(); got != "fail" {
		t.Fatalf("before its card: registered %q, want fail", got)
	}
	id, _ := d.Org.Identity("User2")
	certPEM, _, err := id.Read()
	if err != nil {
		t.Fatal(err)
	}
	card, err := enterprisecard.New("joiner", "Joiner Motors ASA", "0192:986000007", model.RoleCore, "CoreMSP", certPEM, keys)
	if err != nil {
		t.Fatal(err)
	}
	cards := described(t, "Operator").CardsDir
	if err := enterprisecard.Write(cards, card); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(enterprisecard.File(cards, card.ID)) })
	for !p.Registered(ctx) {
		select {
		case <-ctx.Done():
			t.Fatal("the joiner was not registered")
		case <-time.After(300 * time.Millisecond):
		}
	}
	if got := registered(); got != "ok" {
		t.Errorf("after registration: registered %q", got)
	}
}

// sendTwice sends each request, then the same bytes again, and answers
// with the second response: a replay on the wire.
type sendTwice struct{}

func (sendTwice) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		body = b
	}
	again := func() *http.Request {
		r := req.Clone(req.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		return r
	}
	first, err := http.DefaultTransport.RoundTrip(again())
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, first.Body)
	first.Body.Close()
	if first.StatusCode != http.StatusOK {
		return first, nil
	}
	return http.DefaultTransport.RoundTrip(again())
}

package platform_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/wallet"
)

// ledgerState is what the regulator sees of the whole ledger (every
// token's status, holder and opened amount, every invoice's status, every
// credit line's opened outstanding) plus what the suppliers' wallets show:
// a rejected request must leave all of it exactly as it was.
func ledgerState(t *testing.T, ctx context.Context, regulator *demo.Client, wallets ...*demo.Client) string {
	t.Helper()
	var rep struct {
		Snapshot struct {
			Tokens []struct {
				Token struct {
					ID, Status, Holder string
				} `json:"token"`
				Amount struct {
					Minor  uint64 `json:"minor"`
					Status string `json:"status"`
				} `json:"amount"`
			} `json:"tokens"`
			Invoices []struct {
				Invoice struct{ ID, Status string } `json:"invoice"`
			} `json:"invoices"`
			CreditLines []struct {
				Core, Bank  string
				Outstanding struct {
					Minor uint64 `json:"minor"`
				} `json:"outstanding"`
			} `json:"creditLines"`
		} `json:"snapshot"`
	}
	if err := regulator.Do(ctx, http.MethodGet, "/v1/audit/report", nil, &rep); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, x := range rep.Snapshot.Tokens {
		lines = append(lines, fmt.Sprintf("token %s %s %s %d %s", x.Token.ID, x.Token.Status, x.Token.Holder, x.Amount.Minor, x.Amount.Status))
	}
	for _, x := range rep.Snapshot.Invoices {
		lines = append(lines, fmt.Sprintf("invoice %s %s", x.Invoice.ID, x.Invoice.Status))
	}
	for _, x := range rep.Snapshot.CreditLines {
		lines = append(lines, fmt.Sprintf("line %s %s %d", x.Core, x.Bank, x.Outstanding.Minor))
	}
	for i, w := range wallets {
		var pg struct {
			Items []demo.Token `json:"items"`
		}
		if err := w.Do(ctx, http.MethodGet, "/v1/tokens", nil, &pg); err != nil {
			t.Fatal(err)
		}
		for _, tok := range pg.Items {
			amount := "?"
			if tok.Amount != nil {
				amount = tok.Amount.Decimal
			}
			lines = append(lines, fmt.Sprintf("wallet%d %s %s %s", i, tok.ID, tok.LedgerStatus, amount))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func wantProblem(t *testing.T, err error, status int, code string) {
	t.Helper()
	var p *demo.Problem
	if !errors.As(err, &p) {
		t.Fatalf("err = %v, want a %d problem", err, status)
	}
	if p.Status != status || (code != "" && p.Code != code) {
		t.Fatalf("problem %d %s (%s), want %d %s", p.Status, p.Code, p.Detail, status, code)
	}
}

// TestBadInputsChangeNothing: after the story's splits and financing, each
// bad request over REST is refused with a problem and leaves the ledger
// and every wallet exactly as they were.
func TestBadInputsChangeNothing(t *testing.T) {
	c := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res := storyUntilPay(t, ctx, c, "-b")
	// Each enterprise at its own gateway: the suppliers at the operator's.
	as := func(id, token string) *demo.Client { return &demo.Client{Base: c.URL(id), Token: token} }
	tier1, tier2 := as(res.Suppliers[0], res.SupplierTokens[0]), as(res.Suppliers[1], res.SupplierTokens[1])
	core, bankB, regulator := as("carmaker", c.Token("carmaker")), as("bankB", c.Token("bankB")), as("regulator", c.Token("regulator"))
	operator, regulatorGW := c.Gateway("Operator"), c.Gateway("Regulator")
	change := res.Held[0] // tier 1's change: 600,000.00, ACTIVE
	before := ledgerState(t, ctx, regulator, tier1, tier2)

	cases := []struct {
		name   string
		status int
		code   string
		do     func() error
	}{
		{"supplier issues a receivable (wrong role)", 403, "FORBIDDEN", func() error {
			return tier1.Do(ctx, http.MethodPost, "/v1/receivables", map[string]any{"holder": res.Suppliers[1], "bank": "bankA",
				"invoices": []string{strings.Repeat("a", 128)}, "amount": "1.00", "maturity": time.Now().Add(time.Hour)}, nil)
		}},
		{"regulator grants a credit line (regulator write)", 403, "READ_ONLY", func() error {
			return regulator.Do(ctx, http.MethodPost, "/v1/credit-lines", map[string]any{"core": "carmaker", "limit": "1.00",
				"expiry": time.Now().AddDate(1, 0, 0)}, nil)
		}},
		{"bank confirms an invoice (wrong role)", 403, "FORBIDDEN", func() error {
			return bankB.Do(ctx, http.MethodPost, "/v1/invoices/"+strings.Repeat("b", 128)+"/confirm", nil, nil)
		}},
		{"split of someone else's token", 404, "NOT_FOUND", func() error {
			return tier2.Do(ctx, http.MethodPost, "/v1/tokens/"+change.ID+"/split", map[string]any{
				"outputs": []map[string]string{{"to": res.Suppliers[2], "amount": "1.00"}}}, nil)
		}},
		{"split over the token's value", 400, "INVALID_ARGUMENT", func() error {
			return tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+change.ID+"/split", map[string]any{
				"outputs": []map[string]string{{"to": res.Suppliers[1], "amount": "600000.01"}}}, nil)
		}},
		{"negative amount", 400, "INVALID_ARGUMENT", func() error {
			return tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+change.ID+"/split", map[string]any{
				"outputs": []map[string]string{{"to": res.Suppliers[1], "amount": "-5.00"}}}, nil)
		}},
		{"amount with three decimals", 400, "INVALID_ARGUMENT", func() error {
			return tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+change.ID+"/split", map[string]any{
				"outputs": []map[string]string{{"to": res.Suppliers[1], "amount": "1.001"}}}, nil)
		}},
		{"amount as a JSON number", 400, "INVALID_ARGUMENT", func() error {
			return tier1.DoJSON(ctx, http.MethodPost, "/v1/tokens/"+change.ID+"/split", []byte(`{"outputs":[{"to":"x","amount":5}]}`), nil)
		}},
		{"malformed JSON", 400, "INVALID_ARGUMENT", func() error {
			return tier1.DoJSON(ctx, http.MethodPost, "/v1/tokens/"+change.ID+"/split", []byte(`{"outputs": [`), nil)
		}},
		{"unknown field", 400, "INVALID_ARGUMENT", func() error {
			return tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+change.ID+"/split", map[string]any{"outputs": []any{}, "sneaky": 1}, nil)
		}},
		{"nine outputs", 400, "INVALID_ARGUMENT", func() error {
			outs := make([]map[string]string, 9)
			for i := range outs {
				outs[i] = map[string]string{"to": res.Suppliers[1], "amount": "1.00"}
			}
			return tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+change.ID+"/split", map[string]any{"outputs": outs}, nil)
		}},
		{"financing a token held by a bank", 404, "NOT_FOUND", func() error {
			return tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+res.Held[2].ID+"/financing", map[string]string{"bank": "bankA"}, nil)
		}},
		{"paying before maturity", 409, "", func() error {
			return core.Do(ctx, http.MethodPost, "/v1/tokens/"+change.ID+"/payment", map[string]string{"reason": "PAY-1"}, nil)
		}},
		{"invoice that is not an invoice", 400, "INVALID_ARGUMENT", func() error {
			return tier1.Upload(ctx, []byte(`{"invoice": {"number": ""}}`), "application/json", nil, nil)
		}},
		{"attachment that is not a PDF", 400, "INVALID_ARGUMENT", func() error {
			return tier1.Upload(ctx, res.InvoiceDoc, "application/json", []byte("MZ\x90\x00 not a pdf"), nil)
		}},
		{"the same invoice by another supplier (not its seller)", 403, "FORBIDDEN", func() error {
			return tier2.Upload(ctx, res.InvoiceDoc, "application/json", nil, nil)
		}},
		{"the same invoice again by its supplier", 409, "CONFLICT", func() error {
			return tier1.Upload(ctx, res.InvoiceDoc, "application/json", nil, nil)
		}},
		{"no credentials", 401, "UNAUTHENTICATED", func() error {
			return as(res.Suppliers[0], "").Do(ctx, http.MethodGet, "/v1/tokens", nil, nil)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantProblem(t, c.do(), c.status, c.code)
			if after := ledgerState(t, ctx, regulator, tier1, tier2); after != before {
				t.Fatalf("state changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}

	t.Run("tampered proof", func(t *testing.T) {
		l, err := operator.Directory.Client(ctx, res.Suppliers[0])
		if err != nil {
			t.Fatal(err)
		}
		dir := wallet.Directory{Ledger: l}
		to, _ := dir.Recipient(ctx, res.Suppliers[1])
		aud, _ := dir.Auditor(ctx)
		built, err := operator.Wallet.BuildSpend(ctx, l, wallet.SpendSpec{Holder: res.Suppliers[0], Inputs: []string{change.ID},
			Outputs: []wallet.Payment{{To: to, Amount: 100}}, Auditor: aud})
		if err != nil {
			t.Fatal(err)
		}
		built.Request.Outputs[0].RangeProof[100] ^= 1
		arg, _ := json.Marshal(built.Request)
		_, err = l.Submit(ctx, "tierchain", built.Function, string(arg))
		var cc *fabricclient.ChaincodeError
		if !errors.As(err, &cc) || cc.Code != "INVALID_PROOF" {
			t.Fatalf("tampered split: %v, want INVALID_PROOF", err)
		}
		if after := ledgerState(t, ctx, regulator, tier1, tier2); after != before {
			t.Fatalf("state changed:\n%s\n---\n%s", before, after)
		}
		_ = protocol.KindSplit
	})

	t.Run("regulator identity refused by the network", func(t *testing.T) {
		l, err := regulatorGW.Directory.Client(ctx, "regulator")
		if err != nil {
			t.Fatal(err)
		}
		_, err = l.Submit(ctx, "tierchain", "GrantCreditLine", `{"core":"carmaker","currency":"CNY","limit":1,"expiry":"2030-01-01T00:00:00Z"}`)
		if !errors.Is(err, fabricclient.ErrForbidden) {
			var cc *fabricclient.ChaincodeError
			if !errors.As(err, &cc) || cc.Code != "FORBIDDEN" {
				t.Fatalf("regulator's submit: %v, want refused", err)
			}
		}
	})

	t.Run("double spend: 8 concurrent splits of one token, one commits", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				errs[i] = tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+change.ID+"/split", map[string]any{
					"outputs": []map[string]string{{"to": res.Suppliers[1], "amount": "1000.00"}}}, nil)
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			var p *demo.Problem
			if !errors.As(err, &p) || p.Status != http.StatusConflict {
				t.Errorf("a losing split: %v, want 409", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d splits committed, want exactly 1", ok)
		}
		var tok demo.Token
		if err := tier1.Do(ctx, http.MethodGet, "/v1/tokens/"+change.ID, nil, &tok); err != nil || tok.LedgerStatus != "SPLIT" {
			t.Fatalf("spent token: %+v, %v", tok, err)
		}
	})

	t.Run("reuse attempts reach the regulator", func(t *testing.T) {
		var out struct {
			Items []struct {
				Supplier     string `json:"supplier"`
				Reason       string `json:"reason"`
				SameSupplier bool   `json:"sameSupplier"`
			} `json:"items"`
		}
		if err := regulator.Do(ctx, http.MethodGet, "/v1/audit/reuse-attempts", nil, &out); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, it := range out.Items {
			seen[it.Supplier+" "+it.Reason] = true
		}
		if !seen[res.Suppliers[1]+" not-the-seller"] || !seen[res.Suppliers[0]+" duplicate-upload"] {
			t.Fatalf("reuse attempts: %+v", out.Items)
		}
	})
}

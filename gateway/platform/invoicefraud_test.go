package platform_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/internal/enterprisecard"
	"github.com/tierchain/tierchain/services/invoice"
	"github.com/tierchain/tierchain/services/wallet"
	"github.com/tierchain/tierchain/zk/oprf"
)

// fraudInvoice is a TierChain JSON invoice from seller to the founding core.
func fraudInvoice(number, seller, amount string, issued time.Time) []byte {
	return fmt.Appendf(nil, `{"invoice": {"number": %q, "issueDate": %q, "dueDate": %q, "currency": "CNY",
  "amount": %q, "seller": {"id": %q, "name": %q},
  "buyer": {"id": %q, "name": "华东汽车制造有限公司"}}}`,
		number, issued.Format("2006-01-02"), issued.AddDate(0, 3, 0).Format("2006-01-02"), amount, seller, demo.SupplierNames[0],
		demo.CoreLegalID)
}

// TestInvoiceFraudOverREST plays issue 16's attacks on the invoice guard over
// REST on a real network: one 500,000.00 invoice registered again by
// retyping it seven ways, an impostor filing another supplier's invoice,
// the core confirming with a copy that does not match, and a look-alike
// under a new number. Each is refused with a problem and leaves the ledger
// as it was; the invoice backs one receivable only.
func TestInvoiceFraudOverREST(t *testing.T) {
	c := start(t)
	p := c.Gateway("Operator") // the suppliers' gateway
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const suffix = "-f"
	res, err := demo.Run(ctx, demo.Config{Base: c.Router, Tokens: c.Tokens(), Maturity: time.Hour, Suffix: suffix,
		StopBefore: "invoices", Out: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	as := func(id, token string) *demo.Client { return &demo.Client{Base: c.URL(id), Token: token} }
	tier1, tier2 := as(res.Suppliers[0], res.SupplierTokens[0]), as(res.Suppliers[1], res.SupplierTokens[1])
	core, operator, regulator := as("carmaker", c.Token("carmaker")), as("operator", c.Token("operator")), as("regulator", c.Token("regulator"))
	seller := demo.SupplierLegalID(0, suffix)
	today := time.Now().UTC()

	var inv struct {
		ID string `json:"id"`
	}
	original := fraudInvoice("INV-2026-0500"+suffix, seller, "500000.00", today)
	if err := tier1.Upload(ctx, original, "application/json", nil, &inv); err != nil {
		t.Fatal(err)
	}
	before := ledgerState(t, ctx, regulator, tier1, tier2)
	unchanged := func(t *testing.T) {
		t.Helper()
		if after := ledgerState(t, ctx, regulator, tier1, tier2); after != before {
			t.Fatalf("state changed:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	}

	bare := strings.TrimPrefix(seller, "USCC:")
	retyped := map[string][]byte{
		"dash removed":          fraudInvoice("INV20260500"+suffix, seller, "500000.00", today),
		"extra inner spaces":    fraudInvoice("INV - 2026   0500"+suffix, seller, "500000.00", today),
		"leading zeros":         fraudInvoice("INV-2026-000500"+suffix, seller, "500000.00", today),
		"en dash":               fraudInvoice("INV\u20132026\u20130500"+suffix, seller, "500000.00", today),
		"seller without scheme": fraudInvoice("INV-2026-0500"+suffix, bare, "500000.00", today),
		"one cent more":         fraudInvoice("INV-2026-0500"+suffix, seller, "500000.01", today),
		"one day later":         fraudInvoice("INV-2026-0500"+suffix, seller, "500000.00", today.AddDate(0, 0, 1)),
	}
	for name, doc := range retyped {
		t.Run("retyped: "+name, func(t *testing.T) {
			err := tier1.Upload(ctx, doc, "application/json", nil, nil)
			wantProblem(t, err, http.StatusConflict, "CONFLICT")
			unchanged(t)
		})
	}

	t.Run("impostor files another supplier's invoice", func(t *testing.T) {
		theirs := fraudInvoice("INV-2026-0777"+suffix, seller, "250000.00", today)
		err := tier2.Upload(ctx, theirs, "application/json", nil, nil)
		wantProblem(t, err, http.StatusForbidden, "FORBIDDEN")
		unchanged(t)
		// The real seller is not locked out.
		if err := tier1.Upload(ctx, theirs, "application/json", nil, nil); err != nil {
			t.Fatalf("the real seller's own upload after the impostor's: %v", err)
		}
		before = ledgerState(t, ctx, regulator, tier1, tier2)
	})

	t.Run("the core confirms with a copy that does not match", func(t *testing.T) {
		for _, copy := range []map[string]string{
			{"number": "INV-2026-0501" + suffix, "seller": seller},
			{"number": "INV-2026-0500" + suffix, "seller": demo.SupplierLegalID(1, suffix)},
		} {
			err := core.Do(ctx, http.MethodPost, "/v1/invoices/"+inv.ID+"/confirm", copy, nil)
			wantProblem(t, err, http.StatusConflict, "INVOICE_MISMATCH")
			unchanged(t)
		}
	})

	t.Run("the core sees the invoice as filed and confirms from its own records", func(t *testing.T) {
		var view struct {
			Status string `json:"status"`
			Filing *struct {
				Number        string `json:"number"`
				IssueDate     string `json:"issueDate"`
				AmountMatches bool   `json:"amountMatches"`
				Document      string `json:"document"`
				Amount        struct {
					Decimal string `json:"decimal"`
				} `json:"amount"`
				Seller struct {
					LegalID string `json:"legalId"`
					Name    string `json:"name"`
				} `json:"seller"`
			} `json:"filing"`
		}
		if err := core.Do(ctx, http.MethodGet, "/v1/invoices/"+inv.ID, nil, &view); err != nil {
			t.Fatal(err)
		}
		f := view.Filing
		if f == nil || f.Number != "INV-2026-0500"+suffix || f.Seller.LegalID != seller || f.Seller.Name != demo.SupplierNames[0] ||
			f.Amount.Decimal != "500000.00" || !f.AmountMatches || f.Document != string(original) || f.IssueDate != today.Format("2006-01-02") {
			t.Fatalf("the core's view of the filing: %+v", f)
		}
		// Its records write the number its own way: it keys the same.
		if err := core.Do(ctx, http.MethodPost, "/v1/invoices/"+inv.ID+"/confirm",
			map[string]string{"number": "inv 2026 500" + suffix, "seller": bare}, &view); err != nil || view.Status != "CONFIRMED" {
			t.Fatalf("confirm from the core's records: %+v, %v", view.Status, err)
		}
	})

	t.Run("the invoice backs one receivable", func(t *testing.T) {
		issue := func(amount string) error {
			return core.Do(ctx, http.MethodPost, "/v1/receivables", map[string]any{
				"holder": res.Suppliers[0], "bank": "bankA", "invoices": []string{inv.ID},
				"amount": amount, "maturity": time.Now().Add(time.Hour).UTC().Truncate(time.Second)}, nil)
		}
		if err := issue("500000.00"); err != nil {
			t.Fatal(err)
		}
		if err := issue("500000.00"); err == nil {
			t.Fatal("a second receivable on the same invoice was issued")
		}
	})

	t.Run("a look-alike under a new number is held for review", func(t *testing.T) {
		var a, b struct {
			ID string `json:"id"`
		}
		if err := tier1.Upload(ctx, fraudInvoice("INV-2026-0600"+suffix, seller, "300000.00", today), "application/json", nil, &a); err != nil {
			t.Fatal(err)
		}
		if err := tier1.Upload(ctx, fraudInvoice("INV-2026-0600B"+suffix, seller, "301000.00", today.AddDate(0, 0, 3)), "application/json", nil, &b); err != nil {
			t.Fatal(err)
		}
		var view struct {
			Status string `json:"status"`
			Hold   *struct {
				NearDuplicates []string `json:"nearDuplicates"`
				Reviews        []struct {
					Note string `json:"note"`
				} `json:"reviews"`
			} `json:"hold"`
		}
		if err := core.Do(ctx, http.MethodGet, "/v1/invoices/"+b.ID, nil, &view); err != nil {
			t.Fatal(err)
		}
		if view.Hold == nil || len(view.Hold.NearDuplicates) != 1 || view.Hold.NearDuplicates[0] != a.ID {
			t.Fatalf("hold: %+v", view.Hold)
		}
		held := ledgerState(t, ctx, regulator, tier1, tier2)
		err := core.Do(ctx, http.MethodPost, "/v1/invoices/"+b.ID+"/confirm",
			map[string]string{"number": "INV-2026-0600B" + suffix, "seller": seller}, nil)
		wantProblem(t, err, http.StatusConflict, "HELD_FOR_REVIEW")
		if after := ledgerState(t, ctx, regulator, tier1, tier2); after != held {
			t.Fatal("a held confirmation changed the ledger")
		}
		if err := core.Do(ctx, http.MethodPost, "/v1/invoices/"+b.ID+"/confirm", map[string]any{
			"number": "INV-2026-0600B" + suffix, "seller": seller,
			"review": map[string]string{"decision": "distinct", "note": "two deliveries, PO 4711 and PO 4712"}}, &view); err != nil || view.Status != "CONFIRMED" {
			t.Fatalf("confirm with a review: %s, %v", view.Status, err)
		}
		var reviewed struct {
			Hold *struct {
				Reviews []struct {
					Reviewer string `json:"reviewer"`
					Note     string `json:"note"`
				} `json:"reviews"`
			} `json:"hold"`
		}
		// a is still REGISTERED and held; its look-alike b is now confirmed.
		if err := core.Do(ctx, http.MethodGet, "/v1/invoices/"+a.ID, nil, &reviewed); err != nil || reviewed.Hold == nil {
			t.Fatalf("the other look-alike: %+v, %v", reviewed.Hold, err)
		}
	})

	t.Run("an invoice registered under the v1 key is not registered again", func(t *testing.T) {
		// Register an invoice on the ledger as a v1 gateway did: under the
		// OPRF of FingerprintInputV1 (the document's IDs, date, currency
		// and amount).
		doc := fraudInvoice("INV-2026-0900"+suffix, seller, "120000.00", today)
		parsed, err := invoice.ParseJSON(doc)
		if err != nil {
			t.Fatal(err)
		}
		key, err := enterprisecard.ReadOPRFKey(p.Org.Enterprise.OPRFKeyPath) // the operator's own folder
		if err != nil {
			t.Fatal(err)
		}
		fp, err := oprf.NewServer(key).FullEvaluate(invoice.FingerprintInputV1(parsed))
		if err != nil {
			t.Fatal(err)
		}
		l, err := p.Directory.Client(ctx, res.Suppliers[0])
		if err != nil {
			t.Fatal(err)
		}
		dir := wallet.Directory{Ledger: l}
		to, _ := dir.Recipient(ctx, "carmaker")
		aud, _ := dir.Auditor(ctx)
		sum := invoice.DocumentHash(doc)
		req, err := p.Wallet.BuildInvoice(ctx, wallet.InvoiceSpec{Supplier: res.Suppliers[0], Currency: parsed.Currency, Buyer: to, Auditor: aud,
			Amount: 12_000_000, Fingerprint: fp, DocumentHash: sum[:], DueDate: parsed.DueDate})
		if err != nil {
			t.Fatal(err)
		}
		arg, _ := json.Marshal(req)
		if _, err := l.Submit(ctx, "tierchain", "RegisterInvoice", string(arg)); err != nil {
			t.Fatal(err)
		}
		before = ledgerState(t, ctx, regulator, tier1, tier2)
		err = tier1.Upload(ctx, doc, "application/json", nil, nil)
		wantProblem(t, err, http.StatusConflict, "CONFLICT")
		unchanged(t)
	})

	t.Run("legal IDs: required, checked, and never confirm who holds one", func(t *testing.T) {
		onboard := func(id, legal string) error {
			body := map[string]string{"id": id, "name": "Probe AS", "role": "supplier"}
			if legal != "" {
				body["legalId"] = legal
			}
			return operator.Do(ctx, http.MethodPost, "/v1/enterprises", body, nil)
		}
		wantProblem(t, onboard("probe-none"+suffix, ""), http.StatusBadRequest, "INVALID_ARGUMENT")
		wantProblem(t, onboard("probe-bad"+suffix, "USCC:91320594MA1QT01019"), http.StatusBadRequest, "INVALID_ARGUMENT")
		err := onboard("probe-taken"+suffix, seller)
		wantProblem(t, err, http.StatusConflict, "CONFLICT")
		if strings.Contains(err.Error(), res.Suppliers[0]) {
			t.Errorf("the 409 names the holder of the legal ID: %v", err)
		}
		// A member organisation's card's legal ID (the core's, on the
		// ledger) is refused before the operator keeps anything: the same
		// enterprise ID then onboards with its own legal ID.
		err = onboard("probe-core"+suffix, demo.CoreLegalID)
		wantProblem(t, err, http.StatusConflict, "CONFLICT")
		if strings.Contains(err.Error(), "carmaker") {
			t.Errorf("the 409 names the holder of the legal ID: %v", err)
		}
		if err := onboard("probe-core"+suffix, demo.SupplierLegalID(2, suffix+"-probe")); err != nil {
			t.Errorf("onboarding after a refused legal ID: %v", err)
		}
		// An invoice to a bank's legal ID and one to an unknown legal ID
		// get the same answer.
		coreID := strings.TrimPrefix(demo.CoreLegalID, "USCC:")
		toBank := strings.Replace(string(fraudInvoice("INV-P1"+suffix, seller, "1.00", today)), coreID, "91320500MA1JN0188J", 1)
		toNobody := strings.Replace(string(fraudInvoice("INV-P2"+suffix, seller, "1.00", today)), coreID, "91320500MA1JN0189M", 1)
		e1 := tier1.Upload(ctx, []byte(toBank), "application/json", nil, nil)
		e2 := tier1.Upload(ctx, []byte(toNobody), "application/json", nil, nil)
		wantProblem(t, e1, http.StatusBadRequest, "INVALID_ARGUMENT")
		if e1.Error() != e2.Error() {
			t.Errorf("a bank's legal ID and an unknown one answer differently:\n%v\n%v", e1, e2)
		}
		if strings.Contains(e1.Error(), "bankA") || strings.Contains(e1.Error(), "91320500MA1JN0188J") {
			t.Errorf("the answer names the enterprise or echoes the ID: %v", e1)
		}
	})
}

package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tierchain/tierchain/internal/demo"
)

// TestBankDecidesInBothLanguages: tier 3 asks Bank B to finance its piece;
// Bank B's inbox shows, in English and in Chinese, the supplier by name
// and legal ID (from the ledger),
// the invoices under the receivable with their numbers (sealed along the
// chain of holders, verified against the ledger) and seller and buyer, the days to
// maturity and the core's line at this bank, with row buttons named after
// the supplier; approving in Chinese goes through a confirmation step; the
// portfolio then says the piece was financed for the supplier, with the
// disbursement reference; the API's problem titles come in Chinese.
func TestBankDecidesInBothLanguages(t *testing.T) {
	p, base, res := playOverREST(t, demo.Config{Suffix: runSuffix("-k"), StopBefore: "finance"})
	tier3 := res.Suppliers[2]
	piece := res.Held[2]
	postJSON(t, base+"/v1/tokens/"+piece.ID+"/financing", res.SupplierTokens[2], `{"bank": "bankB"}`)
	var sup struct {
		Name    string `json:"name"`
		LegalID string `json:"legalId"`
	}
	getJSON(t, base+"/v1/enterprises/"+tier3, p.Token("bankB"), &sup)
	if sup.LegalID == "" {
		t.Fatalf("Bank B's gateway gives no legal ID for %s", tier3)
	}
	var core struct {
		Name string `json:"name"`
	}
	getJSON(t, base+"/v1/enterprises/carmaker", p.Token("bankB"), &core)
	// The invoice numbers travelled with the piece (core → tier 1 → tier 2
	// → tier 3 → Bank B), and Bank B's gateway checked each against the
	// ledger through the operator's OPRF.
	var inbox0 struct {
		Items []struct {
			ID          string `json:"id"`
			InvoiceRefs []struct {
				Invoice, Number, Status string
			} `json:"invoiceRefs"`
		} `json:"items"`
	}
	getJSON(t, base+"/v1/financing-requests", p.Token("bankB"), &inbox0)
	var numbers []string
	for _, it := range inbox0.Items {
		if it.ID != piece.ID {
			continue
		}
		for _, r := range it.InvoiceRefs {
			if r.Status != "verified" || r.Number == "" {
				t.Errorf("invoice %.16s… of the piece: number %q, %s; want it disclosed and verified", r.Invoice, r.Number, r.Status)
			}
			numbers = append(numbers, r.Number)
		}
	}
	if len(numbers) != 2 {
		t.Fatalf("Bank B's inbox lists %d invoice numbers for the piece, want 2", len(numbers))
	}

	b := newPage(t, base, 4*time.Minute)
	b.signIn(p.Token("bankB"), "bank")
	row := fmt.Sprintf(`#inbox-table tr[data-token-id=%q]`, piece.ID)
	check := func(loc string, want ...string) {
		t.Helper()
		if err := withLocale(b.ctx, loc); err != nil {
			t.Fatal(err)
		}
		b.waitText(row, true, append(append([]string{sup.Name, tier3, sup.LegalID, core.Name}, numbers...), want...)...)
		var legal string
		b.eval(fmt.Sprintf(`document.querySelector(%q)?.textContent ?? ""`, row+` .supplier [translate="no"].legal-id`), &legal)
		if legal != sup.LegalID {
			t.Errorf("%s: the supplier's legal ID reads %q, want %q untranslated", loc, legal, sup.LegalID)
		}
		var label string
		b.eval(fmt.Sprintf(`document.querySelector(%q).getAttribute("aria-label")`, row+" button.approve"), &label)
		wantLabel := map[string]string{"en": "Approve " + sup.Name + "'s request", "zh-CN": "批准 " + sup.Name + " 的申请"}[loc]
		if label != wantLabel {
			t.Errorf("%s: the approve button is named %q, want %q", loc, label, wantLabel)
		}
		untranslated(t, b.ctx, "bank inbox "+loc)
		axeCheck(t, b.ctx)
		screenshot(t, b.ctx, "inbox-"+loc)
	}
	// The invoices: both of tier 1's under the root, with seller and buyer;
	// the maturity's days; the line at this bank, used and left as the
	// bank opens them; the supplier's legal ID from the ledger.
	check("en", "legal ID", "seller", "buyer", "registered", "limit", "used", "left", "issued", "no terms on the ledger", "verified against the ledger")
	check("zh-CN", "法定标识", "卖方", "买方", "登记于", "额度", "已用", "剩余", "已签发", "已与账本核对一致")
	if line := b.text(row + " .line"); strings.Contains(line, "未能解密") {
		t.Errorf("the line at this bank is not opened: %q", line)
	}
	var invoices int
	b.eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, row+" ul.invoices li"), &invoices)
	if invoices != 2 {
		t.Errorf("the inbox lists %d invoices under the receivable, want 2: %q", invoices, b.text(row))
	}
	days := b.text(row + " .days-left")
	if !strings.Contains(days, "今天") && !strings.Contains(days, "逾期") && !strings.Contains(days, "天") {
		t.Errorf("days to maturity in Chinese: %q", days)
	}

	// Approve in Chinese: the form, then a confirmation, then the disbursement.
	b.run(chromedp.Click(row+" button.approve", chromedp.ByQuery), chromedp.WaitVisible("#approve-form", chromedp.ByID))
	b.typeInto("#approve-ref", "NB-ZH-0042")
	b.typeInto("#approve-hash", strings.Repeat("cd", 32))
	b.run(chromedp.Click("#approve-submit", chromedp.ByID), chromedp.WaitVisible("#approve-confirm", chromedp.ByID))
	confirm := b.text("#approve-confirm-box")
	if !strings.Contains(confirm, "确认放款") || !strings.Contains(confirm, sup.Name) || !strings.Contains(confirm, "NB-ZH-0042") {
		t.Errorf("the confirmation reads %q", confirm)
	}
	// Nothing is sent before the confirmation: the request still waits.
	var waiting []struct {
		ID string `json:"id"`
	}
	var inbox struct {
		Items *[]struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	inbox.Items = &waiting
	getJSON(t, base+"/v1/financing-requests", p.Token("bankB"), &inbox)
	found := false
	for _, w := range waiting {
		found = found || w.ID == piece.ID
	}
	if !found {
		t.Fatalf("the request left the inbox before the bank confirmed")
	}
	untranslated(t, b.ctx, "approve confirmation zh-CN")
	axeCheck(t, b.ctx)
	screenshot(t, b.ctx, "approve-confirm-zh-CN")
	b.run(chromedp.Click("#approve-confirm", chromedp.ByID))
	b.waitText("#approve-form .form-ok", false, "融资完成")

	// The portfolio: financed for the supplier, with the disbursement reference.
	b.tab("portfolio")
	prow := fmt.Sprintf(`#portfolio-table tr[data-token-id=%q]`, piece.ID)
	b.waitText(prow, true, "融资给", sup.Name, "放款流水号", "NB-ZH-0042")
	untranslated(t, b.ctx, "portfolio zh-CN")
	at390(t, b.ctx, "portfolio zh-CN", "portfolio-zh-CN-390")
	if err := withLocale(b.ctx, "en"); err != nil {
		t.Fatal(err)
	}
	b.waitText(prow, true, "financed for", sup.Name, "Disbursement reference", "NB-ZH-0042")

	// A problem's title in the console's language: the console sends
	// Accept-Language, the gateway answers in it.
	var titles map[string]string
	b.eval(`(async () => {
		const i18n = await import("./js/i18n.js");
		const api = await import("./js/api.js");
		const out = {};
		for (const l of ["en", "zh-CN"]) {
			localStorage.setItem("tierchain.locale", l);
			try { await api.get("/v1/tokens/t00000000000000000000000000000000"); out[l] = "no error"; }
			catch (e) { out[l] = e.problem.title + " | " + e.message; }
		}
		i18n.setLocale("en");
		return out;
	})()`, &titles)
	if !strings.HasPrefix(titles["zh-CN"], "记录不存在 | 记录不存在：") || !strings.HasPrefix(titles["en"], "Not Found | ") {
		t.Errorf("problem titles: %q", titles)
	}
}

// postJSON posts body with token and fails the test unless it is accepted.
func postJSON(t *testing.T, url, token, body string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", fmt.Sprintf("test-%d", time.Now().UnixNano()))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %s", url, resp.Status)
	}
}

package browsertest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/tierchain/tierchain/gateway/platform/platformtest"
	"github.com/tierchain/tierchain/internal/demo"
)

const suffix = "-c" // the suppliers' IDs and invoice numbers on this network

func invoiceDoc(number, amount string) string {
	now := time.Now().UTC()
	return fmt.Sprintf(`{"invoice": {"number": %q, "issueDate": %q, "dueDate": %q, "currency": "CNY", "amount": %q,
  "seller": {"id": %q, "name": %q},
  "buyer": {"id": %q, "name": "华东汽车制造有限公司"}}}`,
		number, now.Format("2006-01-02"), now.AddDate(0, 3, 0).Format("2006-01-02"), amount, demo.SupplierLegalID(0, suffix),
		demo.SupplierNames[0], demo.CoreLegalID)
}

// TestStoryThroughPages plays the demo story in the browser: tier 1
// uploads two invoices, the core confirms them and issues 1,000,000.00,
// tier 1 and tier 2 split down the chain watching the change, tier 3 asks
// Bank B for financing, Bank B approves from its inbox, and the regulator
// sees the receivable's tree with every amount reconciled. Onboarding and
// credit lines go over REST first (the operator's and banks' set-up, not
// this test's subject).
func TestStoryThroughPages(t *testing.T) {
	start := time.Now()
	p, base, res := playOverREST(t, demo.Config{Suffix: suffix, StopBefore: "invoices"})
	tier1, tier2, tier3 := res.Suppliers[0], res.Suppliers[1], res.Suppliers[2]
	name := enterpriseNames(t, p) // the pages name the parties

	b := newPage(t, base, 4*time.Minute)
	var root string // the receivable the core issues
	step := func(name string, f func()) {
		t.Helper()
		s := time.Now()
		f()
		t.Logf("%-44s %5.1fs", name, time.Since(s).Seconds())
	}

	step("tier 1 uploads two invoices", func() {
		b.signIn(res.SupplierTokens[0], "supplier")
		// The first by drag and drop, with its PDF: a drop event carrying
		// the files, as the browser fires it.
		doc, _ := json.Marshal(invoiceDoc("NK-2026-417"+suffix, "600000.00"))
		var names string
		b.eval(fmt.Sprintf(`(() => {
			const dt = new DataTransfer();
			dt.items.add(new File([%s], "NK-2026-417.json", {type: "application/json"}));
			dt.items.add(new File(["%%PDF-1.7\n%% evidence\n%%%%EOF\n"], "NK-2026-417.pdf", {type: "application/pdf"}));
			const zone = document.querySelector("#dropzone");
			for (const type of ["dragenter", "dragover", "drop"]) {
				zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
			}
			return document.querySelector("#upload-files").textContent;
		})()`, doc), &names)
		if names != "NK-2026-417.json + NK-2026-417.pdf" {
			t.Fatalf("the drop zone took %q", names)
		}
		b.run(chromedp.Click("#upload-submit", chromedp.ByID))
		b.waitText("#upload-form .form-ok", false, "Registered invoice NK-2026-417"+suffix, "CNY 600,000.00", "owed by "+name["carmaker"])
		b.waitText("#invoices", false, "NK-2026-417"+suffix, "CNY 600,000.00", "REGISTERED")
		b.shot("tier1-invoice-dropped")
		// The second through the file chooser.
		path := filepath.Join(t.TempDir(), "NK-2026-418.json")
		if err := os.WriteFile(path, []byte(invoiceDoc("NK-2026-418"+suffix, "400000.00")), 0o644); err != nil {
			t.Fatal(err)
		}
		b.run(chromedp.SetUploadFiles("#upload-document", []string{path}, chromedp.ByID),
			chromedp.Click("#upload-submit", chromedp.ByID))
		b.waitText("#upload-form .form-ok", false, "NK-2026-418"+suffix, "CNY 400,000.00")
		b.waitText("#invoices", false, "NK-2026-417"+suffix, "NK-2026-418"+suffix, "CNY 400,000.00")
		b.shot("tier1-invoices")
	})

	step("the core confirms both and issues", func() {
		b.signIn(p.Token("carmaker"), "core")
		b.waitText("#core-invoices-table", true, name[tier1], "CNY 600,000.00", "CNY 400,000.00")
		b.waitText("#core-invoices-table", false, "NK-2026-417"+suffix, demo.SupplierLegalID(0, suffix))
		b.eval(`document.querySelectorAll("#core-invoices-table tr[data-status=REGISTERED] button.confirm-invoice").forEach((b) => b.click()); true`, nil)
		// The core's own records name the same numbers and seller.
		b.eval(fmt.Sprintf(`document.querySelectorAll("#core-invoices-table form.confirm-form").forEach((f) => {
			f.querySelector("[data-field=number]").value = f.closest("tr").querySelector(".filing-number").textContent;
			f.querySelector("[data-field=seller]").value = %q;
			f.requestSubmit();
		}); true`, demo.SupplierLegalID(0, suffix)), nil)
		b.waitText("#core-invoices-table", false, "Confirmed.")
		waitCount(b, "#core-invoices-table .confirm-form .form-ok", 2)
		b.shot("core-confirmed")
		b.tab("issue")
		b.run(chromedp.SetValue("#issue-holder", tier1, chromedp.ByID),
			chromedp.SetValue("#issue-bank", "bankA", chromedp.ByID))
		b.eval(`document.querySelectorAll("#issue-form .issue-invoice").forEach((c) => c.click()); true`, nil)
		var amount string
		b.run(chromedp.Value("#issue-amount", &amount, chromedp.ByID))
		if amount != "1,000,000.00" {
			t.Fatalf("the issue form proposes %q, want the invoices' total 1,000,000.00", amount)
		}
		b.waitText("#issue-total", false, "CNY 1,000,000.00")
		b.shot("core-issue-form")
		b.run(chromedp.Click("#issue-submit", chromedp.ByID))
		b.waitText("#issue-form .form-ok", false, "Issued CNY 1,000,000.00 to "+name[tier1]+", backed by "+name["bankA"])
		b.shot("core-issued")
		root = b.text("#issued-token")
		b.tab("lines")
		b.waitText("#lines-table", false, name["bankA"], name["bankB"], "CNY 5,000,000.00")
		b.waitText("#lines-chart", false, name["bankA"], "of CNY 5,000,000.00")
	})

	step("tier 1 accepts and splits 400 000 to tier 2", func() {
		acceptAsSupplier(b, res.SupplierTokens[0], "CNY 1,000,000.00")
		// A field error: three decimals are refused by the API, and the
		// reason stands next to the amount that caused it.
		b.typeInto("#split-to-0", tier2)
		b.typeInto("#split-amount-0", "1.234")
		b.waitText("#split-change", false, "Change: —")
		b.run(chromedp.Click("#split-submit", chromedp.ByID))
		reason := waitFieldError(b, "outputs[0].amount")
		var beside bool
		b.eval(`(() => {
			const input = document.querySelector("#split-amount-0");
			const err = document.querySelector('[data-error-for="outputs[0].amount"]');
			return input.getAttribute("aria-invalid") === "true" && input.closest("label") === err.closest("label");
		})()`, &beside)
		if !beside {
			t.Error("the amount's error is not beside the amount input, or the input is not marked invalid")
		}
		t.Logf("field error shown beside outputs[0].amount: %q", reason)
		b.shot("tier1-split-field-error")
		// The change follows the typing.
		b.typeInto("#split-amount-0", "400000.00")
		b.waitText("#split-change", false, "Change back to you: CNY 600,000.00")
		b.typeInto("#split-amount-0", "1000000.01")
		b.waitText("#split-change", false, "Over the token's value by CNY 0.01")
		var disabled bool
		b.eval(`document.querySelector("#split-submit").disabled`, &disabled)
		if !disabled {
			t.Error("the split can be sent while it pays more than the token holds")
		}
		split(b, "tier1", tier2, name[tier2], "400000.00", "CNY 400,000.00", "CNY 600,000.00")
	})

	step("tier 2 accepts and splits 150 000 to tier 3", func() {
		acceptAsSupplier(b, res.SupplierTokens[1], "CNY 400,000.00")
		split(b, "tier2", tier3, name[tier3], "150000", "CNY 150,000.00", "CNY 250,000.00")
	})

	step("tier 3 accepts and asks Bank B to finance", func() {
		acceptAsSupplier(b, res.SupplierTokens[2], "CNY 150,000.00")
		b.waitText("#token-card", false, "Tier3")
		b.run(chromedp.SetValue("#financing-bank", "bankB", chromedp.ByID),
			chromedp.Click("#financing-submit", chromedp.ByID))
		b.waitText("#financing-form .form-ok", false, "Financing of CNY 150,000.00 requested from "+name["bankB"], "FINANCING")
		b.shot("tier3-financing-requested")
	})

	step("Bank B approves from its inbox", func() {
		// Other tests on this network may have left Bank B holding pieces
		// or a larger line: the pages must show this story's on top.
		var before struct {
			Totals []struct {
				Currency string
				Amount   struct{ Minor uint64 }
			} `json:"totals"`
			Exposure []struct {
				Core     string
				Currency string
				Tokens   int
				Amount   struct{ Minor uint64 }
			} `json:"exposure"`
			Total struct{ Minor uint64 } // the CNY total, the story's currency
		}
		getJSON(t, p.Router+"/v1/portfolio", p.Token("bankB"), &before)
		for _, tot := range before.Totals {
			if tot.Currency == demo.StoryCurrency {
				before.Total.Minor = tot.Amount.Minor
			}
		}
		var held int
		var owed uint64
		for _, e := range before.Exposure {
			if e.Core == "carmaker" && e.Currency == demo.StoryCurrency {
				held, owed = e.Tokens, e.Amount.Minor
			}
		}
		var lines struct {
			Items []struct {
				LimitAmount struct{ Minor uint64 } `json:"limitAmount"`
			} `json:"items"`
		}
		getJSON(t, p.Router+"/v1/credit-lines?core=carmaker&currency="+demo.StoryCurrency, p.Token("bankB"), &lines)
		if len(lines.Items) != 1 {
			t.Fatalf("Bank B's lines of carmaker: %+v", lines)
		}
		tokens := "1 token"
		if held > 0 {
			tokens = fmt.Sprintf("%d tokens", held+1)
		}
		b.signIn(p.Token("bankB"), "bank")
		b.waitText("#view-inbox", true, tier3, "carmaker", "CNY 150,000.00")
		b.shot("bankB-inbox")
		agreement := sha256.Sum256([]byte("financing agreement " + tier3))
		b.run(chromedp.Click("#inbox-table button.approve", chromedp.ByQuery),
			chromedp.WaitVisible("#approve-form", chromedp.ByID))
		b.typeInto("#approve-ref", "NB-2026-0042")
		b.typeInto("#approve-hash", hex.EncodeToString(agreement[:]))
		// A confirmation step stands between the form and the disbursement.
		b.run(chromedp.Click("#approve-submit", chromedp.ByID), chromedp.WaitVisible("#approve-confirm", chromedp.ByID))
		b.run(chromedp.Click("#approve-confirm", chromedp.ByID))
		b.waitText("#approve-form .form-ok", false, "Financed: you now hold CNY 150,000.00 of carmaker's receivable (FINANCED)")
		b.shot("bankB-approved")
		b.tab("portfolio")
		b.waitText("#exposure-chart", true, "carmaker", shownCNY(owed+150_000_00)+" · "+tokens)
		b.waitText("#portfolio-total", false, shownCNY(before.Total.Minor+150_000_00))
		b.shot("bankB-portfolio")
		b.tab("lines")
		b.waitText("#bank-lines-table", false, "carmaker", shownCNY(lines.Items[0].LimitAmount.Minor))
	})

	step("the regulator reconciles and traces", func() {
		dl := t.TempDir()
		b.run(browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(dl))
		b.signIn(p.Token("regulator"), "regulator")
		// This story's 2 invoices, root and 2 × 2 split outputs are 7
		// amounts; other tests on the network may have added theirs.
		verdict := b.waitText("#recon-verdict", true, "All ", " amounts reconciled")
		var statuses []string
		b.eval(`[...document.querySelectorAll("#recon-table tbody tr")].map((tr) => tr.dataset.status)`, &statuses)
		if len(statuses) < 7 || !strings.Contains(verdict, fmt.Sprintf("All %d amounts", len(statuses))) {
			t.Errorf("reconciliation lists %d amounts, want 7 or more, all reconciled: %s", len(statuses), verdict)
		}
		for _, s := range statuses {
			if s != "RECONCILED" {
				t.Errorf("an amount is %s", s)
			}
		}
		b.waitText("#recon-table", false, "1,000,000.00", "600,000.00", "400,000.00", "250,000.00", "150,000.00")
		b.shot("regulator-reconciliation")
		b.run(chromedp.Click("#csv-export", chromedp.ByID))
		b.waitText("#csv-form .form-ok", false, "Saved tierchain-tokens.csv")
		csv := waitFile(t, filepath.Join(dl, "tierchain-tokens.csv"))
		if lines := strings.Count(csv, "\n"); lines < 6 {
			t.Errorf("the CSV has %d lines:\n%s", lines, csv)
		}

		b.tab("provenance")
		if root == "" {
			t.Fatal("the issue form showed no token ID")
		}
		b.run(chromedp.Click(fmt.Sprintf(`#roots-table button.show-tree[data-root=%q]`, root), chromedp.ByQuery))
		b.waitText("#tree-verdict", false, "5 of 5 amounts reconciled")
		tree := b.waitText("#provenance-tree", false, "CNY 1,000,000.00", "CNY 600,000.00", "CNY 400,000.00", "CNY 250,000.00", "CNY 150,000.00",
			name[tier1], name[tier2], name["bankB"], "tier 3 · FINANCED", name["bankB"]+" financed it for "+name[tier3])
		if n := strings.Count(tree, "✓ reconciled"); n != 5 {
			t.Errorf("the tree marks %d nodes reconciled, want 5: %s", n, tree)
		}
		b.shot("regulator-provenance-tree")

		b.tab("risk")
		b.waitText("#conc-core", false, name["carmaker"], "100.0%")
		b.waitText("#conc-holder", false, name[tier1], "CNY 600,000.00", name[tier2], "CNY 250,000.00", name["bankB"])
		b.shot("regulator-risk")
	})
	t.Logf("the story through the pages: %.1fs", time.Since(start).Seconds())
}

// playOverREST starts the stack (skipping without a browser) and plays
// the demo story over REST as cfg says (its Base, Tokens and Out are set
// here).
func playOverREST(t *testing.T, cfg demo.Config) (*platformtest.Consortium, string, *demo.Result) {
	t.Helper()
	requireBrowser(t)
	p, base := startStack(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg.Base, cfg.Tokens, cfg.Out = base, p.Tokens(), testWriter{t}
	res, err := demo.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("set-up over REST up to %q: %.1fs", cfg.StopBefore, time.Since(start).Seconds())
	return p, base, res
}

// acceptAsSupplier signs in as a supplier, opens the token it was paid
// and accepts it, which shows the amount opened from its envelope.
// getJSON decodes the answer of a GET with token.
func getJSON(t *testing.T, url, token string, out any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func acceptAsSupplier(b *page, token, want string) {
	b.t.Helper()
	b.signIn(token, "supplier")
	b.tab("tokens")
	openActiveToken(b)
	b.run(chromedp.Click("#accept", chromedp.ByID))
	b.waitText("#accept-form .form-ok", false, "Accepted: "+want)
}

// split pays amount of the open token to another supplier, checking the
// live change before sending and the outcome after.
func split(b *page, who, to, toName, amount, paid, change string) {
	b.t.Helper()
	b.typeInto("#split-to-0", to)
	b.typeInto("#split-amount-0", amount)
	b.waitText("#split-change", false, "Change back to you: "+change)
	b.shot(who + "-split-live-change")
	b.run(chromedp.Click("#split-submit", chromedp.ByID))
	b.waitText("#split-form .form-ok", false, "Split: "+paid+" to "+toName, "change "+change+" stays with you")
	b.shot(who + "-split-done")
}

// openActiveToken opens the detail of the first ACTIVE token the supplier
// holds, waiting for the read model to list it.
func openActiveToken(b *page) {
	b.t.Helper()
	sel := `#tokens-table tr[data-status="ACTIVE"] button.open`
	deadline := time.Now().Add(60 * time.Second)
	for {
		var n int
		b.eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n)
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			b.shot("failure")
			b.t.Fatal("no ACTIVE token is listed")
		}
		time.Sleep(500 * time.Millisecond)
		b.run(chromedp.Click("#refresh", chromedp.ByID), chromedp.WaitVisible(`#view-tokens:not([aria-busy])`, chromedp.ByQuery))
	}
	b.run(chromedp.Click(sel, chromedp.ByQuery), chromedp.WaitVisible("#token-card", chromedp.ByID))
}

func waitFieldError(b *page, field string) string {
	b.t.Helper()
	sel := fmt.Sprintf(`[data-error-for=%q]`, field)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if s := b.text(sel); s != "" {
			return s
		}
		if time.Now().After(deadline) {
			b.shot("failure")
			b.t.Fatalf("no error shown beside %s; the form says %q", field, b.text(".form-error"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func waitCount(b *page, sel string, want int) {
	b.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var n int
		b.eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n)
		if n >= want {
			return
		}
		if e := b.text(".form-error"); e != "" {
			b.shot("failure")
			b.t.Fatalf("the page shows an error: %s", e)
		}
		if time.Now().After(deadline) {
			b.shot("failure")
			b.t.Fatalf("%d of %s, want %d", n, sel, want)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func waitFile(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil && len(b) > 0 {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the download %s never arrived: %v", path, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

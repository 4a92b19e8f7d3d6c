package browsertest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tierchain/tierchain/internal/demo"
)

// TestOperatorPage: the operator onboards a supplier; its one-time API
// token stands in a warning card with a copy button and survives a reload
// of the tab until dismissed; the enterprises list shows the supplier's
// legal ID; the operator suspends and reinstates it from its row, whose
// buttons name it; all of it in Chinese too.
func TestOperatorPage(t *testing.T) {
	requireBrowser(t)
	p, base := startStack(t)
	b := newPage(t, base, 3*time.Minute)
	b.signIn(p.Token("operator"), "operator")
	id, name, legal := "op-card", "Suzhou Precision Parts Co", demo.SupplierLegalID(1, "-op")
	b.typeInto("#onboard-id", id)
	b.typeInto("#onboard-name", name)
	b.typeInto("#onboard-legal", legal)
	b.run(chromedp.Click("#onboard-submit", chromedp.ByID))
	b.waitText("#token-card", false, id+"'s API token", "Shown only now")
	token := b.text("#onboard-token")
	if len(token) < 20 {
		t.Fatalf("the token card shows %q", token)
	}
	var focused string
	b.eval(`document.activeElement?.id ?? ""`, &focused)
	if focused != "copy-token" {
		t.Errorf("after onboarding the focus is on %q, want the copy button", focused)
	}

	// A reload keeps the card (sessionStorage), in Chinese after the switch.
	b.run(chromedp.Reload(), chromedp.WaitVisible(`section[data-view="operator"]:not([aria-busy])`, chromedp.ByQuery))
	if err := withLocale(b.ctx, "zh-CN"); err != nil {
		t.Fatal(err)
	}
	b.waitText("#token-card", false, "的接口令牌", "仅此一次显示")
	if got := b.text("#onboard-token"); got != token {
		t.Errorf("after a reload the card shows %q, want the same token", got)
	}
	b.run(chromedp.Click("#copy-token", chromedp.ByID))
	b.waitText("#copy-status", false, "复制")
	row := fmt.Sprintf(`#enterprises-table tr[data-enterprise=%q]`, id)
	b.waitText(row, true, legal, name, "正常")
	var label string
	b.eval(fmt.Sprintf(`document.querySelector(%q).getAttribute("aria-label")`, row+" button.suspend"), &label)
	if label != "暂停 "+name {
		t.Errorf("the suspend button is named %q", label)
	}
	untranslated(t, b.ctx, "operator zh-CN")
	axeCheck(t, b.ctx)
	screenshot(t, b.ctx, "operator-token-zh-CN")
	at390(t, b.ctx, "operator zh-CN", "operator-token-zh-CN-390")

	// Dismissed, the card is gone for good.
	b.run(chromedp.Click("#dismiss-token", chromedp.ByID))
	b.run(chromedp.Reload(), chromedp.WaitVisible(`section[data-view="operator"]:not([aria-busy])`, chromedp.ByQuery))
	var cards int
	b.eval(`document.querySelectorAll("#token-card").length + (sessionStorage.getItem("tierchain.onboardedToken") ? 10 : 0)`, &cards)
	if cards != 0 {
		t.Errorf("after dismissing, the token is still kept (%d)", cards)
	}

	// Suspend, then reinstate, from the row.
	b.run(chromedp.Click(row+" button.suspend", chromedp.ByQuery))
	b.waitText(row+" .form-ok", false, "已暂停")
	b.waitText(row, true, "已暂停", "恢复")
	b.eval(fmt.Sprintf(`document.querySelector(%q).getAttribute("aria-label")`, row+" button.reinstate"), &label)
	if label != "恢复 "+name {
		t.Errorf("the reinstate button is named %q", label)
	}
	b.run(chromedp.Click(row+" button.reinstate", chromedp.ByQuery))
	b.waitText(row+" .form-ok", false, "正常")
	if err := withLocale(b.ctx, "en"); err != nil {
		t.Fatal(err)
	}
	b.waitText(row, true, "ACTIVE", "Suspend")
	if !strings.Contains(b.text(row), legal) {
		t.Errorf("the row lost the legal ID: %q", b.text(row))
	}
}

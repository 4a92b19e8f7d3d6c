package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/tierchain/tierchain/internal/testenv"
)

// The helpers every page's browser test uses (issue 19): the console's
// language, screenshots kept as artefacts, axe-core, a 390 px screen, and
// the untranslated-text walker.

// AxeVersion is the axe-core release the tests inject; scripts/testdeps.sh
// installs it with npm into .tierchain/npm (AxeEnv names another axe.min.js).
const (
	AxeVersion = "4.10.2"
	AxeEnv     = "TIERCHAIN_AXE"
)

// repoRoot is the module's root (the directory holding go.mod).
func repoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// defaultArtifacts is where screenshots go without $TIERCHAIN_ARTIFACTS.
func defaultArtifacts() string {
	return filepath.Join(repoRoot(), ".tierchain", "artifacts", "browser")
}

var shotDirs sync.Map // test name → its artefacts directory, emptied once per run

func shotDir(t *testing.T) string {
	if d, ok := shotDirs.Load(t.Name()); ok {
		return d.(string)
	}
	d := artifactsDir(t)
	shotDirs.Store(t.Name(), d)
	return d
}

// withLocale switches the open console to loc ("en" or "zh-CN") as its
// language switch does (stored in localStorage, every text written again)
// and waits until the page has rendered in it. The page must be on the
// console.
func withLocale(ctx context.Context, loc string) error {
	var got string
	err := chromedp.Run(ctx, chromedp.Evaluate(fmt.Sprintf(`(async () => {
		const i18n = await import(new URL("js/i18n.js", document.baseURI).href);
		i18n.setLocale(%q);
		for (let i = 0; i < 600; i++) {
			await new Promise((r) => setTimeout(r, 50));
			if (!document.querySelector("[aria-busy=true]") && document.documentElement.lang === %q) break;
		}
		return document.documentElement.lang;
	})()`, loc, loc), &got, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if err != nil {
		return err
	}
	if got != loc {
		return fmt.Errorf("the console speaks %q, not %q", got, loc)
	}
	return nil
}

// screenshot keeps a full-page PNG of the page as name.png in the test's
// artefacts directory ($TIERCHAIN_ARTIFACTS, else
// <repo>/.tierchain/artifacts/browser/<test>).
func screenshot(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	var buf []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&buf, 100)); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	path := filepath.Join(shotDir(t), name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(buf), "\x89PNG") {
		t.Errorf("%s is not a PNG", path)
	}
	return path
}

// viewport390 makes the page a phone held upright: 390×844 CSS pixels.
func viewport390(ctx context.Context) error {
	return chromedp.Run(ctx, emulation.SetDeviceMetricsOverride(390, 844, 2, true))
}

// viewportDesktop undoes viewport390.
func viewportDesktop(ctx context.Context) error {
	return chromedp.Run(ctx, emulation.ClearDeviceMetricsOverride())
}

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// axePath is axe.min.js: $TIERCHAIN_AXE, else .tierchain/npm's.
func axePath() string {
	if p := os.Getenv(AxeEnv); p != "" {
		return p
	}
	return filepath.Join(repoRoot(), ".tierchain", "npm", "node_modules", "axe-core", "axe.min.js")
}

// loadAxe reads axe-core, installing the pinned version with npm when it
// is missing (as scripts/testdeps.sh does).
func loadAxe() (string, error) {
	axeOnce.Do(func() {
		path := axePath()
		if _, err := os.Stat(path); err != nil && os.Getenv(AxeEnv) == "" {
			if _, lerr := exec.LookPath("npm"); lerr != nil {
				axeErr = fmt.Errorf("axe-core is missing (%s) and npm is not on PATH: run scripts/testdeps.sh", path)
				return
			}
			prefix := filepath.Join(repoRoot(), ".tierchain", "npm")
			out, ierr := exec.Command("npm", "install", "--no-audit", "--no-fund", "--prefix", prefix, "axe-core@"+AxeVersion).CombinedOutput()
			if ierr != nil {
				axeErr = fmt.Errorf("npm install axe-core@%s: %v\n%s", AxeVersion, ierr, out)
				return
			}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			axeErr = err
			return
		}
		axeSource = string(b)
	})
	return axeSource, axeErr
}

// axeViolation is one rule axe found broken, with where.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	Targets []string
	Nodes   []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// axeCheck runs axe-core (WCAG 2.1 A and AA, and best practices) on the
// page as it stands and fails the test on any serious or critical
// violation; lesser ones are logged. It returns every violation.
func axeCheck(t *testing.T, ctx context.Context) []axeViolation {
	t.Helper()
	src, err := loadAxe()
	if err != nil {
		if testenv.Strict() || os.Getenv(AxeEnv) != "" {
			t.Fatal(err)
		}
		t.Fatalf("%v (the browser tests need axe-core beside Chromium)", err)
	}
	var raw string
	err = chromedp.Run(ctx,
		chromedp.ActionFunc(func(ctx context.Context) error {
			var present bool
			if err := chromedp.Evaluate(`typeof window.axe === "object"`, &present).Do(ctx); err != nil {
				return err
			}
			if present {
				return nil
			}
			_, exc, err := runtime.Evaluate(src).Do(ctx)
			if err != nil {
				return err
			}
			if exc != nil {
				return fmt.Errorf("inject axe-core: %s", exc.Error())
			}
			return nil
		}),
		chromedp.Evaluate(`(async () => {
			const r = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}, resultTypes: ["violations"]});
			return JSON.stringify(r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({target: n.target, html: n.html.slice(0, 160)}))})));
		})()`, &raw, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("axe-core's answer: %v", err)
	}
	for _, v := range vs {
		where := make([]string, 0, len(v.Nodes))
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprintf("%v %s", n.Target, n.HTML))
		}
		msg := fmt.Sprintf("axe %s (%s): %s\n\t%s", v.ID, v.Impact, v.Help, strings.Join(where, "\n\t"))
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
	return vs
}

// untranslatedJS lists what the console shows untranslated: in zh-CN a
// text node with three Latin letters in a row outside an element marked
// translate="no", or such an aria-label, title or placeholder once the
// names its element lists in data-notr (dom.js rowLabel) are taken out; in
// either language every missing catalog key.
const untranslatedJS = `(() => {
	const out = {latin: [], missing: (window.__i18nMissing || []).slice()};
	const zh = document.documentElement.lang === "zh-CN";
	if (!zh) return out;
	const latin = /[A-Za-z]{3,}/;
	const skip = (el) => !el || el.closest("[translate=no], script, style, noscript, svg title");
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		const el = n.parentElement;
		if (skip(el) || !latin.test(n.nodeValue)) continue;
		if (el.closest("[hidden]")) continue;
		out.latin.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + ": " + n.nodeValue.trim().slice(0, 80));
	}
	for (const el of document.body.querySelectorAll("[aria-label], [title], [placeholder], input[type=submit], input[type=button]")) {
		if (skip(el)) continue;
		// data-notr lists, one a line, the names and IDs an attribute may hold untranslated.
		const keep = (el.getAttribute("data-notr") || "").split("\n").filter(Boolean).sort((a, b) => b.length - a.length);
		for (const a of ["aria-label", "title", "placeholder"]) {
			let v = el.getAttribute(a);
			if (!v) continue;
			for (const k of keep) v = v.split(k).join(" ");
			if (latin.test(v)) out.latin.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " @" + a + ": " + v.slice(0, 80));
		}
	}
	return out;
})()`

// untranslated fails the test on untranslated text (zh-CN) or a missing
// message key (both languages) on the page as it stands; where names the
// page in the failure.
func untranslated(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	var got struct {
		Latin   []string `json:"latin"`
		Missing []string `json:"missing"`
	}
	if err := chromedp.Run(ctx, chromedp.Evaluate(untranslatedJS, &got)); err != nil {
		t.Fatalf("%s: the untranslated-text walker: %v", where, err)
	}
	for _, s := range got.Latin {
		t.Errorf("%s: untranslated: %s", where, s)
	}
	for _, k := range got.Missing {
		t.Errorf("%s: missing message %s", where, k)
	}
}

// fitsWidthJS lists the elements wider than the screen that are not inside
// a box scrolling on its own (a table's .table-scroll, a chart).
const fitsWidthJS = `(() => {
	const w = document.documentElement.clientWidth;
	const out = [];
	if (document.documentElement.scrollWidth > w + 1) out.push("the page scrolls sideways: " + document.documentElement.scrollWidth + " > " + w);
	for (const el of document.body.querySelectorAll("*")) {
		if (el.closest(".table-scroll, figure.chart, .tabs, [hidden]")) continue;
		const r = el.getBoundingClientRect();
		if (r.width === 0 && r.height === 0) continue;
		if (r.right > w + 1) out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "") + " ends at " + Math.round(r.right));
		if (out.length > 8) break;
	}
	return out;
})()`

// fitsWidth fails the test when something on the page reaches past the
// screen's right edge outside a box of its own that scrolls.
func fitsWidth(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	for _, s := range evalStrings(t, ctx, where, fitsWidthJS) {
		t.Errorf("%s at 390 px: %s", where, s)
	}
}

// at390 checks the page as a phone shows it (390 px wide, nothing past
// the edge), keeps its screenshot as name, and gives the window back.
func at390(t *testing.T, ctx context.Context, where, name string) {
	t.Helper()
	if err := viewport390(ctx); err != nil {
		t.Fatal(err)
	}
	fitsWidth(t, ctx, where)
	screenshot(t, ctx, name)
	if err := viewportDesktop(ctx); err != nil {
		t.Fatal(err)
	}
}

// evalStrings evaluates js, a list of findings, on the page.
func evalStrings(t *testing.T, ctx context.Context, where, js string) []string {
	t.Helper()
	var out []string
	if err := chromedp.Run(ctx, chromedp.Evaluate(js, &out)); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	return out
}

// brokenFiguresJS lists amounts that wrap: an .amount element taller
// than one line.
const brokenFiguresJS = `(() => [...document.querySelectorAll(".amount")].filter((el) => {
	const rects = el.getClientRects();
	return rects.length > 1;
}).map((el) => el.textContent).slice(0, 8))()`

// figuresWhole fails the test when an amount is broken across lines.
func figuresWhole(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	for _, s := range evalStrings(t, ctx, where, brokenFiguresJS) {
		t.Errorf("%s: the amount %q breaks across lines", where, s)
	}
}

// runSuffix makes a story's suppliers and invoices unique to this run
// (prefix and four hex digits), so a test may run again on a network that
// already holds the last run's.
func runSuffix(prefix string) string {
	return fmt.Sprintf("%s%04x", prefix, time.Now().UnixNano()&0xffff)
}

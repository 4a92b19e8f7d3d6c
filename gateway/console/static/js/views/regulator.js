// The regulator's pages: reconciliation of every amount on the ledger
// (each row linked to its token's tree), the provenance tree of any
// receivable from the core down to tier N (each piece's holder by name,
// and who financed it for whom), overdue and concentration charts, the
// financing book by bank (volume, advances, defaults and recourse), and
// the CSV export. Every figure says what it measures. The regulator writes
// nothing; every amount is opened by its audit key.

import { call, get, ProblemError } from "../api.js";
import { h, append, clear, table, badge, amount, stat, facts, notr, rowLabel } from "../dom.js";
import { bindForm, field, input, showOk } from "../forms.js";
import { auditMoney, formatMinor, formatDate, formatDateTime, formatCount, percent, shortId } from "../format.js";
import { t, has } from "../i18n.js";
import { barChart, treeChart } from "../charts.js";
import { names } from "../names.js";
import { phrase } from "../phrase.js";
import { heading } from "./common.js";
import "../messages/regulator.js";

const when = (iso) => notr(formatDateTime(iso), "span", { class: "when" });
const idCell = (id) => notr(shortId(id), "span", { class: "id", title: id });

// state is a state code in words, or the code where no catalog has it.
const state = (code) => (has(`state.${code}`) ? t(`state.${code}`) : code);

// The currency of an audited amount or record; "" for one from before
// currencies.
const cur = (...xs) => xs.find((x) => x?.currency)?.currency ?? "";

// exportForm downloads the tokens CSV: fetched with the token (a plain
// link could not send it), then saved from a Blob.
function exportForm() {
  const form = h("form", { id: "csv-form", "data-op": "csv" },
    h("button", { type: "submit", id: "csv-export", class: "secondary" }, t("regulator.csv")));
  bindForm(form, async () => {
    const { blob, filename } = await call("GET", "/v1/audit/tokens.csv", { as: "blob" });
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: filename || "tierchain-tokens.csv", hidden: true, id: "csv-link" });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 10000);
    showOk(form, ...phrase("regulator.csvSaved", { file: filename || "tierchain-tokens.csv", bytes: blob.size }));
  });
  return form;
}

// Where the provenance tab opens: the receivable's root and the token to
// mark in it (a reconciliation row's link sets both).
let shownRoot = "";
let markToken = "";

// showInTree opens the provenance tab on root's tree with token marked.
function showInTree(root, token) {
  shownRoot = root;
  markToken = token ?? "";
  if (location.hash === "#provenance") window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = "#provenance";
}

// treeLink is a reconciliation row's link to its token in its tree.
function treeLink(i) {
  if (!i.root) return h("span", { class: "muted" }, t("regulator.recon.noToken"));
  return h("a", { href: "#provenance", class: "tree-link", "data-root": i.root, "data-token": i.token,
    ...rowLabel("regulator.recon.linkLabel", { id: shortId(i.token) }),
    onclick: (ev) => { ev.preventDefault(); showInTree(i.root, i.token); } }, t("regulator.recon.inTree"));
}

// currencies maps each token and invoice to its currency, from the audit
// report's snapshot: a reconciliation row's amount is in its record's.
async function currencies() {
  const m = new Map();
  const rep = await get("/v1/audit/report").catch(() => null);
  for (const i of rep?.snapshot?.tokens ?? []) m.set(i.token.id, i.token.currency ?? "");
  for (const i of rep?.snapshot?.invoices ?? []) m.set(i.invoice.id, i.invoice.currency ?? "");
  return m;
}

async function reconciliationTab(el, ctx) {
  const [r, n, cm] = await Promise.all([get("/v1/audit/reconciliation"), names(ctx), currencies()]);
  const curOf = (...ids) => ids.map((id) => cm.get(id)).find(Boolean) ?? "";
  const sum = r.summary;
  const total = r.items.length;
  // Counted from the items, which include the financings' advances, fees
  // and resale prices beside tokens and invoices (the summary's count
  // is of tokens and invoices).
  const reconciled = r.items.filter((i) => i.amount.status === "RECONCILED").length;
  const clean = r.problems === 0 && reconciled === total;
  const explained = (label, value, what, attrs) => h("div", { class: "explained" }, stat(label, value, attrs), h("small", { class: "muted" }, what));
  append(el, heading(t("regulator.recon.title"), ctx, exportForm()),
    h("div", { id: "recon-verdict", class: ["verdict", clean ? "ok" : "bad"] },
      clean ? t("regulator.recon.clean", { total }) : t("regulator.recon.problems", { problems: r.problems, reconciled, total })),
    h("div", { class: "summary", id: "recon-summary" },
      explained(t("regulator.stat.reconciled"), `${reconciled} / ${total}`, t("regulator.stat.reconciledWhat"), { id: "stat-reconciled" }),
      explained(t("regulator.stat.tokens"), String(sum.tokens), t("regulator.stat.tokensWhat")),
      explained(t("regulator.stat.invoices"), String(sum.invoices), t("regulator.stat.invoicesWhat")),
      explained(t("regulator.stat.mismatch"), String(sum.envelopeMismatch), t("regulator.stat.mismatchWhat")),
      explained(t("regulator.stat.unopenable"), String(sum.unopenable), t("regulator.stat.unopenableWhat")),
      explained(t("regulator.stat.checks"), String(sum.conservationChecks), t("regulator.stat.checksWhat")),
      explained(t("regulator.stat.breaks"), String(sum.conservationBreaks), t("regulator.stat.breaksWhat"), { id: "stat-breaks" }),
      explained(t("regulator.stat.disputes"), String(sum.disputes), t("regulator.stat.disputesWhat"), { id: "stat-disputes" })),
    r.disputes.length ? [h("h2", null, t("regulator.disputes.title")),
      h("p", { class: "muted" }, t("regulator.disputes.intro")),
      table([
        { title: t("regulator.col.token"), cell: (d) => idCell(d.dispute.token) },
        { title: t("regulator.col.holder"), cell: (d) => n.party(d.dispute.holder) },
        { title: t("regulator.col.sender"), cell: (d) => n.party(d.dispute.sender) },
        { title: t("regulator.col.reason"), cell: (d) => notr(d.dispute.reason) },
        { title: t("regulator.col.amount"), num: true, cell: (d) => amount(auditMoney(d.amount, cur(d.amount) || curOf(d.dispute.token))) },
        { title: t("regulator.col.yourEnvelope"), cell: (d) => (d.regulatorEnvelopeBad ? h("span", { class: "badge bad" }, t("regulator.badToo")) : h("span", { class: "badge GOOD" }, t("regulator.good"))) },
        { title: t("regulator.col.filed"), cell: (d) => when(d.dispute.filedAt) },
      ], r.disputes, { id: "disputes-table", caption: t("regulator.disputes.title"), rowAttrs: (d) => ({ "data-id": d.dispute.token }) })] : null,
    r.breaks.length ? [h("h2", null, t("regulator.breaks.title")), table([
      { title: t("regulator.col.kind"), cell: (b) => notr(b.kind) }, { title: t("regulator.col.result"), cell: (b) => badge(b.result, "bad") },
      { title: t("regulator.col.receivable"), cell: (b) => idCell(b.root) },
      { title: t("regulator.col.in"), num: true, cell: (b) => amount(formatMinor(b.in, cur(b) || curOf(b.root))) }, { title: t("regulator.col.out"), num: true, cell: (b) => amount(formatMinor(b.out, cur(b) || curOf(b.root))) },
      { title: t("regulator.col.detail"), cell: (b) => notr(b.detail) },
    ], r.breaks, { id: "breaks-table", caption: t("regulator.breaks.title") })] : null,
    h("p", { class: "muted" }, ...phrase("regulator.recon.readAt", { at: when(r.readAt) })),
    table([
      { title: t("regulator.col.kind"), cell: (i) => t(`regulator.kind.${i.kind}`) },
      { title: t("regulator.col.id"), cell: (i) => idCell(i.id) },
      { title: t("regulator.col.amount"), num: true, cell: (i) => amount(auditMoney(i.amount, cur(i.amount, i) || curOf(i.kind === "invoice" ? i.id : i.token, i.token))) },
      { title: t("regulator.col.check"), cell: (i) => badge(i.amount.status) },
      { title: t("regulator.col.token"), cell: treeLink },
    ], r.items, { id: "recon-table", empty: t("regulator.recon.empty"), caption: t("regulator.recon.caption"),
      rowAttrs: (i) => ({ "data-status": i.amount.status, "data-id": i.id, "data-kind": i.kind, "data-root": i.root ?? "" }) }));
}

// financedBy names who financed a piece and for whom: the bank and the
// supplier that asked (the holder before the bank).
function financedBy(tok, n) {
  const f = tok.financing;
  if (!f) return null;
  return { bank: n.of(f.bank), supplier: n.of(f.requester) };
}

function nodeLines(node, n) {
  const tok = node.token;
  const ok = node.amount.status === "RECONCILED";
  const fin = financedBy(tok, n);
  return [
    [n.of(tok.holder), "holder", true],
    [t("regulator.tree.tierStatus", { tier: tok.tier, status: state(tok.status) }), "muted"],
    [auditMoney(node.amount, cur(node.amount, tok)), "amount-text", true],
    fin ? [t("regulator.tree.financedFor", fin), "financed", true] : null,
    [ok ? t("regulator.tree.reconciled") : t("regulator.tree.notReconciled", { status: state(node.amount.status) }), ok ? "ok" : "bad"],
  ].filter(Boolean);
}

function flatten(node, out = []) {
  out.push(node);
  for (const c of node.children ?? []) flatten(c, out);
  return out;
}

// tierOne is the tier-1 supplier of a receivable: its root's holder, or
// the supplier that had the root financed (the bank holds it since).
const tierOne = (root) => root.financing?.requester ?? root.holder;

async function showTree(place, root, n) {
  shownRoot = root;
  clear(place).append(h("p", { class: "muted", role: "status" }, t("regulator.tree.opening")));
  let tr;
  try {
    tr = await get(`/v1/audit/receivables/${encodeURIComponent(root)}`);
  } catch (err) {
    // An unknown receivable, a malformed ID or a failure: said plainly in
    // place of the tree, never a message that waits for ever.
    const notFound = err instanceof ProblemError && err.status === 404;
    const invalid = err instanceof ProblemError && err.status === 400;
    clear(place).append(h("div", { id: "tree-problem", class: "form-error", role: "alert", "data-status": err.status ?? "" },
      h("strong", null, ...phrase(notFound ? "regulator.tree.notFound" : invalid ? "regulator.tree.invalid" : "regulator.tree.failed", { id: root })),
      err.message ? h("div", { class: "muted" }, notr(err.message)) : null));
    shownRoot = "";
    return;
  }
  const nodes = flatten(tr.root);
  const bad = nodes.filter((x) => x.amount.status !== "RECONCILED").length;
  const clean = bad === 0 && tr.breaks.length === 0;
  const head = tr.root.token;
  const summary = facts([
    [t("regulator.tree.core"), n.party(head.issuer)],
    [t("regulator.tree.tier1"), n.party(tierOne(head), { id: "tree-tier1" })],
    [t("regulator.tree.bank"), n.party(head.bank)],
    [t("regulator.tree.amount"), amount(auditMoney(tr.root.amount, cur(tr.root.amount, head)))],
    [t("regulator.tree.maturity"), formatDate(head.maturity)],
  ], { id: "tree-summary" });
  clear(place).append(
    h("div", { id: "tree-verdict", class: ["verdict", clean ? "ok" : "bad"] },
      clean ? t("regulator.tree.clean", { n: nodes.length, checks: tr.checks })
        : t("regulator.tree.bad", { bad, breaks: tr.breaks.length })),
    summary,
    treeChart(tr.root, { id: "provenance-tree", title: t("regulator.tree.title", { core: n.of(head.issuer) }),
      lines: (x) => nodeLines(x, n), cls: (x) => [x.amount.status, x.token.id === markToken ? "marked" : null] }),
    table([
      { title: t("regulator.col.tier"), num: true, cell: (x) => String(x.token.tier) },
      { title: t("regulator.col.token"), cell: (x) => idCell(x.token.id) },
      { title: t("regulator.col.from"), cell: (x) => notr((x.token.parents ?? []).map(shortId).join(", ")) },
      { title: t("regulator.col.holder"), cell: (x) => n.party(x.token.holder) },
      { title: t("regulator.col.financedFor"), cell: (x) => (x.token.financing ? phrase("regulator.tree.bankFor", { bank: n.party(x.token.financing.bank), supplier: n.party(x.token.financing.requester) }) : "") },
      { title: t("regulator.col.amount"), num: true, cell: (x) => amount(auditMoney(x.amount, cur(x.amount, x.token))) },
      { title: t("regulator.col.status"), cell: (x) => badge(x.token.status) },
      { title: t("regulator.col.check"), cell: (x) => badge(x.amount.status) },
    ], nodes, { id: "provenance-table", caption: t("regulator.tree.caption"),
      rowAttrs: (x) => ({ "data-token-id": x.token.id, "data-status": x.amount.status, class: x.token.id === markToken ? "selected" : null }) }));
  place.querySelector("tr.selected")?.scrollIntoView({ block: "nearest" });
}

async function provenanceTab(el, ctx) {
  const [report, n] = await Promise.all([get("/v1/audit/report"), names(ctx)]);
  const roots = report.snapshot.tokens.filter((i) => i.token.id === i.token.root);
  const place = h("div", { id: "provenance", "aria-live": "polite" });
  const rootIn = input({ id: "root-id", "data-field": "root", required: true, placeholder: t("regulator.tree.rootHint"), size: 40 });
  const form = h("form", { id: "root-form", class: "row", "data-op": "trace" }, field(t("regulator.tree.rootLabel"), rootIn),
    h("div", { class: "field" }, h("button", { type: "submit", id: "root-submit" }, t("regulator.tree.show"))));
  bindForm(form, async () => {
    markToken = "";
    await showTree(place, rootIn.value.trim(), n);
  });
  const open = (root) => () => {
    rootIn.value = root;
    form.requestSubmit();
  };
  append(el, heading(t("regulator.provenance.title"), ctx),
    h("p", { class: "muted" }, t("regulator.provenance.intro")),
    table([
      { title: t("regulator.col.receivable"), cell: (i) => idCell(i.token.id) },
      { title: t("regulator.col.core"), cell: (i) => n.party(i.token.issuer) },
      { title: t("regulator.col.bank"), cell: (i) => n.party(i.token.bank) },
      { title: t("regulator.col.tier1"), cell: (i) => [n.party(tierOne(i.token)),
        i.token.status === "SPLIT" ? [" ", h("small", { class: "muted" }, t("regulator.provenance.splitInto", { n: (i.token.children ?? []).length }))] : ""] },
      { title: t("regulator.col.amount"), num: true, cell: (i) => amount(auditMoney(i.amount, cur(i.amount, i.token))) },
      { title: t("regulator.col.maturity"), cell: (i) => formatDate(i.token.maturity) },
      { title: t("regulator.col.actions"), cell: (i) => h("button", { type: "button", class: "small secondary show-tree", "data-root": i.token.id,
        ...rowLabel("regulator.tree.showRow", { id: shortId(i.token.id) }), onclick: open(i.token.id) }, t("regulator.tree.show")) },
    ], roots, { id: "roots-table", empty: t("regulator.provenance.empty"), caption: t("regulator.provenance.caption"), rowAttrs: (i) => ({ "data-root": i.token.id }) }),
    form, place);
  if (shownRoot) {
    rootIn.value = shownRoot;
    await showTree(place, shownRoot, n);
  }
}

// distribution charts one concentration figure, saying what it measures:
// the HHI and how to read it, each party's share of what is outstanding.
function distribution(id, title, what, d, n, currency = "") {
  const c = currency || cur(d);
  const hhi = Math.round(d.hhi);
  const level = d.shares.length === 0 ? "none" : hhi > 2500 ? "high" : hhi >= 1500 ? "moderate" : "low";
  return h("section", { class: "figure", id: `${id}-figure` },
    barChart({ id, title: t("regulator.conc.chartTitle", { title, hhi: formatCount(hhi) }),
      empty: t("regulator.conc.nothing"),
      items: d.shares.map((x) => ({ label: n.of(x.name), value: x.amount, text: `${formatMinor(x.amount, cur(x) || c)} · ${percent(x.share)}` })) }),
    h("p", { class: "muted what" }, what, " ", t(`regulator.conc.level.${level}`, { hhi: formatCount(hhi) }),
      d.unopened ? [" ", t("regulator.conc.unopened", { n: d.unopened })] : ""));
}

async function riskTab(el, ctx) {
  const [overdue, conc, n] = await Promise.all([get("/v1/audit/overdue"), get("/v1/audit/concentration"), names(ctx)]);
  const totals = Array.isArray(overdue.totals)
    ? overdue.totals.filter((x) => (x.items ?? 1) > 0).map((x) => amount(formatMinor(x.total ?? 0, x.currency)))
    : [amount(formatMinor(overdue.total, cur(overdue, overdue.items[0]?.amount)))];
  if (!totals.length) totals.push(amount(formatMinor(0, "")));
  const unopened = overdue.unopened ?? (overdue.totals ?? []).reduce((k, x) => k + (x.unopened ?? 0), 0);
  append(el, heading(t("regulator.risk.title"), ctx),
    h("h2", null, t("regulator.overdue.title")),
    h("p", { class: "muted" }, t("regulator.overdue.what")),
    h("p", { id: "overdue-total" }, ...phrase("regulator.overdue.total", { n: overdue.items.length, amount: h("span", null, totals.flatMap((x, i) => (i ? [" + ", x] : [x]))), at: when(overdue.at) }),
      unopened ? [" ", t("regulator.overdue.unopened", { n: unopened })] : ""),
    barChart({ id: "overdue-chart", title: t("regulator.overdue.chart"), empty: t("regulator.overdue.none"),
      items: byCore(overdue.items).map((v) => ({ label: n.of(v.core), value: v.minor,
        text: t("regulator.overdue.bar", { amount: formatMinor(v.minor, v.currency), n: v.n, days: v.days }) })) }),
    overdue.items.length ? table([
      { title: t("regulator.col.token"), cell: (i) => idCell(i.token) },
      { title: t("regulator.col.core"), cell: (i) => n.party(i.issuer) }, { title: t("regulator.col.holder"), cell: (i) => n.party(i.holder) },
      { title: t("regulator.col.tier"), num: true, cell: (i) => String(i.tier) },
      { title: t("regulator.col.maturity"), cell: (i) => formatDate(i.maturity) }, { title: t("regulator.col.daysOverdue"), num: true, cell: (i) => String(i.daysOverdue) },
      { title: t("regulator.col.amount"), num: true, cell: (i) => amount(auditMoney(i.amount, cur(i.amount, i))) },
    ], overdue.items, { id: "overdue-table", caption: t("regulator.overdue.title") }) : null,
    h("h2", null, t("regulator.conc.title")),
    h("p", { class: "muted", id: "hhi-explained" }, t("regulator.conc.hhi")),
    concentration(conc, n));
}

// concentration draws the report per currency ({totals: [{currency,
// byCore, byBank, byHolder}]}: a share is of one currency's exposure,
// never of a sum over two), or the one set of a report from before
// currencies. The first currency's figures keep the plain IDs.
function concentration(conc, n) {
  const sets = Array.isArray(conc.totals) ? conc.totals : [{ currency: "", byCore: conc.byCore, byBank: conc.byBank, byHolder: conc.byHolder }];
  if (!sets.length) return h("p", { class: "muted" }, t("regulator.conc.nothing"));
  return sets.map((x, i) => {
    const sfx = i === 0 ? "" : `-${x.currency || "legacy"}`;
    return h("div", { class: "currency-set", "data-currency": x.currency },
      sets.length > 1 || x.currency ? h("h3", null, ...phrase("regulator.conc.inCurrency", { currency: x.currency || "—" })) : null,
      distribution(`conc-core${sfx}`, t("regulator.conc.byCore"), t("regulator.conc.byCoreWhat"), x.byCore, n, x.currency),
      distribution(`conc-bank${sfx}`, t("regulator.conc.byBank"), t("regulator.conc.byBankWhat"), x.byBank, n, x.currency),
      distribution(`conc-holder${sfx}`, t("regulator.conc.byHolder"), t("regulator.conc.byHolderWhat"), x.byHolder, n, x.currency));
  });
}

// byCore sums the overdue pieces per core enterprise and currency, largest
// first: never one sum over two currencies.
function byCore(items) {
  const m = new Map();
  for (const i of items) {
    const c = cur(i.amount, i);
    const key = `${i.issuer}\u0000${c}`;
    const v = m.get(key) ?? { core: i.issuer, currency: c, minor: 0n, n: 0, days: 0 };
    if (i.amount.minor !== undefined && i.amount.minor !== null) v.minor += BigInt(i.amount.minor);
    v.n++;
    v.days = Math.max(v.days, i.daysOverdue);
    m.set(key, v);
  }
  return [...m.values()].sort((a, b) => (b.minor > a.minor ? 1 : b.minor < a.minor ? -1 : 0));
}

// financingTab is GET /v1/audit/financing: each bank's book, every
// advance and fee opened with the audit key and checked against the terms.
async function financingTab(el, ctx) {
  const [r, n] = await Promise.all([get("/v1/audit/financing"), names(ctx)]);
  const banks = r.byBank ?? [];
  const m = (b, v) => amount(formatMinor(v ?? 0, cur(b)));
  const broken = banks.reduce((k, b) => k + b.breaks, 0);
  const count = (r.items ?? []).length;
  append(el, heading(t("regulator.financing.title"), ctx),
    h("div", { id: "financing-verdict", class: ["verdict", broken ? "bad" : "ok"] },
      broken ? t("regulator.financing.broken", { n: broken }) : t("regulator.financing.clean", { n: count })),
    barChart({ id: "financed-chart", title: t("regulator.financing.chart"), empty: t("regulator.financing.none"),
      items: banks.map((b) => ({ label: n.of(b.bank), value: b.financedVolume, text: t("regulator.financing.bar", { amount: formatMinor(b.financedVolume, cur(b)), n: b.financed }) })) }),
    h("p", { class: "muted" }, t("regulator.financing.chartWhat")),
    table([
      { title: t("regulator.col.bank"), cell: (b) => n.party(b.bank) },
      { title: t("regulator.fin.financed"), num: true, cell: (b) => String(b.financed) },
      { title: t("regulator.fin.volume"), num: true, cell: (b) => m(b, b.financedVolume) },
      { title: t("regulator.fin.advanced"), num: true, cell: (b) => m(b, b.advanced) },
      { title: t("regulator.fin.fees"), num: true, cell: (b) => m(b, b.fees) },
      { title: t("regulator.fin.pending"), num: true, cell: (b) => String(b.pending) },
      { title: t("regulator.fin.held"), num: true, cell: (b) => [String(b.held), " · ", m(b, b.heldVolume)] },
      { title: t("regulator.fin.boughtSold"), num: true, cell: (b) => `${b.bought} / ${b.sold}` },
      { title: t("regulator.fin.default"), num: true, cell: (b) => [String(b.defaulted), " · ", m(b, b.defaultVolume)] },
      { title: t("regulator.fin.recourse"), num: true, cell: (b) => [String(b.recourse), " · ", m(b, b.recourseVolume), b.recourseRepaid ? [" ", t("regulator.fin.repaid", { n: b.recourseRepaid })] : ""] },
      { title: t("regulator.fin.checks"), cell: (b) => (b.breaks ? h("span", { class: "badge bad" }, t("regulator.fin.brokenN", { n: b.breaks }))
        : b.unverified ? h("span", { class: "badge" }, t("regulator.fin.unverifiedN", { n: b.unverified })) : badge("OK", "ok")) },
    ], banks, { id: "financing-table", empty: t("regulator.financing.empty"), caption: t("regulator.financing.title"), rowAttrs: (b) => ({ "data-bank": b.bank }) }),
    banks.length ? h("details", { class: "legend", id: "financing-legend", open: true }, h("summary", null, t("regulator.fin.legend")),
      facts(["financed", "volume", "advanced", "fees", "pending", "held", "boughtSold", "default", "recourse", "checks"]
        .map((k) => [t(`regulator.fin.${k}`), t(`regulator.fin.${k}What`)]))) : null);
}

export default {
  tabs: [
    { id: "reconciliation", labelKey: "regulator.tab.reconciliation", render: reconciliationTab },
    { id: "provenance", labelKey: "regulator.tab.provenance", render: provenanceTab },
    { id: "risk", labelKey: "regulator.tab.risk", render: riskTab },
    { id: "financing", labelKey: "regulator.tab.financing", render: financingTab },
  ],
};

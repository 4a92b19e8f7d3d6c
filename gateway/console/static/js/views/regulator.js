// The regulator's pages: reconciliation of every amount on the ledger,
// the provenance tree of any receivable from the core down to tier N,
// overdue and concentration charts, the financing book by bank (volume,
// advances, defaults and recourse), and the CSV export. The regulator
// writes nothing; every figure is opened by its audit key.

import { call, get } from "../api.js";
import { h, append, clear, table, badge, amount, stat } from "../dom.js";
import { bindForm, field, input, showOk } from "../forms.js";
import { auditMoney, formatMinor, formatTime, formatDate, percent, shortId, CURRENCY } from "../format.js";
import { barChart, treeChart } from "../charts.js";
import { heading } from "./common.js";

// exportForm downloads the tokens CSV: fetched with the token (a plain
// link could not send it), then saved from a Blob.
function exportForm() {
  const form = h("form", { id: "csv-form", "data-op": "csv" },
    h("button", { type: "submit", id: "csv-export", class: "secondary" }, "Download tokens CSV"));
  bindForm(form, async () => {
    const { blob, filename } = await call("GET", "/v1/audit/tokens.csv", { as: "blob" });
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: filename || "tierchain-tokens.csv", hidden: true, id: "csv-link" });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 10000);
    showOk(form, `Saved ${filename || "tierchain-tokens.csv"} (${blob.size} bytes).`);
  });
  return form;
}

async function reconciliationTab(el, ctx) {
  const r = await get("/v1/audit/reconciliation");
  const sum = r.summary;
  const total = r.items.length;
  // Counted from the items, which include the financings' advances, fees
  // and resale prices beside tokens and invoices (the summary's count
  // is of tokens and invoices).
  const reconciled = r.items.filter((i) => i.amount.status === "RECONCILED").length;
  const clean = r.problems === 0 && reconciled === total;
  append(el, heading("Reconciliation", ctx, exportForm()),
    h("div", { id: "recon-verdict", class: ["verdict", clean ? "ok" : "bad"] },
      clean ? `All ${total} amounts reconciled: every opened amount matches its commitment, and every conservation check holds.`
        : `${r.problems} problem${r.problems === 1 ? "" : "s"}: ${reconciled} of ${total} amounts reconciled.`),
    h("div", { class: "summary", id: "recon-summary" },
      stat("amounts reconciled", `${reconciled} / ${total}`, { id: "stat-reconciled" }),
      stat("tokens", String(sum.tokens)), stat("invoices", String(sum.invoices)),
      stat("envelope mismatches", String(sum.envelopeMismatch)), stat("unopenable", String(sum.unopenable)),
      stat("conservation checks", String(sum.conservationChecks)),
      stat("conservation breaks", String(sum.conservationBreaks), { id: "stat-breaks" }),
      stat("disputes", String(sum.disputes), { id: "stat-disputes" })),
    r.disputes.length ? [h("h2", null, "Disputed envelopes"),
      h("p", { class: "muted" }, "A holder says its token's envelope does not open the commitment; the amount is the one you opened yourself."),
      table([
        { title: "Token", cell: (d) => h("span", { class: "id", title: d.dispute.token }, shortId(d.dispute.token)) },
        { title: "Holder", cell: (d) => d.dispute.holder },
        { title: "Sender", cell: (d) => d.dispute.sender },
        { title: "Reason", cell: (d) => d.dispute.reason },
        { title: `Amount (${CURRENCY})`, num: true, cell: (d) => amount(auditMoney(d.amount)) },
        { title: "Your envelope", cell: (d) => d.regulatorEnvelopeBad ? badge("BAD TOO", "bad") : badge("GOOD") },
        { title: "Filed", cell: (d) => formatTime(d.dispute.filedAt) },
      ], r.disputes, { id: "disputes-table", rowAttrs: (d) => ({ "data-id": d.dispute.token }) })] : null,
    r.breaks.length ? [h("h2", null, "Conservation breaks"), table([
      { title: "Kind", cell: (b) => b.kind }, { title: "Result", cell: (b) => badge(b.result, "bad") },
      { title: "Receivable", cell: (b) => h("span", { class: "id" }, shortId(b.root)) },
      { title: "In", num: true, cell: (b) => amount(formatMinor(b.in)) }, { title: "Out", num: true, cell: (b) => amount(formatMinor(b.out)) },
      { title: "Detail", cell: (b) => b.detail },
    ], r.breaks, { id: "breaks-table" })] : null,
    h("p", { class: "muted" }, `Read ${formatTime(r.readAt)}.`),
    table([
      { title: "Kind", cell: (i) => i.kind },
      { title: "ID", cell: (i) => h("span", { class: "id", title: i.id }, shortId(i.id)) },
      { title: `Amount (${CURRENCY})`, num: true, cell: (i) => amount(auditMoney(i.amount)) },
      { title: "Status", cell: (i) => badge(i.amount.status) },
    ], r.items, { id: "recon-table", empty: "The ledger holds no amounts yet.", rowAttrs: (i) => ({ "data-status": i.amount.status, "data-id": i.id }) }));
}

let shownRoot = "";

function nodeLines(n) {
  const t = n.token;
  const ok = n.amount.status === "RECONCILED";
  return [
    [`${t.holder}`, "holder"],
    [`tier ${t.tier} · ${t.status}`, "muted"],
    [auditMoney(n.amount), "amount-text"],
    [ok ? "✓ reconciled" : `✗ ${n.amount.status.toLowerCase().replace("_", " ")}`, ok ? "ok" : "bad"],
  ];
}

function flatten(n, out = []) {
  out.push(n);
  for (const c of n.children ?? []) flatten(c, out);
  return out;
}

async function showTree(place, root) {
  shownRoot = root;
  clear(place).append(h("p", { class: "muted" }, "Opening every amount…"));
  const tr = await get(`/v1/audit/receivables/${encodeURIComponent(root)}`);
  const nodes = flatten(tr.root);
  const bad = nodes.filter((n) => n.amount.status !== "RECONCILED").length;
  const clean = bad === 0 && tr.breaks.length === 0;
  clear(place).append(
    h("div", { id: "tree-verdict", class: ["verdict", clean ? "ok" : "bad"] },
      clean ? `${nodes.length} of ${nodes.length} amounts reconciled; ${tr.checks} conservation check${tr.checks === 1 ? "" : "s"} hold.`
        : `${bad} amount${bad === 1 ? "" : "s"} not reconciled; ${tr.breaks.length} conservation break${tr.breaks.length === 1 ? "" : "s"}.`),
    treeChart(tr.root, { id: "provenance-tree", title: `Receivable ${shortId(root)} from ${tr.root.token.issuer} down the tiers`,
      lines: nodeLines, cls: (n) => n.amount.status }),
    table([
      { title: "Tier", num: true, cell: (n) => String(n.token.tier) },
      { title: "Token", cell: (n) => h("span", { class: "id", title: n.token.id }, shortId(n.token.id)) },
      { title: "From", cell: (n) => (n.token.parents ?? []).map(shortId).join(", ") },
      { title: "Holder", cell: (n) => n.token.holder },
      { title: `Amount (${CURRENCY})`, num: true, cell: (n) => amount(auditMoney(n.amount)) },
      { title: "Status", cell: (n) => badge(n.token.status) },
      { title: "Amount check", cell: (n) => badge(n.amount.status) },
    ], nodes, { id: "provenance-table", rowAttrs: (n) => ({ "data-token-id": n.token.id, "data-status": n.amount.status }) }));
}

async function provenanceTab(el, ctx) {
  const report = await get("/v1/audit/report");
  const roots = report.snapshot.tokens.filter((i) => i.token.id === i.token.root);
  const place = h("div", { id: "provenance" });
  const rootIn = input({ id: "root-id", "data-field": "root", required: true, placeholder: "root token ID", size: 40 });
  const form = h("form", { id: "root-form", class: "row", "data-op": "trace" }, field("Receivable (root token ID)", rootIn),
    h("div", { class: "field" }, h("button", { type: "submit", id: "root-submit" }, "Show tree")));
  bindForm(form, async () => {
    await showTree(place, rootIn.value.trim());
  });
  const open = (root) => () => {
    rootIn.value = root;
    form.requestSubmit();
  };
  append(el, heading("Provenance", ctx),
    h("p", { class: "muted" }, "Pick a receivable to see it split down the supply chain, each amount opened with the audit key and checked against its commitment."),
    table([
      { title: "Receivable", cell: (i) => h("span", { class: "id", title: i.token.id }, shortId(i.token.id)) },
      { title: "Core", cell: (i) => i.token.issuer },
      { title: "Bank", cell: (i) => i.token.bank },
      { title: "Tier 1", cell: (i) => (i.token.status === "SPLIT" ? `split (${(i.token.children ?? []).length})` : i.token.holder) },
      { title: `Amount (${CURRENCY})`, num: true, cell: (i) => amount(auditMoney(i.amount)) },
      { title: "Maturity", cell: (i) => formatDate(i.token.maturity) },
      { title: "", cell: (i) => h("button", { type: "button", class: "small secondary show-tree", "data-root": i.token.id, onclick: open(i.token.id) }, "Show tree") },
    ], roots, { id: "roots-table", empty: "No receivables have been issued yet.", rowAttrs: (i) => ({ "data-root": i.token.id }) }),
    form, place);
  if (shownRoot) {
    rootIn.value = shownRoot;
    await showTree(place, shownRoot).catch((err) => { place.textContent = err.message; });
  }
}

function distribution(id, title, d) {
  return [
    barChart({ id, title: `${title} · HHI ${Math.round(d.hhi)}${d.unopened ? ` · ${d.unopened} not opened` : ""}`,
      empty: "Nothing outstanding.",
      items: d.shares.map((x) => ({ label: x.name, value: x.amount, text: `${formatMinor(x.amount)} ${CURRENCY} · ${percent(x.share)}` })) }),
  ];
}

async function riskTab(el, ctx) {
  const [overdue, conc] = await Promise.all([get("/v1/audit/overdue"), get("/v1/audit/concentration")]);
  append(el, heading("Overdue and concentration", ctx),
    h("h2", null, "Overdue"),
    h("p", { id: "overdue-total" }, `${overdue.items.length} overdue piece${overdue.items.length === 1 ? "" : "s"}, `,
      amount(`${formatMinor(overdue.total)} ${CURRENCY}`), overdue.unopened ? ` (+${overdue.unopened} not opened)` : "", ` at ${formatTime(overdue.at)}.`),
    barChart({ id: "overdue-chart", title: `Overdue per core enterprise (${CURRENCY})`, empty: "Nothing is overdue.",
      items: byCore(overdue.items).map(([core, v]) => ({ label: core, value: v.minor, text: `${formatMinor(v.minor)} ${CURRENCY} · ${v.n} piece${v.n === 1 ? "" : "s"} · up to ${v.days} days` })) }),
    overdue.items.length ? table([
      { title: "Token", cell: (i) => h("span", { class: "id" }, shortId(i.token)) },
      { title: "Core", cell: (i) => i.issuer }, { title: "Holder", cell: (i) => i.holder }, { title: "Tier", num: true, cell: (i) => String(i.tier) },
      { title: "Maturity", cell: (i) => formatDate(i.maturity) }, { title: "Days overdue", num: true, cell: (i) => String(i.daysOverdue) },
      { title: `Amount (${CURRENCY})`, num: true, cell: (i) => amount(auditMoney(i.amount)) },
    ], overdue.items, { id: "overdue-table" }) : null,
    h("h2", null, "Concentration of what is outstanding"),
    distribution("conc-core", "By core enterprise", conc.byCore),
    distribution("conc-bank", "By bank", conc.byBank),
    distribution("conc-holder", "By holder", conc.byHolder));
}

function byCore(items) {
  const m = new Map();
  for (const i of items) {
    const v = m.get(i.issuer) ?? { minor: 0n, n: 0, days: 0 };
    if (i.amount.minor !== undefined) v.minor += BigInt(i.amount.minor);
    v.n++;
    v.days = Math.max(v.days, i.daysOverdue);
    m.set(i.issuer, v);
  }
  return [...m.entries()].sort((a, b) => (b[1].minor > a[1].minor ? 1 : -1));
}

// financingTab is GET /v1/audit/financing: each bank's book, every
// advance and fee opened with the audit key and checked against the terms.
async function financingTab(el, ctx) {
  const r = await get("/v1/audit/financing");
  const banks = r.byBank ?? [];
  const m = (v) => amount(`${formatMinor(v ?? 0)} ${CURRENCY}`);
  const broken = banks.reduce((n, b) => n + b.breaks, 0);
  append(el, heading("Financing by bank", ctx),
    h("div", { id: "financing-verdict", class: ["verdict", broken ? "bad" : "ok"] },
      broken ? `${broken} financing${broken === 1 ? "" : "s"} whose advance is not what the terms pay.`
        : `${(r.items ?? []).length} financing${(r.items ?? []).length === 1 ? "" : "s"} opened: every advance is what its terms pay and within its cap.`),
    barChart({ id: "financed-chart", title: `Financed volume by bank (${CURRENCY}, face)`, empty: "No bank has financed anything yet.",
      items: banks.map((b) => ({ label: b.bank, value: b.financedVolume, text: `${formatMinor(b.financedVolume)} ${CURRENCY} · ${b.financed} financed` })) }),
    table([
      { title: "Bank", cell: (b) => b.bank },
      { title: "Financed", num: true, cell: (b) => String(b.financed) },
      { title: "Volume (face)", num: true, cell: (b) => m(b.financedVolume) },
      { title: "Advanced", num: true, cell: (b) => m(b.advanced) },
      { title: "Fees", num: true, cell: (b) => m(b.fees) },
      { title: "Pending", num: true, cell: (b) => String(b.pending) },
      { title: "Held", num: true, cell: (b) => [String(b.held), " · ", m(b.heldVolume)] },
      { title: "Bought / sold", num: true, cell: (b) => `${b.bought} / ${b.sold}` },
      { title: "In default", num: true, cell: (b) => [String(b.defaulted), " · ", m(b.defaultVolume)] },
      { title: "Recourse", num: true, cell: (b) => [String(b.recourse), " · ", m(b.recourseVolume), b.recourseRepaid ? ` (${b.recourseRepaid} repaid)` : ""] },
      { title: "Checks", cell: (b) => (b.breaks ? badge(`${b.breaks} BROKEN`, "bad") : b.unverified ? badge(`${b.unverified} unverified`) : badge("OK", "ok")) },
    ], banks, { id: "financing-table", empty: "No financing on the ledger.", rowAttrs: (b) => ({ "data-bank": b.bank }) }));
}

export default {
  tabs: [
    { id: "reconciliation", label: "Reconciliation", render: reconciliationTab },
    { id: "provenance", label: "Provenance", render: provenanceTab },
    { id: "risk", label: "Overdue & concentration", render: riskTab },
    { id: "financing", label: "Financing", render: financingTab },
  ],
};

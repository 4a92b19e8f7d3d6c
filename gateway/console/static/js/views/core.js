// A core enterprise's pages: invoices it owes (confirm or reject), issue a
// receivable against confirmed invoices and a bank's credit line, its
// credit lines with what is outstanding, and payment at maturity.
//
// What a core may see: every invoice it owes as its seller filed it
// (number, seller, dates, document: sealed to the buyer on the ledger),
// the amount of each invoice and of each receivable it issued (the issue's
// envelope to the issuer), and of every piece down the tiers the holder,
// tier and status. A piece's own amount is sealed to its holder, the bank
// and the regulator; the page says so, and what the pieces add up to.

import { post, items } from "../api.js";
import { h, append, table, badge, amount, notr, rowLabel } from "../dom.js";
import { bindForm, field, finish, input, select, showOk } from "../forms.js";
import { money, opened, formatDate, formatMinor, formatNumber, parseAmount, toDecimal, daysUntil, endOfDay, ymdInZone, timeZone, shortId } from "../format.js";
import { t } from "../i18n.js";
import { barChart } from "../charts.js";
import { names } from "../names.js";
import { phrase, untranslatable } from "../phrase.js";
import { heading, tokenRowAttrs, badEnvelopes } from "./common.js";
import "../messages/core.js";

// reasonForm is a table row's inline form (reject with a reason, pay with a
// reference) opened under its buttons.
function reasonForm({ id, op, label, button, path, cls = "", after }) {
  const reason = input({ "data-field": "reason", id: `${id}-reason`, maxlength: 256 });
  const form = h("form", { id, class: "inline-form", "data-op": op }, field(label, reason),
    h("button", { type: "submit", class: cls }, button));
  bindForm(form, async (key) => {
    const v = await post(path, reason.value.trim() ? { reason: reason.value.trim() } : {}, key);
    finish(form);
    showOk(form, after(v));
  });
  return form;
}

// invoiceName is how the pages name an invoice: its number as filed and
// its seller, never its fingerprint or document hash.
function invoiceName(inv, n) {
  const f = inv.filing;
  return f ? phrase("core.invoiceOf", { number: f.number, seller: f.seller?.name || n.of(inv.supplier) })
    : phrase("core.invoiceUnread", { seller: n.of(inv.supplier) });
}

// confirmForm asks for the confirmer's own copy of the invoice number and
// the seller's legal ID (from its purchase records, not from the filing
// shown beside it): the gateway recomputes the fingerprint from them and
// the ledger confirms only if it is the one the seller registered. A held
// near-duplicate also needs a review note, which is recorded.
function confirmForm(inv, box) {
  const tag = inv.id.slice(0, 12);
  const number = input({ "data-field": "number", id: `confirm-${tag}-number`, maxlength: 128, autocomplete: "off" });
  const seller = input({ "data-field": "seller", id: `confirm-${tag}-seller`, maxlength: 64, autocomplete: "off", placeholder: "0192:…" });
  const note = input({ "data-field": "review.note", id: `confirm-${tag}-note`, maxlength: 256 });
  const form = h("form", { id: `confirm-${tag}`, class: "inline-form confirm-form", "data-op": "confirm" },
    field(t("core.confirm.number"), number),
    field(t("core.confirm.seller"), seller),
    inv.hold ? field(t("core.confirm.note"), note, phrase("core.confirm.looksLike", { ids: inv.hold.nearDuplicates.map(shortId).join(", ") })) : "",
    h("button", { type: "submit", class: "small" }, t("core.confirm.submit")));
  bindForm(form, async (key) => {
    const body = { number: number.value.trim(), seller: seller.value.trim() };
    if (inv.hold) body.review = { decision: "distinct", note: note.value.trim() };
    const v = await post(`/v1/invoices/${inv.id}/confirm`, body, key);
    finish(form);
    box.closest("tr").querySelector(".badge").replaceWith(badge(v.status));
    showOk(form, t("core.confirm.done"));
  });
  return form;
}

// filingCell shows the invoice as its seller filed it (opened from the
// ledger by this gateway), or why it cannot be shown.
function filingCell(inv) {
  const f = inv.filing;
  if (!f) return h("span", { class: "form-error" }, inv.filingProblem ? notr(inv.filingProblem) : t("core.noFiling"));
  const doc = f.document ? h("details", { class: "filing-document" }, h("summary", {}, t("core.document")), h("pre", { translate: "no" }, f.document)) : "";
  return h("div", { class: "filing" },
    notr(f.number, "strong", { class: "filing-number" }),
    h("div", { class: "muted" }, t("core.filedDates", { issued: formatDate(f.issueDate), due: formatDate(f.dueDate) })),
    f.amountMatches ? "" : h("div", { class: "form-error" }, t("core.amountMismatch")),
    inv.hold ? h("div", { class: "hold" }, badge("HELD"), " ", phrase("core.nearDuplicate", { ids: inv.hold.nearDuplicates.map(shortId).join(", ") })) : "",
    doc);
}

// sellerCell names the seller as filed (name and legal ID), or the
// supplier's directory name when the filing did not open.
function sellerCell(inv, n) {
  const f = inv.filing;
  if (!f) return n.party(inv.supplier);
  return h("div", { class: "seller" }, notr(f.seller?.name || n.of(inv.supplier), "span", { class: "seller-name" }), h("br"),
    notr(f.seller?.legalId ?? "", "span", { class: "id muted", title: t("core.sellerLegalId") }));
}

async function invoicesTab(el, ctx) {
  const [rows, n] = await Promise.all([items("/v1/invoices"), names(ctx)]);
  const actions = (inv) => {
    if (inv.status !== "REGISTERED") {
      return inv.status === "USED" ? h("span", { class: "muted" }, t("core.backs"), " ", notr(shortId(inv.usedBy), "span", { class: "id", title: inv.usedBy })) : "";
    }
    const name = inv.filing?.number ?? shortId(inv.id);
    const box = h("div", { class: "actions" });
    box.append(
      h("button", { type: "button", class: "small confirm-invoice", "data-invoice-id": inv.id, ...rowLabel("core.confirmRow", { number: name }), onclick: (ev) => {
        ev.target.disabled = true;
        box.append(confirmForm(inv, box));
      } }, t("core.confirm")),
      h("button", { type: "button", class: "small danger reject", ...rowLabel("core.rejectRow", { number: name }), onclick: () => {
        box.append(reasonForm({ id: `reject-${inv.id.slice(0, 12)}`, op: "reject", label: t("core.rejectWhy"), button: t("core.rejectSubmit"),
          cls: "danger", path: `/v1/invoices/${inv.id}/reject`, after: (v) => phrase("core.rejected", { status: badge(v.status) }) }));
      } }, t("core.reject")));
    return box;
  };
  append(el, heading(t("core.invoices.title"), ctx), await badEnvelopes(),
    h("p", { class: "muted" }, t("core.invoices.intro")),
    table([
      { title: t("core.col.number"), cell: filingCell },
      { title: t("core.col.seller"), cell: (i) => sellerCell(i, n) },
      { title: t("core.col.amount"), num: true, cell: (i) => amount(money(i.amount)) },
      { title: t("core.col.due"), cell: (i) => formatDate(i.dueDate) },
      { title: t("core.col.registered"), cell: (i) => formatDate(i.registeredAt) },
      { title: t("core.col.status"), cell: (i) => badge(i.status) },
      { title: t("core.col.actions"), cell: actions },
    ], rows, { id: "core-invoices-table", empty: t("core.invoices.empty"), caption: t("core.invoices.title"),
      rowAttrs: (i) => ({ "data-invoice-id": i.id, "data-status": i.status, "data-held": i.hold ? "true" : "false" }) }));
}

// currencyOf is an amount's currency ("" for a record from before
// currencies).
const currencyOf = (m) => m?.currency ?? "";

async function issueTab(el, ctx) {
  const [n, suppliers, banks, invoices, lines] = await Promise.all([names(ctx), ctx.enterprises("supplier"), ctx.enterprises("bank"),
    items("/v1/invoices"), items("/v1/credit-lines").catch(() => [])]);
  const confirmed = invoices.filter((i) => i.status === "CONFIRMED");
  const holder = untranslatable(select({ id: "issue-holder", "data-field": "holder", required: true },
    suppliers.map((e) => ({ value: e.id, label: n.label(e.id) })), t("core.issue.chooseSupplier")));
  const bank = untranslatable(select({ id: "issue-bank", "data-field": "bank", required: true },
    banks.map((e) => ({ value: e.id, label: n.label(e.id) })), t("core.issue.chooseBank")));
  const amountIn = input({ id: "issue-amount", "data-field": "amount", inputmode: "decimal", required: true, placeholder: "1,000,000.00" });
  const maturity = input({ id: "issue-maturity", "data-field": "maturity", type: "date", required: true,
    value: ymdInZone(new Date(Date.now() + 90 * 864e5).toISOString()) });
  let typed = false;
  amountIn.addEventListener("input", () => { typed = amountIn.value.trim() !== ""; });
  const boxes = confirmed.map((inv) => h("label", { class: "invoice-choice", "data-currency": currencyOf(inv.amount) },
    h("input", { type: "checkbox", value: inv.id, class: "issue-invoice", "data-currency": currencyOf(inv.amount) }),
    " ", h("span", { class: "invoice-name" }, invoiceName(inv, n)), " · ", t("core.issue.due", { date: formatDate(inv.dueDate) }), " · ",
    amount(money(inv.amount))));
  const total = h("output", { id: "issue-total", class: "muted" });
  const amountLabel = h("span", { id: "issue-amount-label" });
  const lineInfo = h("p", { id: "issue-line", class: "muted", "aria-live": "polite" });
  let currency = "";
  const chosen = () => boxes.map((b) => b.querySelector("input")).filter((cb) => cb.checked);
  const sum = () => {
    const picked = chosen();
    currency = picked.length ? picked[0].dataset.currency : "";
    // One receivable, one currency: invoices in another are set aside.
    for (const b of boxes) {
      const cb = b.querySelector("input");
      cb.disabled = picked.length > 0 && cb.dataset.currency !== currency;
      b.classList.toggle("muted", cb.disabled);
    }
    let tot = 0n;
    let latest = "";
    for (const cb of picked) {
      const inv = confirmed.find((x) => x.id === cb.value);
      if (inv?.amount?.minor !== undefined) tot += BigInt(inv.amount.minor);
      if (inv?.dueDate && inv.dueDate > latest) latest = inv.dueDate;
    }
    total.replaceChildren(...(picked.length ? phrase("core.issue.total", { amount: amount(formatMinor(tot, currency)), n: picked.length }) : []));
    amountLabel.replaceChildren(...(currency ? phrase("core.issue.amountIn", { currency }) : [t("core.issue.amount")]));
    if (!typed) amountIn.value = tot ? formatNumber(tot, currency) : "";
    // A receivable matures no earlier than its last invoice is due.
    if (latest && !maturity.dataset.typed) maturity.value = ymdInZone(latest);
    showLine();
  };
  const showLine = () => {
    const l = lines.find((x) => x.bank === bank.value && (!currency || !currencyOf(x.limitAmount) || currencyOf(x.limitAmount) === currency));
    if (!bank.value) { lineInfo.replaceChildren(); return; }
    lineInfo.replaceChildren(...(l
      ? phrase("core.issue.lineLeft", { bank: n.party(bank.value), available: l.availableAmount ? amount(money(l.availableAmount)) : h("span", null, t("core.lines.over")), limit: amount(money(l.limitAmount)) })
      : phrase("core.issue.noLine", { bank: n.party(bank.value) })));
  };
  maturity.addEventListener("input", () => { maturity.dataset.typed = "true"; });
  bank.addEventListener("change", showLine);
  const invoicesField = h("fieldset", { class: "field", "data-field": "invoices" },
    h("legend", null, t("core.issue.invoices")),
    boxes.length ? boxes : h("p", { class: "muted" }, t("core.issue.noInvoices")),
    total, h("span", { class: "field-error", role: "alert", "data-error-for": "invoices" }));
  invoicesField.addEventListener("change", sum);
  const form = h("form", { id: "issue-form", class: "card", "data-op": "issue" },
    h("p", { class: "muted" }, t("core.issue.intro")),
    h("div", { class: "row" }, field(t("core.issue.holder"), holder), field(t("core.issue.bank"), bank)),
    lineInfo,
    invoicesField,
    h("div", { class: "row" }, field(amountLabel, amountIn),
      field(t("core.issue.maturity"), maturity, phrase("core.issue.maturityHint", { zone: timeZone() }))),
    h("button", { type: "submit", id: "issue-submit" }, t("core.issue.submit")));
  amountLabel.textContent = t("core.issue.amount");
  bindForm(form, async (key) => {
    const picked = chosen().map((cb) => cb.value);
    const minor = parseAmount(amountIn.value, currency);
    const body = { holder: holder.value, bank: bank.value, invoices: picked,
      amount: minor === null ? amountIn.value.trim() : toDecimal(minor, currency),
      maturity: endOfDay(maturity.value) ?? "" };
    if (currency) body.currency = currency;
    const tok = await post("/v1/receivables", body, key);
    finish(form);
    showOk(form, ...phrase("core.issue.done", { amount: amount(money(tok.amount)), holder: n.party(tok.holder), bank: n.party(tok.bank), maturity: formatDate(tok.maturity) }), " ",
      notr(tok.id, "span", { class: "id", id: "issued-token" }));
  });
  append(el, heading(t("core.issue.title"), ctx), form);
}

// byCurrency groups rows by the currency of what key(row) gives.
function byCurrency(rows, key) {
  const m = new Map();
  for (const r of rows) {
    const c = currencyOf(key(r));
    if (!m.has(c)) m.set(c, []);
    m.get(c).push(r);
  }
  return [...m.entries()];
}

async function linesTab(el, ctx) {
  const [lines, n] = await Promise.all([items("/v1/credit-lines"), names(ctx)]);
  // A line is per (core, bank, currency): one chart per currency, never
  // one sum over two.
  const charts = byCurrency(lines, (l) => l.limitAmount).map(([c, ls]) => barChart({
    id: `lines-chart-${c || "legacy"}`,
    title: c ? phrase("core.lines.chartIn", { currency: c }) : t("core.lines.chart"),
    items: ls.map((l) => ({ label: n.of(l.bank), value: l.outstandingAmount?.minor ?? 0,
      text: t("core.lines.barText", { outstanding: money(l.outstandingAmount), limit: money(l.limitAmount) }) })) }));
  append(el, heading(t("core.lines.title"), ctx),
    h("p", { class: "muted" }, t("core.lines.intro")),
    h("div", { id: "lines-chart" }, charts),
    table([
      { title: t("core.col.bank"), cell: (l) => n.party(l.bank) },
      { title: t("core.col.currency"), cell: (l) => notr(currencyOf(l.limitAmount)) },
      { title: t("core.col.limit"), num: true, cell: (l) => amount(money(l.limitAmount)) },
      { title: t("core.col.outstanding"), num: true, cell: (l) => amount(money(l.outstandingAmount)) },
      { title: t("core.col.available"), num: true, cell: (l) => (l.availableAmount ? amount(money(l.availableAmount)) : t("core.lines.over")) },
      { title: t("core.col.issuedSettled"), num: true, cell: (l) => `${l.issued} / ${l.settled}` },
      { title: t("core.col.expiry"), cell: (l) => formatDate(l.expiry) },
    ], lines, { id: "lines-table", empty: t("core.lines.empty"), caption: t("core.lines.title") }));
}

const payable = new Set(["ACTIVE", "FINANCING", "FINANCED", "OVERDUE"]);


// pieceAmount is what the core may say of a piece's amount: the amount
// where it opened it, otherwise who knows it.
function pieceAmount(tok, n) {
  if (opened(tok.amount)) return amount(money(tok.amount));
  return h("span", { class: "muted holder-only" }, phrase("core.receivables.holderOnly", { holder: n.party(tok.holder) }));
}

async function receivablesTab(el, ctx) {
  const [tokens, n] = await Promise.all([items("/v1/tokens"), names(ctx)]);
  const pay = (tok) => {
    if (!payable.has(tok.status)) return "";
    const cell = h("div", null);
    cell.append(h("button", { type: "button", class: "small pay", ...rowLabel("core.payRow", { holder: n.of(tok.holder), tier: tok.tier }), onclick: (ev) => {
      ev.target.remove();
      cell.append(reasonForm({ id: `pay-${tok.id}`, op: "payment", label: t("core.pay.reference"), button: t("core.pay.submit"),
        path: `/v1/tokens/${encodeURIComponent(tok.id)}/payment`, after: (v) => phrase("core.pay.done", { status: badge(v.status), holder: n.party(v.holder) }) }));
    } }, t("core.pay")));
    return cell;
  };
  // One card per receivable: its amount (the core opened it at issue) and
  // every piece down the tiers.
  const roots = new Map();
  for (const tok of tokens) {
    if (!roots.has(tok.root)) roots.set(tok.root, []);
    roots.get(tok.root).push(tok);
  }
  const cards = [...roots.entries()].map(([root, pieces]) => {
    pieces.sort((a, b) => a.tier - b.tier || String(a.createdAt).localeCompare(String(b.createdAt)));
    const head = pieces.find((p) => p.id === root);
    const live = pieces.filter((p) => p.status !== "SPLIT");
    const unpaid = live.filter((p) => payable.has(p.status)).length;
    const days = head ? daysUntil(head.maturity) : null;
    return h("div", { class: "card receivable", "data-root": root },
      h("h2", null, phrase("core.receivables.head", { amount: head && opened(head.amount) ? amount(money(head.amount)) : h("span", null, t("core.receivables.amountUnknown")) }), " ",
        notr(shortId(root), "span", { class: "id muted", title: root })),
      h("p", { class: "muted" },
        head ? phrase("core.receivables.summary", { holder: n.party(head.holder), bank: n.party(head.bank), maturity: formatDate(head.maturity), pieces: live.length, unpaid }) : "",
        days === null ? "" : " " + (days >= 0 ? t("core.receivables.daysLeft", { days }) : t("core.receivables.daysOver", { days: -days }))),
      live.length > 1 ? h("p", { class: "muted" }, t("core.receivables.piecesNote")) : null,
      table([
        { title: t("core.col.tier"), num: true, cell: (x) => String(x.tier) },
        { title: t("core.col.holder"), cell: (x) => n.party(x.holder) },
        { title: t("core.col.amount"), num: true, cell: (x) => pieceAmount(x, n) },
        { title: t("core.col.maturity"), cell: (x) => formatDate(x.maturity) },
        { title: t("core.col.status"), cell: (x) => badge(x.status) },
        { title: t("core.col.token"), cell: (x) => notr(shortId(x.id), "span", { class: "id", title: x.id }) },
        { title: t("core.col.actions"), cell: pay },
      ], pieces, { caption: t("core.receivables.pieces"), rowAttrs: (x) => tokenRowAttrs(x) }));
  });
  // The table of every piece keeps its ID for scripts and tests.
  const all = h("div", { id: "receivables-table" }, cards);
  append(el, heading(t("core.receivables.title"), ctx),
    h("p", { class: "muted" }, t("core.receivables.intro")),
    tokens.length ? all : h("p", { id: "receivables-table", class: "muted empty" }, t("core.receivables.empty")));
}

export default {
  tabs: [
    { id: "invoices", labelKey: "core.tab.invoices", render: invoicesTab },
    { id: "issue", labelKey: "core.tab.issue", render: issueTab },
    { id: "lines", labelKey: "core.tab.lines", render: linesTab },
    { id: "receivables", labelKey: "core.tab.receivables", render: receivablesTab },
  ],
};

// A core enterprise's pages: invoices it owes (confirm or reject), issue a
// receivable against confirmed invoices and a bank's credit line, its
// credit lines with what is outstanding, and payment at maturity.

import { post, items } from "../api.js";
import { h, append, table, badge, amount } from "../dom.js";
import { bindForm, field, finish, input, select, showOk } from "../forms.js";
import { money, formatDate, formatTime, toDecimal, shortId, CURRENCY } from "../format.js";
import { barChart } from "../charts.js";
import { heading, tokenColumns, tokenRowAttrs, options, badEnvelopes } from "./common.js";

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
    field("Invoice number in your records", number),
    field("Seller's legal ID in your records", seller),
    inv.hold ? field("Why it is not a duplicate (recorded)", note, `Looks like ${inv.hold.nearDuplicates.map(shortId).join(", ")}`) : "",
    h("button", { type: "submit", class: "small" }, "Confirm invoice"));
  bindForm(form, async (key) => {
    const body = { number: number.value.trim(), seller: seller.value.trim() };
    if (inv.hold) body.review = { decision: "distinct", note: note.value.trim() };
    const v = await post(`/v1/invoices/${inv.id}/confirm`, body, key);
    finish(form);
    box.closest("tr").querySelector(".badge").replaceWith(badge(v.status));
    showOk(form, "Confirmed.");
  });
  return form;
}

// filingCell shows the invoice as its seller filed it (opened from the
// ledger by this gateway), or why it cannot be shown.
function filingCell(inv) {
  const f = inv.filing;
  if (!f) return h("span", { class: "form-error" }, inv.filingProblem || "no filing");
  const doc = f.document ? h("details", { class: "filing-document" }, h("summary", {}, "Document"), h("pre", {}, f.document)) : "";
  return h("div", { class: "filing" },
    h("strong", { class: "filing-number" }, f.number), " · ", f.seller.name, " ",
    h("span", { class: "id", title: "Seller's legal ID" }, f.seller.legalId),
    h("div", { class: "muted" }, `issued ${f.issueDate}, due ${f.dueDate}, document ${f.documentSha256.slice(0, 12)}…`),
    f.amountMatches ? "" : h("div", { class: "form-error" }, "The filed amount is not the committed amount: reject it."),
    inv.hold ? h("div", { class: "hold" }, badge("HELD"), ` near-duplicate of ${inv.hold.nearDuplicates.map(shortId).join(", ")}`) : "",
    doc);
}

async function invoicesTab(el, ctx) {
  const rows = await items("/v1/invoices");
  const actions = (inv) => {
    if (inv.status !== "REGISTERED") return inv.status === "USED" ? h("span", { class: "muted" }, `backs ${shortId(inv.usedBy)}`) : "";
    const box = h("div", { class: "actions" });
    box.append(
      h("button", { type: "button", class: "small confirm", "data-invoice-id": inv.id, onclick: (ev) => {
        ev.target.disabled = true;
        box.append(confirmForm(inv, box));
      } }, "Confirm"),
      h("button", { type: "button", class: "small danger reject", onclick: () => {
        box.append(reasonForm({ id: `reject-${inv.id.slice(0, 12)}`, op: "reject", label: "Why is it rejected?", button: "Reject invoice",
          cls: "danger", path: `/v1/invoices/${inv.id}/reject`, after: (v) => `Rejected (${v.status}).` }));
      } }, "Reject"));
    return box;
  };
  append(el, heading("Invoices you owe", ctx), await badEnvelopes(),
    h("p", { class: "muted" }, "Each invoice as its seller filed it, opened from the ledger. To confirm one, enter its number and the seller's legal ID from your own records: the ledger confirms only if they are the invoice the seller registered."),
    table([
      { title: "Supplier", cell: (i) => i.supplier },
      { title: "As filed", cell: filingCell },
      { title: "Amount", num: true, cell: (i) => amount(money(i.amount)) },
      { title: "Due", cell: (i) => formatDate(i.dueDate) },
      { title: "Registered", cell: (i) => formatTime(i.registeredAt) },
      { title: "Status", cell: (i) => badge(i.status) },
      { title: "ID", cell: (i) => h("span", { class: "id", title: i.id }, shortId(i.id)) },
      { title: "", cell: actions },
    ], rows, { id: "core-invoices-table", empty: "No invoices name you as buyer.", rowAttrs: (i) => ({ "data-invoice-id": i.id, "data-status": i.status, "data-held": i.hold ? "true" : "false" }) }));
}

// localInput renders a Date for <input type=datetime-local> in local time.
function localInput(d) {
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

async function issueTab(el, ctx) {
  const [suppliers, banks, invoices] = await Promise.all([ctx.enterprises("supplier"), ctx.enterprises("bank"), items("/v1/invoices")]);
  const confirmed = invoices.filter((i) => i.status === "CONFIRMED");
  const holder = select({ id: "issue-holder", "data-field": "holder", required: true }, options(suppliers), "Choose a supplier");
  const bank = select({ id: "issue-bank", "data-field": "bank", required: true }, options(banks), "Choose a bank");
  const amountIn = input({ id: "issue-amount", "data-field": "amount", inputmode: "decimal", required: true, placeholder: "1000000.00" });
  const maturity = input({ id: "issue-maturity", "data-field": "maturity", type: "datetime-local", required: true,
    value: localInput(new Date(Date.now() + 90 * 864e5)) });
  let typed = false;
  amountIn.addEventListener("input", () => { typed = amountIn.value.trim() !== ""; });
  const boxes = confirmed.map((inv) => h("label", { class: "invoice-choice" },
    h("input", { type: "checkbox", value: inv.id, class: "issue-invoice" }),
    ` ${inv.supplier} · due ${formatDate(inv.dueDate)} · `, amount(money(inv.amount)), " ",
    h("span", { class: "id muted" }, shortId(inv.id))));
  const total = h("output", { id: "issue-total", class: "muted" });
  const sum = () => {
    let t = 0n;
    for (const b of boxes) {
      const cb = b.querySelector("input");
      const inv = confirmed.find((x) => x.id === cb.value);
      if (cb.checked && inv?.amount) t += BigInt(inv.amount.minor);
    }
    total.textContent = `Invoices chosen: ${money({ decimal: toDecimal(t) })}`;
    if (!typed) amountIn.value = t ? toDecimal(t) : "";
  };
  const invoicesField = h("fieldset", { class: "field", "data-field": "invoices" },
    h("legend", null, "Confirmed invoices behind it"),
    boxes.length ? boxes : h("p", { class: "muted" }, "No confirmed invoices: confirm one first."),
    total, h("span", { class: "field-error", role: "alert", "data-error-for": "invoices" }));
  invoicesField.addEventListener("change", sum);
  const form = h("form", { id: "issue-form", class: "card", "data-op": "issue" },
    h("p", { class: "muted" }, "The receivable is at most the invoices' total and within the bank's available credit line; the ledger checks both from zero-knowledge proofs."),
    h("div", { class: "row" }, field("Supplier (tier 1)", holder), field("Backing bank", bank)),
    invoicesField,
    h("div", { class: "row" }, field(`Amount (${CURRENCY})`, amountIn), field("Maturity", maturity)),
    h("button", { type: "submit", id: "issue-submit" }, "Issue receivable"));
  bindForm(form, async (key) => {
    const chosen = boxes.map((b) => b.querySelector("input")).filter((cb) => cb.checked).map((cb) => cb.value);
    const when = new Date(maturity.value);
    const body = { holder: holder.value, bank: bank.value, invoices: chosen, amount: amountIn.value.trim(),
      maturity: Number.isNaN(when.getTime()) ? "" : when.toISOString().replace(/\.\d+Z$/, "Z") };
    const t = await post("/v1/receivables", body, key);
    finish(form);
    showOk(form, `Issued ${money(t.amount)} to ${t.holder}, backed by ${t.bank}, maturing ${formatTime(t.maturity)}: token `,
      h("span", { class: "id", id: "issued-token" }, t.id));
  });
  append(el, heading("Issue a receivable", ctx), form);
}

async function linesTab(el, ctx) {
  const lines = await items("/v1/credit-lines");
  append(el, heading("Credit lines", ctx),
    barChart({ id: "lines-chart", title: `Outstanding per bank (${CURRENCY})`,
      items: lines.map((l) => ({ label: l.bank, value: l.outstandingAmount?.minor ?? 0,
        text: `${money(l.outstandingAmount)} of ${money(l.limitAmount)}` })) }),
    table([
      { title: "Bank", cell: (l) => l.bank },
      { title: "Limit", num: true, cell: (l) => amount(money(l.limitAmount)) },
      { title: "Outstanding", num: true, cell: (l) => amount(money(l.outstandingAmount)) },
      { title: "Available", num: true, cell: (l) => amount(l.availableAmount ? money(l.availableAmount) : "over the limit") },
      { title: "Receivables issued / settled", num: true, cell: (l) => `${l.issued} / ${l.settled}` },
      { title: "Expiry", cell: (l) => formatDate(l.expiry) },
    ], lines, { id: "lines-table", empty: "No bank has granted you a credit line yet." }));
}

const payable = new Set(["ACTIVE", "FINANCING", "FINANCED", "OVERDUE"]);

async function receivablesTab(el, ctx) {
  const tokens = await items("/v1/tokens");
  const c = tokenColumns;
  const pay = (t) => {
    if (!payable.has(t.status)) return "";
    const cell = h("div", null);
    cell.append(h("button", { type: "button", class: "small pay", onclick: (ev) => {
      ev.target.remove();
      cell.append(reasonForm({ id: `pay-${t.id}`, op: "payment", label: "Payment reference", button: "Declare payment",
        path: `/v1/tokens/${encodeURIComponent(t.id)}/payment`, after: (v) => `Declared: ${v.status}; ${v.holder} confirms receipt.` }));
    } }, "Declare payment"));
    return cell;
  };
  append(el, heading("Receivables you issued", ctx),
    h("p", { class: "muted" }, "Every piece of every receivable you owe, down the tiers. Pay each unpaid piece at maturity; its holder confirms."),
    table([c.id, c.tier, c.holder, c.amount, c.maturity, c.status, c.bank, { title: "", cell: pay }], tokens,
      { id: "receivables-table", empty: "You have issued no receivables yet.", rowAttrs: (t) => tokenRowAttrs(t) }));
}

export default {
  tabs: [
    { id: "invoices", label: "Invoices", render: invoicesTab },
    { id: "issue", label: "Issue", render: issueTab },
    { id: "lines", label: "Credit lines", render: linesTab },
    { id: "receivables", label: "Receivables", render: receivablesTab },
  ],
};

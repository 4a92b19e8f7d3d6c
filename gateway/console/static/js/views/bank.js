// A bank's pages: the inbox of financing requests with the amounts
// disclosed to it (approve or reject), its portfolio with the exposure per
// core enterprise, and the credit lines it grants.

import { get, post, items } from "../api.js";
import { h, append, clear, table, amount } from "../dom.js";
import { bindForm, field, finish, input, select, showOk } from "../forms.js";
import { money, formatDate, formatTime, CURRENCY } from "../format.js";
import { barChart } from "../charts.js";
import { heading, tokenColumns, tokenRowAttrs, options, badEnvelopes } from "./common.js";
import { confirmPaymentForm } from "./supplier.js";

function hex(buf) {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

function approveForm(t) {
  const ref = input({ id: "approve-ref", "data-field": "disbursementRef", required: true, maxlength: 256, placeholder: "NB-2026-0042" });
  const hash = input({ id: "approve-hash", "data-field": "agreementHash", required: true, placeholder: "64 hex digits", size: 66, spellcheck: "false" });
  const file = input({ id: "approve-file", type: "file" });
  file.addEventListener("change", async () => {
    const f = file.files[0];
    if (!f) return;
    if (!crypto.subtle) {
      hash.placeholder = "hashing needs HTTPS here: paste the SHA-256";
      return;
    }
    hash.value = hex(await crypto.subtle.digest("SHA-256", await f.arrayBuffer()));
    hash.dispatchEvent(new Event("input", { bubbles: true }));
  });
  const form = h("form", { id: "approve-form", class: "card inline-form", "data-op": "approve" },
    h("h3", null, `Approve ${money(t.amount)} for ${t.financing?.requester ?? t.holder}`),
    h("div", { class: "row" }, field("Disbursement reference", ref), field("Agreement SHA-256", hash), field("…or hash the agreement file", file)),
    h("button", { type: "submit", id: "approve-submit" }, "Approve and disburse"));
  bindForm(form, async (key) => {
    const v = await post(`/v1/tokens/${encodeURIComponent(t.id)}/financing/approve`,
      { disbursementRef: ref.value.trim(), agreementHash: hash.value.trim().toLowerCase() }, key);
    finish(form);
    showOk(form, `Financed: you now hold ${money(v.amount ?? t.amount)} of ${v.issuer}'s receivable (${v.status}).`);
  });
  return form;
}

function rejectForm(t) {
  const reason = input({ id: "reject-reason", "data-field": "reason", maxlength: 256 });
  const form = h("form", { id: "reject-form", class: "card inline-form", "data-op": "reject-financing" },
    field("Why is it declined?", reason), h("button", { type: "submit", class: "danger" }, "Decline"));
  bindForm(form, async (key) => {
    const v = await post(`/v1/tokens/${encodeURIComponent(t.id)}/financing/reject`, reason.value.trim() ? { reason: reason.value.trim() } : {}, key);
    finish(form);
    showOk(form, `Declined: the token is ${v.status} again with ${v.holder}.`);
  });
  return form;
}

async function inboxTab(el, ctx) {
  const requests = await items("/v1/financing-requests");
  const panel = h("div", { id: "inbox-action" });
  const act = (t, make) => () => {
    el.querySelectorAll("tr[data-token-id]").forEach((tr) => tr.classList.toggle("selected", tr.dataset.tokenId === t.id));
    clear(panel).append(make(t));
    panel.querySelector("input")?.focus();
  };
  const c = tokenColumns;
  append(el, heading("Financing requests", ctx),
    h("p", { class: "muted" }, "Each amount is disclosed to you alone, sealed in an envelope only your wallet opens, and checked against the ledger's commitment."),
    table([
      { title: "Supplier", cell: (t) => t.financing?.requester ?? t.holder },
      c.issuer, c.tier, c.amount, c.maturity,
      { title: "Requested", cell: (t) => formatTime(t.financing?.requestedAt) },
      { title: "", cell: (t) => h("div", { class: "row" },
        h("button", { type: "button", class: "small approve", onclick: act(t, approveForm) }, "Approve"),
        h("button", { type: "button", class: "small danger reject", onclick: act(t, rejectForm) }, "Reject")) },
    ], requests, { id: "inbox-table", empty: "No financing requests are waiting.", rowAttrs: (t) => tokenRowAttrs(t) }),
    panel);
}

async function portfolioTab(el, ctx) {
  const p = await get("/v1/portfolio");
  const c = tokenColumns;
  const settle = (t) => {
    if (t.status !== "PAYING") return "";
    return h("button", { type: "button", class: "small open-confirm-payment", onclick: (ev) => ev.target.replaceWith(confirmPaymentForm(t)) }, "Confirm payment");
  };
  append(el, heading("Portfolio", ctx), await badEnvelopes(),
    h("p", { id: "portfolio-total" }, "Financed and unpaid: ", amount(money(p.total)), ` in ${p.tokens.length} token${p.tokens.length === 1 ? "" : "s"}`),
    barChart({ id: "exposure-chart", title: `Exposure per core enterprise (${CURRENCY})`, empty: "No exposure.",
      items: p.exposure.map((e) => ({ label: e.core, value: e.amount.minor, text: `${money(e.amount)} · ${e.tokens} token${e.tokens === 1 ? "" : "s"}` })) }),
    table([c.id, c.issuer, c.tier, c.amount, c.maturity, c.status, { title: "", cell: settle }], p.tokens,
      { id: "portfolio-table", empty: "You hold no tokens.", rowAttrs: (t) => tokenRowAttrs(t) }));
}

async function linesTab(el, ctx) {
  const cores = await ctx.enterprises("core");
  const lines = (await Promise.all(cores.map((core) =>
    items(`/v1/credit-lines?core=${encodeURIComponent(core.id)}`).catch(() => [])))).flat();
  const core = select({ id: "line-core", "data-field": "core", required: true }, options(cores), "Choose a core enterprise");
  const limit = input({ id: "line-limit", "data-field": "limit", inputmode: "decimal", required: true, placeholder: "5000000.00" });
  const expiry = input({ id: "line-expiry", "data-field": "expiry", type: "date", required: true,
    value: new Date(Date.now() + 365 * 864e5).toISOString().slice(0, 10) });
  const form = h("form", { id: "line-form", class: "card", "data-op": "credit-line" },
    h("h2", null, "Grant or change a credit line"),
    h("div", { class: "row" }, field("Core enterprise", core), field(`Limit (${CURRENCY})`, limit), field("Expiry (UTC)", expiry)),
    h("button", { type: "submit", id: "line-submit" }, "Grant"));
  bindForm(form, async (key) => {
    const v = await post("/v1/credit-lines", { core: core.value, limit: limit.value.trim(),
      expiry: expiry.value ? `${expiry.value}T00:00:00Z` : "" }, key);
    showOk(form, `${v.core}'s line is ${money(v.limitAmount)} until ${formatDate(v.expiry)}.`);
  });
  append(el, heading("Credit lines", ctx),
    table([
      { title: "Core", cell: (l) => l.core },
      { title: "Limit", num: true, cell: (l) => amount(money(l.limitAmount)) },
      { title: "Receivables issued / settled", num: true, cell: (l) => `${l.issued} / ${l.settled}` },
      { title: "Expiry", cell: (l) => formatDate(l.expiry) },
      { title: "Granted", cell: (l) => formatTime(l.grantedAt) },
    ], lines, { id: "bank-lines-table", empty: "You have granted no credit lines." }),
    h("p", { class: "muted" }, "What a core owes against a line stays a commitment to you; the core and the regulator see it opened."),
    form);
}

export default {
  tabs: [
    { id: "inbox", label: "Inbox", render: inboxTab },
    { id: "portfolio", label: "Portfolio", render: portfolioTab },
    { id: "lines", label: "Credit lines", render: linesTab },
  ],
};

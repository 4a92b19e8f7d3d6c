// A bank's pages: the inbox of financing requests with the amounts
// disclosed to it (approve or reject), the requests for quotes it is
// invited to (a quote form that shows the advance its terms imply before
// sending) and resale offers from other banks; its portfolio with each
// piece's advance, yield and seller, the exposure per core enterprise and
// resale offers; and the credit lines it grants.

import { get, post, items } from "../api.js";
import { h, append, clear, table, amount, badge } from "../dom.js";
import { bindForm, field, finish, input, select, showOk } from "../forms.js";
import { money, formatDate, formatTime, formatMinor, shortId, CURRENCY } from "../format.js";
import { formatBp, yieldBp, dayCountYear } from "../terms.js";
import { termsFields, impliedAdvance, showTermsError, termsSummary } from "./financing.js";
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

// quoteForm answers a request for quotes. The face and maturity come from
// GET /v1/rfqs/{id} (the face opened by this bank's wallet from the
// envelope sealed to it); the advance the terms imply is worked out in the
// page as they are typed, by the ledger's rounding rule, and nothing is
// sent until the bank presses Send. The API answers with the advance its
// wallet committed to, which must be the one shown.
async function quoteForm(summary, onDone) {
  const rfq = await get(`/v1/rfqs/${encodeURIComponent(summary.id)}`);
  const face = rfq.face ? BigInt(rfq.face.minor) : null;
  const fields = termsFields("quote");
  const preview = h("output", { id: "quote-preview", class: "preview", "aria-live": "polite" });
  const submit = h("button", { type: "submit", id: "quote-submit" }, "Send the sealed quote");
  const form = h("form", { id: "quote-form", class: "card inline-form", "data-op": "quote", "data-rfq": rfq.id },
    h("h3", null, `Quote to ${rfq.requester} on ${money(rfq.face)}, maturing ${formatDate(rfq.maturity)}`),
    h("p", { class: "muted" }, "Your terms and fee are sealed to the holder, your bank and the regulator; the other banks see nothing of them. The advance is committed on the ledger and proven within face and the channel's cap."),
    fields.el, preview, submit);
  let shown = null;
  const update = () => {
    preview.classList.remove("invalid");
    submit.disabled = false;
    shown = null;
    if (face === null) {
      preview.textContent = "The face could not be opened: your wallet holds no opening for this request.";
      submit.disabled = true;
      return;
    }
    const r = impliedAdvance(fields.read, face, rfq.maturity);
    if (r.error) {
      preview.classList.add("invalid");
      preview.textContent = `No advance: ${r.error.message}`;
      return;
    }
    shown = r.adv.advance;
    preview.textContent = r.text;
  };
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
  bindForm(form, async (key) => {
    // Terms the ledger would refuse are refused here, beside their input,
    // and nothing is sent.
    const r = impliedAdvance(fields.read, face, rfq.maturity);
    if (r.error) { showTermsError(form, r.error); return; }
    const body = fields.read();
    const q = await post(`/v1/rfqs/${encodeURIComponent(rfq.id)}/quotes`, body, key);
    finish(form);
    const same = shown !== null && q.advance && BigInt(q.advance.advance.minor) === shown;
    showOk(form, `Quoted ${money(q.advance?.advance)} to ${rfq.requester} (quote `, h("span", { class: "id", id: "quote-id" }, q.id),
      `, ${q.status}, expires ${formatTime(q.expiry)})${same ? "; the committed advance is the one shown above." : "."}`);
    await onDone?.();
  });
  return form;
}

async function rfqSection(el, panel, ctx) {
  const rfqs = await items("/v1/rfqs");
  const mine = (r) => r.quotes.find((q) => q.bank === ctx.me.enterpriseId && q.status === "OPEN")
    ?? r.quotes.find((q) => q.bank === ctx.me.enterpriseId);
  const withdraw = (q) => {
    const form = h("form", { class: "withdraw-quote-form", "data-op": "withdraw-quote", "data-quote": q.id },
      h("button", { type: "submit", class: "small danger" }, "Withdraw"));
    bindForm(form, async (key) => {
      const v = await post(`/v1/quotes/${encodeURIComponent(q.id)}/withdraw`, undefined, key);
      finish(form);
      showOk(form, `Quote ${v.status}.`);
    });
    return form;
  };
  const action = (r) => {
    const q = mine(r);
    if (q?.status === "OPEN") return withdraw(q);
    if (r.status !== "OPEN") return "";
    return h("button", { type: "button", class: "small quote", onclick: async () => {
      el.querySelectorAll("tr[data-rfq]").forEach((tr) => tr.classList.toggle("selected", tr.dataset.rfq === r.id));
      clear(panel).append(await quoteForm(r));
      panel.querySelector("input")?.focus();
    } }, "Quote");
  };
  append(el, h("h2", null, "Requests for quotes"),
    h("p", { class: "muted" }, "Holders asking several banks at once. You learn the face; you see only your own quote and, after the holder decides, whether it won."),
    table([
      { title: "Holder", cell: (r) => r.requester },
      { title: "Request", cell: (r) => h("span", { class: "id", title: r.id }, shortId(r.id)) },
      { title: "Token", cell: (r) => h("span", { class: "id", title: r.token }, shortId(r.token)) },
      { title: "Expiry", cell: (r) => formatTime(r.expiry) },
      { title: "Request status", cell: (r) => badge(r.status) },
      { title: "Your quote", cell: (r) => (mine(r) ? badge(mine(r).status) : "none yet") },
      { title: "", cell: action },
    ], rfqs, { id: "rfq-table", empty: "No requests for quotes.", rowAttrs: (r) => ({ "data-rfq": r.id, "data-status": r.status }) }));
}

// resaleOffers lists the pieces other banks offer this bank; the price and
// face are opened by its wallet (GET /v1/tokens/{id}/resale). Accept once
// the price is paid, with the payment's reference; or refuse.
async function resaleSection(el, ctx) {
  const offers = await items("/v1/resale-offers");
  const opened = await Promise.all(offers.map((t) => get(`/v1/tokens/${encodeURIComponent(t.id)}/resale`).catch(() => null)));
  const rows = offers.map((t, i) => ({ t, r: opened[i] }));
  const act = ({ t, r }) => {
    const ref = input({ id: `resale-ref-${t.id}`, "data-field": "paymentRef", required: true, maxlength: 256, placeholder: "SWIFT-FORFAIT-1" });
    const form = h("form", { id: `resale-accept-${t.id}`, class: "resale-accept-form", "data-op": "resale-accept" },
      h("div", { class: "row" }, field("Payment reference of the price", ref),
        h("button", { type: "submit", class: "small" }, "Accept: buy")));
    bindForm(form, async (key) => {
      const v = await post(`/v1/tokens/${encodeURIComponent(t.id)}/resale/accept`, { paymentRef: ref.value.trim() }, key);
      finish(form);
      showOk(form, `Bought: you now hold ${money(v.amount ?? r?.face)} of ${v.issuer}'s receivable; ${v.issuer} pays you at maturity.`);
    });
    return form;
  };
  append(el, h("h2", null, "Resale offers to you"),
    table([
      { title: "Seller", cell: ({ t }) => t.holder },
      { title: "Token", cell: ({ t }) => h("span", { class: "id", title: t.id }, shortId(t.id)) },
      { title: "Core", cell: ({ t }) => t.issuer },
      { title: "Face", num: true, cell: ({ r }) => amount(money(r?.face)) },
      { title: "Price", num: true, cell: ({ r }) => amount(money(r?.price)) },
      { title: "Maturity", cell: ({ t }) => formatTime(t.maturity) },
      { title: "", cell: act },
    ], rows, { id: "resale-offers-table", empty: "No bank offers you a piece.", rowAttrs: ({ t }) => ({ "data-token-id": t.id }) }));
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
  const quotePanel = h("div", { id: "rfq-action" });
  await rfqSection(el, quotePanel, ctx);
  el.append(quotePanel);
  await resaleSection(el, ctx);
}

// financingOf opens a held piece's financing for this bank (the terms,
// the advance it paid), or null: a financing without terms has no advance
// on the ledger, and a bought piece's advance was sealed to its first bank.
async function financingOf(t) {
  if (!t.financing?.terms && !t.financing?.quote) return null;
  return get(`/v1/tokens/${encodeURIComponent(t.id)}/financing`).catch(() => null);
}

// yieldText is the simple annualised yield of a piece bought for an
// advance: (face − advance) / advance × basis / days.
function yieldText(f) {
  if (!f) return "—";
  const y = yieldBp(f.advance.advance.minor, f.advance.face.minor, f.advance.days, dayCountYear(f.terms.dayCount));
  return y === null ? "—" : `${formatBp(y)} a year`;
}

function resaleForm(t, ctx, onOffered) {
  const buyer = select({ id: "resale-buyer", "data-field": "buyer", required: true }, [], "Choose a bank");
  ctx.enterprises("bank").then((list) => buyer.append(...options(list, ctx.me.enterpriseId).map((o) => h("option", { value: o.value }, o.label)))).catch(() => {});
  const price = input({ id: "resale-price", "data-field": "price", inputmode: "decimal", required: true, placeholder: "268000.00" });
  const form = h("form", { id: "resale-form", class: "card inline-form", "data-op": "resale", "data-token-id": t.id },
    h("h3", null, `Sell ${money(t.amount)} of ${t.issuer}'s receivable to another bank`),
    h("p", { class: "muted" }, "The price is a commitment that only you, the buyer and the regulator open, proven at most the face."),
    h("div", { class: "row" }, field("Buyer", buyer), field(`Price (${CURRENCY})`, price)),
    h("button", { type: "submit", id: "resale-submit" }, "Offer"));
  bindForm(form, async (key) => {
    const v = await post(`/v1/tokens/${encodeURIComponent(t.id)}/resale`, { buyer: buyer.value, price: price.value.trim() }, key);
    finish(form);
    showOk(form, `Offered to ${v.buyer} for ${money(v.price)} (face ${money(v.face)}); it is theirs once they accept.`);
    onOffered?.(v);
  });
  return form;
}

async function portfolioTab(el, ctx) {
  const p = await get("/v1/portfolio");
  const me = ctx.me.enterpriseId;
  const fin = await Promise.all(p.tokens.map(financingOf));
  const rows = p.tokens.map((t, i) => ({ ...t, opened: fin[i] }));
  const panel = h("div", { id: "portfolio-action" });
  const c = tokenColumns;
  const act = (t) => {
    if (t.status === "PAYING") {
      return h("button", { type: "button", class: "small open-confirm-payment", onclick: (ev) => ev.target.replaceWith(confirmPaymentForm(t)) }, "Confirm payment");
    }
    if (t.status === "FINANCED" && t.holder === me && !t.resale) {
      return h("button", { type: "button", class: "small secondary offer-resale", onclick: () => {
        el.querySelectorAll("tr[data-token-id]").forEach((tr) => tr.classList.toggle("selected", tr.dataset.tokenId === t.id));
        // The offer stays on screen with its outcome; the row says it is offered.
        clear(panel).append(resaleForm(t, ctx, (v) => {
          el.querySelector(`tr[data-token-id="${CSS.escape(t.id)}"] button.offer-resale`)?.replaceWith(`offered to ${v.buyer}`);
        }));
        panel.querySelector("select")?.focus();
      } }, "Offer for resale");
    }
    return t.resale ? `offered to ${t.resale.buyer}` : "";
  };
  const boughtFrom = (t) => [...(t.resales ?? [])].reverse().find((r) => r.buyer === me)?.seller
    ?? (t.financing?.bank === me ? `financed for ${t.financing.requester}` : "");
  append(el, heading("Portfolio", ctx), await badEnvelopes(),
    h("p", { id: "portfolio-total" }, "Financed and unpaid: ", amount(money(p.total)), ` in ${p.tokens.length} token${p.tokens.length === 1 ? "" : "s"}`),
    barChart({ id: "exposure-chart", title: `Exposure per core enterprise (${CURRENCY})`, empty: "No exposure.",
      items: p.exposure.map((e) => ({ label: e.core, value: e.amount.minor, text: `${money(e.amount)} · ${e.tokens} token${e.tokens === 1 ? "" : "s"}` })) }),
    table([c.id, c.issuer, c.tier,
      { title: "Face", num: true, cell: (t) => amount(money(t.amount)) },
      { title: "Advance paid", num: true, cell: (t) => amount(t.opened ? money(t.opened.advance.advance) : "—") },
      { title: "Yield", num: true, cell: (t) => h("span", { class: "yield" }, yieldText(t.opened)) },
      { title: "Terms", cell: (t) => (t.opened ? termsSummary(t.opened.terms) : "—") },
      { title: "From", cell: boughtFrom },
      c.maturity, c.status, { title: "", cell: act }], rows,
    { id: "portfolio-table", empty: "You hold no tokens.", rowAttrs: (t) => tokenRowAttrs(t) }),
    h("p", { class: "muted" }, "Yield: what the core pays at maturity over the advance paid, simple interest per year of the terms' day count."),
    panel);
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

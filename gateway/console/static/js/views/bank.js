// A bank's pages: the inbox of financing requests with what the bank needs
// to decide (the supplier, the invoices under the receivable, the days to
// maturity, the core's line at this bank, the proceeds and yield of the
// terms), approved through a confirmation step; the requests for quotes it
// is invited to and resale offers from other banks; its portfolio (from
// whom each piece came, the disbursement reference, advance and yield,
// exposure per core) and the credit lines it grants. Texts in
// messages/bank.js.

import "../messages/bank.js";
import { t, tn } from "../i18n.js";
import { get, post, items } from "../api.js";
import { h, append, clear, table, amount, badge, notr, facts, rowLabel } from "../dom.js";
import { bindForm, field, finish, input, select, showOk, amountInput, readAmount } from "../forms.js";
import { money, opened, formatDate, formatTime, formatMinor, toDecimal, shortId, daysUntil, ymdInZone, endOfDay, CURRENCY } from "../format.js";
import { formatBp, yieldBp, dayCountYear } from "../terms.js";
import { termsFields, impliedAdvance, showTermsError, termsSummary } from "./financing.js";
import { barChart } from "../charts.js";
import { heading, tokenColumns, tokenRowAttrs, options, badEnvelopes, idCell, maturityCell, partyCell } from "./common.js";
import { confirmPaymentForm } from "./supplier.js";

function hex(buf) {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

const curOf = (m) => m?.currency || CURRENCY;

// supplierName names the requester for a button's label: its name when
// the directory has it, else its ID.
function nameOf(list, id) {
  return (list ?? []).find((e) => e.id === id)?.name || id;
}

// supplierCell names the requester with its legal ID, from the ledger's
// enterprise record at this bank's gateway; an enterprise registered
// before the ledger kept legal IDs says it has none there.
function supplierCell(list, id) {
  const e = (list ?? []).find((x) => x.id === id);
  return h("span", { class: "party supplier" },
    h("span", { class: "party-name", translate: "no" }, e?.name || id), h("br"),
    h("small", { class: "muted" }, notr(id), " · ", t("bank.legalId"), " ",
      e?.legalId ? notr(e.legalId, "span", { class: "legal-id" }) : t("bank.legalIdNone")));
}

// hashLabel names the agreement's hash; the algorithm's name stays as it is.
const hashLabel = () => h("span", null, tn("bank.agreementHash", { algo: notr("SHA-256") }));

// approveForm takes the disbursement's reference and the agreement's hash,
// then asks for confirmation (what is paid, to whom, against what) before
// anything is sent.
function approveForm(tok, dec) {
  const ref = input({ id: "approve-ref", "data-field": "disbursementRef", required: true, maxlength: 256, placeholder: "NB-2026-0042", translate: "no" });
  const hash = input({ id: "approve-hash", "data-field": "agreementHash", required: true, placeholder: t("bank.hashPlaceholder"), size: 66, spellcheck: "false" });
  const file = input({ id: "approve-file", type: "file" });
  file.addEventListener("change", async () => {
    const f = file.files[0];
    if (!f) return;
    if (!crypto.subtle) {
      hash.placeholder = t("bank.hashNeedsHttps");
      return;
    }
    hash.value = hex(await crypto.subtle.digest("SHA-256", await f.arrayBuffer()));
    hash.dispatchEvent(new Event("input", { bubbles: true }));
  });
  const requester = tok.financing?.requester ?? tok.holder;
  const confirmBox = h("div", { id: "approve-confirm-box", class: "card confirm", hidden: true, role: "alertdialog", "aria-labelledby": "approve-confirm-title" });
  const next = h("button", { type: "button", id: "approve-submit" }, t("bank.approveAndDisburse"));
  const form = h("form", { id: "approve-form", class: "card inline-form", "data-op": "approve" },
    h("h2", null, tn("bank.approveTitle", { amount: amount(money(tok.amount)), supplier: notr(dec?.supplierName ?? requester) })),
    h("div", { class: "row" }, field(t("bank.disbursementRef"), ref), field(hashLabel(), hash), field(t("bank.hashFile"), file)),
    next, confirmBox);
  let confirmed = false;
  const ask = () => {
    if (!ref.value.trim() || !/^[0-9a-fA-F]{64}$/.test(hash.value.trim())) {
      // The API's own checks show beside the fields.
      confirmed = true;
      form.requestSubmit();
      return;
    }
    const adv = dec?.financing?.advance?.advance;
    clear(confirmBox).append(
      h("h4", { id: "approve-confirm-title" }, t("bank.confirmTitle")),
      h("p", null, tn(adv ? "bank.confirmTextAdvance" : "bank.confirmText", { advance: adv ? amount(money(adv)) : "", supplier: notr(dec?.supplierName ?? requester),
        face: amount(money(tok.amount)), core: notr(tok.issuer), maturity: formatDate(tok.maturity) })),
      facts([[t("bank.disbursementRef"), notr(ref.value.trim(), "code")], [hashLabel(), notr(shortId(hash.value.trim()), "code")]]),
      h("div", { class: "row" },
        h("button", { type: "submit", id: "approve-confirm" }, t("bank.confirmApprove")),
        h("button", { type: "button", class: "secondary", id: "approve-cancel", onclick: () => { confirmBox.hidden = true; next.hidden = false; next.focus(); } }, t("common.cancel"))));
    confirmBox.hidden = false;
    next.hidden = true;
    confirmBox.querySelector("#approve-confirm").focus();
  };
  next.addEventListener("click", ask);
  form.addEventListener("input", () => { confirmBox.hidden = true; next.hidden = false; });
  bindForm(form, async (key) => {
    if (confirmBox.hidden && !confirmed) { ask(); return; }
    confirmed = false;
    const v = await post(`/v1/tokens/${encodeURIComponent(tok.id)}/financing/approve`,
      { disbursementRef: ref.value.trim(), agreementHash: hash.value.trim().toLowerCase() }, key);
    finish(form);
    confirmBox.hidden = true;
    showOk(form, tn("bank.financed", { amount: amount(money(opened(v.amount) ?? tok.amount)), core: notr(v.issuer), status: t(`state.${v.status}`) }));
  });
  return form;
}

function rejectForm(tok) {
  const reason = input({ id: "reject-reason", "data-field": "reason", maxlength: 256 });
  const form = h("form", { id: "reject-form", class: "card inline-form", "data-op": "reject-financing" },
    field(t("bank.rejectWhy"), reason), h("button", { type: "submit", class: "danger" }, t("bank.decline")));
  bindForm(form, async (key) => {
    const v = await post(`/v1/tokens/${encodeURIComponent(tok.id)}/financing/reject`, reason.value.trim() ? { reason: reason.value.trim() } : {}, key);
    finish(form);
    showOk(form, tn("bank.declined", { status: t(`state.${v.status}`), holder: notr(v.holder) }));
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
  const face = rfq.face?.minor !== undefined ? BigInt(rfq.face.minor) : null;
  const cur = curOf(rfq.face);
  const fields = termsFields("quote", {}, cur);
  const preview = h("output", { id: "quote-preview", class: "preview", "aria-live": "polite" });
  const submit = h("button", { type: "submit", id: "quote-submit" }, t("bank.sendQuote"));
  const form = h("form", { id: "quote-form", class: "card inline-form", "data-op": "quote", "data-rfq": rfq.id },
    h("h3", null, tn("bank.quoteTitle", { requester: notr(rfq.requester), face: amount(money(rfq.face)), maturity: formatDate(rfq.maturity) })),
    h("p", { class: "muted" }, t("bank.quoteHelp")),
    h("div", { id: "quote-refs", class: "invoice-refs" }, h("h4", null, t("bank.invoiceNumbers")), refsList(rfq.invoiceRefs)),
    fields.el, preview, submit);
  let shown = null;
  const update = () => {
    preview.classList.remove("invalid");
    submit.disabled = false;
    shown = null;
    if (face === null) {
      preview.textContent = t("bank.faceNotOpened");
      submit.disabled = true;
      return;
    }
    const r = impliedAdvance(fields.read, face, rfq.maturity, cur);
    if (r.error) {
      preview.classList.add("invalid");
      preview.textContent = t("bank.noAdvance", { error: r.error.message });
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
    const r = impliedAdvance(fields.read, face, rfq.maturity, cur);
    if (r.error) { showTermsError(form, r.error); return; }
    const body = fields.read();
    const q = await post(`/v1/rfqs/${encodeURIComponent(rfq.id)}/quotes`, body, key);
    finish(form);
    const same = shown !== null && q.advance && BigInt(q.advance.advance.minor) === shown;
    showOk(form, tn("bank.quoted", { advance: amount(money(q.advance?.advance)), requester: notr(rfq.requester) }), " ", h("span", { class: "id", id: "quote-id", translate: "no" }, q.id),
      t("bank.quotedTail", { status: t(`state.${q.status}`), expiry: formatTime(q.expiry) }), t(same ? "bank.quotedSame" : "bank.quotedEnd"));
    await onDone?.();
  });
  return form;
}

async function rfqSection(el, panel, ctx, suppliers) {
  const rfqs = await items("/v1/rfqs");
  const mine = (r) => r.quotes.find((q) => q.bank === ctx.me.enterpriseId && q.status === "OPEN")
    ?? r.quotes.find((q) => q.bank === ctx.me.enterpriseId);
  const withdraw = (r, q) => {
    const form = h("form", { class: "withdraw-quote-form", "data-op": "withdraw-quote", "data-quote": q.id },
      h("button", { type: "submit", class: "small danger", ...rowLabel("bank.withdrawRow", { name: nameOf(suppliers, r.requester) }) }, t("bank.withdraw")));
    bindForm(form, async (key) => {
      const v = await post(`/v1/quotes/${encodeURIComponent(q.id)}/withdraw`, undefined, key);
      finish(form);
      showOk(form, t("bank.quoteStatus", { status: t(`state.${v.status}`) }));
    });
    return form;
  };
  const action = (r) => {
    const q = mine(r);
    if (q?.status === "OPEN") return withdraw(r, q);
    if (r.status !== "OPEN") return "";
    return h("button", { type: "button", class: "small quote", ...rowLabel("bank.quoteRow", { name: nameOf(suppliers, r.requester) }), onclick: async () => {
      el.querySelectorAll("tr[data-rfq]").forEach((tr) => tr.classList.toggle("selected", tr.dataset.rfq === r.id));
      clear(panel).append(await quoteForm(r));
      panel.querySelector("input")?.focus();
    } }, t("bank.quote"));
  };
  append(el, h("h2", null, t("bank.rfqsTitle")),
    h("p", { class: "muted" }, t("bank.rfqsHelp")),
    table([
      { title: t("bank.col.holder"), cell: (r) => partyCell(suppliers, r.requester) },
      { title: t("bank.col.request"), cell: (r) => idCell(r.id) },
      { title: t("common.col.token"), cell: (r) => idCell(r.token) },
      { title: t("bank.col.expiry"), cell: (r) => formatTime(r.expiry) },
      { title: t("bank.col.requestStatus"), cell: (r) => badge(r.status) },
      { title: t("bank.col.yourQuote"), cell: (r) => (mine(r) ? badge(mine(r).status) : t("bank.noneYet")) },
      { title: t("common.actions"), cell: action },
    ], rfqs, { id: "rfq-table", caption: t("bank.rfqsTitle"), empty: t("bank.noRfqs"), rowAttrs: (r) => ({ "data-rfq": r.id, "data-status": r.status }) }));
}

// resaleOffers lists the pieces other banks offer this bank; the price and
// face are opened by its wallet (GET /v1/tokens/{id}/resale). Accept once
// the price is paid, with the payment's reference; or refuse.
async function resaleSection(el, ctx) {
  const offers = await items("/v1/resale-offers");
  const cores = await ctx.enterprises("core").catch(() => []);
  const faces = await Promise.all(offers.map((x) => get(`/v1/tokens/${encodeURIComponent(x.id)}/resale`).catch(() => null)));
  const rows = offers.map((x, i) => ({ tok: x, r: faces[i] }));
  const act = ({ tok, r }) => {
    const ref = input({ id: `resale-ref-${tok.id}`, "data-field": "paymentRef", required: true, maxlength: 256, placeholder: "SWIFT-FORFAIT-1", translate: "no" });
    const form = h("form", { id: `resale-accept-${tok.id}`, class: "resale-accept-form", "data-op": "resale-accept" },
      h("div", { class: "row" }, field(t("bank.pricePaymentRef"), ref),
        h("button", { type: "submit", class: "small", ...rowLabel("bank.buyRow", { seller: tok.holder, id: shortId(tok.id) }) }, t("bank.acceptBuy"))));
    bindForm(form, async (key) => {
      const v = await post(`/v1/tokens/${encodeURIComponent(tok.id)}/resale/accept`, { paymentRef: ref.value.trim() }, key);
      finish(form);
      showOk(form, tn("bank.bought", { amount: amount(money(opened(v.amount) ?? r?.face)), core: notr(v.issuer) }));
    });
    return form;
  };
  append(el, h("h2", null, t("bank.resaleTitle")),
    table([
      { title: t("bank.col.seller"), cell: ({ tok }) => notr(tok.holder) },
      { title: t("common.col.token"), cell: ({ tok }) => idCell(tok.id) },
      { title: t("common.col.core"), cell: ({ tok }) => partyCell(cores, tok.issuer) },
      { title: t("bank.col.invoices"), cell: ({ r }) => refsList(r?.invoiceRefs) },
      { title: t("financing.face"), num: true, cell: ({ r }) => amount(money(r?.face)) },
      { title: t("bank.col.price"), num: true, cell: ({ r }) => amount(money(r?.price)) },
      { title: t("common.col.maturity"), cell: ({ tok }) => maturityCell(tok.maturity) },
      { title: t("common.actions"), cell: act },
    ], rows, { id: "resale-offers-table", caption: t("bank.resaleTitle"), empty: t("bank.noResale"), rowAttrs: ({ tok }) => ({ "data-token-id": tok.id }) }));
}

// decisionOf gathers what the bank can see about a financing request: the
// supplier in the directory, the invoices under the receivable (their
// ledger records: seller, buyer, due date, registered; the number as the
// request disclosed it, checked by the API), the financing's terms and what they pay, and
// the core's line at this bank. Each part missing stays missing: a read
// the API refuses is shown as not disclosed, never guessed.
async function decisionOf(tok, ctx, cache) {
  const suppliers = await ctx.enterprises("supplier").catch(() => []);
  const cores = await ctx.enterprises("core").catch(() => []);
  const rootOf = async (id) => {
    if (!cache.has(`root:${id}`)) cache.set(`root:${id}`, get(`/v1/tokens/${encodeURIComponent(id)}`).catch(() => null));
    return cache.get(`root:${id}`);
  };
  const invoiceOf = (id) => {
    if (!cache.has(`inv:${id}`)) cache.set(`inv:${id}`, get(`/v1/invoices/${encodeURIComponent(id)}`).catch(() => null));
    return cache.get(`inv:${id}`);
  };
  const lineOf = (core, currency) => {
    const key = `line:${core}:${currency ?? ""}`;
    const q = `core=${encodeURIComponent(core)}` + (currency ? `&currency=${encodeURIComponent(currency)}` : "");
    if (!cache.has(key)) cache.set(key, items(`/v1/credit-lines?${q}`).then((l) => l[0] ?? null).catch(() => null));
    return cache.get(key);
  };
  const root = tok.root && tok.root !== tok.id ? await rootOf(tok.root) : tok;
  const refs = new Map((tok.invoiceRefs ?? []).map((r) => [r.invoice, r]));
  const invoices = await Promise.all((root?.invoices ?? []).map(async (id) => ({ id, inv: await invoiceOf(id), ref: refs.get(id) })));
  const financing = tok.financing?.terms || tok.financing?.quote
    ? await get(`/v1/tokens/${encodeURIComponent(tok.id)}/financing`).catch(() => null) : null;
  const line = await lineOf(tok.issuer, tok.currency);
  const requester = tok.financing?.requester ?? tok.holder;
  return { suppliers, cores, invoices, financing, line, supplierName: nameOf(suppliers, requester) };
}

// refNumber is an invoice's number as the request's holder disclosed it
// to this bank, with the API's check against the ledger (the number's
// OPRF fingerprint against the invoice ID and its aliases): verified,
// does not match (a lying holder), cannot be checked (the ledger lacks the
// key: a party without a legal ID, an invoice fingerprinted under v1), or
// not checked just now; "not disclosed" for a legacy piece or references
// that do not open.
function refNumber(ref) {
  if (!ref?.number) return h("span", { class: "muted ref-status", "data-ref-status": "not-disclosed" }, t("bank.numberNotDisclosed"));
  const status = ["verified", "mismatch", "unverifiable"].includes(ref.status) ? ref.status : "unchecked";
  return h("span", { class: "ref-number" }, notr(ref.number, "strong"), " ",
    h("small", { class: `ref-status ref-${status}`, "data-ref-status": status }, t(`bank.ref.${status}`)));
}

// refsList lists the invoice numbers a request for quotes or a resale
// offer discloses to this bank (invoiceRefs from the API), each with its
// check against the ledger, so the bank sees them before it quotes or buys.
function refsList(refs) {
  if (!refs?.some((r) => r.number)) return h("span", { class: "muted", "data-ref-status": "none" }, t("bank.noNumbers"));
  return h("ul", { class: "invoices" }, refs.map((ref) => h("li", { "data-invoice": ref.invoice },
    refNumber(ref), " ", h("small", { class: "muted" }, idCell(ref.invoice)))));
}

function invoicesList(dec) {
  if (!dec.invoices.length) return h("span", { class: "muted" }, t("bank.noInvoices"));
  return h("ul", { class: "invoices" }, dec.invoices.map(({ id, inv, ref }) => h("li", { "data-invoice": id },
    refNumber(ref), " ",
    h("small", { class: "muted" }, idCell(id)),
    inv ? h("div", null,
      t("bank.invoiceSeller"), " ", partyCell(dec.suppliers, inv.supplier), " ",
      t("bank.invoiceBuyer"), " ", partyCell(dec.cores, inv.buyer), " · ",
      t("bank.invoiceDates", { registered: formatDate(inv.registeredAt), due: formatDate(inv.dueDate) })) : h("div", { class: "muted" }, t("bank.invoiceHidden")))));
}

// lineUse is a line's used and left as this bank opens them (the roots
// issued against it carry their face sealed to the bank), or null when
// its wallet opened none. Partial: some unsettled root stays sealed.
function lineUse(line) {
  if (!line?.used || !line?.left) return null;
  return { used: line.used, left: line.left, partial: !!line.partial, sealed: line.sealedRoots ?? 0 };
}

function lineFacts(line) {
  if (!line) return h("span", { class: "muted" }, t("bank.noLine"));
  const use = lineUse(line);
  return h("span", { class: "line" },
    t("bank.lineLimit"), " ", amount(money(line.limitAmount)),
    use ? [" · ", t("bank.lineUsed"), " ", amount(money(use.used)), " · ", t("bank.lineLeft"), " ", amount(money(use.left))] : null,
    h("br"), h("small", { class: "muted" }, t("bank.lineCounts", { issued: line.issued, settled: line.settled, expiry: formatDate(line.expiry) })),
    use?.partial ? [h("br"), h("small", { class: "muted line-partial" }, tn("bank.linePartial", { n: use.sealed }))] : null,
    !use ? [h("br"), h("small", { class: "muted" }, t("bank.lineUsedSealed"))] : null);
}

// useCell is a line's used (or left) amount for the lines table, marked
// partial when some root stays sealed.
function useCell(line, which) {
  const use = lineUse(line);
  if (!use) return h("span", { class: "muted" }, t("common.sealed"));
  return [amount(money(use[which])), use.partial ? h("small", { class: "muted line-partial", title: t("bank.linePartial", { n: use.sealed }) }, " ", t("bank.partial")) : null];
}

function proceedsFacts(tok, dec) {
  const f = dec.financing;
  if (!f) return h("span", { class: "muted" }, t("bank.noTerms"));
  const y = yieldBp(f.advance.advance.minor, f.advance.face.minor, f.advance.days, dayCountYear(f.terms.dayCount));
  return h("span", { class: "proceeds" },
    t("financing.proceeds"), " ", amount(money(f.advance.advance)),
    " · ", t("bank.yield"), " ", h("span", { class: "yield", translate: "no" }, y === null ? "—" : formatBp(y)), " ", t("bank.perYear"),
    h("br"), h("small", { class: "muted" }, termsSummary(f.terms)));
}

async function inboxTab(el, ctx) {
  const requests = await items("/v1/financing-requests");
  const cache = new Map();
  const decisions = await Promise.all(requests.map((x) => decisionOf(x, ctx, cache)));
  const suppliers = await ctx.enterprises("supplier").catch(() => []);
  const rows = requests.map((x, i) => ({ ...x, dec: decisions[i] }));
  const panel = h("div", { id: "inbox-action" });
  const act = (tok, make) => () => {
    el.querySelectorAll("tr[data-token-id]").forEach((tr) => tr.classList.toggle("selected", tr.dataset.tokenId === tok.id));
    clear(panel).append(make(tok, tok.dec));
    panel.querySelector("input")?.focus();
  };
  const c = tokenColumns;
  append(el, heading(t("bank.inboxTitle"), ctx),
    h("p", { class: "muted" }, t("bank.inboxHelp")),
    table([
      { title: t("bank.col.supplier"), cell: (x) => supplierCell(suppliers, x.financing?.requester ?? x.holder) },
      { title: t("bank.col.invoices"), cell: (x) => invoicesList(x.dec) },
      { title: t("common.col.core"), cell: (x) => partyCell(x.dec.cores, x.issuer) },
      c.tier, c.amount, c.maturity,
      { title: t("bank.col.line"), cell: (x) => lineFacts(x.dec.line) },
      { title: t("bank.col.proceeds"), cell: (x) => proceedsFacts(x, x.dec) },
      { title: t("bank.col.requested"), cell: (x) => formatTime(x.financing?.requestedAt) },
      { title: t("common.actions"), cell: (x) => h("div", { class: "row" },
        h("button", { type: "button", class: "small approve", ...rowLabel("bank.approveRow", { name: x.dec.supplierName }), onclick: act(x, approveForm) }, t("bank.approve")),
        h("button", { type: "button", class: "small danger reject", ...rowLabel("bank.rejectRow", { name: x.dec.supplierName }), onclick: act(x, rejectForm) }, t("bank.reject"))) },
    ], rows, { id: "inbox-table", caption: t("bank.inboxTitle"), empty: t("bank.noRequests"), rowAttrs: (x) => tokenRowAttrs(x) }),
    panel);
  const quotePanel = h("div", { id: "rfq-action" });
  await rfqSection(el, quotePanel, ctx, suppliers);
  el.append(quotePanel);
  await resaleSection(el, ctx);
}

// financingOf opens a held piece's financing for this bank (the terms,
// the advance it paid), or null: a financing without terms has no advance
// on the ledger, and a bought piece's advance was sealed to its first bank.
async function financingOf(tok) {
  if (!tok.financing?.terms && !tok.financing?.quote) return null;
  return get(`/v1/tokens/${encodeURIComponent(tok.id)}/financing`).catch(() => null);
}

// yieldText is the simple annualised yield of a piece bought for an
// advance: (face − advance) / advance × basis / days.
function yieldText(f) {
  if (!f) return "—";
  const y = yieldBp(f.advance.advance.minor, f.advance.face.minor, f.advance.days, dayCountYear(f.terms.dayCount));
  return y === null ? "—" : t("bank.yieldAYear", { rate: formatBp(y) });
}

function resaleForm(tok, ctx, onOffered) {
  const cur = curOf(tok.amount);
  const buyer = select({ id: "resale-buyer", "data-field": "buyer", required: true }, [], t("bank.chooseBank"));
  ctx.enterprises("bank").then((list) => buyer.append(...options(list, ctx.me.enterpriseId).map((o) => h("option", { value: o.value, translate: "no" }, o.label)))).catch(() => {});
  const price = amountInput({ id: "resale-price", "data-field": "price", required: true }, cur);
  const form = h("form", { id: "resale-form", class: "card inline-form", "data-op": "resale", "data-token-id": tok.id },
    h("h3", null, tn("bank.resaleFormTitle", { amount: amount(money(tok.amount)), core: notr(tok.issuer) })),
    h("p", { class: "muted" }, t("bank.resaleFormHelp")),
    h("div", { class: "row" }, field(t("bank.buyer"), buyer), field(t("bank.priceIn", { currency: cur }), price)),
    h("button", { type: "submit", id: "resale-submit" }, t("bank.offer")));
  bindForm(form, async (key) => {
    const minor = readAmount(price, cur);
    const v = await post(`/v1/tokens/${encodeURIComponent(tok.id)}/resale`, { buyer: buyer.value, price: toDecimal(minor, cur) }, key);
    finish(form);
    showOk(form, tn("bank.offered", { buyer: notr(v.buyer), price: amount(money(v.price)), face: amount(money(v.face)) }));
    onOffered?.(v);
  });
  return form;
}

// cameFrom says from whom the bank got a piece: the bank that sold it on
// (a resale), or the supplier it financed; with the reference of the
// money the bank paid (the disbursement, or the resale's payment).
function cameFrom(tok, me, suppliers) {
  const bought = [...(tok.resales ?? [])].reverse().find((r) => r.buyer === me);
  if (bought) {
    return h("span", { class: "came-from" }, t("bank.boughtFrom"), " ", notr(bought.seller),
      bought.paymentRef ? [h("br"), h("small", { class: "muted" }, t("bank.paymentRef"), " ", notr(bought.paymentRef, "code"))] : null);
  }
  if (tok.financing?.bank === me) {
    return h("span", { class: "came-from" }, t("bank.financedFor"), " ", partyCell(suppliers, tok.financing.requester),
      tok.financing.disbursementRef ? [h("br"), h("small", { class: "muted" }, t("bank.disbursementRef"), " ", notr(tok.financing.disbursementRef, "code"))] : null);
  }
  return "";
}

// untranslatedChart marks a chart's drawing (enterprise IDs, amounts) as
// not to translate; its caption stays translatable.
function untranslatedChart(fig) {
  fig?.querySelector?.("svg")?.setAttribute("translate", "no");
  return fig;
}

async function portfolioTab(el, ctx) {
  const p = await get("/v1/portfolio");
  const me = ctx.me.enterpriseId;
  const suppliers = await ctx.enterprises("supplier").catch(() => []);
  const cores = await ctx.enterprises("core").catch(() => []);
  const fin = await Promise.all(p.tokens.map(financingOf));
  const rows = p.tokens.map((x, i) => ({ ...x, opened: fin[i] }));
  const panel = h("div", { id: "portfolio-action" });
  const c = tokenColumns;
  const act = (tok) => {
    if (tok.status === "PAYING") {
      return h("button", { type: "button", class: "small open-confirm-payment", ...rowLabel("bank.confirmPaymentRow", { id: shortId(tok.id) }), onclick: (ev) => ev.target.replaceWith(confirmPaymentForm(tok)) }, t("bank.confirmPayment"));
    }
    if (tok.status === "FINANCED" && tok.holder === me && !tok.resale) {
      return h("button", { type: "button", class: "small secondary offer-resale", ...rowLabel("bank.offerResaleRow", { id: shortId(tok.id), core: tok.issuer }), onclick: () => {
        el.querySelectorAll("tr[data-token-id]").forEach((tr) => tr.classList.toggle("selected", tr.dataset.tokenId === tok.id));
        // The offer stays on screen with its outcome; the row says it is offered.
        clear(panel).append(resaleForm(tok, ctx, (v) => {
          el.querySelector(`tr[data-token-id="${CSS.escape(tok.id)}"] button.offer-resale`)?.replaceWith(t("bank.offeredTo", { buyer: v.buyer }));
        }));
        panel.querySelector("select")?.focus();
      } }, t("bank.offerResale"));
    }
    return tok.resale ? t("bank.offeredTo", { buyer: tok.resale.buyer }) : "";
  };
  // Totals per currency (A2's "totals"), or the one total of before.
  const totals = p.totals ?? (p.total ? [p.total] : []);
  const count = p.tokens.length;
  append(el, heading(t("bank.portfolioTitle"), ctx), await badEnvelopes(),
    h("p", { id: "portfolio-total" }, t("bank.financedUnpaid"), " ",
      totals.length ? totals.map((m, i) => [i ? " + " : "", amount(money(m.amount ?? m))]) : amount(money(undefined)), " ",
      t(count === 1 ? "bank.inTokens1" : "bank.inTokens", { n: count })),
    untranslatedChart(barChart({ id: "exposure-chart", title: t("bank.exposureTitle"), empty: t("bank.noExposure"),
      items: p.exposure.map((e) => ({ label: e.core, value: e.amount.minor, text: `${money(e.amount)} · ${t(e.tokens === 1 ? "bank.tokens1" : "bank.tokens", { n: e.tokens })}` })) })),
    table([c.id, { title: t("common.col.core"), cell: (x) => partyCell(cores, x.issuer) }, c.tier,
      { title: t("financing.face"), num: true, cell: (x) => amount(money(x.amount)) },
      { title: t("bank.col.advancePaid"), num: true, cell: (x) => amount(x.opened ? money(x.opened.advance.advance) : "—") },
      { title: t("bank.yield"), num: true, cell: (x) => h("span", { class: "yield" }, yieldText(x.opened)) },
      { title: t("financing.terms"), cell: (x) => (x.opened ? termsSummary(x.opened.terms) : "—") },
      { title: t("bank.col.from"), cell: (x) => cameFrom(x, me, suppliers) },
      c.maturity, c.status, { title: t("common.actions"), cell: act }], rows,
    { id: "portfolio-table", caption: t("bank.portfolioTitle"), empty: t("bank.noTokens"), rowAttrs: (x) => tokenRowAttrs(x) }),
    h("p", { class: "muted" }, t("bank.yieldHelp")),
    panel);
}

async function linesTab(el, ctx) {
  const cores = await ctx.enterprises("core");
  const lines = (await Promise.all(cores.map((core) =>
    items(`/v1/credit-lines?core=${encodeURIComponent(core.id)}`).catch(() => [])))).flat();
  const core = select({ id: "line-core", "data-field": "core", required: true }, options(cores), t("bank.chooseCore"));
  for (const o of core.querySelectorAll("option[value]:not([value=''])")) o.setAttribute("translate", "no");
  const currency = input({ id: "line-currency", "data-field": "currency", required: true, value: "CNY", maxlength: 3, size: 4, translate: "no", autocapitalize: "characters", pattern: "[A-Za-z]{3}" });
  const limit = amountInput({ id: "line-limit", "data-field": "limit", required: true }, "CNY");
  const expiry = input({ id: "line-expiry", "data-field": "expiry", type: "date", required: true,
    value: ymdInZone(new Date(Date.now() + 365 * 864e5).toISOString()) });
  const form = h("form", { id: "line-form", class: "card", "data-op": "credit-line" },
    h("h2", null, t("bank.lineFormTitle")),
    h("div", { class: "row" }, field(t("bank.coreEnterprise"), core), field(t("bank.currency"), currency), field(t("bank.limit"), limit), field(t("bank.lineExpiry"), expiry)),
    h("button", { type: "submit", id: "line-submit" }, t("bank.grant")));
  bindForm(form, async (key) => {
    const cur = currency.value.trim().toUpperCase();
    const minor = readAmount(limit, cur);
    const body = { core: core.value, currency: cur, limit: toDecimal(minor, cur), expiry: endOfDay(expiry.value) ?? "" };
    const v = await post("/v1/credit-lines", body, key);
    showOk(form, tn("bank.lineGranted", { core: notr(v.core), limit: amount(money(v.limitAmount)), expiry: formatDate(v.expiry) }));
  });
  append(el, heading(t("bank.linesTitle"), ctx),
    table([
      { title: t("common.col.core"), cell: (l) => partyCell(cores, l.core) },
      { title: t("bank.currency"), cell: (l) => notr(l.currency || l.limitAmount?.currency || CURRENCY) },
      { title: t("bank.limit"), num: true, cell: (l) => amount(money(l.limitAmount)) },
      { title: t("bank.lineUsed"), num: true, cell: (l) => useCell(l, "used") },
      { title: t("bank.lineLeft"), num: true, cell: (l) => useCell(l, "left") },
      { title: t("bank.col.issuedSettled"), num: true, cell: (l) => `${l.issued} / ${l.settled}` },
      { title: t("bank.lineExpiry"), cell: (l) => formatDate(l.expiry) },
      { title: t("bank.col.granted"), cell: (l) => formatTime(l.grantedAt) },
    ], lines, { id: "bank-lines-table", caption: t("bank.linesTitle"), empty: t("bank.noLines") }),
    h("p", { class: "muted" }, t("bank.linesHelp")),
    form);
}

export default {
  tabs: [
    { id: "inbox", labelKey: "bank.tab.inbox", render: inboxTab },
    { id: "portfolio", labelKey: "bank.tab.portfolio", render: portfolioTab },
    { id: "lines", labelKey: "bank.tab.lines", render: linesTab },
  ],
};

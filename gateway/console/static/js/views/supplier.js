// A supplier's pages: upload invoices, and the tokens it holds - accept,
// split or transfer with the change shown as it is typed, ask a bank to
// finance (the whole token or a piece, under terms whose advance, fee and
// proceeds are shown as they are typed, before asking), ask several banks
// for quotes at once and compare them side by side, confirm a payment.
// Every party is named, not shown by its enterprise ID. The open token's
// controls follow its state on the ledger (GET /v1/events) without a
// reload: no Accept on a spent token, Withdraw as soon as a request is on
// the ledger.

import { call, get, post, items } from "../api.js";
import { h, append, clear, table, badge, amount, facts, notr, rowLabel } from "../dom.js";
import { bindForm, field, finish, input, select, showOk } from "../forms.js";
import { money, opened, formatDate, formatDateTime, formatMinor, parseAmount, toDecimal, shortId, daysUntil } from "../format.js";
import { t } from "../i18n.js";
import { names } from "../names.js";
import { phrase } from "../phrase.js";
import { follow, tokensIn } from "../live.js";
import { heading, tokenRowAttrs, badEnvelopes } from "./common.js";
import { termsFields, showTermsError, advanceFacts, termsSummary, inAnHour, utcSeconds, impliedAdvance } from "./financing.js";
import { TermsError, formatBp, yieldBp } from "../terms.js";
import "../messages/supplier.js";

const MAX_OUTPUTS = 6; // one more is the change (the ledger's 7)

// A token is spent once it is split, paid out or handed to a bank: its
// holder can no longer accept, split or finance it.
const SPENT = new Set(["SPLIT", "SETTLED", "FINANCED", "DEFAULTED", "RECOURSE"]);

const currencyOf = (m) => m?.currency ?? "";
const when = (iso) => notr(formatDateTime(iso), "span", { class: "when" });

// documentType says how the API should read a dropped file, by its type
// or name: TierChain's JSON invoice, UBL XML, or the PDF beside it.
function documentType(file) {
  const name = file.name.toLowerCase();
  if (file.type === "application/pdf" || name.endsWith(".pdf")) return "pdf";
  if (file.type.includes("json") || name.endsWith(".json")) return "application/json";
  if (file.type.includes("xml") || name.endsWith(".xml")) return "application/xml";
  return "";
}

function uploadForm(ctx, n, onDone) {
  const chosen = { document: null, pdf: null };
  const files = h("div", { class: "files", id: "upload-files", translate: "no" });
  const docInput = input({ type: "file", id: "upload-document", accept: ".json,.xml,application/json,application/xml,text/xml" });
  const pdfInput = input({ type: "file", id: "upload-pdf", accept: ".pdf,application/pdf" });
  const zone = h("div", { class: "dropzone", id: "dropzone", "data-field": "document", tabindex: "0" },
    h("div", null, ...phrase("supplier.upload.drop", { formats: "JSON / UBL XML", pdf: "PDF" })),
    files);
  const buyer = input({ id: "upload-buyer", "data-field": "buyer", placeholder: t("supplier.upload.optional") });
  const show = () => {
    files.textContent = [chosen.document?.name, chosen.pdf?.name].filter(Boolean).join(" + ");
  };
  const take = (list) => {
    for (const f of list) {
      const kind = documentType(f);
      if (kind === "pdf") chosen.pdf = f;
      else if (kind) chosen.document = f;
    }
    show();
  };
  zone.addEventListener("dragover", (ev) => { ev.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (ev) => {
    ev.preventDefault();
    zone.classList.remove("over");
    take(ev.dataTransfer?.files ?? []);
    zone.closest("form")?.dispatchEvent(new Event("input"));
  });
  // The zone is also a button for the file chooser (mouse or keyboard).
  zone.setAttribute("role", "button");
  zone.setAttribute("aria-label", t("supplier.upload.dropLabel"));
  zone.addEventListener("click", () => docInput.click());
  zone.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      docInput.click();
    }
  });
  docInput.addEventListener("change", () => take(docInput.files));
  pdfInput.addEventListener("change", () => take(pdfInput.files));

  const form = h("form", { id: "upload-form", class: "card", "data-op": "upload" },
    h("h2", null, t("supplier.upload.title")),
    zone,
    h("span", { class: "field-error", role: "alert", "data-error-for": "document" }),
    h("div", { class: "row" },
      field(t("supplier.upload.document"), docInput),
      field(phrase("supplier.upload.pdf", { pdf: "PDF" }), pdfInput),
      field(t("supplier.upload.buyer"), buyer)),
    h("span", { class: "field-error", role: "alert", "data-error-for": "pdf" }),
    h("button", { type: "submit", id: "upload-submit" }, t("supplier.upload.submit")));
  bindForm(form, async (key) => {
    if (!chosen.document) throw new Error(t("supplier.upload.none"));
    const body = new FormData();
    const type = documentType(chosen.document);
    body.append("document", new Blob([chosen.document], { type }), chosen.document.name);
    if (chosen.pdf) body.append("pdf", new Blob([chosen.pdf], { type: "application/pdf" }), chosen.pdf.name);
    const q = buyer.value.trim() ? `?buyer=${encodeURIComponent(buyer.value.trim())}` : "";
    const inv = await call("POST", `/v1/invoices${q}`, { body, key });
    chosen.document = chosen.pdf = null;
    docInput.value = pdfInput.value = "";
    show();
    await onDone();
    showOk(form, ...phrase("supplier.upload.done", { number: inv.number ?? "", amount: amount(money(inv.amount)), buyer: n.party(inv.buyer) }), " ",
      notr(shortId(inv.id), "span", { class: "id", title: inv.id }));
  });
  return form;
}

async function invoicesTab(el, ctx) {
  const n = await names(ctx);
  const list = h("div", { id: "invoices" });
  const load = async () => {
    const rows = await items("/v1/invoices");
    clear(list).append(table([
      { title: t("supplier.col.number"), cell: (i) => notr(i.number ?? "") },
      { title: t("supplier.col.buyer"), cell: (i) => n.party(i.buyer) },
      { title: t("supplier.col.amount"), num: true, cell: (i) => amount(money(i.amount)) },
      { title: t("supplier.col.due"), cell: (i) => formatDate(i.dueDate) },
      { title: t("supplier.col.status"), cell: (i) => badge(i.status) },
    ], rows, { id: "invoices-table", empty: t("supplier.invoices.empty"), caption: t("supplier.invoices.title"),
      rowAttrs: (i) => ({ "data-invoice-id": i.id, "data-status": i.status }) }));
  };
  append(el, heading(t("supplier.invoices.heading"), ctx), uploadForm(ctx, n, load), h("h2", null, t("supplier.invoices.title")), list);
  await load();
}

let selected = ""; // the token whose detail is open, kept across refreshes

async function tokensTab(el, ctx) {
  const n = await names(ctx);
  const detail = h("div", { id: "token-detail" });
  const list = h("div", { id: "tokens" });
  const total = h("p", { id: "portfolio-total" });
  let shown = null; // the token in the detail, as the page last drew it
  // act is what the detail's forms do after a write: reload the list,
  // redraw the detail (with a note of what was done), record the state
  // the page drew (so the ledger's event for the page's own write does not
  // redraw it again), reload the requests for quotes.
  const act = {
    reload: () => reload(),
    redraw: (id, note) => after(id, note),
    track: (tok) => { shown = { ...tok }; },
    rfqs: () => rfqList(rfqs, n, act),
  };
  const open = (tok, note) => {
    selected = tok.id;
    shown = { ...tok };
    list.querySelectorAll("tr[data-token-id]").forEach((tr) => tr.classList.toggle("selected", tr.dataset.tokenId === tok.id));
    clear(detail).append(tokenDetail(tok, ctx, n, act, note));
  };
  const openRow = (tok) => {
    open(tok);
    detail.scrollIntoView({ block: "nearest" });
  };
  const reload = async () => {
    const [tokens, portfolio] = await Promise.all([items("/v1/tokens"), get("/v1/portfolio").catch(() => null)]);
    clear(list).append(table([
      { title: t("supplier.col.token"), cell: (x) => notr(shortId(x.id), "span", { class: "id", title: x.id }) },
      { title: t("supplier.col.tier"), num: true, cell: (x) => String(x.tier) },
      { title: t("supplier.col.amount"), num: true, cell: (x) => amount(money(x.amount)) },
      { title: t("supplier.col.maturity"), cell: (x) => formatDate(x.maturity) },
      { title: t("supplier.col.status"), cell: (x) => badge(x.status) },
      { title: t("supplier.col.core"), cell: (x) => n.party(x.issuer) },
      { title: t("supplier.col.bank"), cell: (x) => n.party(x.bank) },
      { title: t("supplier.col.actions"), cell: (x) => h("button", { type: "button", class: "small secondary open", ...rowLabel("supplier.openRow", { id: shortId(x.id) }), onclick: () => openRow(x) }, t("supplier.open")) },
    ], tokens, { id: "tokens-table", empty: t("supplier.tokens.empty"), caption: t("supplier.tokens.title"), rowAttrs: (x) => tokenRowAttrs(x, selected) }));
    total.replaceChildren(...(portfolio ? portfolioTotal(portfolio) : []));
    return tokens;
  };
  // after a write, or when the ledger says the open token changed: the
  // list and the open token's detail as they now are.
  const after = async (id, note) => {
    const tokens = await reload();
    const want = id ?? selected;
    let tok = tokens.find((x) => x.id === want);
    if (!tok && want) tok = await get(`/v1/tokens/${encodeURIComponent(want)}`).catch(() => null);
    if (tok) open(tok, note);
  };
  const rfqs = h("div", { id: "rfqs" });
  append(el, heading(t("supplier.tokens.title"), ctx), await badEnvelopes(), total, list, detail, rfqs);
  const again = (await reload()).find((x) => x.id === selected);
  if (again) open(again);
  await rfqList(rfqs, n, act);
  // The ledger's events: the open token's controls follow its state (a
  // bank approving, the core paying, the holder's own other tab).
  // A write of the page's own in flight (its form busy) is the change the
  // event reports: the form moves the card when its answer comes, and a
  // redraw now would take the form, and its outcome, away.
  const writing = () => el.querySelector("form[aria-busy=true]") !== null;
  follow(el, async (ev) => {
    if (!ev.type.startsWith("ledger.") || !shown || writing()) return;
    const ids = tokensIn(ev);
    if (!ids.includes(shown.id)) return;
    const now = await get(`/v1/tokens/${encodeURIComponent(shown.id)}`).catch(() => null);
    if (!now || writing() || now.id !== shown.id || (now.status === shown.status && now.holder === shown.holder)) return;
    // A state the page did not draw: redraw the controls that now apply.
    await after(now.id, phrase("supplier.token.changed", { status: badge(now.status) })).catch(() => open(now));
  });
}

// portfolioTotal is what the supplier holds unpaid, per currency.
function portfolioTotal(p) {
  // Per currency ({currency, amount}), or one total from before currencies.
  const totals = Array.isArray(p.totals) && p.totals.length ? p.totals.map((x) => x.amount ?? x.total ?? x) : [p.total];
  const parts = totals.filter(Boolean).map((m) => amount(money(m)));
  return [t("supplier.tokens.unpaid"), " ", ...parts.flatMap((x, i) => (i ? [" · ", x] : [x]))];
}

let openRFQ = ""; // the request for quotes whose quotes are shown

// rfqList lists the holder's requests for quotes; Compare opens one with
// its quotes side by side.
async function rfqList(el, n, act) {
  const list = await items("/v1/rfqs");
  const panel = h("div", { id: "rfq-detail" });
  const show = async (id) => {
    openRFQ = id;
    el.querySelectorAll("tr[data-rfq]").forEach((tr) => tr.classList.toggle("selected", tr.dataset.rfq === id));
    clear(panel).append(await quotesCard(id, n, act));
  };
  clear(el).append(h("h2", null, t("supplier.rfqs.title")),
    table([
      { title: t("supplier.col.request"), cell: (r) => notr(shortId(r.id), "span", { class: "id", title: r.id }) },
      { title: t("supplier.col.token"), cell: (r) => notr(shortId(r.token), "span", { class: "id", title: r.token }) },
      { title: t("supplier.col.banks"), cell: (r) => r.banks.flatMap((b, i) => (i ? [", ", n.party(b)] : [n.party(b)])) },
      { title: t("supplier.col.quotes"), num: true, cell: (r) => String(r.quotes.length) },
      { title: t("supplier.col.expiry"), cell: (r) => when(r.expiry) },
      { title: t("supplier.col.status"), cell: (r) => badge(r.status) },
      { title: t("supplier.col.actions"), cell: (r) => h("button", { type: "button", class: "small secondary compare", "data-rfq": r.id, ...rowLabel("supplier.compareRow", { id: shortId(r.id) }), onclick: () => show(r.id) }, t("supplier.compare")) },
    ], list, { id: "rfqs-table", empty: t("supplier.rfqs.empty"), caption: t("supplier.rfqs.title"), rowAttrs: (r) => ({ "data-rfq": r.id, "data-status": r.status }) }),
    panel);
  if (openRFQ && list.some((r) => r.id === openRFQ)) await show(openRFQ);
}

// quotesCard shows one request's quotes side by side, each opened by the
// holder's wallet: the advance it pays, what it costs (face − advance) and
// its terms. The best valid open quote is marked; Accept takes one (the
// others lapse).
async function quotesCard(id, n, act) {
  const rfq = await get(`/v1/rfqs/${encodeURIComponent(id)}`);
  const open = rfq.quotes.filter((q) => q.valid && q.status === "OPEN" && q.advance);
  const best = open.reduce((b, q) => (!b || BigInt(q.advance.advance.minor) > BigInt(b.advance.advance.minor) ? q : b), null);
  const cur = currencyOf(rfq.face);
  const cost = (q) => (q.advance ? amount(formatMinor(BigInt(q.advance.face.minor) - BigInt(q.advance.advance.minor), currencyOf(q.advance.face) || cur)) : "—");
  const accept = (q) => {
    if (!(q.valid && q.status === "OPEN" && rfq.status === "OPEN")) return q.valid ? "" : h("span", { class: "bad" }, t("supplier.quotes.invalid"), " ", notr(q.problem ?? ""));
    const form = h("form", { class: "accept-quote-form", id: `accept-${q.id}`, "data-op": "accept-quote", "data-quote": q.id },
      h("button", { type: "submit", class: "small accept-quote", ...rowLabel("supplier.quotes.acceptRow", { bank: n.of(q.bank) }) }, t("supplier.quotes.accept")));
    bindForm(form, async (key) => {
      const res = await post(`/v1/quotes/${encodeURIComponent(q.id)}/accept`, undefined, key);
      finish(form);
      card.querySelectorAll(".accept-quote-form").forEach(finish);
      showOk(form, ...phrase("supplier.quotes.accepted", { bank: n.party(res.quote.bank), advance: amount(money(res.advance.advance)), status: badge(res.token.status) }),
        ...(res.change ? [" ", ...phrase("supplier.changeStays", { amount: amount(money(res.change.amount)), id: shortId(res.change.id) })] : []));
      await act.redraw(res.token.id);
    });
    return form;
  };
  const card = h("div", { class: "card", id: "quotes-card", "data-rfq": rfq.id },
    h("h3", null, ...phrase(rfq.partial ? "supplier.quotes.titlePiece" : "supplier.quotes.title", { face: amount(money(rfq.face)), maturity: formatDate(rfq.maturity) })),
    h("p", { class: "muted" }, t("supplier.quotes.intro")),
    table([
      { title: t("supplier.col.bank"), cell: (q) => n.party(q.bank) },
      { title: t("supplier.col.advance"), num: true, cell: (q) => h("strong", { class: "amount advance", translate: "no" }, q.advance ? money(q.advance.advance) : t("common.sealed")) },
      { title: t("supplier.col.cost"), num: true, cell: cost },
      { title: t("supplier.col.discount"), num: true, cell: (q) => amount(q.advance ? money(q.advance.discount) : "—") },
      { title: t("supplier.col.fee"), num: true, cell: (q) => amount(q.advance ? money(q.advance.fee) : "—") },
      { title: t("supplier.col.terms"), cell: (q) => notr(termsSummary(q.terms)) },
      { title: t("supplier.col.expires"), cell: (q) => when(q.expiry) },
      { title: t("supplier.col.status"), cell: (q) => [badge(q.status), q === best ? [" ", t("supplier.quotes.best")] : ""] },
      { title: t("supplier.col.actions"), cell: accept },
    ], rfq.quotes, { id: "quotes-table", empty: t("supplier.quotes.empty"), caption: t("supplier.quotes.caption"),
      rowAttrs: (q) => ({ "data-quote": q.id, "data-bank": q.bank, "data-status": q.status, class: q === best ? "best" : null }) }));
  if (rfq.status === "OPEN") {
    const cancel = h("form", { id: "cancel-rfq-form", "data-op": "cancel-rfq" },
      h("button", { type: "submit", class: "danger small" }, t("supplier.rfq.cancel")));
    bindForm(cancel, async (key) => {
      const v = await post(`/v1/rfqs/${encodeURIComponent(rfq.id)}/cancel`, undefined, key);
      finish(cancel);
      showOk(cancel, ...phrase("supplier.rfq.cancelled", { status: badge(v.status) }));
    });
    card.append(cancel);
  }
  return card;
}

// bankSelect is a <select> of the banks by name.
function bankSelect(ctx, n, id) {
  const sel = select({ id, "data-field": "bank", required: true }, [], t("supplier.chooseBank"));
  ctx.enterprises("bank").then((list) => {
    sel.append(...list.map((e) => h("option", { value: e.id, translate: "no" }, n.label(e.id))));
  }).catch(() => {});
  return sel;
}

// rfqForm asks several banks at once for sealed quotes on the whole token:
// each bank learns the face (sealed to it), the token stays ACTIVE.
function rfqForm(tok, ctx, n, act) {
  const boxes = h("div", { class: "row", id: "rfq-banks" });
  ctx.enterprises("bank").then((list) => boxes.append(...list.map((e, i) =>
    h("label", { class: "bank-choice" }, input({ type: "checkbox", value: e.id, class: "rfq-bank", id: `rfq-bank-${i}`, "data-field": `banks[${i}]` }), " ", n.party(e.id))))).catch(() => {});
  const expiry = input({ id: "rfq-expiry", "data-field": "expiry", type: "datetime-local", required: true, value: inAnHour() });
  const piece = input({ id: "rfq-piece", "data-field": "piece", inputmode: "decimal", placeholder: t("supplier.wholeToken") });
  const form = h("form", { id: "rfq-form", class: "card inline-form", "data-op": "rfq" },
    h("h3", null, t("supplier.rfq.title")),
    h("p", { class: "muted" }, t("supplier.rfq.intro")),
    h("fieldset", { class: "field" }, h("legend", null, t("supplier.rfq.banks")), boxes, h("span", { class: "field-error", role: "alert", "data-error-for": "banks" })),
    h("div", { class: "row" }, field(phrase("supplier.rfq.expiry", { zone: "UTC" }), expiry), field(phrase("supplier.pieceIn", { currency: currencyOf(tok.amount) || "—" }), piece)),
    h("button", { type: "submit", id: "rfq-submit" }, t("supplier.rfq.submit")));
  bindForm(form, async (key) => {
    const banks = [...boxes.querySelectorAll("input.rfq-bank:checked")].map((b) => b.value);
    const body = { banks, expiry: utcSeconds(expiry.value) };
    if (piece.value.trim()) body.piece = apiAmount(piece.value, tok);
    const r = await post(`/v1/tokens/${encodeURIComponent(tok.id)}/rfq`, body, key);
    openRFQ = r.id;
    finish(form);
    showOk(form, ...phrase("supplier.rfq.done", { banks: r.banks.map((b) => n.of(b)).join(", "), expiry: when(r.expiry) }), " ",
      notr(r.id, "span", { class: "id", id: "rfq-id" }));
    await act.reload();
    await act.rfqs();
  });
  return form;
}

// apiAmount turns an amount as typed ("1,250,000.00", "¥400,000") into the
// API's plain decimal in the token's currency; what does not parse goes
// as typed, for the API to say why.
function apiAmount(text, tok) {
  const c = currencyOf(tok.amount);
  const v = parseAmount(text, c);
  if (v === null) return String(text).trim();
  return toDecimal(v, c);
}

// costFacts says what financing costs, before asking: the face, what the
// bank pays (proceeds), the discount and fee it keeps, and that cost as a
// simple annual rate of the proceeds (on the terms' day count).
function costFacts(adv, terms, currency) {
  const cost = adv.face - adv.advance;
  const basis = terms.dayCount === "ACT/360" ? 360n : 365n;
  const rate = yieldBp(adv.advance, adv.face, adv.days, basis);
  const m = (v) => amount(formatMinor(v, currency));
  return facts([
    [t("supplier.cost.face"), m(adv.face)],
    [t("supplier.cost.days"), String(adv.days)],
    [t("supplier.cost.discount"), m(adv.discount)],
    [t("supplier.cost.fee"), m(adv.fee)],
    [t("supplier.cost.proceeds"), h("strong", { class: "amount proceeds", translate: "no" }, formatMinor(adv.advance, currency))],
    [t("supplier.cost.total"), m(cost)],
    [t("supplier.cost.rate"), rate === null ? "—" : notr(formatBp(rate))],
  ], { id: "terms-cost" });
}

// termFinancingForm finances the token, or a piece of it, under a bank's
// terms. What the terms pay - advance, discount, fee, the proceeds and
// their cost - is worked out as the terms are typed (the ledger's own
// rounding, terms.js) and can be checked against the gateway's figure
// (POST …/financing/quote, which submits nothing) before asking; a piece
// is split off and financed in one transaction, the change stays with the
// holder.
function termFinancingForm(tok, ctx, n, act, moved) {
  const bank = bankSelect(ctx, n, "terms-bank");
  const piece = input({ id: "terms-piece", "data-field": "piece", inputmode: "decimal", placeholder: t("supplier.wholeToken") });
  const currency = currencyOf(tok.amount);
  const fields = termsFields("terms", {}, currency);
  const cost = h("div", { id: "terms-live", "aria-live": "polite" });
  const preview = h("div", { id: "terms-preview", "aria-live": "polite" });
  const live = () => {
    if (!opened(tok.amount)) {
      cost.replaceChildren(h("p", { class: "muted" }, t("supplier.cost.acceptFirst")));
      return;
    }
    const face = piece.value.trim() ? parseAmount(piece.value, currency) : BigInt(tok.amount.minor);
    if (face === null || face <= 0n) {
      cost.replaceChildren(h("p", { class: "muted" }, t("supplier.cost.pieceUnread")));
      return;
    }
    const r = impliedAdvance(fields.read, face, tok.maturity, currency);
    if (r.error) {
      cost.replaceChildren(h("p", { class: "muted" }, t("supplier.cost.termsUnread"), " ", notr(r.error.message)));
      return;
    }
    cost.replaceChildren(h("h4", null, t("supplier.cost.title")), costFacts(r.adv, r.terms, currency));
  };
  const form = h("form", { id: "terms-form", class: "card inline-form", "data-op": "financing-terms" },
    h("h3", null, t("supplier.terms.title")),
    h("p", { class: "muted" }, t("supplier.terms.intro")),
    h("div", { class: "row" }, field(t("supplier.bank"), bank), field(phrase("supplier.pieceIn", { currency: currency || "—" }), piece)),
    fields.el, cost, preview,
    h("div", { class: "row" },
      h("button", { type: "submit", class: "secondary", id: "terms-preview-submit", "data-action": "preview" }, t("supplier.terms.check")),
      h("button", { type: "submit", id: "terms-submit", "data-action": "request" }, t("supplier.terms.submit"))));
  form.addEventListener("input", live);
  form.addEventListener("change", live);
  bindForm(form, async (key) => {
    const action = form.dataset.action;
    let body;
    try {
      body = { bank: bank.value, ...fields.read() };
    } catch (err) {
      if (err instanceof TermsError) { showTermsError(form, err); return; }
      throw err;
    }
    if (piece.value.trim()) body.piece = apiAmount(piece.value, tok);
    if (action === "preview") {
      const adv = await post(`/v1/tokens/${encodeURIComponent(tok.id)}/financing/quote`, body, key);
      clear(preview).append(h("h4", null, ...phrase("supplier.terms.bankPays", { bank: n.party(bank.value) })), advanceFacts(adv, { id: "terms-advance" }));
      return;
    }
    const res = await post(`/v1/tokens/${encodeURIComponent(tok.id)}/financing/terms`, body, key);
    finish(form);
    clear(preview).append(advanceFacts(res.advance, { id: "terms-advance" }));
    showOk(form, ...phrase("supplier.terms.done", { bank: n.party(bank.value), face: amount(money(opened(res.token.amount) ?? res.advance.face)), advance: amount(money(res.advance.advance)) }),
      ...(res.change ? [" ", ...phrase("supplier.changeStays", { amount: amount(money(res.change.amount)), id: shortId(res.change.id) })] : []));
    await moved(res.token.id === tok.id ? res.token.status : "SPLIT", res.token.id === tok.id ? { financing: res.token.financing } : {});
    selected = res.change?.id ?? res.token.id;
  });
  // Which button sent the form: preview or request (one key each).
  form.addEventListener("click", (ev) => {
    const b = ev.target.closest("button[type=submit]");
    if (b) form.dataset.action = b.dataset.action;
  });
  live();
  return form;
}

// tokenDetail is the open token's card. Its controls are those of the
// token's state: after one of its own writes the card moves to the new
// state in place (moved), keeping the finished form and its outcome; a
// state it did not cause redraws it (tokensTab, from the ledger's events).
function tokenDetail(tok, ctx, n, act, note) {
  const days = daysUntil(tok.maturity);
  const card = h("div", { class: "card detail", id: "token-card", "data-token-id": tok.id, "data-status": tok.status },
    h("h2", null, ...phrase("supplier.token.title", { id: shortId(tok.id) })),
    note ? h("p", { id: "token-note", role: "status", class: "muted" }, note) : null,
    facts([
      [t("supplier.token.id"), notr(tok.id, "span", { class: "id" })],
      [t("supplier.token.amount"), h("span", { class: "amount", id: "token-amount", translate: "no" }, money(tok.amount))],
      [t("supplier.token.tier"), String(tok.tier)],
      [t("supplier.token.core"), n.party(tok.issuer)],
      [t("supplier.token.bank"), n.party(tok.bank)],
      [t("supplier.token.maturity"), [formatDate(tok.maturity), days === null ? "" : ` (${days >= 0 ? t("supplier.token.daysLeft", { days }) : t("supplier.token.daysOver", { days: -days })})`]],
      [t("supplier.token.status"), badge(tok.status)],
      [t("supplier.token.root"), notr(tok.root, "span", { class: "id" })],
      tok.financing ? [t("supplier.token.financing"), phrase("supplier.token.asked", { bank: n.party(tok.financing.bank), when: when(tok.financing.requestedAt) })] : null,
      tok.badEnvelope ? [t("supplier.token.envelope"), h("span", { class: "bad", id: "token-bad-envelope" }, ...phrase("supplier.token.badEnvelope", { sender: tok.badEnvelope.sender ? n.party(tok.badEnvelope.sender) : t("supplier.unknownSender") }))] : null,
    ]));
  const spentNote = (status) => h("p", { class: "muted", id: "token-spent" }, t(`supplier.spent.${status}`));
  const moved = async (status, extra = {}) => {
    Object.assign(tok, extra, { status });
    card.dataset.status = status;
    card.querySelector("dl .badge")?.replaceWith(badge(status));
    if (SPENT.has(status)) {
      card.querySelector("#accept-form")?.remove();
      if (!card.querySelector("#token-spent")) card.querySelector("dl").after(spentNote(status));
    }
    // The forms of an ACTIVE token go, but the one that just acted stays
    // (finished) with its outcome.
    if (status !== "ACTIVE") {
      for (const f of card.querySelectorAll("#split-form, #financing-form, #rfq-form, #terms-form")) if (!("done" in f.dataset)) f.remove();
    }
    if (status === "FINANCING" && !card.querySelector("#cancel-financing-form")) card.append(withdrawForm(tok, n, act));
    if (status === "PAYING" && !card.querySelector(".confirm-payment-form")) card.append(confirmPaymentForm(tok, act, n));
    act.track(tok);
    await act.reload();
  };
  // Accept opens the envelope and checks it: for a token the supplier
  // still holds, never for a spent one.
  if (!SPENT.has(tok.status)) {
    const accept = h("form", { id: "accept-form", "data-op": "accept" },
      h("button", { type: "submit", id: "accept", class: "secondary" }, t("supplier.accept")));
    bindForm(accept, async (key) => {
      const v = await post(`/v1/tokens/${encodeURIComponent(tok.id)}/accept`, undefined, key);
      card.querySelector("#token-amount").textContent = money(v.amount);
      tok.amount = v.amount;
      showOk(accept, ...phrase("supplier.accepted", { amount: amount(money(v.amount)) }));
      card.dispatchEvent(new Event("token-opened"));
    });
    card.append(accept);
  } else {
    card.append(spentNote(tok.status));
  }
  if (tok.status === "ACTIVE") {
    card.append(splitForm(tok, ctx, n, card, moved), financingForm(tok, ctx, n, moved), rfqForm(tok, ctx, n, act), termFinancingForm(tok, ctx, n, act, moved));
  }
  if (tok.status === "PAYING") card.append(confirmPaymentForm(tok, act, n));
  if (tok.status === "FINANCING") card.append(withdrawForm(tok, n, act));
  return card;
}

// withdrawForm withdraws a financing request not yet approved; the token
// is ACTIVE again, and the detail is redrawn with its forms.
function withdrawForm(tok, n, act) {
  const cancel = h("form", { id: "cancel-financing-form", "data-op": "cancel-financing" },
    h("p", null, ...phrase("supplier.withdraw.intro", { bank: n.party(tok.financing?.bank ?? tok.bank) })),
    h("button", { type: "submit", class: "danger", id: "cancel-financing" }, t("supplier.withdraw")));
  bindForm(cancel, async (key) => {
    await post(`/v1/tokens/${encodeURIComponent(tok.id)}/financing/cancel`, undefined, key);
    finish(cancel);
    showOk(cancel, t("supplier.withdrawn"));
    await act.redraw(tok.id, t("supplier.withdrawn"));
  });
  return cancel;
}

// splitForm pays parts of the token to other suppliers. The change - what
// stays with the holder - is worked out exactly (BigInt minor units) as
// the amounts are typed; the form will not send more than the token holds.
function splitForm(tok, ctx, n, card, moved) {
  const currency = currencyOf(tok.amount);
  const outputs = h("div", { id: "split-outputs" });
  const change = h("output", { id: "split-change", class: "change", "aria-live": "polite" });
  const submit = h("button", { type: "submit", id: "split-submit" }, t("supplier.split.split"));
  const suppliers = h("datalist", { id: "supplier-list" });
  ctx.enterprises("supplier").then((list) => suppliers.append(...list.filter((e) => e.id !== ctx.me.enterpriseId)
    .map((e) => h("option", { value: e.id, translate: "no" }, n.of(e.id))))).catch(() => {});
  const addOutput = () => {
    const i = outputs.children.length;
    if (i >= MAX_OUTPUTS) return;
    const to = input({ "data-field": `outputs[${i}].to`, id: `split-to-${i}`, list: "supplier-list", required: true, placeholder: t("supplier.split.toHint"), class: "split-to" });
    const amt = input({ "data-field": `outputs[${i}].amount`, id: `split-amount-${i}`, inputmode: "decimal", required: true, placeholder: "400,000.00", class: "split-amount" });
    const who = h("small", { class: "muted split-who", translate: "no" });
    to.addEventListener("input", () => { who.textContent = to.value.trim() && n.of(to.value.trim()) !== to.value.trim() ? n.of(to.value.trim()) : ""; });
    outputs.append(h("div", { class: "split-output" }, field(t("supplier.split.to"), to, who), field(phrase("supplier.split.amountIn", { currency: currency || "—" }), amt)));
    update();
  };
  const update = () => {
    const value = opened(tok.amount) ? BigInt(tok.amount.minor) : null;
    let paid = 0n, unreadable = false;
    for (const a of outputs.querySelectorAll(".split-amount")) {
      if (!a.value.trim()) continue;
      const v = parseAmount(a.value, currency);
      if (v === null) unreadable = true;
      else paid += v;
    }
    change.classList.remove("negative");
    submit.disabled = false;
    if (value === null) {
      change.replaceChildren(t("supplier.split.acceptFirst"));
    } else if (unreadable) {
      change.replaceChildren(t("supplier.split.unreadable"));
    } else if (paid > value) {
      change.classList.add("negative");
      change.replaceChildren(...phrase("supplier.split.over", { amount: amount(formatMinor(paid - value, currency)) }));
      submit.disabled = true;
    } else {
      const rest = value - paid;
      change.replaceChildren(...(rest === 0n
        ? phrase("supplier.split.whole", { amount: amount(formatMinor(0n, currency)) })
        : phrase("supplier.split.change", { amount: amount(formatMinor(rest, currency)) })));
    }
    submit.textContent = value !== null && paid === value ? t("supplier.split.transfer") : t("supplier.split.split");
  };
  card.addEventListener("token-opened", update);
  const form = h("form", { id: "split-form", class: "card inline-form", "data-op": "split" },
    h("h3", null, t("supplier.split.title")), suppliers, outputs,
    h("span", { class: "field-error", role: "alert", "data-error-for": "outputs" }),
    h("button", { type: "button", class: "secondary small", id: "split-add", onclick: addOutput }, t("supplier.split.add")),
    change, h("div", null, submit));
  form.addEventListener("input", update);
  addOutput();
  bindForm(form, async (key) => {
    const body = { outputs: [...outputs.children].map((row) => ({
      to: row.querySelector(".split-to").value.trim(), amount: apiAmount(row.querySelector(".split-amount").value, tok),
    })) };
    const res = await post(`/v1/tokens/${encodeURIComponent(tok.id)}/split`, body, key);
    const count = body.outputs.length;
    const paid = res.tokens.slice(0, count).flatMap((x, i) => [i ? ", " : "", ...phrase("supplier.split.paidTo", { amount: amount(money(x.amount)), to: n.party(x.holder) })]);
    const rest = res.tokens[count];
    // The change is what the token held less what was paid, whether or
    // not the wallet has opened the change token yet.
    const total = body.outputs.reduce((sum, o) => sum + (parseAmount(o.amount, currency) ?? 0n), 0n);
    const left = opened(rest?.amount) ? money(rest.amount)
      : opened(tok.amount) ? formatMinor(BigInt(tok.amount.minor) - total, currency) : t("common.sealed");
    showOk(form, t(res.kind === "transfer" ? "supplier.split.transferred" : "supplier.split.done"), " ", ...paid,
      ...(rest ? [" ", ...phrase("supplier.changeStays", { amount: amount(left), id: shortId(rest.id) })] : []));
    finish(form);
    await moved("SPLIT");
    // A refresh opens the change, the token the holder still has.
    selected = rest?.id ?? tok.id;
  });
  return form;
}

// financingForm asks a bank to finance the whole token on the bank's own
// price, set when it approves. What is known before asking is said: the
// platform's cap on any advance (GET /v1/financing/policy) and so the most
// the bank may pay; for a price before asking, the terms and quotes forms.
function financingForm(tok, ctx, n, moved) {
  const bank = bankSelect(ctx, n, "financing-bank");
  const known = h("div", { id: "financing-cost", class: "muted", "aria-live": "polite" });
  get("/v1/financing/policy").then((p) => {
    const cap = BigInt(p.maxAdvanceBp ?? 10000);
    const max = opened(tok.amount) ? amount(formatMinor((BigInt(tok.amount.minor) * cap) / 10000n, currencyOf(tok.amount))) : h("span", null, t("supplier.financing.acceptFirst"));
    known.replaceChildren(...phrase("supplier.financing.cap", { cap: formatBp(cap), max, grace: p.graceDays ?? "" }));
  }).catch(() => {});
  const form = h("form", { id: "financing-form", class: "card inline-form", "data-op": "financing" },
    h("h3", null, t("supplier.financing.title")),
    h("p", { class: "muted" }, t("supplier.financing.intro")),
    known,
    field(t("supplier.bank"), bank),
    h("button", { type: "submit", id: "financing-submit" }, t("supplier.financing.submit")));
  bindForm(form, async (key) => {
    const v = await post(`/v1/tokens/${encodeURIComponent(tok.id)}/financing`, { bank: bank.value }, key);
    showOk(form, ...phrase("supplier.financing.done", { amount: amount(money(opened(v.amount) ?? tok.amount)), bank: n.party(bank.value), status: badge(v.status) }));
    finish(form);
    // The token's new state: Withdraw appears, the other forms go.
    await moved(v.status, { financing: v.financing });
  });
  return form;
}

// confirmPaymentForm confirms a declared payment of tok; act, if given,
// is the supplier's tokens page to update.
export function confirmPaymentForm(tok, act, n) {
  const core = n ? n.party(tok.issuer) : notr(tok.issuer);
  const form = h("form", { id: `confirm-payment-${tok.id}`, class: "confirm-payment-form", "data-op": "payment-confirm" },
    h("p", null, ...phrase("supplier.payment.declared", { core, ref: tok.payment?.ref ?? "" })),
    h("button", { type: "submit", class: "confirm-payment" }, t("supplier.payment.confirm")));
  bindForm(form, async (key) => {
    const v = await post(`/v1/tokens/${encodeURIComponent(tok.id)}/payment/confirm`, undefined, key);
    showOk(form, ...phrase("supplier.payment.settled", { amount: amount(money(opened(v.amount) ?? tok.amount)) }));
    finish(form);
    if (act) {
      act.track({ ...tok, status: v.status });
      await act.reload();
    }
  });
  return form;
}

export default {
  tabs: [
    { id: "invoices", labelKey: "supplier.tab.invoices", render: invoicesTab },
    { id: "tokens", labelKey: "supplier.tab.tokens", render: tokensTab },
  ],
};

// A supplier's pages: upload invoices, and the tokens it holds - accept,
// split or transfer with the change shown as it is typed, ask a bank to
// finance (the whole token or a piece, under terms whose advance is shown
// before asking), ask several banks for quotes at once and compare them
// side by side, confirm a payment.

import { call, get, post, items } from "../api.js";
import { h, append, clear, table, badge, amount, facts } from "../dom.js";
import { bindForm, field, finish, input, select, showOk } from "../forms.js";
import { money, formatDate, formatTime, formatMinor, parseAmount, shortId, CURRENCY } from "../format.js";
import { heading, tokenColumns, tokenRowAttrs, options, badEnvelopes } from "./common.js";
import { termsFields, showTermsError, advanceFacts, termsSummary, inAnHour, utcSeconds } from "./financing.js";
import { TermsError } from "../terms.js";

const MAX_OUTPUTS = 6; // one more is the change (the ledger's 7)

// documentType says how the API should read a dropped file, by its type
// or name: TierChain's JSON invoice, UBL XML, or the PDF beside it.
function documentType(file) {
  const name = file.name.toLowerCase();
  if (file.type === "application/pdf" || name.endsWith(".pdf")) return "pdf";
  if (file.type.includes("json") || name.endsWith(".json")) return "application/json";
  if (file.type.includes("xml") || name.endsWith(".xml")) return "application/xml";
  return "";
}

function uploadForm(ctx, onDone) {
  const chosen = { document: null, pdf: null };
  const names = h("div", { class: "files", id: "upload-files" });
  const docInput = input({ type: "file", id: "upload-document", accept: ".json,.xml,application/json,application/xml,text/xml" });
  const pdfInput = input({ type: "file", id: "upload-pdf", accept: ".pdf,application/pdf" });
  const zone = h("div", { class: "dropzone", id: "dropzone", "data-field": "document", tabindex: "0" },
    h("div", null, "Drop the invoice here: its JSON or UBL XML document, and the PDF if you have one."),
    names);
  const buyer = input({ id: "upload-buyer", "data-field": "buyer", placeholder: "optional" });
  const show = () => {
    names.textContent = [chosen.document?.name, chosen.pdf?.name].filter(Boolean).join(" + ");
  };
  const take = (files) => {
    for (const f of files) {
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
    h("h2", null, "Upload an invoice"),
    zone,
    h("span", { class: "field-error", role: "alert", "data-error-for": "document" }),
    h("div", { class: "row" },
      field("…or choose the document", docInput),
      field("PDF (optional)", pdfInput),
      field("Buyer's enterprise ID, if its legal ID is not known here", buyer)),
    h("span", { class: "field-error", role: "alert", "data-error-for": "pdf" }),
    h("button", { type: "submit", id: "upload-submit" }, "Upload"));
  bindForm(form, async (key) => {
    if (!chosen.document) {
      throw Object.assign(new Error("Choose or drop the invoice's JSON or XML document first."), {});
    }
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
    showOk(form, `Registered invoice ${inv.number ?? ""} of ${money(inv.amount)}, owed by ${inv.buyer}: `, h("span", { class: "id" }, shortId(inv.id)));
  });
  return form;
}

async function invoicesTab(el, ctx) {
  const list = h("div", { id: "invoices" });
  const load = async () => {
    const rows = await items("/v1/invoices");
    clear(list).append(table([
      { title: "Number", cell: (i) => i.number ?? "" },
      { title: "Buyer", cell: (i) => i.buyer },
      { title: "Amount", num: true, cell: (i) => amount(money(i.amount)) },
      { title: "Due", cell: (i) => formatDate(i.dueDate) },
      { title: "Status", cell: (i) => badge(i.status) },
      { title: "ID", cell: (i) => h("span", { class: "id", title: i.id }, shortId(i.id)) },
    ], rows, { id: "invoices-table", empty: "No invoices yet.", rowAttrs: (i) => ({ "data-invoice-id": i.id, "data-status": i.status }) }));
  };
  append(el, heading("Invoices", ctx), uploadForm(ctx, load), h("h2", null, "Your invoices"), list);
  await load();
}

let selected = ""; // the token whose detail is open, kept across refreshes

async function tokensTab(el, ctx) {
  const detail = h("div", { id: "token-detail" });
  const list = h("div", { id: "tokens" });
  const total = h("p", { id: "portfolio-total" });
  const open = (t) => {
    selected = t.id;
    list.querySelectorAll("tr[data-token-id]").forEach((tr) => tr.classList.toggle("selected", tr.dataset.tokenId === t.id));
    clear(detail).append(tokenDetail(t, ctx, reload));
    detail.scrollIntoView({ block: "nearest" });
  };
  const c = tokenColumns;
  const reload = async () => {
    const [tokens, portfolio] = await Promise.all([items("/v1/tokens"), get("/v1/portfolio").catch(() => null)]);
    clear(list).append(table([c.id, c.tier, c.amount, c.maturity, c.status, c.issuer, c.bank,
      { title: "", cell: (t) => h("button", { type: "button", class: "small secondary open", onclick: () => open(t) }, "Open") }],
    tokens, { id: "tokens-table", empty: "You hold no tokens yet.", rowAttrs: (t) => tokenRowAttrs(t, selected) }));
    total.replaceChildren(...(portfolio ? ["Held and unpaid: ", amount(money(portfolio.total))] : []));
    return tokens;
  };
  const rfqs = h("div", { id: "rfqs" });
  append(el, heading("Tokens", ctx), await badEnvelopes(), total, list, detail, rfqs);
  const again = (await reload()).find((t) => t.id === selected);
  if (again) open(again);
  await rfqList(rfqs, reload);
}

let openRFQ = ""; // the request for quotes whose quotes are shown

// rfqList lists the holder's requests for quotes; Compare opens one with
// its quotes side by side.
async function rfqList(el, reload) {
  const list = await items("/v1/rfqs");
  const panel = h("div", { id: "rfq-detail" });
  const show = async (id) => {
    openRFQ = id;
    el.querySelectorAll("tr[data-rfq]").forEach((tr) => tr.classList.toggle("selected", tr.dataset.rfq === id));
    clear(panel).append(await quotesCard(id, reload));
  };
  clear(el).append(h("h2", null, "Requests for quotes"),
    table([
      { title: "Request", cell: (r) => h("span", { class: "id", title: r.id }, shortId(r.id)) },
      { title: "Token", cell: (r) => h("span", { class: "id", title: r.token }, shortId(r.token)) },
      { title: "Banks", cell: (r) => r.banks.join(", ") },
      { title: "Quotes", num: true, cell: (r) => String(r.quotes.length) },
      { title: "Expiry", cell: (r) => formatTime(r.expiry) },
      { title: "Status", cell: (r) => badge(r.status) },
      { title: "", cell: (r) => h("button", { type: "button", class: "small secondary compare", "data-rfq": r.id, onclick: () => show(r.id) }, "Compare quotes") },
    ], list, { id: "rfqs-table", empty: "You have asked no bank for quotes.", rowAttrs: (r) => ({ "data-rfq": r.id, "data-status": r.status }) }),
    panel);
  if (openRFQ && list.some((r) => r.id === openRFQ)) await show(openRFQ);
}

// quotesCard shows one request's quotes side by side, each opened by the
// holder's wallet: the advance it pays, what it costs (face − advance) and
// its terms. The best valid open quote is marked; Accept takes one (the
// others lapse).
async function quotesCard(id, reload) {
  const rfq = await get(`/v1/rfqs/${encodeURIComponent(id)}`);
  const open = rfq.quotes.filter((q) => q.valid && q.status === "OPEN" && q.advance);
  const best = open.reduce((b, q) => (!b || BigInt(q.advance.advance.minor) > BigInt(b.advance.advance.minor) ? q : b), null);
  const cost = (q) => (q.advance ? `${formatMinor(BigInt(q.advance.face.minor) - BigInt(q.advance.advance.minor))} ${CURRENCY}` : "—");
  const accept = (q) => {
    if (!(q.valid && q.status === "OPEN" && rfq.status === "OPEN")) return q.valid ? "" : h("span", { class: "bad" }, `not valid: ${q.problem ?? ""}`);
    const form = h("form", { class: "accept-quote-form", id: `accept-${q.id}`, "data-op": "accept-quote", "data-quote": q.id },
      h("button", { type: "submit", class: "small accept-quote" }, `Accept ${q.bank}'s quote`));
    bindForm(form, async (key) => {
      const res = await post(`/v1/quotes/${encodeURIComponent(q.id)}/accept`, undefined, key);
      finish(form);
      card.querySelectorAll(".accept-quote-form").forEach(finish);
      showOk(form, `Accepted: ${res.quote.bank} will advance you ${money(res.advance.advance)}; the token is ${res.token.status} and the other quotes lapse`,
        res.change ? `; the change ${money(res.change.amount)} stays with you (token ${shortId(res.change.id)}).` : ".");
      await reload();
    });
    return form;
  };
  const card = h("div", { class: "card", id: "quotes-card", "data-rfq": rfq.id },
    h("h3", null, `Quotes on ${money(rfq.face)}${rfq.partial ? " (a piece of the token)" : ""}, maturing ${formatDate(rfq.maturity)}`),
    h("p", { class: "muted" }, "Each quote's terms are sealed to you; your wallet opened them and checked that the advance the bank committed to is what its terms pay."),
    table([
      { title: "Bank", cell: (q) => q.bank },
      { title: "Advance to you", num: true, cell: (q) => h("strong", { class: "amount advance" }, q.advance ? money(q.advance.advance) : "sealed") },
      { title: "Cost", num: true, cell: (q) => amount(cost(q)) },
      { title: "Discount", num: true, cell: (q) => amount(q.advance ? money(q.advance.discount) : "—") },
      { title: "Fee", num: true, cell: (q) => amount(q.advance ? money(q.advance.fee) : "—") },
      { title: "Terms", cell: (q) => termsSummary(q.terms) },
      { title: "Expires", cell: (q) => formatTime(q.expiry) },
      { title: "Status", cell: (q) => [badge(q.status), q === best ? " best" : ""] },
      { title: "", cell: accept },
    ], rfq.quotes, { id: "quotes-table", empty: "No bank has quoted yet: press Refresh in a moment.",
      rowAttrs: (q) => ({ "data-quote": q.id, "data-bank": q.bank, "data-status": q.status, class: q === best ? "best" : null }) }));
  if (rfq.status === "OPEN") {
    const cancel = h("form", { id: "cancel-rfq-form", "data-op": "cancel-rfq" },
      h("button", { type: "submit", class: "danger small" }, "Cancel the request (every quote lapses)"));
    bindForm(cancel, async (key) => {
      const v = await post(`/v1/rfqs/${encodeURIComponent(rfq.id)}/cancel`, undefined, key);
      finish(cancel);
      showOk(cancel, `Request ${v.status}.`);
    });
    card.append(cancel);
  }
  return card;
}

// rfqForm asks several banks at once for sealed quotes on the whole token:
// each bank learns the face (sealed to it), the token stays ACTIVE.
function rfqForm(t, ctx, reload) {
  const boxes = h("div", { class: "row", id: "rfq-banks" });
  ctx.enterprises("bank").then((list) => boxes.append(...options(list).map((o, i) =>
    h("label", { class: "bank-choice" }, input({ type: "checkbox", value: o.value, class: "rfq-bank", id: `rfq-bank-${i}`, "data-field": `banks[${i}]` }), ` ${o.label}`)))).catch(() => {});
  const expiry = input({ id: "rfq-expiry", "data-field": "expiry", type: "datetime-local", required: true, value: inAnHour() });
  const piece = input({ id: "rfq-piece", "data-field": "piece", inputmode: "decimal", placeholder: "the whole token" });
  const form = h("form", { id: "rfq-form", class: "card inline-form", "data-op": "rfq" },
    h("h3", null, "Ask banks for quotes"),
    h("p", { class: "muted" }, "Each bank you choose sees the amount to finance and answers with a sealed quote; no bank sees another's. For part of the token, the piece is split off when you accept a quote; the change stays with you."),
    h("fieldset", { class: "field" }, h("legend", null, "Banks"), boxes, h("span", { class: "field-error", role: "alert", "data-error-for": "banks" })),
    h("div", { class: "row" }, field("Quotes by (UTC)", expiry), field(`Piece (${CURRENCY}, empty: all of it)`, piece)),
    h("button", { type: "submit", id: "rfq-submit" }, "Ask for quotes"));
  bindForm(form, async (key) => {
    const banks = [...boxes.querySelectorAll("input.rfq-bank:checked")].map((b) => b.value);
    const body = { banks, expiry: utcSeconds(expiry.value) };
    if (piece.value.trim()) body.piece = piece.value.trim();
    const r = await post(`/v1/tokens/${encodeURIComponent(t.id)}/rfq`, body, key);
    openRFQ = r.id;
    finish(form);
    showOk(form, `Asked ${r.banks.join(" and ")} for quotes until ${formatTime(r.expiry)} (request `, h("span", { class: "id", id: "rfq-id" }, r.id), ").");
    await reload();
  });
  return form;
}

// termFinancingForm finances the token, or a piece of it, under a bank's
// terms: the advance is shown (POST …/financing/quote, which submits
// nothing) before asking; a piece is split off and financed in one
// transaction, the change stays with the holder.
function termFinancingForm(t, ctx, reload) {
  const bank = select({ id: "terms-bank", "data-field": "bank", required: true }, [], "Choose a bank");
  ctx.enterprises("bank").then((list) => bank.append(...options(list).map((o) => h("option", { value: o.value }, o.label)))).catch(() => {});
  const piece = input({ id: "terms-piece", "data-field": "piece", inputmode: "decimal", placeholder: "the whole token" });
  const fields = termsFields("terms");
  const preview = h("div", { id: "terms-preview", "aria-live": "polite" });
  const form = h("form", { id: "terms-form", class: "card inline-form", "data-op": "financing-terms" },
    h("h3", null, "Finance the token or a piece under terms"),
    h("p", { class: "muted" }, "Finance part of the token: the piece is split off and financed in one transaction, the change stays with you."),
    h("div", { class: "row" }, field("Bank", bank), field(`Piece (${CURRENCY}, empty: all of it)`, piece)),
    fields.el, preview,
    h("div", { class: "row" },
      h("button", { type: "submit", class: "secondary", id: "terms-preview-submit", "data-action": "preview" }, "Show the advance"),
      h("button", { type: "submit", id: "terms-submit", "data-action": "request" }, "Request financing")));
  bindForm(form, async (key) => {
    const action = form.dataset.action;
    let body;
    try {
      body = { bank: bank.value, ...fields.read() };
    } catch (err) {
      if (err instanceof TermsError) { showTermsError(form, err); return; }
      throw err;
    }
    if (piece.value.trim()) body.piece = piece.value.trim();
    if (action === "preview") {
      const adv = await post(`/v1/tokens/${encodeURIComponent(t.id)}/financing/quote`, body, key);
      clear(preview).append(h("h4", null, `What ${bank.value}'s terms pay you`), advanceFacts(adv, { id: "terms-advance" }));
      return;
    }
    const res = await post(`/v1/tokens/${encodeURIComponent(t.id)}/financing/terms`, body, key);
    finish(form);
    clear(preview).append(advanceFacts(res.advance, { id: "terms-advance" }));
    showOk(form, `Asked ${bank.value} to finance ${money(res.token.amount ?? res.advance.face)}: it will advance ${money(res.advance.advance)}`,
      res.change ? `; the change ${money(res.change.amount)} stays with you (token ${shortId(res.change.id)}).` : ".");
    selected = res.change?.id ?? res.token.id;
    await reload();
  });
  // Which button sent the form: preview or request (one key each).
  form.addEventListener("click", (ev) => {
    const b = ev.target.closest("button[type=submit]");
    if (b) form.dataset.action = b.dataset.action;
  });
  return form;
}

function tokenDetail(t, ctx, reload) {
  const card = h("div", { class: "card detail", id: "token-card", "data-token-id": t.id },
    h("h2", null, `Token ${shortId(t.id)}`),
    facts([
      ["ID", h("span", { class: "id" }, t.id)],
      ["Amount", h("span", { class: "amount", id: "token-amount" }, money(t.amount))],
      ["Tier", String(t.tier)],
      ["Core (debtor)", t.issuer],
      ["Backing bank", t.bank],
      ["Maturity", formatTime(t.maturity)],
      ["Status", badge(t.status)],
      ["Receivable (root)", h("span", { class: "id" }, t.root)],
      t.financing ? ["Financing", `asked ${t.financing.bank} ${formatTime(t.financing.requestedAt)}`] : null,
      t.badEnvelope ? ["Envelope", h("span", { class: "bad", id: "token-bad-envelope" }, `does not open its commitment: sealed by ${t.badEnvelope.sender || "an unknown sender"}`)] : null,
    ]));
  const accept = h("form", { id: "accept-form", "data-op": "accept" },
    h("button", { type: "submit", id: "accept", class: "secondary" }, "Accept: open and verify the amount"));
  bindForm(accept, async (key) => {
    const v = await post(`/v1/tokens/${encodeURIComponent(t.id)}/accept`, undefined, key);
    card.querySelector("#token-amount").textContent = money(v.amount);
    t.amount = v.amount;
    showOk(accept, `Accepted: ${money(v.amount)}, opened from its envelope and checked against the ledger's commitment.`);
    card.dispatchEvent(new Event("token-opened"));
  });
  card.append(accept);
  if (t.status === "ACTIVE") {
    card.append(splitForm(t, ctx, card, reload), financingForm(t, ctx, reload), rfqForm(t, ctx, reload), termFinancingForm(t, ctx, reload));
  }
  if (t.status === "PAYING") card.append(confirmPaymentForm(t, reload));
  if (t.status === "FINANCING") {
    const cancel = h("form", { id: "cancel-financing-form", "data-op": "cancel-financing" },
      h("button", { type: "submit", class: "danger" }, "Withdraw the financing request"));
    bindForm(cancel, async (key) => {
      await post(`/v1/tokens/${encodeURIComponent(t.id)}/financing/cancel`, undefined, key);
      showOk(cancel, "Financing request withdrawn.");
      await reload();
    });
    card.append(cancel);
  }
  return card;
}

// splitForm pays parts of the token to other suppliers. The change - what
// stays with the holder - is worked out exactly (BigInt minor units) as
// the amounts are typed; the form will not send more than the token holds.
function splitForm(t, ctx, card, reload) {
  const outputs = h("div", { id: "split-outputs" });
  const change = h("output", { id: "split-change", class: "change", "aria-live": "polite" });
  const submit = h("button", { type: "submit", id: "split-submit" }, "Split");
  const suppliers = h("datalist", { id: "supplier-list" });
  ctx.enterprises("supplier").then((list) => suppliers.append(...options(list, ctx.me.enterpriseId).map((o) => h("option", { value: o.value }, o.label)))).catch(() => {});
  const addOutput = () => {
    const i = outputs.children.length;
    if (i >= MAX_OUTPUTS) return;
    const to = input({ "data-field": `outputs[${i}].to`, id: `split-to-${i}`, list: "supplier-list", required: true, placeholder: "supplier ID", class: "split-to" });
    const amt = input({ "data-field": `outputs[${i}].amount`, id: `split-amount-${i}`, inputmode: "decimal", required: true, placeholder: "400000.00", class: "split-amount" });
    outputs.append(h("div", { class: "split-output" }, field(`To`, to), field(`Amount (${CURRENCY})`, amt)));
    update();
  };
  const update = () => {
    const value = t.amount ? BigInt(t.amount.minor) : null;
    let paid = 0n, unreadable = false;
    for (const a of outputs.querySelectorAll(".split-amount")) {
      if (!a.value.trim()) continue;
      const v = parseAmount(a.value);
      if (v === null) unreadable = true;
      else paid += v;
    }
    change.classList.remove("negative");
    submit.disabled = false;
    if (value === null) {
      change.textContent = "Accept the token first to see what stays with you.";
    } else if (unreadable) {
      change.textContent = `Change: — (amounts are written like 400000.00, at most two decimals)`;
    } else if (paid > value) {
      change.classList.add("negative");
      change.textContent = `Over the token's value by ${formatMinor(paid - value)} ${CURRENCY}`;
      submit.disabled = true;
    } else {
      const rest = value - paid;
      change.textContent = rest === 0n
        ? `Change: 0,00 ${CURRENCY} (the whole token is transferred)`
        : `Change back to you: ${formatMinor(rest)} ${CURRENCY}`;
    }
    submit.textContent = value !== null && paid === value ? "Transfer" : "Split";
  };
  card.addEventListener("token-opened", update);
  const form = h("form", { id: "split-form", class: "card inline-form", "data-op": "split" },
    h("h3", null, "Split or transfer"), suppliers, outputs,
    h("span", { class: "field-error", role: "alert", "data-error-for": "outputs" }),
    h("button", { type: "button", class: "secondary small", id: "split-add", onclick: addOutput }, "Add a recipient"),
    change, h("div", null, submit));
  form.addEventListener("input", update);
  addOutput();
  bindForm(form, async (key) => {
    const body = { outputs: [...outputs.children].map((row) => ({
      to: row.querySelector(".split-to").value.trim(), amount: row.querySelector(".split-amount").value.trim(),
    })) };
    const res = await post(`/v1/tokens/${encodeURIComponent(t.id)}/split`, body, key);
    const n = body.outputs.length;
    const paid = res.tokens.slice(0, n).map((x) => `${money(x.amount)} to ${x.holder}`).join(", ");
    const rest = res.tokens[n];
    // The change is what the token held less what was paid, whether or
    // not the wallet has opened the change token yet.
    const total = body.outputs.reduce((sum, o) => sum + (parseAmount(o.amount) ?? 0n), 0n);
    const change = rest?.amount ? money(rest.amount)
      : t.amount ? `${formatMinor(BigInt(t.amount.minor) - total)} ${CURRENCY}` : "sealed";
    selected = rest?.id ?? "";
    showOk(form, `${res.kind === "transfer" ? "Transferred" : "Split"}: ${paid}`,
      rest ? `; change ${change} stays with you (token ${shortId(rest.id)}).` : ".");
    finish(form);
    for (const f of ["#financing-form", "#rfq-form", "#terms-form"]) card.querySelector(f)?.remove();
    card.querySelector("dl .badge")?.replaceWith(badge("SPLIT"));
    await reload();
  });
  return form;
}

function financingForm(t, ctx, reload) {
  const bank = select({ id: "financing-bank", "data-field": "bank", required: true }, [], "Choose a bank");
  ctx.enterprises("bank").then((list) => bank.append(...options(list).map((o) => h("option", { value: o.value }, o.label)))).catch(() => {});
  const form = h("form", { id: "financing-form", class: "card inline-form", "data-op": "financing" },
    h("h3", null, "Request financing"),
    h("p", { class: "muted" }, "The amount is disclosed to the bank you choose, and to no one else."),
    field("Bank", bank),
    h("button", { type: "submit", id: "financing-submit" }, "Request financing"));
  bindForm(form, async (key) => {
    const v = await post(`/v1/tokens/${encodeURIComponent(t.id)}/financing`, { bank: bank.value }, key);
    showOk(form, `Financing of ${money(v.amount ?? t.amount)} requested from ${bank.value}: the token is ${v.status}.`);
    finish(form);
    const card = form.closest(".card.detail");
    const split = card?.querySelector("#split-form");
    if (split) finish(split);
    card?.querySelector("dl .badge")?.replaceWith(badge(v.status));
    await reload();
  });
  return form;
}

// confirmPaymentForm confirms a declared payment of t; reload, if given,
// reloads the list it was opened from.
export function confirmPaymentForm(t, reload) {
  const form = h("form", { id: `confirm-payment-${t.id}`, class: "confirm-payment-form", "data-op": "payment-confirm" },
    h("p", null, `${t.issuer} declared payment (${t.payment?.ref ?? ""}). Confirm once the money is in your account.`),
    h("button", { type: "submit", class: "confirm-payment" }, "Confirm payment received"));
  bindForm(form, async (key) => {
    const v = await post(`/v1/tokens/${encodeURIComponent(t.id)}/payment/confirm`, undefined, key);
    showOk(form, `Settled: ${money(v.amount ?? t.amount)}.`);
    finish(form);
    await reload?.();
  });
  return form;
}

export default {
  tabs: [
    { id: "invoices", label: "Invoices", render: invoicesTab },
    { id: "tokens", label: "Tokens", render: tokensTab },
  ],
};

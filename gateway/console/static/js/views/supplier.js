// A supplier's pages: upload invoices, and the tokens it holds - accept,
// split or transfer with the change shown as it is typed, ask a bank to
// finance, confirm a payment.

import { call, get, post, items } from "../api.js";
import { h, append, clear, table, badge, amount, facts } from "../dom.js";
import { bindForm, field, finish, input, select, showOk } from "../forms.js";
import { money, formatDate, formatTime, formatMinor, parseAmount, shortId, CURRENCY } from "../format.js";
import { heading, tokenColumns, tokenRowAttrs, options, badEnvelopes } from "./common.js";

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
  append(el, heading("Tokens", ctx), await badEnvelopes(), total, list, detail);
  const again = (await reload()).find((t) => t.id === selected);
  if (again) open(again);
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
  if (t.status === "ACTIVE") card.append(splitForm(t, ctx, card, reload), financingForm(t, ctx, reload));
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
    card.querySelector("#financing-form")?.remove();
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

// Pieces every role's pages share.

import { h, badge, amount, table } from "../dom.js";
import { money, formatTime, shortId } from "../format.js";
import { items, post } from "../api.js";
import { bindForm, showOk } from "../forms.js";

const REASONS = {
  ENVELOPE_UNDECRYPTABLE: "does not decrypt with your key",
  ENVELOPE_WRONG_OPENING: "decrypts to an amount that is not the token's",
};

// badEnvelopes is the card of the records addressed to the enterprise
// whose envelope does not open their commitment (its wallet checks every
// one it receives), each with its sender and, for a token the enterprise
// holds, a button that files a dispute on the ledger. Nothing when there
// are none.
export async function badEnvelopes(onFiled) {
  // A failure here must not take the page down: the card is a warning.
  const list = await items("/v1/bad-envelopes").catch(() => []);
  if (!list.length) return null;
  const dispute = (b) => {
    if (b.kind !== "token") return "";
    const form = h("form", { class: "dispute-form", "data-op": "dispute", "data-token-id": b.id },
      h("button", { type: "submit", class: "small danger" }, "File a dispute"));
    bindForm(form, async (key) => {
      const d = await post(`/v1/tokens/${encodeURIComponent(b.id)}/dispute`, undefined, key);
      showOk(form, `Dispute on the ledger against ${d.sender} (transaction ${shortId(d.txId)}).`);
      if (onFiled) await onFiled();
    });
    return form;
  };
  return h("div", { class: "card warning", id: "bad-envelopes", role: "alert" },
    h("h2", null, "Envelopes that do not open"),
    h("p", null, "Your wallet could not open these records: their sealed amount does not match the commitment on the ledger, so they cannot be spent or financed. The sender named here sealed them; a dispute puts this on the ledger, where the regulator sees it."),
    table([
      { title: "Record", cell: (b) => h("span", { class: "id", title: b.id }, `${b.kind} ${shortId(b.id)}`) },
      { title: "Sender", cell: (b) => b.sender || "unknown" },
      { title: "Why", cell: (b) => REASONS[b.reason] ?? b.reason },
      { title: "Found", cell: (b) => formatTime(b.detectedAt) },
      { title: "", cell: dispute },
    ], list, { id: "bad-envelopes-table", rowAttrs: (b) => ({ "data-id": b.id, "data-sender": b.sender }) }));
}

// heading is a tab's title with its Refresh button.
export function heading(title, ctx, extra) {
  return h("div", { class: "toolbar" }, h("h1", null, title),
    h("div", { class: "row" }, extra ?? null,
      h("button", { type: "button", class: "secondary refresh", id: "refresh", onclick: () => ctx.refresh() }, "Refresh")));
}

// tokenColumns are the columns of a token table.
export const tokenColumns = {
  id: { title: "Token", cell: (t) => h("span", { class: "id", title: t.id }, shortId(t.id)) },
  tier: { title: "Tier", num: true, cell: (t) => String(t.tier) },
  amount: { title: "Amount", num: true, cell: (t) => amount(money(t.amount)) },
  maturity: { title: "Maturity", cell: (t) => formatTime(t.maturity) },
  status: { title: "Status", cell: (t) => badge(t.status) },
  issuer: { title: "Core", cell: (t) => t.issuer },
  holder: { title: "Holder", cell: (t) => t.holder },
  bank: { title: "Bank", cell: (t) => t.bank },
};

export function tokenRowAttrs(t, selected) {
  return { "data-token-id": t.id, "data-status": t.status, class: t.id === selected ? "selected" : null };
}

export function options(enterprises, exclude) {
  return enterprises.filter((e) => e.id !== exclude).map((e) => ({ value: e.id, label: e.name && e.name !== e.id ? `${e.id} · ${e.name}` : e.id }));
}

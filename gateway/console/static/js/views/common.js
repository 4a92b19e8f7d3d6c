// Pieces every role's pages share. Texts in messages/common.js.

import { t } from "../i18n.js";
import { h, badge, amount, table, notr, rowLabel } from "../dom.js";
import { money, formatTime, shortId, formatDate, daysUntil } from "../format.js";
import { items, post } from "../api.js";
import { bindForm, showOk } from "../forms.js";

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
      h("button", { type: "submit", class: "small danger", ...rowLabel("common.disputeRow", { id: shortId(b.id) }) }, t("common.dispute")));
    bindForm(form, async (key) => {
      const d = await post(`/v1/tokens/${encodeURIComponent(b.id)}/dispute`, undefined, key);
      showOk(form, t("common.disputeFiled", { sender: d.sender, tx: shortId(d.txId) }));
      if (onFiled) await onFiled();
    });
    return form;
  };
  const reason = (r) => (r === "ENVELOPE_UNDECRYPTABLE" || r === "ENVELOPE_WRONG_OPENING" ? t(`common.badEnvelope.${r}`) : notr(r));
  return h("div", { class: "card warning", id: "bad-envelopes", role: "alert" },
    h("h2", null, t("common.badEnvelopesTitle")),
    h("p", null, t("common.badEnvelopesHelp")),
    table([
      { title: t("common.record"), cell: (b) => h("span", { class: "id", title: b.id, translate: "no" }, `${b.kind} ${shortId(b.id)}`) },
      { title: t("common.sender"), cell: (b) => (b.sender ? notr(b.sender) : t("common.unknown")) },
      { title: t("common.why"), cell: (b) => reason(b.reason) },
      { title: t("common.found"), cell: (b) => formatTime(b.detectedAt) },
      { title: t("common.actions"), cell: dispute },
    ], list, { id: "bad-envelopes-table", caption: t("common.badEnvelopesTitle"), rowAttrs: (b) => ({ "data-id": b.id, "data-sender": b.sender }) }));
}

// heading is a tab's title with its Refresh button.
export function heading(title, ctx, extra) {
  return h("div", { class: "toolbar" }, h("h1", null, title),
    h("div", { class: "row" }, extra ?? null,
      h("button", { type: "button", class: "secondary refresh", id: "refresh", onclick: () => ctx.refresh() }, t("common.refresh"))));
}

// idCell shows an ID (a token's, a request's) abbreviated, in full on hover.
export function idCell(id) {
  return h("span", { class: "id", title: id, translate: "no" }, shortId(id));
}

// maturityCell shows a maturity date with the days left (or overdue).
export function maturityCell(iso) {
  const d = daysUntil(iso);
  const left = d === null ? "" : d > 0 ? t("common.days", { n: d }) : d === 0 ? t("common.today") : t("common.daysOverdue", { n: -d });
  return h("span", { class: "maturity" }, formatDate(iso), left ? h("small", { class: "muted days-left" }, ` · ${left}`) : null);
}

// tokenColumns are the columns of a token table (titles in the console's
// language at the time the table is drawn: a getter per column).
export const tokenColumns = {
  get id() { return { title: t("common.col.token"), cell: (x) => idCell(x.id) }; },
  get tier() { return { title: t("common.col.tier"), num: true, cell: (x) => String(x.tier) }; },
  get amount() { return { title: t("common.col.amount"), num: true, cell: (x) => amount(money(x.amount)) }; },
  get maturity() { return { title: t("common.col.maturity"), cell: (x) => maturityCell(x.maturity) }; },
  get status() { return { title: t("common.col.status"), cell: (x) => badge(x.status) }; },
  get issuer() { return { title: t("common.col.core"), cell: (x) => notr(x.issuer) }; },
  get holder() { return { title: t("common.col.holder"), cell: (x) => notr(x.holder) }; },
  get bank() { return { title: t("common.col.bank"), cell: (x) => notr(x.bank) }; },
};

export function tokenRowAttrs(tok, selected) {
  return { "data-token-id": tok.id, "data-status": tok.status, class: tok.id === selected ? "selected" : null };
}

export function options(enterprises, exclude) {
  return enterprises.filter((e) => e.id !== exclude).map((e) => ({ value: e.id, label: e.name && e.name !== e.id ? `${e.id} · ${e.name}` : e.id }));
}

// partyCell names an enterprise from a list of enterprises (GET
// /v1/enterprises): its name, with its ID and legal ID beneath; the ID
// alone when the list does not have it.
export function partyCell(list, id) {
  const e = (list ?? []).find((x) => x.id === id);
  if (!e) return notr(id ?? "");
  return h("span", { class: "party" }, h("span", { class: "party-name", translate: "no" }, e.name || e.id),
    h("br"), h("small", { class: "muted", translate: "no" }, e.legalId ? `${e.id} · ${e.legalId}` : e.id));
}

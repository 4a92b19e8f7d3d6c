// Pieces every role's pages share.

import { h, badge, amount } from "../dom.js";
import { money, formatTime, shortId } from "../format.js";

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

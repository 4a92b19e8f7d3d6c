// The operator's page: onboard a hosted supplier (its API token is shown
// once: a copy button, a warning, kept in this tab across a refresh until
// dismissed), the enterprises on the ledger with their legal IDs, and
// suspend or reinstate each. Texts in messages/operator.js.

import "../messages/operator.js";
import { t, tn } from "../i18n.js";
import { post, items } from "../api.js";
import { h, append, table, badge, notr, clear, rowLabel } from "../dom.js";
import { bindForm, field, input, select, showOk } from "../forms.js";
import { formatTime } from "../format.js";
import { heading } from "./common.js";

// The one-time token stays in sessionStorage (this tab only, like the
// operator's own token) until the operator dismisses it.
const TOKEN_KEY = "tierchain.onboardedToken";

function pendingToken() {
  try {
    const v = JSON.parse(sessionStorage.getItem(TOKEN_KEY) ?? "null");
    return v && typeof v.id === "string" && typeof v.token === "string" ? v : null;
  } catch {
    return null;
  }
}

// tokenCard shows the new supplier's API token with a copy button and the
// warning that it is shown only now.
function tokenCard(saved, onDismiss) {
  const code = h("code", { id: "onboard-token", translate: "no" }, saved.token);
  const status = h("span", { id: "copy-status", role: "status", class: "muted" });
  const copy = h("button", { type: "button", id: "copy-token", class: "small", ...rowLabel("operator.copyRow", { id: saved.id }) }, t("common.copy"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(saved.token);
      status.textContent = t("common.copied");
    } catch {
      // Without the clipboard (http, a refused permission) the token is selected for a manual copy.
      const r = document.createRange();
      r.selectNodeContents(code);
      getSelection().removeAllRanges();
      getSelection().addRange(r);
      status.textContent = t("common.copyFailed");
    }
  });
  const dismiss = h("button", { type: "button", id: "dismiss-token", class: "secondary small" }, t("operator.dismissToken"));
  dismiss.addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    onDismiss();
  });
  return h("div", { id: "token-card", class: "card warning", role: "region", "aria-labelledby": "token-card-title" },
    h("h2", { id: "token-card-title" }, tn("operator.tokenTitle", { id: notr(saved.id) })),
    h("p", null, h("strong", null, t("operator.tokenWarning"))),
    h("div", { class: "token-box" }, code, copy, status),
    h("p", { class: "muted" }, t("operator.tokenHelp")),
    dismiss);
}

// lifecycle is a row's suspend or reinstate button, named with the row.
// Done, the row shows the new status and the opposite button, focused.
function lifecycle(e, me) {
  if (e.id === me || (e.status !== "ACTIVE" && e.status !== "SUSPENDED")) return "";
  const suspend = e.status === "ACTIVE";
  const form = h("form", { class: "lifecycle-form", "data-op": suspend ? "suspend" : "reactivate", "data-enterprise": e.id },
    h("button", { type: "submit", class: suspend ? "small danger suspend" : "small secondary reinstate",
      ...rowLabel(suspend ? "operator.suspendRow" : "operator.reinstateRow", { name: e.name || e.id }) },
    t(suspend ? "operator.suspend" : "operator.reinstate")));
  bindForm(form, async (key) => {
    const v = await post(`/v1/enterprises/${encodeURIComponent(e.id)}/${suspend ? "suspend" : "reactivate"}`, undefined, key);
    const now = { ...e, status: v?.status ?? (suspend ? "SUSPENDED" : "ACTIVE") };
    const tr = form.closest("tr");
    tr?.setAttribute("data-status", now.status);
    tr?.querySelector(".badge")?.replaceWith(badge(now.status));
    const next = lifecycle(now, me);
    form.replaceWith(next);
    if (next) {
      showOk(next, t("operator.statusNow", { status: t(`state.${now.status}`) }));
      next.querySelector("button")?.focus();
    }
  });
  return form;
}

async function enterprisesTab(el, ctx) {
  const list = await items("/v1/enterprises");
  const id = input({ id: "onboard-id", "data-field": "id", required: true, placeholder: "tier4", translate: "no" });
  const name = input({ id: "onboard-name", "data-field": "name", required: true, placeholder: "苏州精密零部件有限公司", translate: "no" });
  const legal = input({ id: "onboard-legal", "data-field": "legalId", placeholder: "0192:915600123", translate: "no" });
  const role = select({ id: "onboard-role", "data-field": "role" }, [{ value: "supplier", label: t("operator.roleSupplierHosted") }]);
  const tokenSlot = h("div", { id: "token-slot" });
  const showToken = () => {
    const saved = pendingToken();
    clear(tokenSlot).append(saved ? tokenCard(saved, () => { clear(tokenSlot); id.focus(); }) : "");
  };
  const form = h("form", { id: "onboard-form", class: "card", "data-op": "onboard" },
    h("h2", null, t("operator.onboardTitle")),
    h("div", { class: "row" }, field(t("operator.id"), id), field(t("operator.name"), name), field(t("operator.legalId"), legal), field(t("operator.role"), role)),
    h("button", { type: "submit", id: "onboard-submit" }, t("operator.onboard")));
  bindForm(form, async (key) => {
    const r = await post("/v1/enterprises", { id: id.value.trim(), name: name.value.trim(), role: role.value,
      legalId: legal.value.trim() || undefined }, key);
    if (r.apiToken) sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ id: r.enterprise.id, token: r.apiToken }));
    showOk(form, tn(r.apiToken ? "operator.onboardedToken" : "operator.onboarded", { id: notr(r.enterprise.id) }));
    showToken();
    tokenSlot.querySelector("#copy-token")?.focus();
  });
  showToken();
  const me = ctx.me.enterpriseId;
  append(el, heading(t("operator.enterprisesTitle"), ctx), tokenSlot, form, table([
    { title: t("operator.id"), cell: (e) => notr(e.id) },
    { title: t("operator.name"), cell: (e) => notr(e.name) },
    { title: t("operator.legalId"), cell: (e) => (e.legalId ? notr(e.legalId, "code") : h("span", { class: "muted" }, t("operator.legalIdUnknown"))) },
    { title: t("operator.role"), cell: (e) => t(`common.role.${e.role}`) },
    { title: t("operator.msp"), cell: (e) => notr(e.mspId) },
    { title: t("common.col.status"), cell: (e) => badge(e.status) },
    { title: t("operator.registered"), cell: (e) => formatTime(e.registeredAt) },
    { title: t("common.actions"), cell: (e) => lifecycle(e, me) },
  ], list, { id: "enterprises-table", caption: t("operator.enterprisesTitle"), rowAttrs: (e) => ({ "data-enterprise": e.id, "data-status": e.status }) }));
}

export default { tabs: [{ id: "enterprises", labelKey: "operator.tab.enterprises", render: enterprisesTab }] };

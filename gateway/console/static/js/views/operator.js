// The operator's page: onboard a hosted supplier (its API token is shown
// once) and the enterprises on the ledger.

import { post, items } from "../api.js";
import { h, append, table, badge } from "../dom.js";
import { bindForm, field, input, select, showOk } from "../forms.js";
import { formatTime } from "../format.js";
import { heading } from "./common.js";

async function enterprisesTab(el, ctx) {
  const list = await items("/v1/enterprises");
  const id = input({ id: "onboard-id", "data-field": "id", required: true, placeholder: "tier4" });
  const name = input({ id: "onboard-name", "data-field": "name", required: true, placeholder: "Nordvik Komponenter AS" });
  const legal = input({ id: "onboard-legal", "data-field": "legalId", placeholder: "0192:915600123" });
  const role = select({ id: "onboard-role", "data-field": "role" }, [{ value: "supplier", label: "supplier (hosted here)" }]);
  const form = h("form", { id: "onboard-form", class: "card", "data-op": "onboard" },
    h("h2", null, "Onboard a supplier"),
    h("div", { class: "row" }, field("ID", id), field("Name", name), field("Legal ID (scheme:value)", legal), field("Role", role)),
    h("button", { type: "submit", id: "onboard-submit" }, "Onboard"));
  bindForm(form, async (key) => {
    const r = await post("/v1/enterprises", { id: id.value.trim(), name: name.value.trim(), role: role.value,
      legalId: legal.value.trim() || undefined }, key);
    showOk(form, `${r.enterprise.id} is on the ledger. Its API token, shown only now: `, h("code", { id: "onboard-token" }, r.apiToken ?? "(none)"));
  });
  append(el, heading("Enterprises", ctx), form, table([
    { title: "ID", cell: (e) => e.id }, { title: "Name", cell: (e) => e.name }, { title: "Role", cell: (e) => e.role },
    { title: "MSP", cell: (e) => e.mspId }, { title: "Status", cell: (e) => badge(e.status) },
    { title: "Registered", cell: (e) => formatTime(e.registeredAt) },
  ], list, { id: "enterprises-table" }));
}

export default { tabs: [{ id: "enterprises", label: "Enterprises", render: enterprisesTab }] };

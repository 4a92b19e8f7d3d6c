// phrase renders a catalog message whose placeholders hold data (names,
// IDs, amounts, dates): the words are translated, the data is not. Each
// parameter becomes its own element marked translate="no" (or is the node
// given), so a browser's translator leaves a supplier's name alone and the
// untranslated-text test does not mistake it for a missed message.

import { tn } from "./i18n.js";
import { h } from "./dom.js";

// phrase is tn (i18n.js) with every parameter that is not already a node
// wrapped in its own translate="no" element (numbers stay plain text).
export function phrase(key, params = {}) {
  const wrapped = {};
  for (const [k, v] of Object.entries(params)) {
    if (v instanceof Node || typeof v === "number" || typeof v === "bigint") wrapped[k] = v;
    else wrapped[k] = h("span", { translate: "no" }, String(v ?? ""));
  }
  return tn(key, wrapped);
}

// untranslatable marks a <select>'s data options (enterprise names and
// IDs) translate="no", leaving its prompt (the option without a value)
// to be translated.
export function untranslatable(select) {
  for (const o of select.options) {
    if (o.value) o.setAttribute("translate", "no");
  }
  return select;
}

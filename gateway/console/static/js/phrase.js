// phrase renders a catalog message whose placeholders hold data (names,
// IDs, amounts, dates): the words are translated, the data is not. Each
// parameter becomes its own element marked translate="no" (or is the node
// given), so a browser's translator leaves a supplier's name alone and the
// untranslated-text test does not mistake it for a missed message.

import { t } from "./i18n.js";
import { h } from "./dom.js";

export function phrase(key, params = {}) {
  const template = t(key); // no params: the placeholders stay in
  const out = [];
  let last = 0;
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    if (m.index > last) out.push(template.slice(last, m.index));
    const v = Object.prototype.hasOwnProperty.call(params, m[1]) ? params[m[1]] : m[0];
    if (v instanceof Node) out.push(v);
    else if (typeof v === "number" || typeof v === "bigint") out.push(String(v));
    else out.push(h("span", { translate: "no" }, String(v ?? "")));
    last = m.index + m[0].length;
  }
  if (last < template.length) out.push(template.slice(last));
  return out;
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

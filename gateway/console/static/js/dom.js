// A small DOM builder: h("tag", {attrs}, ...children). Text is always set
// as text, never parsed as HTML, so nothing from the API can inject markup.

import { t, has } from "./i18n.js";

const SVG_NS = "http://www.w3.org/2000/svg";

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.setAttribute("class", Array.isArray(v) ? v.filter(Boolean).join(" ") : v);
    else if (k === "value" && "value" in el && el.namespaceURI !== SVG_NS) el.value = v;
    else if (k === "checked" || k === "disabled" || k === "selected" || k === "hidden") el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, ...children);
  return el;
}

// append adds children: nodes, strings, numbers; arrays are flattened and
// null, undefined and false skipped (Element.append would write them out).
export function append(el, ...children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

// notr wraps what must never be translated (IDs, hashes, names, codes,
// amounts) in an element marked translate="no": browser translators leave
// it alone and the untranslated-text test skips it.
export function notr(text, tag = "span", attrs) {
  return h(tag, { translate: "no", ...attrs }, text);
}

// rowLabel is the attributes of a row's button: an aria-label naming its
// row (t(key, params)), and in data-notr the parameters (names, IDs) that
// stay untranslated inside it, one a line, for the untranslated-text test.
export function rowLabel(key, params) {
  return { "aria-label": t(key, params), "data-notr": Object.values(params ?? {}).map(String).join("\n") };
}

// table renders rows under columns [{title, cell(row) → node|string,
// num?: true}]; rowAttrs(row) gives each <tr>'s attributes. The table
// scrolls sideways inside its own box on a narrow screen (caption: what
// the table lists, for screen readers).
export function table(columns, rows, { id, empty, rowAttrs, caption } = {}) {
  if (!rows.length) return h("p", { id, class: "muted empty" }, empty ?? t("common.empty"));
  return h("div", { class: "table-scroll", role: "region", tabindex: "0", "aria-label": caption ?? t("common.table") },
    h("table", { id },
      caption ? h("caption", { class: "visually-hidden" }, caption) : null,
      h("thead", null, h("tr", null, columns.map((c) => h("th", { class: c.num ? "num" : null, scope: "col" }, c.title)))),
      h("tbody", null, rows.map((r) => h("tr", rowAttrs ? rowAttrs(r) : null,
        columns.map((c) => h("td", { class: c.num ? "num" : null }, c.cell(r))))))));
}

// badge shows a state: a state the catalogs know (common.state.<STATE>)
// in the console's language, any other as its code, untranslated.
export function badge(text, cls) {
  const known = has(`state.${text}`);
  return h("span", { class: ["badge", cls ?? text], translate: known ? null : "no", "data-state": text }, known ? t(`state.${text}`) : text);
}

// amount shows a figure that never breaks across lines and is never
// translated.
export function amount(text) {
  return h("span", { class: "amount", translate: "no" }, text);
}

// facts renders a definition list of [term, value] pairs.
export function facts(pairs, attrs) {
  return h("dl", { class: "facts", ...attrs }, pairs.filter(Boolean).map(([k, v]) => [h("dt", null, k), h("dd", null, v)]));
}

export function stat(label, value, attrs) {
  return h("div", { class: "stat", ...attrs }, h("div", { class: "value" }, value), h("div", { class: "label" }, label));
}

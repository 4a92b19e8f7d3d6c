// A small DOM builder: h("tag", {attrs}, ...children). Text is always set
// as text, never parsed as HTML, so nothing from the API can inject markup.

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

// table renders rows under columns [{title, cell(row) → node|string,
// num?: true}]; rowAttrs(row) gives each <tr>'s attributes.
export function table(columns, rows, { id, empty = "Nothing here yet.", rowAttrs } = {}) {
  if (!rows.length) return h("p", { id, class: "muted empty" }, empty);
  return h("table", { id },
    h("thead", null, h("tr", null, columns.map((c) => h("th", { class: c.num ? "num" : null }, c.title)))),
    h("tbody", null, rows.map((r) => h("tr", rowAttrs ? rowAttrs(r) : null,
      columns.map((c) => h("td", { class: c.num ? "num" : null }, c.cell(r)))))));
}

export function badge(text, cls) {
  return h("span", { class: ["badge", cls ?? text] }, text);
}

export function amount(text) {
  return h("span", { class: "amount" }, text);
}

// facts renders a definition list of [term, value] pairs.
export function facts(pairs, attrs) {
  return h("dl", { class: "facts", ...attrs }, pairs.filter(Boolean).map(([k, v]) => [h("dt", null, k), h("dd", null, v)]));
}

export function stat(label, value, attrs) {
  return h("div", { class: "stat", ...attrs }, h("div", { class: "value" }, value), h("div", { class: "label" }, label));
}

// Charts drawn by hand as inline SVG: horizontal bars and a provenance
// tree. Every label is SVG text, so the figures are in the page's text
// for screen readers and tests alike. The data written on a chart (names,
// amounts) is marked translate="no"; the titles come translated.

import { h, s } from "./dom.js";
import { t } from "./i18n.js";
import "./messages/charts.js";

// barChart draws one bar per item ({label, value, text}): value (a number
// or BigInt, minor units or a count) sets the length, text is written at
// the bar's end.
// title is a string or nodes (words translated, data such as a currency
// code in translate="no" elements, as phrase() makes them).
export function barChart({ id, title, items, empty }) {
  const caption = h("figcaption", null, title);
  const fig = h("figure", { class: "chart", id }, caption);
  const label = caption.textContent;
  if (!items.length) {
    fig.append(h("p", { class: "muted" }, empty ?? t("charts.empty")));
    return fig;
  }
  const longest = items.reduce((m, it) => Math.max(m, String(it.text).length), 0);
  const labelW = 150, barMax = 360, textW = Math.max(120, longest * 7.5 + 16), rowH = 28, top = 6;
  const width = labelW + barMax + textW;
  const height = top * 2 + rowH * items.length;
  const max = items.reduce((m, it) => (Number(it.value) > m ? Number(it.value) : m), 0) || 1;
  // The data in a title (a currency code) stays untranslated in the label.
  const data = [...caption.querySelectorAll("[translate=no]")].map((e) => e.textContent).filter(Boolean).join("\n");
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": label, "data-notr": data || null });
  svg.append(s("line", { class: "axis", x1: labelW, y1: 0, x2: labelW, y2: height }));
  items.forEach((it, i) => {
    const y = top + i * rowH;
    const w = Math.max(2, Math.round((Number(it.value) / max) * barMax));
    svg.append(s("g", { class: "bar-row", "data-label": it.label },
      s("text", { x: labelW - 8, y: y + rowH / 2 + 4, "text-anchor": "end", translate: "no" }, it.label),
      s("rect", { class: ["bar", i % 2 ? "alt" : null], x: labelW, y: y + 4, width: w, height: rowH - 8, rx: 3 },
        s("title", null, `${it.label}: ${it.text}`)),
      s("text", { class: "value", x: labelW + w + 6, y: y + rowH / 2 + 4, translate: "no" }, it.text)));
  });
  fig.append(svg);
  return fig;
}

// treeChart draws a tree top-down. node: {children?}; lines(node) gives a
// box's text lines ([text, class, data?] - data: a name or an amount, not
// to translate), cls(node) its class (a string or a list). Leaves are laid
// side by side, each parent centred over its children; a box is as tall
// as the most lines any box has.
export function treeChart(root, { id, title, lines, cls }) {
  const most = (function count(n) { return Math.max(lines(n).length, ...(n.children ?? []).map(count)); })(root);
  const boxW = 190, boxH = Math.max(74, 10 + most * 17), gapX = 18, gapY = 46, pad = 10;
  let nextLeaf = 0;
  const placed = [];
  const place = (node, depth) => {
    const kids = node.children ?? [];
    let x;
    if (!kids.length) x = nextLeaf++ * (boxW + gapX);
    else {
      const xs = kids.map((k) => place(k, depth + 1));
      x = (xs[0] + xs[xs.length - 1]) / 2;
    }
    placed.push({ node, x, y: depth * (boxH + gapY), kids });
    return x;
  };
  place(root, 0);
  const at = new Map(placed.map((p) => [p.node, p]));
  const width = pad * 2 + Math.max(1, nextLeaf) * (boxW + gapX) - gapX;
  const height = pad * 2 + (Math.max(...placed.map((p) => p.y)) + boxH);
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": title });
  const edges = s("g", { class: "edges" });
  const nodes = s("g", { class: "nodes" });
  for (const p of placed) {
    for (const k of p.kids) {
      const c = at.get(k);
      const x1 = pad + p.x + boxW / 2, y1 = pad + p.y + boxH, x2 = pad + c.x + boxW / 2, y2 = pad + c.y;
      const my = (y1 + y2) / 2;
      edges.append(s("path", { class: "edge", d: `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}` }));
    }
    const g = s("g", { class: ["node", ...[cls(p.node)].flat()], transform: `translate(${pad + p.x},${pad + p.y})` },
      s("rect", { width: boxW, height: boxH, rx: 6 }));
    lines(p.node).forEach(([text, c, data], i) => {
      g.append(s("text", { class: c, x: 10, y: 18 + i * 17, translate: data ? "no" : null }, text));
    });
    nodes.append(g);
  }
  svg.append(edges, nodes);
  return h("figure", { class: "chart", id }, h("figcaption", null, title), svg);
}

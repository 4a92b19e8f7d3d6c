// The console's two languages, English ("en") and Simplified Chinese
// ("zh-CN"). Each page registers its catalog (js/messages/<page>.js):
//   register({ en: { "bank.title": "Inbox" }, "zh-CN": { "bank.title": "收件箱" } })
// and renders its text with t(key, params). The chosen language sticks in
// localStorage; without a choice it follows the browser's languages.

export const LOCALES = ["en", "zh-CN"];
const STORAGE_KEY = "tierchain.locale";
const catalogs = { en: Object.create(null), "zh-CN": Object.create(null) };

if (!Array.isArray(window.__i18nMissing)) window.__i18nMissing = [];

// register adds a page's messages; a later key replaces an earlier one.
export function register(messages) {
  for (const [loc, entries] of Object.entries(messages ?? {})) {
    if (!catalogs[loc]) continue;
    Object.assign(catalogs[loc], entries);
  }
}

function normalise(l) {
  const s = String(l ?? "").toLowerCase();
  if (s.startsWith("zh")) return "zh-CN";
  if (s.startsWith("en")) return "en";
  return "";
}

// locale is the language the console speaks: the stored choice, else the
// first of the browser's languages it knows (any zh* → zh-CN), else en.
export function locale() {
  let stored = "";
  try { stored = normalise(localStorage.getItem(STORAGE_KEY)); } catch { /* storage off */ }
  if (stored) return stored;
  for (const l of navigator.languages ?? [navigator.language]) {
    const n = normalise(l);
    if (n) return n;
  }
  return "en";
}

// setLocale stores the choice, sets <html lang> and tells the pages to
// render again (the tierchain:locale event, detail = the locale).
export function setLocale(l) {
  const n = normalise(l) || "en";
  try { localStorage.setItem(STORAGE_KEY, n); } catch { /* storage off */ }
  document.documentElement.lang = n;
  window.dispatchEvent(new CustomEvent("tierchain:locale", { detail: n }));
  return n;
}

// t renders a message with {name} placeholders filled from params. A key
// no catalog has renders as ⟦key⟧ and is recorded in window.__i18nMissing
// (the browser tests fail on any).
export function t(key, params) {
  const loc = locale();
  let text = catalogs[loc][key];
  if (text === undefined) {
    if (!window.__i18nMissing.includes(`${loc}:${key}`)) window.__i18nMissing.push(`${loc}:${key}`);
    return `⟦${key}⟧`;
  }
  if (params) {
    text = text.replace(/\{(\w+)\}/g, (m, name) => (Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : m));
  }
  return text;
}

// tn renders a message as a list of strings and nodes: a parameter that
// is a DOM node (an ID or amount in notr()) is put in as that node, so a
// sentence can hold parts that are not to be translated.
export function tn(key, params) {
  const text = t(key);
  if (text.startsWith("⟦") || !params) return [text];
  const out = [];
  const placed = new Set(); // a node named twice ("{core} … {core}") is placed, then cloned
  let last = 0;
  text.replace(/\{(\w+)\}/g, (m, name, at) => {
    out.push(text.slice(last, at));
    let v = Object.prototype.hasOwnProperty.call(params, name) ? params[name] : m;
    if (v instanceof Node) {
      if (placed.has(v)) v = v.cloneNode(true);
      else placed.add(v);
    } else {
      v = String(v);
    }
    out.push(v);
    last = at + m.length;
    return m;
  });
  out.push(text.slice(last));
  return out.filter((x) => x !== "");
}

// has reports whether the current language has key (for optional texts,
// such as a problem code's own message).
export function has(key) {
  return catalogs[locale()][key] !== undefined;
}

document.documentElement.lang = locale();

// The console's entry point: sign-in with an API token, then the pages of
// the signed-in enterprise's role, one tab each (the URL's #fragment).

import "./messages/common.js";
import { t, locale, setLocale, LOCALES } from "./i18n.js";
import { session, get, items, ProblemError } from "./api.js";
import { h, clear, notr } from "./dom.js";
import { bindForm, field, input } from "./forms.js";
import { setTimeZone } from "./format.js";
import supplier from "./views/supplier.js";
import core from "./views/core.js";
import bank from "./views/bank.js";
import regulator from "./views/regulator.js";
import operator from "./views/operator.js";

const views = { supplier, core, bank, regulator, operator };
const app = document.getElementById("app");
const tabs = document.getElementById("tabs");
const whoami = document.getElementById("whoami");
const signout = document.getElementById("signout");

let current = null; // {me, view, ctx}
let signInMessage = null; // the sign-in form's message, kept across a language switch

// labelOf gives a tab's label in the console's language: a view's tab
// names it with labelKey (a catalog key), label() or a fixed label.
export function labelOf(tab) {
  if (tab.labelKey) return t(tab.labelKey);
  return typeof tab.label === "function" ? tab.label() : tab.label;
}

// frame writes the page's fixed texts (header, switch) in the console's
// language.
function frame() {
  document.documentElement.lang = locale();
  const brand = document.querySelector(".top .brand");
  if (brand) brand.setAttribute("translate", "no");
  signout.textContent = t("common.signOut");
  tabs.setAttribute("aria-label", t("common.sections"));
  let sw = document.getElementById("lang");
  if (!sw) {
    sw = h("select", { id: "lang", class: "lang" },
      LOCALES.map((l) => h("option", { value: l, lang: l, translate: "no" }, l === "en" ? "English" : "简体中文")));
    sw.addEventListener("change", () => setLocale(sw.value));
    signout.before(sw);
  }
  sw.setAttribute("aria-label", t("common.language"));
  sw.value = locale();
  if (current) {
    const { me } = current;
    clear(whoami).append(notr(me.name || me.enterpriseId), " · ", t(`common.role.${me.role}`));
  }
}

function signIn(message) {
  current = null;
  signInMessage = message ?? null;
  clear(tabs);
  clear(whoami);
  signout.hidden = true;
  frame();
  document.title = t("common.signInPageTitle");
  const token = input({ id: "token", type: "password", "data-field": "token", required: true, spellcheck: "false", placeholder: t("common.apiToken") });
  const form = h("form", { id: "signin-form", class: "card", "data-op": "signin" },
    h("h1", null, t("common.signInTitle")),
    h("p", { class: "muted" }, t("common.signInHelp")),
    field(t("common.apiToken"), token),
    h("button", { type: "submit", id: "signin-submit" }, t("common.signIn")));
  if (message) form.append(h("div", { class: "form-error", role: "alert" }, message));
  bindForm(form, async () => {
    session.set(token.value.trim());
    try {
      await start();
    } catch (err) {
      session.clear();
      if (err instanceof ProblemError && err.status === 401) {
        throw new ProblemError({ ...err.problem, errors: [{ field: "token", reason: err.message }] }, 401);
      }
      throw err;
    }
  });
  clear(app).append(form);
  token.focus();
}

async function start() {
  const me = await get("/v1/me");
  setTimeZone(me.timeZone);
  const view = views[me.role];
  if (!view) throw new Error(t("common.noPages", { role: me.role }));
  const cache = new Map();
  const ctx = {
    me,
    // enterprises lists the active enterprises of a role, once per sign-in.
    enterprises(role) {
      if (!cache.has(role)) cache.set(role, items(`/v1/enterprises?role=${encodeURIComponent(role)}`).catch((e) => { cache.delete(role); throw e; }));
      return cache.get(role);
    },
    refresh: () => render(),
  };
  current = { me, view, ctx };
  signout.hidden = false;
  tabBar();
  await render();
}

function tabBar() {
  const { view } = current;
  frame();
  clear(tabs).append(...view.tabs.map((tab) => h("a", { href: `#${tab.id}`, id: `tab-${tab.id}`, "data-tab": tab.id }, labelOf(tab))));
}

async function render() {
  if (!current) return;
  const { view, ctx, me } = current;
  const wanted = location.hash.slice(1);
  const tab = view.tabs.find((t) => t.id === wanted) ?? view.tabs[0];
  for (const a of tabs.querySelectorAll("a")) {
    if (a.dataset.tab === tab.id) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.title = t("common.pageTitle", { tab: labelOf(tab), enterprise: me.name || me.enterpriseId });
  const section = h("section", { id: `view-${tab.id}`, "data-view": me.role, "data-tab": tab.id, "aria-busy": "true" });
  clear(app).append(section);
  try {
    await tab.render(section, ctx);
  } catch (err) {
    section.append(h("div", { class: "form-error", role: "alert" }, err.message));
  } finally {
    section.removeAttribute("aria-busy");
  }
}

window.addEventListener("hashchange", () => { render(); });
window.addEventListener("tierchain:unauthenticated", (ev) => {
  if (!current) return; // the sign-in form shows its own error
  session.clear();
  signIn(t("common.signedOut", { message: ev.detail.message }));
});
// A language switch writes every text again: the frame, the tabs and the
// open page (its data read anew), or the sign-in form.
window.addEventListener("tierchain:locale", () => {
  if (current) {
    tabBar();
    render();
  } else {
    signIn(signInMessage);
  }
});
signout.addEventListener("click", () => {
  session.clear();
  history.replaceState(null, "", location.pathname);
  signIn();
});

frame();
if (session.token) {
  start().catch((err) => {
    session.clear();
    signIn(err.message);
  });
} else {
  signIn();
}

// The console's entry point: sign-in with an API token, then the pages of
// the signed-in enterprise's role, one tab each (the URL's #fragment).

import { session, get, items, ProblemError } from "./api.js";
import { h, clear } from "./dom.js";
import { bindForm, field, input } from "./forms.js";
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

function signIn(message) {
  current = null;
  clear(tabs);
  whoami.textContent = "";
  signout.hidden = true;
  document.title = "Sign in · TierChain console";
  const token = input({ id: "token", type: "password", "data-field": "token", required: true, spellcheck: "false", placeholder: "API token" });
  const form = h("form", { id: "signin-form", class: "card", "data-op": "signin" },
    h("h1", null, "Sign in"),
    h("p", { class: "muted" }, "Paste your enterprise's API token. It stays in this browser tab only and is sent to the gateway with each request."),
    field("API token", token),
    h("button", { type: "submit", id: "signin-submit" }, "Sign in"));
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
  const view = views[me.role];
  if (!view) throw new Error(`The console has no pages for the role ${me.role}.`);
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
  whoami.textContent = `${me.enterpriseId} · ${me.role}`;
  signout.hidden = false;
  clear(tabs).append(...view.tabs.map((t) => h("a", { href: `#${t.id}`, id: `tab-${t.id}`, "data-tab": t.id }, t.label)));
  await render();
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
  document.title = `${tab.label} · ${me.enterpriseId} · TierChain console`;
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
  signIn(`Signed out: ${ev.detail.message}`);
});
signout.addEventListener("click", () => {
  session.clear();
  history.replaceState(null, "", location.pathname);
  signIn();
});

if (session.token) {
  start().catch((err) => {
    session.clear();
    signIn(err.message);
  });
} else {
  signIn();
}

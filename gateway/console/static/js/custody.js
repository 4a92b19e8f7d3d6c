// The self-custody wallet page: keys made and kept in this browser
// (IndexedDB, sealed under the passphrase by the WebAssembly module, the
// same key file as `tierchain wallet`), proofs built and transactions
// signed here; the gateway only relays (docs/custody.md). Amounts are
// never sent: only the ledger's request leaves the page. Texts in
// messages/custody.js: an element's data-i18n names its message; the
// status line is written again in the other language on a switch.

import "./messages/common.js";
import "./messages/custody.js";
import { t, tn, locale, setLocale, LOCALES } from "./i18n.js";
import { parseAmount, formatMinor, CURRENCY } from "./format.js";

const DB = "tierchain-custody", STORE = "keys", KEY = "sealed";

function idb(mode, fn) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => { open.result.close(); resolve(req?.result); };
      tx.onerror = () => reject(tx.error);
    };
  });
}
const loadSealed = () => idb("readonly", (s) => s.get(KEY));
const saveSealed = (v) => idb("readwrite", (s) => s.put(v, KEY));

const $ = (id) => document.getElementById(id);
let said = ["custody.loading", null];
// say writes the status line: a message key and its parameters.
const say = (key, params) => {
  said = [key, params];
  $("status").replaceChildren(...tn(key, params));
};
// An error's own text (the module's, the browser's) stays as it came.
const untranslated = (text) => {
  const span = document.createElement("span");
  span.setAttribute("translate", "no");
  span.textContent = text;
  return span;
};
const sayError = (e) => say("custody.error", { message: untranslated(e.message) });

let holdings = [];

// currencyOf is a held token's currency (the amount's, when the wallet
// names it), else the platform's legacy one.
const currencyOf = (tokenId) => holdings.find((x) => x.tokenId === tokenId)?.currency || CURRENCY;

// toMinor reads an amount of the token's currency as the console shows
// amounts ("30,000.00", "¥30,000.00", "30000") into minor units.
function toMinor(text, currency) {
  const v = parseAmount(text, currency);
  if (v === null || v <= 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(t("custody.badAmount", { example: formatMinor(3000000n, currency) }));
  return Number(v);
}

// translate writes every fixed text in the console's language.
function translate() {
  document.documentElement.lang = locale();
  document.title = t("custody.pageTitle");
  for (const el of document.querySelectorAll("[data-i18n]")) {
    if (el.id === "status") continue;
    el.textContent = t(el.dataset.i18n);
  }
  $("status").replaceChildren(...tn(said[0], said[1]));
  let sw = $("lang");
  if (!sw) {
    sw = document.createElement("select");
    sw.id = "lang";
    sw.className = "lang";
    for (const l of LOCALES) {
      const o = document.createElement("option");
      o.value = l;
      o.lang = l;
      o.setAttribute("translate", "no");
      o.textContent = l === "en" ? "English" : "简体中文";
      sw.append(o);
    }
    sw.addEventListener("change", () => setLocale(sw.value));
    document.querySelector("header.top").append(sw);
  }
  sw.setAttribute("aria-label", t("common.language"));
  sw.value = locale();
  render(holdings);
}
window.addEventListener("tierchain:locale", translate);

let passphrase = "";

async function showSealed() {
  const sealed = await loadSealed();
  $("backup").textContent = sealed ?? "";
  return sealed;
}

function render(list) {
  holdings = list;
  const body = $("holdings");
  body.replaceChildren();
  for (const h of list) {
    const tr = document.createElement("tr");
    tr.dataset.token = h.tokenId;
    const id = document.createElement("td");
    id.textContent = h.tokenId;
    id.setAttribute("translate", "no");
    const status = document.createElement("td");
    const badge = document.createElement("span");
    badge.className = `badge ${h.status}`;
    badge.textContent = t(`state.${h.status}`).startsWith("⟦") ? h.status : t(`state.${h.status}`);
    status.append(badge);
    const amount = document.createElement("td");
    amount.className = "num";
    const fig = document.createElement("span");
    fig.className = "amount";
    fig.setAttribute("translate", "no");
    fig.textContent = formatMinor(BigInt(h.minor), h.currency || CURRENCY);
    amount.append(fig);
    tr.append(id, status, amount);
    body.append(tr);
  }
}

async function unlocked(sealed) {
  const who = JSON.parse(await tierchainUnlock(sealed, passphrase));
  $("who").textContent = who.enterprise;
  $("wallet-section").hidden = !who.onboarded;
  say(who.onboarded ? "custody.unlocked" : "custody.waiting", { id: untranslated(who.enterprise) });
}

function on(id, fn) {
  $(id).addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = new FormData(ev.target);
    try {
      await fn(form);
    } catch (e) {
      sayError(e);
    }
  });
}

async function start() {
  const go = new Go();
  const res = await WebAssembly.instantiateStreaming(fetch("wallet.wasm"), go.importObject);
  go.run(res.instance);
  await showSealed();
  say("custody.ready");

  on("create", async (f) => {
    passphrase = f.get("passphrase");
    const out = JSON.parse(await tierchainCreate(f.get("id"), location.origin, passphrase, f.get("name"), f.get("legalId")));
    await saveSealed(out.sealed);
    await showSealed();
    $("request").textContent = JSON.stringify(out.request);
    await unlocked(out.sealed);
  });
  on("accept", async (f) => {
    const out = JSON.parse(await tierchainAccept(await loadSealed(), passphrase, f.get("answer")));
    await saveSealed(out.sealed);
    await showSealed();
    await unlocked(out.sealed);
  });
  on("unlock", async (f) => {
    passphrase = f.get("passphrase");
    await unlocked(await loadSealed());
  });
  on("import", async (f) => {
    await saveSealed(f.get("sealed"));
    await showSealed();
    say("custody.restored");
  });
  $("sync").addEventListener("click", async () => {
    try {
      render(JSON.parse(await tierchainSync()));
      say("custody.synced");
    } catch (e) { sayError(e); }
  });
  on("split", async (f) => {
    const toks = JSON.parse(await tierchainSplit(f.get("token"), f.get("to"), toMinor(f.get("amount"), currencyOf(f.get("token")))));
    $("result").textContent = JSON.stringify(toks.map((x) => ({ id: x.id, holder: x.holder, status: x.status })));
    say("custody.splitDone");
  });
  on("finance", async (f) => {
    const tok = JSON.parse(await tierchainFinance(f.get("token"), f.get("bank")));
    $("result").textContent = JSON.stringify({ id: tok.id, status: tok.status });
    say("custody.financeDone");
  });
}

translate();
start().catch(sayError);

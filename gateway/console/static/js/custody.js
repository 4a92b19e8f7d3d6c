// The self-custody wallet page: keys made and kept in this browser
// (IndexedDB, sealed under the passphrase by the WebAssembly module, the
// same key file as `tierchain wallet`), proofs built and transactions
// signed here; the gateway only relays (docs/custody.md). Amounts are
// never sent: only the ledger's request leaves the page.

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
const say = (text) => { $("status").textContent = text; };

// toMinor reads a decimal of at most 2 places (NOK) as minor units.
function toMinor(text) {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) throw new Error("an amount like 30000.00");
  return Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
}
const decimal = (minor) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, "0")}`;

let passphrase = "";

async function showSealed() {
  const sealed = await loadSealed();
  $("backup").textContent = sealed ?? "";
  return sealed;
}

function render(holdings) {
  const body = $("holdings");
  body.replaceChildren();
  for (const h of holdings) {
    const tr = document.createElement("tr");
    tr.dataset.token = h.tokenId;
    for (const v of [h.tokenId, h.status, decimal(h.minor)]) {
      const td = document.createElement("td");
      td.textContent = v;
      tr.append(td);
    }
    body.append(tr);
  }
}

async function unlocked(sealed) {
  const who = JSON.parse(await tierchainUnlock(sealed, passphrase));
  $("who").textContent = who.enterprise;
  $("wallet-section").hidden = !who.onboarded;
  say(who.onboarded ? `Unlocked ${who.enterprise}.` : `Keys of ${who.enterprise}: waiting for the operator's answer.`);
}

function on(id, fn) {
  $(id).addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = new FormData(ev.target);
    try {
      await fn(form);
    } catch (e) {
      say(`Error: ${e.message}`);
    }
  });
}

async function start() {
  const go = new Go();
  const res = await WebAssembly.instantiateStreaming(fetch("wallet.wasm"), go.importObject);
  go.run(res.instance);
  await showSealed();
  say("Ready.");

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
    say("Key file restored: unlock it with its passphrase.");
  });
  $("sync").addEventListener("click", async () => {
    try {
      render(JSON.parse(await tierchainSync()));
      say("Synced from the chain.");
    } catch (e) { say(`Error: ${e.message}`); }
  });
  on("split", async (f) => {
    const toks = JSON.parse(await tierchainSplit(f.get("token"), f.get("to"), toMinor(f.get("amount"))));
    $("result").textContent = JSON.stringify(toks.map((t) => ({ id: t.id, holder: t.holder, status: t.status })));
    say("Split committed.");
  });
  on("finance", async (f) => {
    const t = JSON.parse(await tierchainFinance(f.get("token"), f.get("bank")));
    $("result").textContent = JSON.stringify({ id: t.id, status: t.status });
    say("Financing requested.");
  });
}

start().catch((e) => say(`Error: ${e.message}`));

// The gateway's /v1 API under the signed-in user's token. Writes carry an
// Idempotency-Key; errors arrive as RFC 9457 problem+json and are thrown
// as ProblemError.

import { locale, t } from "./i18n.js";

const TOKEN_KEY = "tierchain.token";

// session keeps the API token for this tab only (sessionStorage): closing
// the tab signs out.
export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY) ?? ""; },
  set(token) { sessionStorage.setItem(TOKEN_KEY, token); },
  clear() { sessionStorage.removeItem(TOKEN_KEY); },
};

// ProblemError is a problem+json response: status, code, detail and the
// field errors (errors[]: {field, reason}).
export class ProblemError extends Error {
  constructor(problem, status) {
    // In Chinese the gateway's title (written in Chinese) leads; the detail
    // names records and values and stays as the gateway wrote it.
    const zh = locale() === "zh-CN" && problem.title && problem.detail && !problem.detail.startsWith(problem.title);
    super(zh ? `${problem.title}：${problem.detail}` : problem.detail || problem.title || `HTTP ${status}`);
    this.name = "ProblemError";
    this.problem = problem;
    this.status = problem.status ?? status;
    this.code = problem.code ?? "";
    this.fields = Array.isArray(problem.errors) ? problem.errors : [];
  }

  // retryable: nothing happened or the outcome is unknown, so the same
  // request with the same Idempotency-Key may be sent again.
  get retryable() {
    return this.status >= 500 || this.code === "LEDGER_CONFLICT" || this.code === "IDEMPOTENCY_IN_FLIGHT";
  }
}

// newIdempotencyKey makes a key for one intended operation:
// console-<op>-<24 hex digits>, within the API's pattern.
export function newIdempotencyKey(op) {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const name = String(op || "op").replace(/[^A-Za-z0-9._:-]/g, "").slice(0, 40) || "op";
  return `console-${name}-${hex}`;
}

// parseJSON keeps integers beyond 2^53 exact (minor units up to 2^64−1)
// by reading them from the source text as BigInt.
export function parseJSON(text) {
  return JSON.parse(text, (key, value, context) =>
    typeof value === "number" && !Number.isSafeInteger(value) && context?.source && /^\d+$/.test(context.source)
      ? BigInt(context.source) : value);
}

async function problemOf(res) {
  const text = await res.text();
  const type = res.headers.get("Content-Type") ?? "";
  if (type.includes("json") && text) {
    try { return parseJSON(text); } catch { /* fall through */ }
  }
  return { status: res.status, title: res.statusText, detail: text.trim().slice(0, 300) || `HTTP ${res.status}` };
}

// call sends one request. Options: json (a body to send as JSON), body (a
// FormData or Blob as is), key (the Idempotency-Key of a write), as
// ("json", the default, or "blob").
export async function call(method, path, { json, body, key, as = "json" } = {}) {
  // The API answers problems' titles in the console's language.
  const headers = { Accept: "application/json, application/problem+json", "Accept-Language": locale() === "zh-CN" ? "zh-CN, zh;q=0.9, en;q=0.5" : "en" };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  if (method !== "GET" && method !== "HEAD") headers["Idempotency-Key"] = key || newIdempotencyKey(path.split("/").pop());
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body, credentials: "omit", cache: "no-store" });
  } catch (e) {
    throw new ProblemError({ status: 503, code: "UNAVAILABLE", detail: t("common.unreachable", { message: e.message }) }, 503);
  }
  if (!res.ok) {
    const err = new ProblemError(await problemOf(res), res.status);
    if (res.status === 401) window.dispatchEvent(new CustomEvent("tierchain:unauthenticated", { detail: err }));
    throw err;
  }
  if (as === "blob") return { blob: await res.blob(), filename: filenameOf(res) };
  const text = await res.text();
  return text ? parseJSON(text) : null;
}

function filenameOf(res) {
  const m = /filename="?([^";]+)"?/.exec(res.headers.get("Content-Disposition") ?? "");
  return m ? m[1] : "";
}

export const get = (path) => call("GET", path);
export const post = (path, json, key) => call("POST", path, { json, key });

// items reads the first page (up to 200) of a list.
export async function items(path) {
  const sep = path.includes("?") ? "&" : "?";
  const page = await get(`${path}${sep}pageSize=200`);
  return page?.items ?? [];
}

// Amounts, dates and IDs as the console shows them, in the console's
// language (i18n.js) and the platform's time zone (/v1/me's timeZone).
// Amounts stay exact: the API's decimal strings and minor units are handled
// as strings and BigInts, never as floating point; Intl only supplies the
// currency's symbol, its place and its number of decimals.

import { locale, t } from "./i18n.js";

// CURRENCY is what an amount without a currency (a record from before
// currencies) is shown and parsed in.
export const CURRENCY = "NOK";
export const DECIMALS = 2;

let platformZone = "Asia/Shanghai";

// setTimeZone sets the platform's IANA time zone (from /v1/me); an unknown
// zone keeps the last good one.
export function setTimeZone(zone) {
  if (!zone) return;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    platformZone = zone;
  } catch { /* keep the last good zone */ }
}

export function timeZone() { return platformZone; }

function cur(currency) {
  const c = String(currency ?? "").trim().toUpperCase();
  return /^[A-Z]{3}$/.test(c) ? c : CURRENCY;
}

// exponent is the currency's number of decimals (ISO 4217: CNY 2, JPY 0).
export function exponent(currency) {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: cur(currency) }).resolvedOptions().maximumFractionDigits;
  } catch {
    return DECIMALS;
  }
}

// affixes gives what stands before and after the digits of an amount in
// currency in locale l: en "CNY " (the code), zh-CN "¥", "US$" (the symbol).
const affixCache = new Map();
function affixes(currency, l = locale()) {
  const key = `${l}|${currency}`;
  if (affixCache.has(key)) return affixCache.get(key);
  let prefix = `${currency}\u00a0`;
  let suffix = "";
  try {
    const parts = new Intl.NumberFormat(l, { style: "currency", currency, currencyDisplay: l === "en" ? "code" : "symbol" }).formatToParts(1);
    const first = parts.findIndex((p) => p.type === "integer");
    let last = -1;
    parts.forEach((p, i) => { if (["integer", "group", "decimal", "fraction"].includes(p.type)) last = i; });
    prefix = parts.slice(0, first).map((p) => p.value).join("").replace(/\s/g, "\u00a0");
    suffix = parts.slice(last + 1).map((p) => p.value).join("").replace(/\s/g, "\u00a0");
  } catch { /* an unknown code: "XYZ 1.00" */ }
  const a = { prefix, suffix };
  affixCache.set(key, a);
  return a;
}

// formatDecimal groups a decimal string's digits by thousands with commas
// and a decimal point, the way both languages write amounts:
// "1250000.00" → "1,250,000.00". A negative amount takes a minus sign.
export function formatDecimal(dec, decimals) {
  let s = String(dec ?? "");
  const sign = s.startsWith("-") ? "−" : "";
  if (sign) s = s.slice(1);
  const [whole, frac = ""] = s.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const d = decimals ?? Math.max(frac.length, 0);
  return d > 0 ? `${sign}${grouped}.${frac.padEnd(d, "0")}` : sign + grouped;
}

// toDecimal renders minor units as the API's decimal string in currency's
// exponent ("600000.00"; JPY "600000").
export function toDecimal(minor, currency) {
  const e = exponent(currency);
  let m = BigInt(minor);
  const sign = m < 0n ? "-" : "";
  if (m < 0n) m = -m;
  if (e === 0) return sign + m.toString();
  const unit = 10n ** BigInt(e);
  return `${sign}${m / unit}.${(m % unit).toString().padStart(e, "0")}`;
}

// formatDecimalMoney renders a decimal string of currency with its symbol
// or code, in the console's language: en "CNY 1,250,000.00", zh-CN
// "¥1,250,000.00", "US$1,250,000.00".
export function formatDecimalMoney(dec, currency) {
  const c = cur(currency);
  const { prefix, suffix } = affixes(c);
  let s = String(dec);
  const neg = s.startsWith("-");
  if (neg) s = s.slice(1);
  return `${neg ? "−" : ""}${prefix}${formatDecimal(s, exponent(c))}${suffix}`;
}

// formatMinor renders minor units (a number or BigInt) of currency as
// money(): "CNY 1,250,000.00".
export function formatMinor(minor, currency) {
  return formatDecimalMoney(toDecimal(minor, currency), currency);
}

// formatNumber renders minor units of currency as a bare figure in the
// console's grouping ("1,250,000.00"), for inputs: what parseAmount reads.
export function formatNumber(minor, currency) {
  return formatDecimal(toDecimal(minor, currency), exponent(currency));
}

// money renders the API's Money ({minor, decimal, currency}); an amount
// the caller's wallet could not open ({currency, sealed: true}) is "sealed".
export function money(m) {
  if (!m || m.sealed || (m.decimal === undefined && m.minor === undefined)) return t("common.sealed");
  if (m.decimal !== undefined) return formatDecimalMoney(m.decimal, m.currency);
  return formatMinor(m.minor, m.currency);
}

// auditMoney renders the regulator's AuditAmount ({minor?, status,
// currency?}): an amount that could not be opened never reads as 0.
export function auditMoney(a, currency) {
  if (!a || a.minor === undefined || a.minor === null) return t("common.notOpened");
  return formatMinor(a.minor, a.currency ?? currency);
}

// parseAmount reads an amount of currency the way the console shows it or
// a person types it: "1250000", "1,250,000.00", "¥1,250,000.00",
// "CNY 1,250,000.00", "US$1,250,000.00", into minor units (BigInt), or
// null when it is not one (a negative, an exponent, bad grouping, more
// decimals than the currency has).
export function parseAmount(text, currency) {
  const c = cur(currency);
  let s = String(text ?? "").replace(/[\s\u00a0\u202f]+/g, " ").trim();
  // The currency as shown in either language, or its code, before or after.
  const marks = new Set([c]);
  for (const l of ["en", "zh-CN"]) {
    const { prefix, suffix } = affixes(c, l);
    for (const m of [prefix, suffix]) { const v = m.replace(/\u00a0/g, " ").trim(); if (v) marks.add(v); }
  }
  if (c === "CNY") { marks.add("¥"); marks.add("￥"); marks.add("元"); marks.add("RMB"); }
  for (const m of [...marks].sort((a, b) => b.length - a.length)) {
    if (s.startsWith(m)) { s = s.slice(m.length).trim(); break; }
  }
  for (const m of [...marks].sort((a, b) => b.length - a.length)) {
    if (s.endsWith(m)) { s = s.slice(0, -m.length).trim(); break; }
  }
  s = s.replace(/，/g, ",").replace(/．/g, ".");
  if (!/^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/.test(s)) return null;
  const [whole, frac = ""] = s.replace(/,/g, "").split(".");
  const e = exponent(c);
  if (frac.length > e) return null;
  return BigInt(whole) * 10n ** BigInt(e) + BigInt(frac.padEnd(e, "0") || "0");
}

function parts(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

// ymdInZone gives the calendar date of an instant in the platform zone as
// "YYYY-MM-DD" (what a date input holds).
export function ymdInZone(iso) {
  const d = parts(iso);
  if (!d) return "";
  const f = new Intl.DateTimeFormat("en-CA", { timeZone: platformZone, year: "numeric", month: "2-digit", day: "2-digit" });
  return f.format(d);
}

// formatDate renders an instant's date in the platform zone and the
// console's language: en "Mar 31, 2027", zh-CN "2027年3月31日".
export function formatDate(iso) {
  const d = parts(iso);
  if (!d) return iso ? String(iso) : "";
  return new Intl.DateTimeFormat(locale(), { timeZone: platformZone, year: "numeric", month: locale() === "en" ? "short" : "long", day: "numeric" }).format(d);
}

// formatDateTime renders an instant to the minute in the platform zone:
// en "Mar 31, 2027, 23:59", zh-CN "2027年3月31日 23:59" (the zone is the
// platform's, named once on the page that asks for a time).
export function formatDateTime(iso) {
  const d = parts(iso);
  if (!d) return iso ? String(iso) : "";
  return new Intl.DateTimeFormat(locale(), {
    timeZone: platformZone, year: "numeric", month: locale() === "en" ? "short" : "long", day: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).format(d);
}

// formatTime is formatDateTime (the name the pages used before).
export const formatTime = formatDateTime;

// zoneOffsetMinutes is the platform zone's offset from UTC at instant ms.
function zoneOffsetMinutes(ms) {
  const f = new Intl.DateTimeFormat("en-US", { timeZone: platformZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const asUTC = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
  return Math.round((asUTC - Math.floor(ms / 1000) * 1000) / 60000);
}

// endOfDay turns a date typed on the console ("2027-03-31", a date in the
// platform zone) into the maturity instant, the end of that day there, as
// RFC 3339 ("2027-03-31T23:59:59+08:00"); null when it is not a date.
export function endOfDay(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(ymd ?? "").trim());
  if (!m) return null;
  const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], 23, 59, 59);
  if (new Date(guess).getUTCDate() !== +m[3]) return null;
  let off = zoneOffsetMinutes(guess);
  off = zoneOffsetMinutes(guess - off * 60000);
  const sign = off < 0 ? "-" : "+";
  const a = Math.abs(off);
  return `${m[1]}-${m[2]}-${m[3]}T23:59:59${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

// daysUntil counts the calendar days in the platform zone from today to
// the instant's date (0 today, negative when past); null for no date.
export function daysUntil(iso, now = Date.now()) {
  const a = ymdInZone(iso);
  const b = ymdInZone(new Date(now).toISOString());
  if (!a || !b) return null;
  return Math.round((Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / 86400000);
}

// shortId abbreviates a long ID (an invoice's 128-digit fingerprint).
export function shortId(id) {
  const s = String(id ?? "");
  return s.length > 18 ? `${s.slice(0, 10)}…${s.slice(-4)}` : s;
}

// percent renders a share in [0, 1] in the console's language.
export function percent(share, digits = 1) {
  return new Intl.NumberFormat(locale(), { style: "percent", minimumFractionDigits: digits, maximumFractionDigits: digits }).format(share);
}

// formatCount renders a plain number in the console's language.
export function formatCount(n) {
  return new Intl.NumberFormat(locale()).format(n);
}

// zonedToISO reads a datetime-local value ("2027-03-31T14:00", a wall time
// in the platform zone) as an RFC 3339 instant in whole seconds, or "".
export function zonedToISO(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(value ?? "").trim());
  if (!m) return "";
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
  let off = zoneOffsetMinutes(wall);
  off = zoneOffsetMinutes(wall - off * 60000);
  return new Date(wall - off * 60000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

// zonedInput renders an instant as a datetime-local value in the
// platform zone ("2027-03-31T14:00").
export function zonedInput(ms) {
  const f = new Intl.DateTimeFormat("en-CA", { timeZone: platformZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

// opened returns an amount the caller's wallet opened, or undefined for a
// sealed one ({currency, sealed: true}) or none, so that `opened(a) ?? b`
// falls back to another opened figure.
export function opened(m) {
  return m && m.decimal !== undefined && !m.sealed ? m : undefined;
}

// Amounts, dates and IDs as the console shows them. Amounts stay exact:
// the API's decimal strings and minor units are handled as strings and
// BigInts, never as floating point.

export const DECIMALS = 2; // NOK: øre
export const CURRENCY = "NOK";

const amountPattern = /^[0-9]+(\.[0-9]+)?$/;

// parseAmount reads a decimal string as the API takes it ("400000",
// "400000.50") into minor units, or null when it is not one.
export function parseAmount(text) {
  const s = String(text ?? "").trim();
  if (!amountPattern.test(s)) return null;
  const [whole, frac = ""] = s.split(".");
  if (frac.length > DECIMALS) return null;
  return BigInt(whole) * 10n ** BigInt(DECIMALS) + BigInt(frac.padEnd(DECIMALS, "0") || "0");
}

// toDecimal renders minor units as the API's decimal string ("600000.00").
export function toDecimal(minor) {
  let m = BigInt(minor);
  const sign = m < 0n ? "-" : "";
  if (m < 0n) m = -m;
  const unit = 10n ** BigInt(DECIMALS);
  return `${sign}${m / unit}.${(m % unit).toString().padStart(DECIMALS, "0")}`;
}

// formatDecimal renders a decimal string the Norwegian way, grouped by
// spaces with a decimal comma: "1000000.00" → "1 000 000,00".
export function formatDecimal(dec) {
  let s = String(dec);
  const sign = s.startsWith("-") ? "−" : "";
  if (sign) s = s.slice(1);
  const [whole, frac = ""] = s.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  return sign + grouped + "," + frac.padEnd(DECIMALS, "0");
}

// formatMinor renders minor units (a number or BigInt) like formatDecimal.
export function formatMinor(minor) {
  return formatDecimal(toDecimal(minor));
}

// money renders the API's Money ({minor, decimal}); an amount the caller's
// wallet could not open is "sealed".
export function money(m) {
  if (!m || m.decimal === undefined) return "sealed";
  return `${formatDecimal(m.decimal)} ${CURRENCY}`;
}

// auditMoney renders the regulator's AuditAmount ({minor?, status}): an
// amount that could not be opened never reads as 0.
export function auditMoney(a) {
  if (!a || a.minor === undefined || a.minor === null) return "not opened";
  return `${formatMinor(a.minor)} ${CURRENCY}`;
}

// formatTime renders an RFC 3339 time in UTC to the minute.
export function formatTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

// formatDate renders an RFC 3339 time's date.
export function formatDate(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toISOString().slice(0, 10);
}

// shortId abbreviates a long ID (an invoice's 128-digit fingerprint).
export function shortId(id) {
  const s = String(id ?? "");
  return s.length > 18 ? `${s.slice(0, 10)}…${s.slice(-4)}` : s;
}

// percent renders a share in [0, 1].
export function percent(share) {
  return `${(share * 100).toFixed(1).replace(".", ",")} %`;
}

// Financing terms as the pages show them before anything is sent: the
// advance a bank's terms pay on a face, by the ledger's one rounding rule
// (chaincode/model/terms, docs/crypto/financing.md), and the yield a bank
// earns. Exact integer arithmetic on BigInt minor units, never floating
// point; rates are basis points (1 bp = 0.01%). Messages in the console's
// language (messages/financing.js).

import { t } from "./i18n.js";
import "./messages/financing.js";

export const BP = 10000n;
export const MAX_ANNUAL_RATE_BP = 100000n; // 1 000 % a year
export const MAX_TENOR_DAYS = 3660n;
const YEAR = { "ACT/360": 360n, "ACT/365": 365n };

// TermsError says which term is out of bounds (field: the form's input).
export class TermsError extends Error {
  constructor(field, message) {
    super(message);
    this.name = "TermsError";
    this.field = field;
  }
}

// parseRateBp reads a percentage as typed ("90", "4.5", "4,25", "4.25%")
// into basis points, or null: at most two decimals, so a rate is a whole bp.
export function parseRateBp(text) {
  const m = /^(\d+)(?:[.,](\d{1,2}))?\s*[%％]?$/.exec(String(text ?? "").trim());
  if (!m) return null;
  return BigInt(m[1]) * 100n + BigInt((m[2] ?? "").padEnd(2, "0")); // hundredths of a percent are basis points
}

// formatBp renders basis points as a percentage, the same in both
// languages: 450 → "4.50%".
export function formatBp(bp) {
  const v = BigInt(bp);
  const sign = v < 0n ? "−" : "";
  const a = v < 0n ? -v : v;
  return `${sign}${a / 100n}.${(a % 100n).toString().padStart(2, "0")}%`;
}

// dayCountYear is the basis of a day count (360 or 365 days).
export function dayCountYear(dayCount) {
  const y = YEAR[dayCount];
  if (!y) throw new TermsError("dayCount", t("terms.err.dayCount"));
  return y;
}

const DAY_MS = 86400000;

// days is the actual days from the value date (a UTC midnight) to
// maturity's UTC date, as terms.Days counts them.
export function days(valueDate, maturity) {
  const v = new Date(valueDate).getTime();
  const m = new Date(maturity).getTime();
  if (Number.isNaN(v) || v % DAY_MS !== 0) throw new TermsError("valueDate", t("terms.err.valueDateMidnight"));
  if (Number.isNaN(m)) throw new TermsError("valueDate", t("terms.err.maturityUnknown"));
  if (m < v) throw new TermsError("valueDate", t("terms.err.valueAfterMaturity"));
  const d = BigInt((Math.floor(m / DAY_MS) * DAY_MS - v) / DAY_MS);
  if (d > MAX_TENOR_DAYS) throw new TermsError("valueDate", t("terms.err.tenor", { days: d, max: MAX_TENOR_DAYS }));
  return d;
}

// computeAdvance is terms.Compute: with a the advance rate, d the discount
// rate (bp), B the basis and n the days,
//   gross = ⌊face·a/10⁴⌋, net = ⌊face·K/M⌋ with K = a·(10⁴·B − d·n), M = 10⁸·B,
//   discount = gross − net, advance = net − fee.
// It throws TermsError for terms out of bounds, or when interest and fee
// leave nothing to advance.
export function computeAdvance(terms, face, fee, maturity) {
  const a = BigInt(terms.advanceRateBp);
  const d = BigInt(terms.discountRateBp);
  const p = BigInt(terms.penaltyRateBp ?? 0);
  if (a < 1n || a > BP) throw new TermsError("advanceRateBp", t("terms.err.advanceRate"));
  if (d < 0n || d > MAX_ANNUAL_RATE_BP) throw new TermsError("discountRateBp", t("terms.err.discountRate"));
  if (p < 0n || p > MAX_ANNUAL_RATE_BP) throw new TermsError("penaltyRateBp", t("terms.err.penaltyRate"));
  const year = dayCountYear(terms.dayCount);
  const n = days(terms.valueDate, maturity);
  const full = BP * year;
  const interest = d * n;
  if (interest >= full) throw new TermsError("discountRateBp", t("terms.err.interestAll", { rate: formatBp(d), days: n }));
  const f = BigInt(face);
  const fe = BigInt(fee ?? 0);
  const gross = (f * a) / BP;
  const net = (f * a * (full - interest)) / (BP * BP * year);
  if (fe > net) throw new TermsError("fee", t("terms.err.feeTooHigh"));
  return { face: f, days: n, gross, discount: gross - net, fee: fe, advance: net - fe };
}

// yieldBp is a bank's simple annualised yield on a piece: what it receives
// at maturity (face) over what it paid (advance or price), per year of the
// basis, in basis points rounded down; null without a tenor or a payment.
export function yieldBp(paid, face, n, basis = 365n) {
  const p = BigInt(paid), f = BigInt(face), d = BigInt(n);
  if (p <= 0n || d <= 0n) return null;
  return ((f - p) * BP * BigInt(basis)) / (p * d);
}

// withinCap is terms.WithinCap: advance ≤ capBp/10⁴ × face.
export function withinCap(capBp, face, advance) {
  return BigInt(advance) * BP <= BigInt(capBp) * BigInt(face);
}

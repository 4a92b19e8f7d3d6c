// Financing terms as the pages show them before anything is sent: the
// advance a bank's terms pay on a face, by the ledger's one rounding rule
// (chaincode/model/terms, docs/crypto/financing.md), and the yield a bank
// earns. Exact integer arithmetic on BigInt minor units, never floating
// point; rates are basis points (1 bp = 0,01 %).

import { parseAmount } from "./format.js";

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

// parseRateBp reads a percentage as typed ("90", "4.5", "4,25") into basis
// points, or null: at most two decimals, so a rate is a whole bp.
export function parseRateBp(text) {
  const v = parseAmount(String(text ?? "").trim().replace(",", "."));
  return v === null ? null : v; // hundredths of a percent are basis points
}

// formatBp renders basis points as a percentage: 450 → "4,50 %".
export function formatBp(bp) {
  const v = BigInt(bp);
  const sign = v < 0n ? "−" : "";
  const a = v < 0n ? -v : v;
  return `${sign}${a / 100n},${(a % 100n).toString().padStart(2, "0")} %`;
}

// dayCountYear is the basis of a day count (360 or 365 days).
export function dayCountYear(dayCount) {
  const y = YEAR[dayCount];
  if (!y) throw new TermsError("dayCount", `day count must be ACT/360 or ACT/365`);
  return y;
}

const DAY_MS = 86400000;

// days is the actual days from the value date (a UTC midnight) to
// maturity's UTC date, as terms.Days counts them.
export function days(valueDate, maturity) {
  const v = new Date(valueDate).getTime();
  const m = new Date(maturity).getTime();
  if (Number.isNaN(v) || v % DAY_MS !== 0) throw new TermsError("valueDate", "the value date must be a date (UTC midnight)");
  if (Number.isNaN(m)) throw new TermsError("valueDate", "the maturity is unknown");
  if (m < v) throw new TermsError("valueDate", "the value date is after maturity");
  const d = BigInt((Math.floor(m / DAY_MS) * DAY_MS - v) / DAY_MS);
  if (d > MAX_TENOR_DAYS) throw new TermsError("valueDate", `${d} days to maturity: at most ${MAX_TENOR_DAYS}`);
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
  if (a < 1n || a > BP) throw new TermsError("advanceRateBp", "the advance rate must be 0,01 to 100 %");
  if (d < 0n || d > MAX_ANNUAL_RATE_BP) throw new TermsError("discountRateBp", "the discount rate must be 0 to 1 000 % a year");
  if (p < 0n || p > MAX_ANNUAL_RATE_BP) throw new TermsError("penaltyRateBp", "the penalty rate must be 0 to 1 000 % a year");
  const year = dayCountYear(terms.dayCount);
  const n = days(terms.valueDate, maturity);
  const full = BP * year;
  const interest = d * n;
  if (interest >= full) throw new TermsError("discountRateBp", `${formatBp(d)} a year over ${n} days is 100 % or more`);
  const f = BigInt(face);
  const fe = BigInt(fee ?? 0);
  const gross = (f * a) / BP;
  const net = (f * a * (full - interest)) / (BP * BP * year);
  if (fe > net) throw new TermsError("fee", "the fee is more than the advance before fees");
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

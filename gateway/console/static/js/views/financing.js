// Financing pieces the bank's and the holder's pages share: the terms
// inputs (a bank's quote, a holder's financing with terms), what terms pay
// as the API shows it, and the advance a form's terms imply before
// anything is sent.

import { h, facts, amount } from "../dom.js";
import { field, input, select } from "../forms.js";
import { money, formatMinor, parseAmount, formatDate, CURRENCY } from "../format.js";
import { computeAdvance, parseRateBp, formatBp, TermsError } from "../terms.js";

const DAY_MS = 86400000;

// todayUTC is today's UTC date as an <input type=date> value.
export function todayUTC() {
  return new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

// inAnHour is a datetime-local value (read as UTC) an hour from now.
export function inAnHour() {
  return new Date(Date.now() + 3600000).toISOString().slice(0, 16);
}

// utcSeconds reads a datetime-local value as UTC, in whole seconds.
export function utcSeconds(value) {
  if (!value) return "";
  const v = value.length === 16 ? `${value}:00` : value.slice(0, 19);
  return `${v}Z`;
}

// termsFields builds the inputs of a financing's terms; prefix makes the
// IDs unique on the page. read() returns {terms, fee} for the API (fee a
// decimal string, "" for none) or throws TermsError naming the input.
export function termsFields(prefix, defaults = {}) {
  const id = (n) => `${prefix}-${n}`;
  const rate = input({ id: id("advance-rate"), "data-field": "advanceRateBp", inputmode: "decimal", required: true, value: defaults.rate ?? "90", size: 6 });
  const discount = input({ id: id("discount-rate"), "data-field": "discountRateBp", inputmode: "decimal", required: true, value: defaults.discount ?? "5", size: 6 });
  const dayCount = select({ id: id("day-count"), "data-field": "dayCount" }, [{ value: "ACT/360", label: "ACT/360" }, { value: "ACT/365", label: "ACT/365" }]);
  if (defaults.dayCount) dayCount.value = defaults.dayCount;
  const fee = input({ id: id("fee"), "data-field": "fee", inputmode: "decimal", value: defaults.fee ?? "", placeholder: "0.00", size: 10 });
  const penalty = input({ id: id("penalty-rate"), "data-field": "penaltyRateBp", inputmode: "decimal", value: defaults.penalty ?? "12", size: 6 });
  const recourse = input({ id: id("recourse"), "data-field": "recourse", type: "checkbox", checked: defaults.recourse ?? true });
  const valueDate = input({ id: id("value-date"), "data-field": "valueDate", type: "date", required: true, value: todayUTC() });
  const expiry = input({ id: id("expiry"), "data-field": "expiry", type: "datetime-local", required: true, value: inAnHour() });
  const el = h("fieldset", { class: "terms", id: id("terms") },
    h("legend", null, "Terms"),
    h("div", { class: "row" },
      field("Advance rate (% of face)", rate),
      field("Discount rate (% a year)", discount),
      field("Day count", dayCount),
      field(`Fee (${CURRENCY})`, fee)),
    h("div", { class: "row" },
      field("Penalty rate after maturity (% a year)", penalty),
      field("Value date (UTC)", valueDate),
      field("Expiry (UTC)", expiry, "the bank must approve by then"),
      field("With recourse to the seller on default", recourse)),
    h("span", { class: "field-error", role: "alert", "data-error-for": "terms" }));
  const rateOf = (inp, name, label) => {
    const v = parseRateBp(inp.value);
    if (v === null) throw new TermsError(name, `${label}: a percentage with at most two decimals, like 4.25`);
    return v;
  };
  const read = () => {
    const feeText = fee.value.trim();
    if (feeText && parseAmount(feeText) === null) throw new TermsError("fee", "an amount like 150.00");
    if (!valueDate.value) throw new TermsError("valueDate", "the day the advance is paid");
    if (!expiry.value) throw new TermsError("expiry", "when the terms expire");
    return {
      terms: {
        advanceRateBp: Number(rateOf(rate, "advanceRateBp", "advance rate")),
        discountRateBp: Number(rateOf(discount, "discountRateBp", "discount rate")),
        dayCount: dayCount.value,
        penaltyRateBp: Number(penalty.value.trim() ? rateOf(penalty, "penaltyRateBp", "penalty rate") : 0n),
        recourse: recourse.checked,
        valueDate: `${valueDate.value}T00:00:00Z`,
        expiry: utcSeconds(expiry.value),
      },
      fee: feeText,
    };
  };
  return { el, read };
}

// showTermsError puts a TermsError beside its input (as the API's field
// errors are), or in the terms' own slot.
export function showTermsError(form, err) {
  const place = form.querySelector(`[data-error-for="${CSS.escape(err.field)}"]`) ?? form.querySelector(`[data-error-for="terms"]`);
  form.querySelector(`[data-field="${CSS.escape(err.field)}"]`)?.setAttribute("aria-invalid", "true");
  if (place) place.textContent = err.message;
}

// impliedAdvance works out what the form's terms pay on face (minor units)
// for a piece maturing at maturity: {adv, text}, or {error} to show.
export function impliedAdvance(read, face, maturity) {
  try {
    const { terms, fee } = read();
    const adv = computeAdvance(terms, face, fee ? parseAmount(fee) : 0n, maturity);
    return { adv, terms, text: `Advance ${formatMinor(adv.advance)} ${CURRENCY}: ${formatMinor(adv.gross)} at ${formatBp(terms.advanceRateBp)} of ${formatMinor(adv.face)}, less ${formatMinor(adv.discount)} discount over ${adv.days} days and ${formatMinor(adv.fee)} fee` };
  } catch (err) {
    if (err instanceof TermsError) return { error: err };
    throw err;
  }
}

// advanceFacts renders the API's AdvanceView.
export function advanceFacts(a, attrs) {
  return facts([
    ["Face", amount(money(a.face))],
    ["Days to maturity", String(a.days)],
    ["Gross", amount(money(a.gross))],
    ["Discount", amount(money(a.discount))],
    ["Fee", amount(money(a.fee))],
    ["Advance", h("strong", { class: "amount advance" }, money(a.advance))],
    ["Within the cap", a.withinCap ? `yes (at most ${formatBp(a.maxAdvanceBp)} of face)` : `no: above ${formatBp(a.maxAdvanceBp)} of face`],
  ], attrs);
}

// termsSummary is a one-line reading of public or opened terms.
export function termsSummary(t) {
  if (!t) return "sealed";
  return `${formatBp(t.advanceRateBp)} advance, ${formatBp(t.discountRateBp)} a year ${t.dayCount}, penalty ${formatBp(t.penaltyRateBp)}, ${t.recourse ? "with recourse" : "without recourse"}, value date ${formatDate(t.valueDate)}`;
}

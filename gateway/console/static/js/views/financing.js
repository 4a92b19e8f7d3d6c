// Financing pieces the bank's and the holder's pages share: the terms
// inputs (a bank's quote, a holder's financing with terms), what terms pay
// as the API shows it, and the advance a form's terms imply before
// anything is sent. Texts in messages/financing.js.

import "../messages/financing.js";
import { t, tn } from "../i18n.js";
import { h, facts, amount, notr } from "../dom.js";
import { field, input, select } from "../forms.js";
import { money, formatMinor, parseAmount, formatDate, formatNumber, toDecimal, zonedToISO, zonedInput, timeZone } from "../format.js";
import { computeAdvance, parseRateBp, formatBp, TermsError } from "../terms.js";
import { phrase } from "../phrase.js";

const DAY_MS = 86400000;

// todayUTC is today's date as an <input type=date> value: the terms' value
// date is a calendar date (the ledger counts days between UTC midnights).
export function todayUTC() {
  return new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

// inAnHour is a datetime-local value an hour from now, in the platform's
// time zone.
export function inAnHour() {
  return zonedInput(Date.now() + 3600000);
}

// utcSeconds reads a datetime-local value (a wall time in the platform's
// time zone) as an RFC 3339 instant in whole seconds.
export function utcSeconds(value) {
  return zonedToISO(value);
}

// termsFields builds the inputs of a financing's terms; prefix makes the
// IDs unique on the page; currency is the piece's. read() returns {terms,
// fee} for the API (fee a decimal string, "" for none) or throws
// TermsError naming the input.
export function termsFields(prefix, defaults = {}, currency) {
  const id = (n) => `${prefix}-${n}`;
  const rate = input({ id: id("advance-rate"), "data-field": "advanceRateBp", inputmode: "decimal", required: true, value: defaults.rate ?? "90", size: 6 });
  const discount = input({ id: id("discount-rate"), "data-field": "discountRateBp", inputmode: "decimal", required: true, value: defaults.discount ?? "5", size: 6 });
  const dayCount = select({ id: id("day-count"), "data-field": "dayCount", translate: "no" }, [{ value: "ACT/360", label: "ACT/360" }, { value: "ACT/365", label: "ACT/365" }]);
  if (defaults.dayCount) dayCount.value = defaults.dayCount;
  const fee = input({ id: id("fee"), "data-field": "fee", inputmode: "decimal", value: defaults.fee ?? "", placeholder: formatNumber(0n, currency), size: 10 });
  const penalty = input({ id: id("penalty-rate"), "data-field": "penaltyRateBp", inputmode: "decimal", value: defaults.penalty ?? "12", size: 6 });
  const recourse = input({ id: id("recourse"), "data-field": "recourse", type: "checkbox", checked: defaults.recourse ?? true });
  const valueDate = input({ id: id("value-date"), "data-field": "valueDate", type: "date", required: true, value: todayUTC() });
  const expiry = input({ id: id("expiry"), "data-field": "expiry", type: "datetime-local", required: true, value: inAnHour() });
  const cur = currency || "";
  const el = h("fieldset", { class: "terms", id: id("terms") },
    h("legend", null, t("financing.terms")),
    h("div", { class: "row" },
      field(t("financing.advanceRate"), rate),
      field(t("financing.discountRate"), discount),
      field(t("financing.dayCount"), dayCount),
      field(cur ? phrase("financing.feeIn", { currency: cur }) : t("financing.fee"), fee)),
    h("div", { class: "row" },
      field(t("financing.penaltyRate"), penalty),
      field(t("financing.valueDate"), valueDate),
      field(phrase("financing.expiry", { zone: timeZone() }), expiry, t("financing.expiryHint")),
      field(t("financing.recourse"), recourse)),
    h("span", { class: "field-error", role: "alert", "data-error-for": "terms" }));
  const rateOf = (inp, name, label) => {
    const v = parseRateBp(inp.value);
    if (v === null) throw new TermsError(name, t("financing.err.rate", { label }));
    return v;
  };
  const read = () => {
    const feeText = fee.value.trim();
    const feeMinor = feeText ? parseAmount(feeText, currency) : 0n;
    if (feeMinor === null) throw new TermsError("fee", t("financing.err.fee", { example: formatNumber(15000n, currency) }));
    if (!valueDate.value) throw new TermsError("valueDate", t("financing.err.valueDate"));
    if (!expiry.value) throw new TermsError("expiry", t("financing.err.expiry"));
    return {
      terms: {
        advanceRateBp: Number(rateOf(rate, "advanceRateBp", t("financing.advanceRateShort"))),
        discountRateBp: Number(rateOf(discount, "discountRateBp", t("financing.discountRateShort"))),
        dayCount: dayCount.value,
        penaltyRateBp: Number(penalty.value.trim() ? rateOf(penalty, "penaltyRateBp", t("financing.penaltyRateShort")) : 0n),
        recourse: recourse.checked,
        valueDate: `${valueDate.value}T00:00:00Z`,
        expiry: utcSeconds(expiry.value),
      },
      // The API takes the fee as a plain decimal string of the currency.
      fee: feeText ? toDecimal(feeMinor, currency) : "",
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

// impliedAdvance works out what the form's terms pay on face (minor units
// of currency) for a piece maturing at maturity: {adv, text}, or {error}.
export function impliedAdvance(read, face, maturity, currency) {
  try {
    const { terms, fee } = read();
    const adv = computeAdvance(terms, face, fee ? parseAmount(fee, currency) : 0n, maturity);
    const m = (v) => formatMinor(v, currency);
    return { adv, terms, text: t("financing.implied", { advance: m(adv.advance), gross: m(adv.gross), rate: formatBp(terms.advanceRateBp), face: m(adv.face), discount: m(adv.discount), days: adv.days, fee: m(adv.fee) }) };
  } catch (err) {
    if (err instanceof TermsError) return { error: err };
    throw err;
  }
}

// advanceFacts renders the API's AdvanceView.
export function advanceFacts(a, attrs) {
  return facts([
    [t("financing.face"), amount(money(a.face))],
    [t("financing.daysToMaturity"), String(a.days)],
    [t("financing.gross"), amount(money(a.gross))],
    [t("financing.discount"), amount(money(a.discount))],
    [t("financing.fee"), amount(money(a.fee))],
    [t("financing.advance"), h("strong", { class: "amount advance", translate: "no" }, money(a.advance))],
    [t("financing.withinCap"), a.withinCap ? t("financing.withinCapYes", { cap: formatBp(a.maxAdvanceBp) }) : t("financing.withinCapNo", { cap: formatBp(a.maxAdvanceBp) })],
  ], attrs);
}

// termsSummary is a one-line reading of public or opened terms (an
// element: the day count stays untranslated).
export function termsSummary(terms) {
  if (!terms) return t("common.sealed");
  return h("span", { class: "terms-summary" }, tn("financing.summary", {
    advance: formatBp(terms.advanceRateBp), discount: formatBp(terms.discountRateBp), dayCount: notr(terms.dayCount),
    penalty: formatBp(terms.penaltyRateBp), recourse: terms.recourse ? t("financing.withRecourse") : t("financing.withoutRecourse"),
    valueDate: formatDate(terms.valueDate),
  }));
}

// Forms: one Idempotency-Key per intended operation, busy state, and
// problem+json errors shown where they belong - each errors[].field next
// to the input that carries data-field with that name, the detail in the
// form's own error box otherwise.

import { ProblemError, newIdempotencyKey } from "./api.js";
import { h, notr } from "./dom.js";
import { t } from "./i18n.js";
import { parseAmount, formatNumber, endOfDay } from "./format.js";

// field wraps an input with its label and the place for its error. The
// input's data-field names the request field the API reports errors for.
export function field(label, input, hint) {
  const name = input.dataset.field;
  const err = h("span", { class: "field-error", role: "alert", "data-error-for": name });
  if (input.id) {
    err.id = `${input.id}-error`;
    input.setAttribute("aria-describedby", err.id);
  }
  return h("label", { class: "field" }, h("span", null, label), input, hint ? h("small", { class: "muted" }, hint) : null, err);
}

export function clearErrors(form) {
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  form.querySelectorAll(".field-error").forEach((el) => { el.textContent = ""; });
  form.querySelectorAll(".form-error, .form-ok").forEach((el) => { el.textContent = ""; });
}

function box(form, cls) {
  let el = form.querySelector(`:scope > .${cls}`);
  if (!el) {
    el = h("div", { class: cls, role: cls === "form-error" ? "alert" : "status" });
    form.append(el);
  }
  return el;
}

// showError puts an error on a form: each field error next to its input,
// the rest (and the detail, when no field took it) in the error box.
export function showError(form, err) {
  const rest = [];
  if (err instanceof ProblemError) {
    for (const fe of err.fields) {
      const input = form.querySelector(`[data-field="${CSS.escape(fe.field)}"]`);
      const place = form.querySelector(`[data-error-for="${CSS.escape(fe.field)}"]`);
      if (!place) { rest.push(fe); continue; }
      input?.setAttribute("aria-invalid", "true");
      place.textContent = place.textContent ? `${place.textContent}; ${fe.reason}` : fe.reason;
    }
    if (rest.length || !err.fields.length) {
      const el = box(form, "form-error");
      el.append(h("strong", null, err.message));
      if (rest.length) el.append(h("ul", null, rest.map((fe) => h("li", null, notr(fe.field, "code"), ": ", fe.reason))));
      const rid = err.problem.requestId;
      if (err.status >= 500 && rid) el.append(h("div", { class: "muted" }, t("form.requestId"), " ", notr(rid, "code")));
    }
    const first = form.querySelector("[aria-invalid=true]");
    first?.focus?.();
    return;
  }
  box(form, "form-error").textContent = err?.message ?? String(err);
}

export function showOk(form, ...content) {
  const el = box(form, "form-ok");
  el.replaceChildren(...content.flat().map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
}

// finish marks a form done: its inputs and buttons stay disabled.
export function finish(form) {
  form.dataset.done = "";
  for (const el of form.querySelectorAll("input, select, button")) el.disabled = true;
}

// bindForm runs submit(key) on submit. The key is kept across retries of
// the same request and dropped once the request is answered for good or
// the user changes the form (a changed request is a new operation).
export function bindForm(form, submit) {
  let key = null;
  form.addEventListener("input", (ev) => {
    key = null;
    // An error stands beside a field until that field is changed.
    const name = ev.target?.dataset?.field;
    if (name) {
      ev.target.removeAttribute("aria-invalid");
      const place = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
      if (place) place.textContent = "";
    }
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (form.getAttribute("aria-busy") === "true") return;
    clearErrors(form);
    key ??= newIdempotencyKey(form.dataset.op || form.id);
    const buttons = [...form.querySelectorAll("button[type=submit]")];
    const wasDisabled = buttons.map((b) => b.disabled);
    buttons.forEach((b) => { b.disabled = true; });
    form.setAttribute("aria-busy", "true");
    try {
      await submit(key);
      key = null;
    } catch (err) {
      if (!(err instanceof ProblemError && err.retryable)) key = null;
      showError(form, err);
    } finally {
      form.removeAttribute("aria-busy");
      // A form marked done (data-done) stays disabled: its record moved on.
      if (!("done" in form.dataset)) buttons.forEach((b, i) => { b.disabled = wasDisabled[i]; });
    }
  });
  return form;
}

// input builds an <input> (or <select>, <textarea>) for field().
export function input(attrs) {
  return h("input", { autocomplete: "off", ...attrs });
}

export function select(attrs, options, placeholder) {
  return h("select", attrs,
    placeholder ? h("option", { value: "" }, placeholder) : null,
    options.map((o) => h("option", { value: o.value }, o.label)));
}

// invalid is a field error found before sending: it shows beside the
// field like the API's own (a 422 problem with errors[]).
export function invalid(fieldName, reason) {
  return new ProblemError({ status: 422, code: "INVALID_ARGUMENT", detail: t("form.checkFields"), errors: [{ field: fieldName, reason }] }, 422);
}

// amountInput is an input for an amount of currency, typed the way the
// console shows amounts ("1,250,000.00", "¥1,250,000.00").
export function amountInput(attrs, currency) {
  return input({ inputmode: "decimal", placeholder: formatNumber(125000000n, currency), ...attrs });
}

// readAmount reads an amount input in minor units (BigInt), or throws the
// field error beside it: not an amount, or not above zero (unless zero is
// allowed).
export function readAmount(el, currency, { allowZero = false } = {}) {
  const name = el.dataset.field;
  if (!String(el.value).trim()) throw invalid(name, t("form.required"));
  const v = parseAmount(el.value, currency);
  if (v === null) throw invalid(name, t("form.invalidAmount", { currency, example: formatNumber(125000000n, currency) }));
  if (!allowZero && v <= 0n) throw invalid(name, t("form.positiveAmount"));
  return v;
}

// readDate reads a date input ("YYYY-MM-DD", a day in the platform's time
// zone) as the instant that day ends there (RFC 3339), or throws the field
// error beside it.
export function readDate(el) {
  const name = el.dataset.field;
  if (!String(el.value).trim()) throw invalid(name, t("form.required"));
  const iso = endOfDay(el.value);
  if (!iso) throw invalid(name, t("form.invalidDate"));
  return iso;
}

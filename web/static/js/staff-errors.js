// API errors as staff read them: a sentence saying what to do, in the page's language, next to
// the field it is about (or the button that caused it); the API's code and the request id stay
// in a small "Details" line for whoever has to look into it (issue 13 point 8).
//
//   showError(error, { fields: { username: $("username") }, near: $("continue"), scope: "sign_in" })
//   clearErrors(form)
//
// Sentences come from the staff catalog: `error.<code>` (values from the error's details), a
// field's problem from `error.<scope>.<field>.<kind>` then `error.field.<kind>` with the field's
// label. An error nobody wrote a sentence for says so in general words; never the raw message.

import { ApiError } from "./api.js";
import { say, t } from "./i18n.js";

function has(key) {
  return t(key) !== key;
}

// What kind of problem the API's English text for one field describes (validation.Fields).
export function problemKind(problem) {
  const text = String(problem || "");
  if (/^is required/.test(text)) return ["required", {}];
  const length = text.match(/^must be (\d+) to (\d+) characters/);
  if (length) return ["length", { min: length[1], max: length[2] }];
  if (/^must be one of/.test(text)) return ["choice", {}];
  if (/control, bidirectional|line-separator/.test(text)) return ["characters", {}];
  if (/in the past/.test(text)) return ["past", {}];
  return ["invalid", {}];
}

// The field's label as a value for `t`: its key when translated, so a language switch redoes it.
function labelOf(control) {
  const label = control.id && document.querySelector(`label[for="${control.id}"]`);
  if (label && label.dataset.i18n) return { t: label.dataset.i18n };
  return label ? label.textContent.trim() : control.getAttribute("aria-label") || control.name || "";
}

// The sentence for the error as a whole: [key, values].
export function sentenceFor(error) {
  if (!(error instanceof ApiError)) return ["error.network", {}];
  const details = error.details || {};
  const values = { ...details };
  delete values.fields;
  if (has(`error.${error.code}`)) return [`error.${error.code}`, values];
  if (error.status === 401) return ["error.signed_out", {}];
  if (error.status === 403) return ["error.forbidden", {}];
  if (error.status === 409) return ["error.conflict", {}];
  if (error.status >= 500) return ["error.server", {}];
  return ["error.other", {}];
}

// The sentence for one field: [key, values]. A code that is about this field (time.in_past with
// fields {starts_at}) has its own sentence first.
export function fieldSentence(error, name, problem, control, scope) {
  const label = control ? labelOf(control) : name;
  if (error.code !== "request.invalid_fields" && has(`error.${error.code}`)) {
    return [`error.${error.code}`, { ...error.details, label }];
  }
  let [kind, values] = problemKind(problem);
  // An empty text is refused as too short ("must be 1 to 64 characters"): it is missing.
  if (kind === "length" && control && "value" in control && !control.value.trim()) kind = "required";
  const own = `error.${scope}.${name}.${kind}`;
  return [scope && has(own) ? own : `error.field.${kind}`, { ...values, label }];
}

function detailsLine(error) {
  if (!(error instanceof ApiError)) return ["error.details_network", {}];
  const id = (error.details || {}).request_id;
  return id ? ["error.details_request", { code: error.code, id }] : ["error.details", { code: error.code }];
}

// The error slot after `anchor` (a field, or a button); made once, then reused. The field (or
// button) names it in aria-describedby so a screen reader reads it with the control.
export function slotAfter(anchor) {
  const id = `${anchor.id}-error`;
  let slot = document.getElementById(id);
  if (!slot) {
    slot = Object.assign(document.createElement("div"), { id, className: "staff-error" });
    slot.dataset.for = anchor.id;
    slot.setAttribute("aria-live", "polite");
    (anchor.closest(".check") || anchor).after(slot);
    const described = (anchor.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (!described.includes(id)) anchor.setAttribute("aria-describedby", [...described, id].join(" "));
  }
  return slot;
}

// A slot holds two lines: the sentence, and the details in small print.
function fill(slot, [key, values], [detailKey, detailValues]) {
  if (!slot.querySelector(":scope > .field-error")) {
    slot.replaceChildren(
      Object.assign(document.createElement("p"), { className: "field-error" }),
      Object.assign(document.createElement("p"), { className: "error-details" }),
    );
  }
  say(slot.querySelector(":scope > .field-error"), key, values);
  say(slot.querySelector(":scope > .error-details"), detailKey, detailValues);
  slot.classList.add("staff-error");
  slot.hidden = false;
}

// Show `error` where it belongs. `fields` maps the API's field names to their controls; `near`
// is the button (or other control) the action started from; `box` the page's message area for
// an error tied to neither (default: the element with id "message"); `scope` picks field
// sentences written for this form. Returns the field focused (the first with a problem), if any.
export function showError(error, { fields = {}, near = null, box = null, scope = "" } = {}) {
  const details = detailsLine(error);
  const problems = (error instanceof ApiError && error.details && error.details.fields) || {};
  let first = null;
  let placed = 0;
  for (const [name, problem] of Object.entries(problems)) {
    const control = fields[name];
    if (!control) continue;
    fill(slotAfter(control), fieldSentence(error, name, problem, control, scope), details);
    control.setAttribute("aria-invalid", "true");
    first = first || control;
    placed += 1;
  }
  const unplaced = Object.keys(problems).length - placed;
  if (placed === 0 || unplaced > 0) {
    const sentence = placed === 0 ? sentenceFor(error) : ["error.other_fields", {}];
    const slot = near ? slotAfter(near) : box || document.getElementById("message");
    if (slot) fill(slot, sentence, details);
    else console.error(error); // a page with nowhere to say it is a bug of the page
  }
  if (first) first.focus();
  return first;
}

// Remove the errors shown in `root` (a form, or the whole page).
export function clearErrors(root = document) {
  for (const slot of root.querySelectorAll(".staff-error")) {
    slot.hidden = true;
    for (const line of slot.querySelectorAll(":scope > p")) say(line, "");
    const control = document.getElementById(slot.dataset.for);
    if (control) control.removeAttribute("aria-invalid");
  }
}

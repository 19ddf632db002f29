// What the judge's pages say when the service refuses something (issue 13 point 8): a sentence
// saying what to do, next to the field it is about or the button that was pressed; the API's
// code (and request id) stay in a small "Details" line under it. Every sentence of the judge's
// pages is in this file, in English, keyed by the API's error code, so the shared staff
// catalog (web/static/i18n/staff/*.json, staff-errors.js) can take them over as they are: the
// function names and arguments are those of staff-errors.js.

import { ApiError } from "./api.js";

// Sentences per error code; {name} takes a value from the error's details (or `label`).
export const ERRORS = Object.freeze({
  "time.in_past": "Choose a start that is still ahead: this one has already passed.",
  "time.too_far": "Choose a start within the next two years.",
  "time.end_before_start": "Make the hearing end after it starts.",
  "time.bad_duration": "Give a duration between 5 and 720 minutes.",
  "time.nonexistent": "This time does not exist at the venue (the clocks jump forward over it): choose another time.",
  "time.ambiguous": "This time happens twice at the venue (the clocks go back): choose another time.",
  "time.unknown_zone": "Choose the venue's time zone from the list.",
  "time.malformed": "Enter a complete date and time.",
  "time.out_of_range": "Enter a date between the years 2000 and 2199.",
  "venue.time_zone_required": "This state has several time zones: choose the one of the venue.",
  "venue.zone_not_in_state": "Choose a time zone of the requested state.",
  "hearing.barred": "The law bars this hearing as chosen: see the reasons in the legal decision. Change the states, the proceeding or the person's role, or do not schedule it.",
  "hearing.recording_unlawful": "Recording is not lawful for this hearing: untick “Request a recording”.",
  "hearing.recording_required": "Recording is mandatory for this hearing: tick “Request a recording”.",
  "hearing.notice_too_short": "The law asks for {notice_days} days' notice: choose a start on or after {earliest_start}.",
  "hearing.outside_working_hours": "This time is outside the venue's working hours ({working_hours}, {venue_time_zone}): choose another time, or give a reason of 10 characters or more to sit anyway.",
  "hearing.conflict": "The judge, the venue or a person is already booked at that time: choose another time or venue.",
  "hearing.version_conflict": "Someone else changed this hearing since the page showed it, so nothing was saved. Reload the hearing, then try again.",
  "hearing.wrong_state": "This cannot be done now: the hearing has moved on. Reload the page to see where it stands.",
  "hearing.invalid_transition": "This cannot be done now: the hearing has moved on. Reload the page to see where it stands.",
  "hearing.legal_review_pending": "Record the legal review first (above): until then nobody can be invited.",
  "hearing.conditions_unmet": "Record the conditions to meet before the hearing first (listed above), then open the lobby.",
  "condition.already_met": "This condition is already recorded as met. Reload the hearing to see it.",
  "hearing.not_found": "This hearing no longer exists, or is not yours. Reload the page.",
  "legal.bad_date": "Enter a complete date with a four-digit year.",
  "legal.same_state": "The person is in your court's own state: this service is for hearings in another state. Choose the state where the person is.",
  "invitation.already_issued": "This person already has an invitation: use “Send a new link” to replace it.",
  "invitation.not_found": "This person has no valid invitation: invite them first.",
  "invitation.judge_has_account": "You join with your own account: you need no invitation.",
  "participant.duplicate": "The same person is listed twice: remove one.",
  "auth.required": "Your session has ended: sign in again, then repeat what you were doing.",
});

// Sentences for one field's problem, by the kind of problem the API's text describes.
const FIELD = Object.freeze({
  required: "Fill in “{label}”.",
  length: "“{label}” must be {min} to {max} characters.",
  choice: "Choose one of the options of “{label}”.",
  characters: "“{label}” contains characters that cannot be used (control or direction marks): retype it.",
  past: "Choose a start that is still ahead: this one has already passed.",
  zone: "Choose the venue's time zone from the list.",
  invalid: "Check “{label}”: {problem}.",
});

const GENERAL = Object.freeze({
  network: "The service cannot be reached. Check your connection and try again.",
  server: "The service had a problem. Try again in a moment.",
  forbidden: "You may not do this.",
  conflict: "This cannot be done now. Reload the page to see where things stand.",
  other: "This was not accepted. Check what you entered and try again.",
  other_fields: "Some answers were not accepted: see the messages next to the fields.",
});

function fillIn(text, values) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
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
  if (/IANA time zone/.test(text)) return ["zone", {}];
  return ["invalid", {}];
}

function labelOf(control) {
  const label = control.id && document.querySelector(`label[for="${control.id}"]`);
  const text = label ? label.textContent : control.getAttribute("aria-label") || control.id;
  return text.replace(/\s*\(.*\)\s*$/, "").trim();
}

// The sentence for the error as a whole.
export function sentenceFor(error) {
  if (!(error instanceof ApiError)) return GENERAL.network;
  const values = { ...(error.details || {}) };
  const notice = (values.notice || [])[0];
  if (notice) Object.assign(values, notice);
  if (ERRORS[error.code]) return fillIn(ERRORS[error.code], values);
  if (error.status === 403) return GENERAL.forbidden;
  if (error.status === 409) return GENERAL.conflict;
  if (error.status >= 500) return GENERAL.server;
  return GENERAL.other;
}

// The sentence for one field: the error's own sentence when its code is about this field
// (time.in_past names starts_at), else one for the kind of problem.
export function fieldSentence(error, name, problem, control) {
  const label = control ? labelOf(control) : name;
  if (error.code !== "request.invalid_fields" && ERRORS[error.code]) return sentenceFor(error);
  const [kind, values] = problemKind(problem);
  const chosen = kind === "length" && control && !String(control.value || "").trim() ? "required" : kind;
  return fillIn(FIELD[chosen], { ...values, label, problem: String(problem).replace(/\.$/, "") });
}

function detailsLine(error) {
  if (!(error instanceof ApiError)) return "Details: no answer from the service";
  const id = (error.details || {}).request_id;
  return id ? `Details: ${error.code}, request ${id}` : `Details: ${error.code}`;
}

// The error slot after `anchor` (a field or a button), made once and reused; the control names
// it in aria-describedby so a screen reader reads it with the control.
function slotAfter(anchor) {
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

function fill(slot, sentence, details) {
  const line = (className, text) => Object.assign(document.createElement("p"), { className, textContent: text });
  slot.replaceChildren(line("field-error", sentence), line("error-details", details));
  slot.classList.add("staff-error");
  slot.hidden = false;
}

// Show `error` where it belongs. `fields` maps the API's field names to their controls; `near`
// is the button the action started from; `box` the message area for an error tied to neither.
// Returns the first field with a problem (focused), if any.
export function showError(error, { fields = {}, near = null, box = null } = {}) {
  const details = detailsLine(error);
  const problems = (error instanceof ApiError && error.details && error.details.fields) || {};
  let first = null;
  let placed = 0;
  for (const [name, problem] of Object.entries(problems)) {
    const control = fields[name];
    if (!control) continue;
    fill(slotAfter(control), fieldSentence(error, name, problem, control), details);
    control.setAttribute("aria-invalid", "true");
    first = first || control;
    placed += 1;
  }
  if (placed === 0 || placed < Object.keys(problems).length) {
    const sentence = placed === 0 ? sentenceFor(error) : GENERAL.other_fields;
    const slot = near ? slotAfter(near) : box || document.getElementById("message");
    if (slot) {
      fill(slot, sentence, details);
      if (slot === box || slot.id === "message") slot.className = "message error staff-error";
    }
  }
  if (first) first.focus();
  return first;
}

// A sentence of the page's own (not from the service) next to a control, e.g. a required field.
export function showNote(anchor, sentence) {
  const slot = slotAfter(anchor);
  slot.replaceChildren(Object.assign(document.createElement("p"), { className: "field-error", textContent: sentence }));
  slot.classList.add("staff-error");
  slot.hidden = !sentence;
  if (sentence) anchor.setAttribute("aria-invalid", "true");
}

// Remove the errors shown in `root` (a form, a section, or the whole page).
export function clearErrors(root = document) {
  for (const slot of root.querySelectorAll(".staff-error")) {
    slot.hidden = true;
    slot.replaceChildren();
    const control = document.getElementById(slot.dataset.for);
    if (control) control.removeAttribute("aria-invalid");
  }
}

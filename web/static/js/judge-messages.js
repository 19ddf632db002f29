// The judge's pages' errors go through the shared staff-errors.js (issue 13 point 8): a sentence
// in the page's language next to the field or the button, the API's code in the details line.
// The sentences are in the catalogs (web/static/i18n/staff/judge/<lang>.json, `error.<code>`);
// this file only adds what the judge's forms need on top: the notice's values flattened so
// "{notice_days}" can be filled in, and the page's own notes (a required field left empty).

import { ApiError } from "./api.js";
import { say } from "./staff-i18n.js";
import { clearErrors, sentenceFor, showError as staffShowError, slotAfter } from "./staff-errors.js";

export { clearErrors };

// hearing.notice_too_short gives its figures in details.notice[0]; the sentence names them.
function flattened(error) {
  if (!(error instanceof ApiError)) return error;
  const details = error.details || {};
  const notice = (details.notice || [])[0];
  if (notice && typeof notice === "object") error.details = { ...notice, ...details };
  return error;
}

export function showError(error, options = {}) {
  const first = staffShowError(flattened(error), options);
  // The page's message area is styled as an error while it holds one.
  if (options.box && !first && !options.near) options.box.classList.add("message", "error");
  return first;
}

// [key, values] of the sentence for the error as a whole (the legal decision panel shows it).
export function sentenceOf(error) {
  return sentenceFor(flattened(error));
}

// A sentence of the page's own (not from the service) next to a control, by its catalog key;
// "" removes it.
export function showNote(anchor, key, values = {}) {
  const slot = slotAfter(anchor);
  // The same two lines as staff-errors.js writes, so either can reuse the slot; no details here.
  const line = Object.assign(document.createElement("p"), { className: "field-error" });
  const details = Object.assign(document.createElement("p"), { className: "error-details" });
  say(line, key, values);
  slot.replaceChildren(line, details);
  slot.classList.add("staff-error");
  slot.hidden = !key;
  if (key) anchor.setAttribute("aria-invalid", "true");
}

// A message of the page's own in a message area (`kind`: ok, warn, error), by its catalog key;
// "" empties and hides it.
export function showNotice(box, key, values = {}, kind = "ok") {
  say(box, key, values);
  box.className = `message ${kind}`;
  box.hidden = !key;
}

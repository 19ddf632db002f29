// The legal review of one hearing on the judge's page (POST /api/hearings/{id}/legal-review).
// When the legal engine cannot decide a case (`unknown`), the hearing is a draft until a judge
// records what they checked: clearing it schedules the hearing, refusing cancels it, so refusing
// is confirmed first in a dialog of the page. The review is sent with the version the page shows,
// so a change made meanwhile by someone else is refused (409) instead of being overruled. Once
// recorded, the review (outcome, note, who, when) is shown with what was not known.

import { api } from "./api.js";
import { clearErrors, showError, showNote, showNotice } from "./judge-messages.js";
import { renderDecision, ROLES, word } from "./legal-decision.js";
import { $ } from "./staff-page.js";
import { say } from "./staff-i18n.js";
import { formatDateTime } from "./staff-time.js";

const NOTE_MIN = 10;
const OUTCOME_TEXT = {
  cleared: "judge.review.outcome_cleared",
  refused: "judge.review.outcome_refused",
};

let hearing = null; // as the page shows it now
let reload = async () => null;

export function reviewPending(shown) {
  return shown.state === "draft" && shown.legal.status === "pending_review";
}

// A term (catalog key) and its value ([key, values], or a text of the record as it is).
function fact(term, value) {
  const dt = document.createElement("dt");
  const dd = document.createElement("dd");
  say(dt, term);
  if (Array.isArray(value)) say(dd, ...value);
  else dd.textContent = value;
  return [dt, dd];
}

function formMessage(key, values = {}, kind = "error") {
  showNotice($("review-message"), key, values, kind);
}

function resetForm(keepNote) {
  if (!keepNote) $("review-note").value = "";
  formMessage("");
  clearErrors($("review-form"));
  $("refuse-dialog").close();
}

// Shows the review part of a hearing's detail: the form while a review is pending, the recorded
// review afterwards, and what was not known in both cases; nothing for a decided case. A note
// being written survives a reload of the same hearing (after a conflict, say).
export function renderReview(shown) {
  const same = hearing !== null && hearing.id === shown.id;
  hearing = shown;
  const pending = reviewPending(shown);
  const review = shown.legal.review;
  const section = $("review");
  section.hidden = !pending && !review;
  section.dataset.status = shown.legal.status;
  resetForm(same && pending);
  if (section.hidden) return;
  renderDecision($("review-decision"), shown.legal.decision);
  $("review-pending-intro").hidden = !pending;
  $("review-if-cleared").hidden = !pending;
  $("review-form").hidden = !pending;
  const record = $("review-record");
  record.hidden = !review;
  if (!review) return;
  record.dataset.outcome = review.outcome;
  record.replaceChildren(
    ...fact("judge.review.outcome", OUTCOME_TEXT[review.outcome] ? [OUTCOME_TEXT[review.outcome], {}] : review.outcome),
    ...fact("judge.review.note_term", review.note),
    ...fact("judge.review.by", ["judge.list.person", { name: review.by.name, role: word(ROLES, review.by.role) }]),
    ...fact("judge.review.when", formatDateTime(review.at)),
  );
}

// The note as it will be recorded, or null after saying next to it what is wrong.
function checkedNote() {
  const note = $("review-note").value.trim();
  clearErrors($("review-form"));
  formMessage("");
  if (note.length >= NOTE_MIN) return note;
  const values = { length: note.length, min: NOTE_MIN };
  showNote($("review-note"), note.length ? "judge.review.note_short" : "judge.review.note_missing", values);
  $("review-note").focus();
  return null;
}

function offerReload(key) {
  const box = $("review-message");
  formMessage(key);
  const again = Object.assign(document.createElement("button"), { type: "button", className: "secondary" });
  say(again, "judge.reload_hearing");
  again.addEventListener("click", async () => {
    try {
      await reload(hearing.id);
      $("review-title").focus();
    } catch (error) {
      formMessage("");
      showError(error, { box });
    }
  });
  // After the sentence, inside the box: translate() rewrites the box's text only through its
  // own key, so the sentence goes in a child of its own.
  const sentence = Object.assign(document.createElement("span"), {});
  say(sentence, key);
  box.removeAttribute("data-i18n");
  box.replaceChildren(sentence, " ", again);
  again.focus();
}

function explainRefusal(error) {
  if (error.code === "hearing.version_conflict") {
    offerReload("judge.review.conflict");
    return;
  }
  if (error.status === 409) {
    offerReload("judge.review.moved_on");
    return;
  }
  showError(error, { fields: { note: $("review-note") }, near: $("review-clear"), scope: "judge" });
}

async function record(outcome, note) {
  const buttons = [$("review-clear"), $("review-refuse")];
  for (const button of buttons) button.disabled = true;
  let saved;
  try {
    saved = await api("POST", `/api/hearings/${encodeURIComponent(hearing.id)}/legal-review`, {
      version: hearing.version, outcome, note,
    });
  } catch (error) {
    explainRefusal(error);
    return;
  } finally {
    for (const button of buttons) button.disabled = false;
  }
  try {
    await reload(saved.id);
  } catch (error) {
    showError(error, { box: $("message") });
    return;
  }
  const key = outcome === "cleared" ? "judge.review.recorded_cleared" : "judge.review.recorded_refused";
  showNotice($("message"), key, {}, outcome === "cleared" ? "ok" : "warn");
  $("review-title").focus();
}

function clear(event) {
  event.preventDefault();
  const note = checkedNote();
  if (note) record("cleared", note);
}

function askToRefuse() {
  const note = checkedNote();
  if (!note) return;
  say($("refuse-dialog-note"), "judge.refuse.note", { note });
  $("refuse-dialog").returnValue = "";
  $("refuse-dialog").showModal();
}

function refuseAnswered() {
  if ($("refuse-dialog").returnValue === "refuse") {
    record("refused", $("review-note").value.trim());
  } else if (!$("review").hidden) {
    $("review-refuse").focus();
  }
}

export function initReview(options) {
  reload = options.reload;
  $("review-form").addEventListener("submit", clear);
  $("review-refuse").addEventListener("click", askToRefuse);
  $("refuse-dialog").addEventListener("close", refuseAnswered);
}

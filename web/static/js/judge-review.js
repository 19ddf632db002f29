// The legal review of one hearing on the judge's page (POST /api/hearings/{id}/legal-review).
// When the legal engine cannot decide a case (`unknown`), the hearing is a draft until a judge
// records what they checked: clearing it schedules the hearing, refusing cancels it, so refusing
// is confirmed first in a dialog of the page. The review is sent with the version the page shows,
// so a change made meanwhile by someone else is refused (409) instead of being overruled. Once
// recorded, the review (outcome, note, who, when) is shown with what was not known.

import { api, showMessage } from "./api.js";
import { clearErrors, showError, showNote } from "./judge-messages.js";
import { renderDecision } from "./legal-decision.js";

const $ = (id) => document.getElementById(id);
const NOTE_MIN = 10;
const OUTCOME_TEXT = {
  cleared: "Cleared: the hearing was scheduled",
  refused: "Refused: the hearing was cancelled",
};

let hearing = null; // as the page shows it now
let reload = async () => null;

export function reviewPending(shown) {
  return shown.state === "draft" && shown.legal.status === "pending_review";
}

function fact(term, value) {
  return [
    Object.assign(document.createElement("dt"), { textContent: term }),
    Object.assign(document.createElement("dd"), { textContent: value }),
  ];
}

function formMessage(text, kind = "error") {
  showMessage($("review-message"), text, kind);
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
    ...fact("Outcome", OUTCOME_TEXT[review.outcome] || review.outcome),
    ...fact("Note", review.note),
    ...fact("Recorded by", `${review.by.name} (${review.by.role})`),
    ...fact("When", new Date(review.at).toLocaleString()),
  );
}

// The note as it will be recorded, or null after saying next to it what is wrong.
function checkedNote() {
  const note = $("review-note").value.trim();
  clearErrors($("review-form"));
  formMessage("");
  if (note.length >= NOTE_MIN) return note;
  const problem = note.length
    ? `The note is too short (${note.length} characters): write at least ${NOTE_MIN} characters saying what you checked and with whom.`
    : `Write a note of at least ${NOTE_MIN} characters saying what you checked and with whom.`;
  showNote($("review-note"), problem);
  $("review-note").focus();
  return null;
}

function offerReload(text) {
  const box = $("review-message");
  showMessage(box, text);
  const again = Object.assign(document.createElement("button"), {
    type: "button", className: "secondary", textContent: "Reload the hearing",
  });
  again.addEventListener("click", async () => {
    try {
      await reload(hearing.id);
      $("review-title").focus();
    } catch (error) {
      formMessage(`The hearing could not be reloaded: ${error.message}`);
    }
  });
  box.append(" ", again);
  again.focus();
}

function explainRefusal(error) {
  if (error.code === "hearing.version_conflict") {
    offerReload("This hearing was changed by someone else since the page showed it, so your review was not recorded. Reload it to see the current hearing (your note is kept), then decide again.");
    return;
  }
  if (error.status === 409) {
    offerReload("Not recorded: the hearing has moved on. Reload it to see where it stands now.");
    return;
  }
  showError(error, { fields: { note: $("review-note") }, near: $("review-clear") });
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
  let text = outcome === "cleared"
    ? "Legal review recorded: the hearing is cleared and scheduled. You can now invite the participants."
    : "Legal review recorded: the hearing is refused and cancelled.";
  try {
    await reload(saved.id);
  } catch (error) {
    text += ` The page could not show it yet (${error.message}): reload the page.`;
  }
  showMessage($("message"), text, outcome === "cleared" ? "ok" : "warn");
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
  $("refuse-dialog-note").textContent = `Your note: ${note}`;
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

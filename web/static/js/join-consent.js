// The person's consent on the participant page, where the hearing rests on it: the accused's
// always, a witness's where the legal decision makes her consent a condition (`consent.person`
// among the notices, or among the room's conditions she meets). Shown from the notices on, and
// withdrawable at any time once admitted (after a confirmation dialog), over the room's
// connection: the room records the withdrawal and stops testimony.

import { say } from "./i18n.js";
import { $, message, onStateChange, page, State } from "./join-state.js";

// The legal decision's condition id (backquoted: not a translation key, for test_i18n).
const CONSENT = `consent.person`;
let roomSaysConsent = false;
let sent = false;

function consentIsACondition() {
  const invitation = page.invitation;
  const person = invitation && invitation.participant;
  if (!person) return false;
  if (person.role === "accused") return true;
  const notices = invitation.notices || [];
  return Boolean(person.heard) && (roomSaysConsent || notices.some((n) => n.id === CONSENT));
}

// `roomState`: the room's last room_state, when one came.
export function renderConsent(roomState) {
  if (roomState && Array.isArray(roomState.conditions)) {
    const role = page.invitation && page.invitation.participant.role;
    roomSaysConsent = roomState.conditions.some(
      (c) => c.id === CONSENT && (c.satisfied_by || []).includes(role));
  }
  const shown = consentIsACondition()
    && [State.NOTICES, State.CODE, State.LOBBY].includes(page.state);
  $("consent").hidden = !shown;
  if (!shown || $("consent-withdraw").dataset.done) return;
  if (roomState && roomState.consent_withdrawn && sent) {
    $("consent-withdraw").dataset.done = "yes";
    $("consent-withdraw").disabled = true;
    say($("consent-text"), "consent.withdrawn");
    return;
  }
  say($("consent-text"), page.admitted ? "consent.given" : "consent.before_admission");
  $("consent-withdraw").disabled = !page.admitted;
}

// The room refused the withdrawal (a witness whose consent is no condition, a lost seat): say
// what to do instead, never leave her thinking it was recorded.
export function consentRefused(code) {
  if (!sent || $("consent-withdraw").dataset.done) return false;
  sent = false;
  $("consent-withdraw").disabled = false;
  say($("consent-text"), "consent.withdraw_refused", { code });
  return true;
}

function askWithdrawal() {
  const dialog = $("consent-dialog");
  dialog.returnValue = "";
  dialog.showModal();
}

function onDialogClosed() {
  if ($("consent-dialog").returnValue !== "withdraw") {
    $("consent-withdraw").focus();
    return;
  }
  message("");
  if (page.room && page.room.send({ type: "consent_withdrawn" })) {
    // Recorded when the room says so (its next room_state), not when sent.
    sent = true;
    $("consent-withdraw").disabled = true;
    say($("consent-text"), "consent.withdrawing");
  } else {
    say($("consent-text"), "consent.withdraw_offline");
  }
}

export function initConsent() {
  onStateChange(() => renderConsent());
  $("consent-withdraw").addEventListener("click", askWithdrawal);
  $("consent-dialog").addEventListener("close", onDialogClosed);
}

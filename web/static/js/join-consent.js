// The accused's consent on the participant page: shown from the notices on, and withdrawable at
// any time once admitted (after a confirmation dialog), over the room's connection.

import { say } from "./i18n.js";
import { $, onStateChange, page, State } from "./join-state.js";

export function renderConsent() {
  const person = page.invitation && page.invitation.participant;
  const shown = Boolean(person && person.role === "accused")
    && [State.NOTICES, State.CODE, State.LOBBY].includes(page.state);
  $("consent").hidden = !shown;
  if (!shown || $("consent-withdraw").dataset.done) return;
  say($("consent-text"), page.admitted ? "consent.given" : "consent.before_admission");
  $("consent-withdraw").disabled = !page.admitted;
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
  if (page.room && page.room.send({ type: "consent_withdrawn" })) {
    $("consent-withdraw").dataset.done = "yes";
    $("consent-withdraw").disabled = true;
    say($("consent-text"), "consent.withdrawn");
  } else {
    say($("consent-text"), "consent.withdraw_offline");
  }
}

export function initConsent() {
  onStateChange(renderConsent);
  $("consent-withdraw").addEventListener("click", askWithdrawal);
  $("consent-dialog").addEventListener("close", onDialogClosed);
}

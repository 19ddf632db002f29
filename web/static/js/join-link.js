// The invitation link on the participant page: open it, show the hearing it is for (in the
// invitation's language unless the participant chose another), or say what is wrong with it.

import { language, loadLanguage, preferredLanguage, say } from "./i18n.js";
import { classify, fetchInvitation, keptGrant, plausibleLink } from "./invitation.js";
import { check } from "./join-devices.js";
import { formatZonedTime, renderLanguage, startTimes } from "./join-language.js";
import { rerenderConfirmations } from "./join-lobby.js";
import { renderNotices } from "./join-notices.js";
import { $, message, page, setState, State } from "./join-state.js";

const LINK_PROBLEMS = new Set([
  "expired", "early", "revoked", "locked", "unavailable", "network", "invalid",
]);

export function linkError(problem) {
  const known = LINK_PROBLEMS.has(problem.kind) ? problem.kind : "other";
  say($("link-title"), `link.title.${known}`);
  say($("link-text"), `link.text.${known}`, {
    code: problem.code || problem.kind, time: formatZonedTime(problem.from),
  });
  message("");
  check.stop();
  $("hearing").hidden = true;
  setState(State.LINK_ERROR);
}

function renderHearing() {
  const invitation = page.invitation;
  if (!invitation) return;
  const hearing = invitation.hearing;
  say($("hearing-case"), "hearing.case", {
    reference: hearing.case_reference, court: hearing.court,
  });
  const times = startTimes(hearing.starts_at);
  say($("hearing-when"), "hearing.when", times.venue);
  $("hearing-when-local").hidden = !times.local;
  if (times.local) say($("hearing-when-local"), "hearing.when_local", times.local);
  else say($("hearing-when-local"), "");
  say($("hearing-role"), "hearing.role", { role: { t: `role.${invitation.participant.role}` } });
  $("hearing").hidden = page.state === State.LINK_ERROR;
}

// Everything that reads differently in another language.
export function renderAll() {
  renderLanguage();
  renderHearing();
  // The notices' plain texts come in every language: show the page's.
  if (page.invitation) renderNotices();
  rerenderConfirmations();
}

export async function openInvitation() {
  if (!plausibleLink(page.link)) {
    linkError({ kind: "invalid" });
    return;
  }
  try {
    page.invitation = await fetchInvitation(page.link);
  } catch (error) {
    linkError(classify(error));
    return;
  }
  const invitation = page.invitation;
  if (invitation.invitation.locked) {
    linkError({ kind: "locked" });
    return;
  }
  const wanted = invitation.participant.language;
  if (wanted && preferredLanguage(wanted) !== language()) {
    await loadLanguage(preferredLanguage(wanted));
  }
  // A code passed before a reload: this tab still holds what it bought.
  page.grant = keptGrant(page.link.hearingId, invitation.participant.id);
  renderNotices();
  setState(State.DEVICES);
  renderAll();
  if (page.grant) {
    message("code.kept", {}, "ok");
  } else if (!invitation.invitation.open_now) {
    message("link.opens_at", { time: formatZonedTime(invitation.invitation.valid_from) }, "warn");
  }
}

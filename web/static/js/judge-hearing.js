// One hearing on the judge's page: its times (venue time and the court's, labelled with their
// zones, and the judge's own when it differs), the conditions to meet before the hearing, an
// invitation per participant, and opening the lobby. A new link and its one-time code are shown
// once, when issued (link with a copy button and a QR code drawn by the service; the code, for
// another channel, as text): afterwards the page says the invitation is active and offers "Send a
// new link", which voids the old link and code (the service records it). A draft or scheduled
// hearing can be rescheduled (judge-reschedule.js); a draft waits for the legal review of its
// `unknown` decision (judge-review.js) and cannot invite anyone yet. The detail renders from the
// page's state (judge-state.js), which also redraws the hearing's line in the list.

import { api } from "./api.js";
import { browserZone, inZone, wallTime } from "./hearing-form.js";
import { clearErrors, showError, showNotice } from "./judge-messages.js";
import { canReschedule, closeReschedule, openReschedule } from "./judge-reschedule.js";
import { renderReview, reviewPending } from "./judge-review.js";
import { page } from "./judge-state.js";
import { offenceKey, RECORDING, ROLES, STATES, VERDICTS, word } from "./legal-decision.js";
import { $ } from "./staff-page.js";
import { say, t } from "./staff-i18n.js";
import { formatDateTime } from "./staff-time.js";

// The states in which the service issues invitations (INVITABLE in vc_service/hearings/lifecycle.py).
const INVITABLE = new Set(["scheduled", "open", "in_session", "testimony"]);
let hearing = null;
let reload = async (id) => showHearing(id, false);

function text(tag, value, className = "") {
  return Object.assign(document.createElement(tag), { textContent: value, className });
}

// An element showing a catalog text (redone by a language switch).
function said(tag, key, values = {}, className = "") {
  const node = Object.assign(document.createElement(tag), { className });
  say(node, key, values);
  return node;
}

let buttons = 0;
function button([key, values], kind, onClick) {
  const node = said("button", key, values, kind);
  node.type = "button";
  node.id = `detail-action-${++buttons}`; // errors about it are shown next to it, by its id
  node.addEventListener("click", () => onClick(node));
  return node;
}

// Runs one action of the page; a refusal is said next to the button that asked for it.
async function guarded(near, work) {
  showNotice($("message"), "");
  clearErrors($("detail"));
  near.disabled = true;
  try {
    await work();
  } catch (error) {
    showError(error, { near });
  } finally {
    near.disabled = false;
  }
}

function renderBefore() {
  const list = $("before-list");
  list.replaceChildren();
  const before = hearing.legal.decision.conditions.filter((c) => c.stage === "before");
  if (!before.length) list.append(said("li", "judge.before.none"));
  for (const condition of before) {
    const item = document.createElement("li");
    item.dataset.condition = condition.id;
    item.append(text("p", condition.text), text("p", condition.citation, "citation"));
    const met = hearing.conditions_met[condition.id];
    if (met) {
      item.className = "met";
      const values = { name: met.by.name, role: word(ROLES, met.by.role), when: when(met.at), note: met.note };
      item.append(said("p", met.note ? "judge.before.met_note" : "judge.before.met", values, "met-by"));
    } else {
      item.append(button(["judge.before.record", { id: condition.id }], "secondary", (self) => guarded(self, async () => {
        const updated = await api("POST", `/api/hearings/${hearing.id}/conditions/${condition.id}`, {
          version: hearing.version, note: "recorded by the judge",
        });
        await reload(updated.id);
      })));
    }
    list.append(item);
  }
}

// `keys`: the label's and the copy button's catalog keys.
function copyable([label, copyLabel], value, name) {
  const wrap = document.createElement("div");
  wrap.className = "copy";
  const id = `copy-${name}-${Math.random().toString(36).slice(2, 8)}`;
  const field = Object.assign(document.createElement("input"), { id, value, readOnly: true });
  const copy = button([copyLabel, {}], "secondary", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(value);
      say(copy, "judge.invitation.copied");
    } catch {
      say(copy, "judge.invitation.selected");
    }
  });
  wrap.append(Object.assign(said("label", label), { htmlFor: id }), field, copy);
  return wrap;
}

// Why no invitation can be issued now ([key, values]), or null when they can.
function invitationsClosed() {
  if (INVITABLE.has(hearing.state)) return null;
  if (hearing.state === "draft") {
    return [reviewPending(hearing) ? "judge.invitations.after_review" : "judge.invitations.after_scheduling", {}];
  }
  return ["judge.invitations.none_now", { state: word(STATES, hearing.state) }];
}

// Every date and time of the page: in the page's language, with the zone (staff-time.js).
function when(iso) {
  return formatDateTime(iso);
}

// What the page says of an invitation issued earlier ([key, values]): never its code (shown
// once, when issued).
function invitationStatus(invitation) {
  if (invitation.status === "active") {
    const values = { sent: when(invitation.issued_at), failures: invitation.failures || 0 };
    if (invitation.locked) return ["judge.invitation.active_locked", values];
    return [invitation.failures ? "judge.invitation.active_failures" : "judge.invitation.active", values];
  }
  return [invitation.status === "superseded" ? "judge.invitation.superseded" : "judge.invitation.withdrawn", {}];
}

function issueButton(participant, label, path) {
  return button(label, path.endsWith("reissue") ? "secondary" : "", (self) => guarded(self, async () => {
    const grant = await api("POST", `/api/hearings/${hearing.id}/participants/${participant.id}/${path}`, {});
    await renderInvitations({ [participant.id]: grant });
    const key = path.endsWith("reissue") ? "judge.invitation.reissued" : "judge.invitation.issued";
    showNotice($("message"), key, { name: participant.name });
  }));
}

function invitationsOf(id) {
  return api("GET", `/api/hearings/${encodeURIComponent(id)}/invitations`);
}

// `issued`: the grants issued just now, shown this once; `overview`: the invitations as the
// service has them (fetched when not given).
async function renderInvitations(issued = {}, overview = null) {
  const { participants } = overview || await invitationsOf(hearing.id);
  const closed = invitationsClosed();
  $("invitations-intro").hidden = Boolean(closed);
  say($("invitations-closed"), ...(closed || [""]));
  $("invitations-closed").hidden = !closed;
  const list = $("invitation-list");
  list.replaceChildren();
  for (const { participant, invitation } of participants) {
    const item = document.createElement("li");
    item.dataset.participant = participant.id;
    item.dataset.role = participant.role;
    item.append(said("h4", "judge.list.person", { name: participant.name, role: word(ROLES, participant.role) }));
    const fresh = issued[participant.id];
    if (participant.has_account && participant.role !== "authority") {
      item.append(said("p", "judge.invitation.own_account"));
    } else if (fresh) {
      item.dataset.invitation = "fresh";
      item.append(
        copyable(["judge.invitation.link", "judge.invitation.copy_link"], fresh.link, "link"),
        copyable(["judge.invitation.code", "judge.invitation.copy_code"], fresh.code, "code"),
      );
      const qr = Object.assign(document.createElement("img"), {
        src: fresh.qr_svg, width: 160, height: 160, className: "qr",
        alt: t("judge.invitation.qr_alt", { name: participant.name }),
      });
      item.append(qr);
      item.append(said("p", "judge.invitation.fresh", { from: when(fresh.valid_from), until: when(fresh.valid_until) }));
    } else if (invitation) {
      item.dataset.invitation = invitation.status;
      const [key, values] = invitationStatus(invitation);
      item.append(said("p", key, values, "invitation-status"));
      const name = { name: participant.name };
      if (!closed) {
        item.append(invitation.status === "active"
          ? issueButton(participant, ["judge.invitation.send_new", name], "invitation/reissue")
          : issueButton(participant, ["judge.invitation.invite_again", name], "invitation"));
      }
    } else if (closed) {
      item.append(said("p", "judge.invitation.not_yet"));
    } else {
      item.append(issueButton(participant, ["judge.invitation.invite", { name: participant.name }], "invitation"));
    }
    list.append(item);
  }
}

// The hearing's times, each labelled with its zone: the venue's, the court's, and the judge's
// own (the browser's) when it is neither.
function renderTimes() {
  const times = hearing.times;
  const venue = hearing.venue_timezone;
  const court = times.requesting.starts.time_zone;
  const values = {
    venue_zone: venue, venue_time: wallTime(times.requested.starts),
    court_zone: court, court_time: wallTime(times.requesting.starts),
    minutes: hearing.duration_minutes, legal: word(VERDICTS, hearing.legal.status),
    recording: word(RECORDING, hearing.recording.rule),
  };
  say($("detail-times"), court !== venue ? "judge.detail.times_court" : "judge.detail.times", values);
  const own = browserZone();
  const mine = $("detail-own-time");
  mine.hidden = own === venue || own === court;
  say(mine, mine.hidden ? "" : "judge.time.yours", { zone: own, time: inZone(hearing.starts_at, own) });
}

function renderDetail() {
  $("detail").hidden = false;
  $("detail").dataset.hearing = hearing.id;
  $("detail").dataset.state = hearing.state;
  say($("detail-title"), "judge.detail.title", { case: hearing.case_reference, state: word(STATES, hearing.state) });
  renderTimes();
  // The offence scope is a question of criminal proceedings only.
  $("detail-offence").hidden = hearing.proceeding !== "criminal";
  say($("detail-offence"), "judge.detail.offence", { offence: { t: offenceKey(hearing.offence) } });
  renderReview(hearing);
  renderBefore();
  $("live-link").href = `/hearings/${encodeURIComponent(hearing.id)}/live`;
  // The room exists from the lobby's opening to the end.
  $("live-link").hidden = !["open", "in_session", "testimony"].includes(hearing.state);
  $("open-lobby").hidden = hearing.state !== "scheduled";
  $("reschedule-open").hidden = !canReschedule(hearing);
}

// Shows the hearing as the service has it now (any open reschedule form is closed: it was filled
// from an older version) and returns it.
export async function showHearing(id, focus = true) {
  // Everything the detail shows is fetched first, then drawn at once: no part of it is shown
  // (and clickable) while another still shows the previous hearing.
  const [fetched, overview] = await Promise.all([
    api("GET", `/api/hearings/${encodeURIComponent(id)}`), invitationsOf(id),
  ]);
  closeReschedule(false);
  clearErrors($("detail"));
  hearing = fetched;
  page.setHearing(fetched);
  renderDetail();
  await renderInvitations({}, overview);
  if (focus) $("detail-title").focus();
  return hearing;
}

export function initHearing(options) {
  reload = options.reload;
  $("open-lobby").addEventListener("click", () => guarded($("open-lobby"), async () => {
    const opened = await api("POST", `/api/hearings/${hearing.id}/open`, { version: hearing.version });
    await reload(opened.id);
    showNotice($("message"), "judge.lobby_open");
  }));
  $("reschedule-open").addEventListener("click", () => {
    if ($("reschedule").hidden) openReschedule(hearing);
    else closeReschedule();
  });
}

// One hearing on the judge's page: its times (venue time and the court's, labelled with their
// zones, and the judge's own when it differs), the conditions to meet before the hearing, an
// invitation per participant, and opening the lobby. A new link and its one-time code are shown
// once, when issued (link with a copy button and a QR code drawn by the service; the code, for
// another channel, as text): afterwards the page says the invitation is active and offers "Send a
// new link", which voids the old link and code (the service records it). A draft or scheduled
// hearing can be rescheduled (judge-reschedule.js); a draft waits for the legal review of its
// `unknown` decision (judge-review.js) and cannot invite anyone yet. The detail renders from the
// page's state (judge-state.js), which also redraws the hearing's line in the list.

import { api, showMessage } from "./api.js";
import { browserZone, inZone, wallTime } from "./hearing-form.js";
import { clearErrors, showError } from "./judge-messages.js";
import { canReschedule, closeReschedule, openReschedule } from "./judge-reschedule.js";
import { renderReview, reviewPending } from "./judge-review.js";
import { page } from "./judge-state.js";
import { OFFENCES } from "./legal-decision.js";

const $ = (id) => document.getElementById(id);
// The states in which the service issues invitations (INVITABLE in vc_service/hearings/lifecycle.py).
const INVITABLE = new Set(["scheduled", "open", "in_session", "testimony"]);
let hearing = null;
let reload = async (id) => showHearing(id, false);

function text(tag, value, className = "") {
  return Object.assign(document.createElement(tag), { textContent: value, className });
}

let buttons = 0;
function button(label, kind, onClick) {
  const node = text("button", label, kind);
  node.type = "button";
  node.id = `detail-action-${++buttons}`; // errors about it are shown next to it, by its id
  node.addEventListener("click", () => onClick(node));
  return node;
}

// Runs one action of the page; a refusal is said next to the button that asked for it.
async function guarded(near, work) {
  showMessage($("message"), "");
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
  if (!before.length) list.append(text("li", "No conditions to meet before the hearing."));
  for (const condition of before) {
    const item = document.createElement("li");
    item.dataset.condition = condition.id;
    item.append(text("p", condition.text), text("p", condition.citation, "citation"));
    const met = hearing.conditions_met[condition.id];
    if (met) {
      item.className = "met";
      item.append(text("p", `Met: ${met.by.name} (${met.by.role}), ${new Date(met.at).toLocaleString()}${met.note ? ` · ${met.note}` : ""}`, "met-by"));
    } else {
      item.append(button(`Record as met: ${condition.id}`, "secondary", (self) => guarded(self, async () => {
        const updated = await api("POST", `/api/hearings/${hearing.id}/conditions/${condition.id}`, {
          version: hearing.version, note: "recorded by the judge",
        });
        await reload(updated.id);
      })));
    }
    list.append(item);
  }
}

function copyable(label, value, name) {
  const wrap = document.createElement("div");
  wrap.className = "copy";
  const id = `copy-${name}-${Math.random().toString(36).slice(2, 8)}`;
  const field = Object.assign(document.createElement("input"), { id, value, readOnly: true });
  const copy = button(`Copy ${label.toLowerCase()}`, "secondary", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(value);
      copy.textContent = "Copied";
    } catch {
      copy.textContent = "Selected: press Ctrl+C";
    }
  });
  wrap.append(Object.assign(text("label", label), { htmlFor: id }), field, copy);
  return wrap;
}

// Why no invitation can be issued now, or "" when they can.
function invitationsClosed() {
  if (INVITABLE.has(hearing.state)) return "";
  if (hearing.state === "draft") {
    const first = reviewPending(hearing) ? " Record the legal review above first." : "";
    return `Invitations can be issued once the hearing is scheduled.${first}`;
  }
  return `No invitations can be issued: the hearing is ${hearing.state}.`;
}

function when(iso) {
  return new Date(iso).toLocaleString();
}

// What the page says of an invitation issued earlier: never its code (shown once, when issued).
function invitationStatus(invitation) {
  if (invitation.status === "active") {
    const wrong = invitation.failures ? `; ${invitation.failures} wrong code(s)` : "";
    const locked = invitation.locked ? "; locked after too many wrong codes" : "";
    return `Invitation active, sent ${when(invitation.issued_at)}${wrong}${locked}. The link and code were shown once; if they are lost, send a new link.`;
  }
  return invitation.status === "superseded"
    ? "The last link was replaced."
    : "The invitation was withdrawn.";
}

function issueButton(participant, label, path) {
  return button(label, path.endsWith("reissue") ? "secondary" : "", (self) => guarded(self, async () => {
    const grant = await api("POST", `/api/hearings/${hearing.id}/participants/${participant.id}/${path}`, {});
    await renderInvitations({ [participant.id]: grant });
    showMessage($("message"), path.endsWith("reissue")
      ? `A new link and code for ${participant.name}: the old link and code no longer work.`
      : `Invitation for ${participant.name} issued.`, "ok");
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
  $("invitations-closed").textContent = closed;
  $("invitations-closed").hidden = !closed;
  const list = $("invitation-list");
  list.replaceChildren();
  for (const { participant, invitation } of participants) {
    const item = document.createElement("li");
    item.dataset.participant = participant.id;
    item.dataset.role = participant.role;
    item.append(text("h4", `${participant.name} (${participant.role})`));
    const fresh = issued[participant.id];
    if (participant.has_account && participant.role !== "authority") {
      item.append(text("p", "Joins with their own account."));
    } else if (fresh) {
      item.dataset.invitation = "fresh";
      item.append(copyable("Link", fresh.link, "link"), copyable("Code", fresh.code, "code"));
      const qr = Object.assign(document.createElement("img"), {
        src: fresh.qr_svg, width: 160, height: 160, className: "qr",
        alt: `QR code of the invitation link for ${participant.name}`,
      });
      item.append(qr);
      item.append(text("p", `Valid ${when(fresh.valid_from)} to ${when(fresh.valid_until)}. Shown this once: pass the link and the code on through different channels now.`));
    } else if (invitation) {
      item.dataset.invitation = invitation.status;
      item.append(text("p", invitationStatus(invitation), "invitation-status"));
      if (!closed) {
        item.append(invitation.status === "active"
          ? issueButton(participant, `Send a new link to ${participant.name}`, "invitation/reissue")
          : issueButton(participant, `Invite ${participant.name} again`, "invitation"));
      }
    } else if (closed) {
      item.append(text("p", "Not invited yet."));
    } else {
      item.append(issueButton(participant, `Invite ${participant.name}`, "invitation"));
    }
    list.append(item);
  }
}

// The hearing's times, each labelled with its zone: the venue's, the court's, and the judge's
// own (the browser's) when it is neither.
function renderTimes() {
  const t = hearing.times;
  const venue = hearing.venue_timezone;
  const court = t.requesting.starts.time_zone;
  const parts = [`Venue time, ${venue}: ${wallTime(t.requested.starts)}`];
  if (court !== venue) parts.push(`your court's time, ${court}: ${wallTime(t.requesting.starts)}`);
  $("detail-times").textContent = `${parts.join(" · ")} · ${hearing.duration_minutes} minutes · legal ${hearing.legal.status} · recording ${hearing.recording.rule}`;
  const own = browserZone();
  const mine = $("detail-own-time");
  mine.hidden = own === venue || own === court;
  mine.textContent = mine.hidden ? "" : `Your time, ${own}: ${inZone(hearing.starts_at, own)}`;
}

function renderDetail() {
  $("detail").hidden = false;
  $("detail").dataset.hearing = hearing.id;
  $("detail").dataset.state = hearing.state;
  $("detail-title").textContent = `Hearing ${hearing.case_reference} · ${hearing.state}`;
  renderTimes();
  // The offence scope is a question of criminal proceedings only.
  $("detail-offence").hidden = hearing.proceeding !== "criminal";
  $("detail-offence").textContent = `Offence: ${OFFENCES[hearing.offence] || "not specified"}`;
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
    showMessage($("message"), "The lobby is open: participants can join now.", "ok");
  }));
  $("reschedule-open").addEventListener("click", () => {
    if ($("reschedule").hidden) openReschedule(hearing);
    else closeReschedule();
  });
}

// One hearing on the judge's page: both states' times, the conditions to meet before the hearing,
// an invitation per participant (link with a copy button, and the one-time code), and opening the
// lobby. The link also comes as a QR code (drawn by the service, no library in the page); the code
// is meant for another channel, so it is shown as text only. A draft or scheduled hearing can be
// rescheduled (judge-reschedule.js). A draft waits for the legal review of its `unknown` decision
// (judge-review.js) and cannot invite anyone yet: the service refuses invitations until the
// hearing is scheduled, so the page offers none and says why.

import { api, showMessage } from "./api.js";
import { wallTime } from "./hearing-form.js";
import { canReschedule, closeReschedule, openReschedule } from "./judge-reschedule.js";
import { renderReview, reviewPending } from "./judge-review.js";
import { OFFENCES } from "./legal-decision.js";

const $ = (id) => document.getElementById(id);
// The states in which the service issues invitations (INVITABLE in vc_service/hearings/lifecycle.py).
const INVITABLE = new Set(["scheduled", "open", "in_session", "testimony"]);
let hearing = null;

function text(tag, value, className = "") {
  return Object.assign(document.createElement(tag), { textContent: value, className });
}

function button(label, kind, onClick) {
  const node = text("button", label, kind);
  node.type = "button";
  node.addEventListener("click", onClick);
  return node;
}

async function guarded(work) {
  showMessage($("message"), "");
  try {
    await work();
  } catch (error) {
    showMessage($("message"), `${error.message} [${error.code}]`);
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
      item.append(button(`Record as met: ${condition.id}`, "secondary", () => guarded(async () => {
        const updated = await api("POST", `/api/hearings/${hearing.id}/conditions/${condition.id}`, {
          version: hearing.version, note: "recorded by the judge",
        });
        await showHearing(updated.id, false);
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

async function renderInvitations(issued = {}) {
  const { participants } = await api("GET", `/api/hearings/${hearing.id}/invitations`);
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
      item.append(copyable("Link", fresh.link, "link"), copyable("Code", fresh.code, "code"));
      const qr = Object.assign(document.createElement("img"), {
        src: fresh.qr_svg, width: 160, height: 160, className: "qr",
        alt: `QR code of the invitation link for ${participant.name}`,
      });
      item.append(qr);
      item.append(text("p", `Valid ${new Date(fresh.valid_from).toLocaleString()} to ${new Date(fresh.valid_until).toLocaleString()}.`));
    } else if (invitation) {
      item.append(text("p", `Invitation ${invitation.status}; current code ${invitation.code || "—"}; ${invitation.failures} wrong code(s)${invitation.locked ? "; locked" : ""}.`));
    } else if (closed) {
      item.append(text("p", "Not invited yet."));
    } else {
      item.append(button(`Invite ${participant.name}`, "", () => guarded(async () => {
        const grant = await api("POST", `/api/hearings/${hearing.id}/participants/${participant.id}/invitation`, {});
        await renderInvitations({ ...issued, [participant.id]: grant });
      })));
    }
    list.append(item);
  }
}

// Shows the hearing as the service has it now (any open reschedule form is closed: it was filled
// from an older version) and returns it.
export async function showHearing(id, focus = true) {
  hearing = await api("GET", `/api/hearings/${encodeURIComponent(id)}`);
  closeReschedule(false);
  $("detail").hidden = false;
  $("detail").dataset.hearing = hearing.id;
  $("detail").dataset.state = hearing.state;
  $("detail-title").textContent = `Hearing ${hearing.case_reference} · ${hearing.state}`;
  const t = hearing.times;
  $("detail-times").textContent = `${hearing.requesting_state}: ${wallTime(t.requesting.starts)} · ${hearing.requested_state}: ${wallTime(t.requested.starts)} · ${hearing.duration_minutes} minutes · legal ${hearing.legal.status} · recording ${hearing.recording.rule}`;
  // The offence scope is a question of criminal proceedings only.
  $("detail-offence").hidden = hearing.proceeding !== "criminal";
  $("detail-offence").textContent = `Offence: ${OFFENCES[hearing.offence] || "not specified"}`;
  renderReview(hearing);
  renderBefore();
  await renderInvitations();
  $("live-link").href = `/hearings/${encodeURIComponent(hearing.id)}/live`;
  // The room exists from the lobby's opening to the end.
  $("live-link").hidden = !["open", "in_session", "testimony"].includes(hearing.state);
  $("open-lobby").hidden = hearing.state !== "scheduled";
  $("reschedule-open").hidden = !canReschedule(hearing);
  if (focus) $("detail-title").focus();
  return hearing;
}

$("open-lobby").addEventListener("click", () => guarded(async () => {
  const opened = await api("POST", `/api/hearings/${hearing.id}/open`, { version: hearing.version });
  await showHearing(opened.id, false);
  showMessage($("message"), "The lobby is open: participants can join now.", "ok");
}));

$("reschedule-open").addEventListener("click", () => {
  if ($("reschedule").hidden) openReschedule(hearing);
  else closeReschedule();
});

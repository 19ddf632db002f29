// The judge's page: upcoming hearings with both states' local times, and the scheduling form whose
// legal decision is recomputed by the server (POST /api/legal/check) whenever the states, the
// proceeding, the offence (criminal proceedings only), the role or the consent change. One hearing's detail, its reschedule form and its
// legal review are in judge-hearing.js, judge-reschedule.js and judge-review.js.

import { api, ApiError, setCsrfToken, showMessage } from "./api.js";
import {
  clearFieldErrors, inputToInstant, localTime, requireFilled, showFieldErrors,
} from "./hearing-form.js";
import { showHearing } from "./judge-hearing.js";
import { initReschedule } from "./judge-reschedule.js";
import { initReview } from "./judge-review.js";
import { liveDecision, OUTCOMES } from "./legal-decision.js";

const $ = (id) => document.getElementById(id);

export async function loadList() {
  const { hearings } = await api("GET", "/api/hearings?upcoming=true");
  const body = $("hearing-list");
  body.replaceChildren();
  $("list-empty").hidden = hearings.length > 0;
  for (const hearing of hearings) {
    const row = document.createElement("tr");
    row.dataset.hearing = hearing.id;
    const caseCell = document.createElement("td");
    const open = document.createElement("button");
    open.type = "button";
    open.className = "link";
    open.textContent = hearing.case_reference;
    open.addEventListener("click", () => showHearing(hearing.id));
    caseCell.append(open);
    const cells = [
      `${hearing.person_heard.name} (${hearing.person_heard.role})`,
      `${hearing.requesting_state}: ${localTime(hearing.times.requesting)}`,
      `${hearing.requested_state}: ${localTime(hearing.times.requested)}`,
      hearing.state,
      hearing.legal_status,
    ].map((text) => Object.assign(document.createElement("td"), { textContent: text }));
    row.append(caseCell, ...cells);
    body.append(row);
  }
  return hearings;
}

// --- the live legal decision -------------------------------------------------------------------

// The offence scope is a question of criminal proceedings only: its select is shown for them
// alone, and a scope chosen before switching to civil is dropped (the service would refuse it).
function offence() {
  return $("proceeding").value === "criminal" ? $("offence").value : "";
}

function showOffence() {
  const criminal = $("proceeding").value === "criminal";
  $("offence-field").hidden = !criminal;
  if (!criminal) $("offence").value = "";
}

const checkLegal = liveDecision($("decision"), () => {
  const body = {
    requesting: $("requesting").value, requested: $("requested").value,
    proceeding: $("proceeding").value, role: $("role").value, consent: $("consent").value,
  };
  if ($("starts").value) body.date = $("starts").value.slice(0, 10);
  if (offence()) body.offence = offence();
  return body;
}, OUTCOMES.create);

// --- scheduling --------------------------------------------------------------------------------

// The API's field names -> the form's controls, so that a 422 shows next to the right one.
const CONTROLS = {
  requested_state: "requested", requesting_state: "requesting", venue: "venue",
  proceeding: "proceeding", offence: "offence", case_reference: "case-reference", starts_at: "starts",
  local_start: "starts", duration_minutes: "duration", ends_at: "duration",
  recording_requested: "recording-requested", working_hours_override: "override",
  "person_heard.role": "role", "person_heard.name": "person-name",
  "person_heard.language": "person-language", "person_heard.consent": "consent",
  "participants[0].name": "authority-name",
};

function createBody() {
  const body = {
    requested_state: $("requested").value,
    venue: $("venue").value.trim(),
    proceeding: $("proceeding").value,
    case_reference: $("case-reference").value.trim(),
    starts_at: inputToInstant($("starts").value),
    duration_minutes: Number($("duration").value),
    recording_requested: $("recording-requested").checked,
    person_heard: {
      role: $("role").value, name: $("person-name").value.trim(),
      language: $("person-language").value, consent: $("consent").value,
    },
    participants: [],
  };
  if ($("authority-name").value.trim()) {
    body.participants.push({ role: "authority", name: $("authority-name").value.trim() });
  }
  if ($("override").value.trim()) body.working_hours_override = $("override").value.trim();
  if (offence()) body.offence = offence();
  return body;
}

async function create(event) {
  event.preventDefault();
  $("create-error").textContent = "";
  clearFieldErrors($("create-form"));
  if (!requireFilled(["person-name", "case-reference", "venue", "starts"].map($))) return;
  try {
    const hearing = await api("POST", "/api/hearings", createBody());
    await loadList();
    await showHearing(hearing.id);
  } catch (error) {
    const controls = Object.fromEntries(Object.entries(CONTROLS).map(([k, id]) => [k, $(id)]));
    const unplaced = showFieldErrors(error.details && error.details.fields, controls);
    const detail = unplaced.length ? ` (${unplaced.join("; ")})` : "";
    $("create-error").textContent = `${error.message}${detail} [${error.code}]`;
  }
}

async function fillStates(hearings) {
  const { profiles } = await api("GET", "/api/legal/profiles");
  for (const id of ["requesting", "requested"]) {
    const select = $(id);
    for (const profile of profiles) {
      select.append(new Option(`${profile.name} (${profile.state})`, profile.state));
    }
  }
  const own = hearings.length ? hearings[0].requesting_state : "DE";
  $("requesting").value = own;
  $("requested").value = profiles.some((p) => p.state === "FR" && own !== "FR") ? "FR" : profiles[0].state;
}

async function main() {
  let session;
  try {
    session = await api("GET", "/api/auth/session");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      location.assign("/sign-in?next=/judge");
      return;
    }
    throw error;
  }
  setCsrfToken(session.csrf_token);
  $("who").textContent = `${session.user.display_name} (${session.user.role})`;
  // After a reschedule or a legal review, or to start again after a conflict: the list and the
  // detail as the service has them now.
  const reload = async (id) => {
    await loadList();
    return showHearing(id, false);
  };
  initReschedule({ reload });
  initReview({ reload });
  const hearings = await loadList();
  await fillStates(hearings);
  $("proceeding").addEventListener("change", showOffence);
  showOffence();
  for (const id of ["requesting", "requested", "proceeding", "offence", "role", "consent", "starts"]) {
    $(id).addEventListener("change", checkLegal);
  }
  $("create-form").addEventListener("submit", create);
  await checkLegal();
}

main().catch((error) => showMessage($("message"), `The page could not start: ${error.message}`));

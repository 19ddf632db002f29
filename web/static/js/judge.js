// The judge's page: upcoming hearings with their venue's time and the judge's court time, and the
// scheduling form whose legal decision is recomputed by the server (POST /api/legal/check)
// whenever the requested state, the proceeding, the offence (criminal proceedings only), the role,
// the consent or the date change. The requesting state is the judge's court's state: shown, never
// a choice (GET /api/scheduling/options). The venue's time zone is chosen with the requested state:
// preset where the state keeps one clock, to be chosen where it spans several. One hearing's
// detail, its reschedule form and its legal review are in judge-hearing.js, judge-reschedule.js
// and judge-review.js; the list and the detail render from one state (judge-state.js).

import { api } from "./api.js";
import { browserZone, inputToInstant, inZone, localTime, requireFilled, zoneOptions } from "./hearing-form.js";
import { initHearing, showHearing } from "./judge-hearing.js";
import { clearErrors, showError } from "./judge-messages.js";
import { initReschedule } from "./judge-reschedule.js";
import { initReview } from "./judge-review.js";
import { page, subscribe } from "./judge-state.js";
import { liveDecision, offenceKey, OUTCOMES, ROLES, STATES, VERDICTS, word } from "./legal-decision.js";
import { $, startStaffPage } from "./staff-page.js";
import { onLanguageChange, say, t } from "./staff-i18n.js";

let options = { court: null, states: [] };

function offenceText(hearing) {
  return t(hearing.proceeding !== "criminal" ? "judge.scope.civil" : offenceKey(hearing.offence));
}

// The list, drawn from the page's state: a hearing shown in the detail is the same object.
function renderList() {
  const body = $("hearing-list");
  body.replaceChildren();
  $("list-empty").hidden = page.hearings.length > 0;
  for (const hearing of page.hearings) {
    const row = document.createElement("tr");
    row.dataset.hearing = hearing.id;
    row.dataset.state = hearing.state;
    const caseCell = document.createElement("td");
    const open = document.createElement("button");
    open.type = "button";
    open.className = "link";
    open.textContent = hearing.case_reference;
    open.addEventListener("click", () => showHearing(hearing.id));
    caseCell.append(open);
    const person = hearing.person_heard;
    const cells = [
      t("judge.list.person", { name: person.name, role: { t: ROLES[person.role] || person.role } }),
      `${hearing.requesting_state}: ${localTime(hearing.times.requesting)}`,
      `${hearing.requested_state}: ${localTime(hearing.times.requested)}`,
      offenceText(hearing),
      t(STATES[hearing.state] || hearing.state),
      t(VERDICTS[hearing.legal_status] || hearing.legal_status || ""),
    ].map((text) => Object.assign(document.createElement("td"), { textContent: text }));
    row.append(caseCell, ...cells);
    body.append(row);
  }
}

export async function loadList() {
  const { hearings } = await api("GET", "/api/hearings?upcoming=true");
  page.setHearings(hearings);
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
    requesting: options.court && options.court.state, requested: $("requested").value,
    proceeding: $("proceeding").value, role: $("role").value, consent: $("consent").value,
  };
  if ($("starts").value) body.date = $("starts").value.slice(0, 10);
  if (offence()) body.offence = offence();
  return body;
}, OUTCOMES.create);

// --- the venue's zone and the start --------------------------------------------------------------

function stateOptions(code) {
  return options.states.find((s) => s.state === code) || { time_zones: [], venue_timezone: null, venue_timezone_required: true };
}

// The requested state's zones in the venue-zone select: its one zone preset, or a choice to make.
function fillVenueZones() {
  const state = stateOptions($("requested").value);
  zoneOptions($("venue-zone"), state.time_zones, state.venue_timezone);
  const values = { state: $("requested").value, zone: state.venue_timezone };
  say($("venue-zone-hint"), state.venue_timezone_required ? "judge.zone.several" : "judge.zone.one", values);
  showStartHint();
}

// Under the start: the same moment in venue time (and the court's, when it differs), labelled.
function showStartHint() {
  const value = $("starts").value;
  const zone = $("venue-zone").value;
  const hint = $("starts-hint");
  if (!value || Number.isNaN(new Date(value).getTime()) || !zone) {
    say(hint, zone ? "" : "judge.zone.choose_to_see");
    return;
  }
  say(hint, "judge.time.venue", { zone, time: inZone(value, zone) });
}

// --- scheduling --------------------------------------------------------------------------------

// The API's field names -> the form's controls, so that a 422 shows next to the right one.
const CONTROLS = {
  requested_state: "requested", requesting_state: "requesting", venue: "venue",
  venue_time_zone: "venue-zone", proceeding: "proceeding", offence: "offence",
  case_reference: "case-reference", starts_at: "starts", local_start: "starts",
  duration_minutes: "duration", ends_at: "duration", recording_requested: "recording-requested",
  working_hours_override: "override", "person_heard.role": "role",
  "person_heard.name": "person-name", "person_heard.language": "person-language",
  "person_heard.consent": "consent", "participants[0].name": "authority-name",
};

function createBody() {
  const body = {
    requested_state: $("requested").value,
    venue: $("venue").value.trim(),
    venue_time_zone: $("venue-zone").value,
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
  clearErrors($("create-form"));
  if (!requireFilled(["person-name", "case-reference", "venue", "venue-zone", "starts"].map($))) return;
  try {
    const hearing = await api("POST", "/api/hearings", createBody());
    await loadList();
    await showHearing(hearing.id);
  } catch (error) {
    const fields = Object.fromEntries(Object.entries(CONTROLS).map(([k, id]) => [k, $(id)]));
    showError(error, { fields, near: $("create-submit"), scope: "judge" });
  }
}

function fillStates() {
  const court = options.court;
  $("requesting").value = court.state;
  say($("requesting-hint"), "judge.field.requesting_hint", { court: court.name });
  // A hearing in the court's own state is not this service's case (legal.same_state).
  const select = $("requested");
  for (const state of options.states) {
    if (state.state !== court.state) select.append(new Option(`${state.name} (${state.state})`, state.state));
  }
  const states = options.states.map((s) => s.state);
  select.value = states.includes("FR") && court.state !== "FR" ? "FR" : select.options[0].value;
  say($("starts-zone"), "judge.time.your_zone", { zone: browserZone() });
  fillVenueZones();
}

async function main() {
  const session = await startStaffPage({ roles: ["judge"], pages: ["judge"] });
  if (!session) return; // on its way to the sign-in page, or told the page is not for this role
  subscribe(renderList);
  // What translate() cannot redo alone: the list's cells are written from data.
  onLanguageChange(renderList);
  // After any change on the page: the list and the detail as the service has them now.
  const reload = async (id) => {
    await loadList();
    return showHearing(id, false);
  };
  initHearing({ reload });
  initReschedule({ reload, zonesOf: (code) => stateOptions(code).time_zones });
  initReview({ reload });
  options = await api("GET", "/api/scheduling/options");
  await loadList();
  fillStates();
  $("proceeding").addEventListener("change", showOffence);
  showOffence();
  $("requested").addEventListener("change", fillVenueZones);
  $("venue-zone").addEventListener("change", showStartHint);
  $("starts").addEventListener("input", showStartHint);
  for (const id of ["requested", "proceeding", "offence", "role", "consent", "starts"]) {
    $(id).addEventListener("change", checkLegal);
  }
  $("create-form").addEventListener("submit", create);
  await checkLegal();
}

// Nothing could be shown: a sentence (and the code in the details line) where the page starts.
main().catch((error) => showError(error, { box: $("message") }));

// The judge's page: upcoming hearings with both states' local times, and the scheduling form whose
// legal decision is recomputed by the server (POST /api/legal/check) whenever the states, the
// proceeding, the role or the consent change.

import { api, ApiError, setCsrfToken, showMessage } from "./api.js";
import { showHearing } from "./judge-hearing.js";

const $ = (id) => document.getElementById(id);
let checkNumber = 0;

function localTime(times) {
  if (!times) return "";
  const start = times.starts;
  return `${start.local.replace("T", " ")} ${start.abbreviation} (${start.time_zone})`;
}

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

function renderDecision(decision) {
  $("decision").dataset.decision = decision.decision;
  const regimes = decision.regimes.map((r) => r.name).join("; ");
  $("decision-verdict").textContent = `Decision: ${decision.decision}${regimes ? ` under ${regimes}` : ""}.`;
  const list = $("decision-conditions");
  list.replaceChildren();
  for (const condition of decision.conditions) {
    const item = document.createElement("li");
    item.dataset.condition = condition.id;
    const text = document.createElement("p");
    text.textContent = `${condition.text} (${condition.stage}; met by ${condition.satisfied_by.join(" or ")})`;
    const citation = document.createElement("p");
    citation.className = "citation";
    citation.textContent = condition.citation;
    item.append(text, citation);
    list.append(item);
  }
  const reasons = $("decision-reasons");
  reasons.replaceChildren(...decision.reasons.map((reason) => Object.assign(
    document.createElement("li"),
    { textContent: typeof reason === "string" ? reason : `${reason.text || reason.id} (${reason.citation || ""})` },
  )));
  const recording = decision.recording || {};
  $("decision-recording").textContent = `Recording: ${recording.rule}. ${recording.citation || ""}`;
}

async function checkLegal() {
  const number = ++checkNumber;
  const body = {
    requesting: $("requesting").value, requested: $("requested").value,
    proceeding: $("proceeding").value, role: $("role").value, consent: $("consent").value,
  };
  if ($("starts").value) body.date = $("starts").value.slice(0, 10);
  if (!body.requesting || !body.requested) return;
  try {
    const decision = await api("POST", "/api/legal/check", body);
    if (number === checkNumber) renderDecision(decision); // an older answer arriving late is stale
  } catch (error) {
    if (number === checkNumber) $("decision-verdict").textContent = `No decision: ${error.message}`;
  }
}

// --- scheduling --------------------------------------------------------------------------------

function createBody() {
  const body = {
    requested_state: $("requested").value,
    venue: $("venue").value.trim(),
    proceeding: $("proceeding").value,
    case_reference: $("case-reference").value.trim(),
    starts_at: new Date($("starts").value).toISOString().replace(/\.\d+Z$/, "Z"),
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
  return body;
}

async function create(event) {
  event.preventDefault();
  $("create-error").textContent = "";
  for (const id of ["person-name", "case-reference", "venue", "starts"]) {
    if (!$(id).value.trim()) {
      $("create-error").textContent = `Please fill in: ${document.querySelector(`label[for="${id}"]`).textContent}.`;
      $(id).focus();
      return;
    }
  }
  try {
    const hearing = await api("POST", "/api/hearings", createBody());
    await loadList();
    await showHearing(hearing.id);
  } catch (error) {
    const fields = (error.details && error.details.fields) || {};
    const detail = Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join("; ");
    $("create-error").textContent = `${error.message}${detail ? ` (${detail})` : ""} [${error.code}]`;
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
  const hearings = await loadList();
  await fillStates(hearings);
  for (const id of ["requesting", "requested", "proceeding", "role", "consent", "starts"]) {
    $(id).addEventListener("change", checkLegal);
  }
  $("create-form").addEventListener("submit", create);
  await checkLegal();
}

main().catch((error) => showMessage($("message"), `The page could not start: ${error.message}`));

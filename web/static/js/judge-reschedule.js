// Rescheduling one hearing from the judge's page (PATCH /api/hearings/{id}). The form opens with
// the hearing's current values; only what the judge changes is sent, with the version the form
// was filled from, so a change made meanwhile by someone else is refused (409) instead of being
// overwritten. The legal decision is recomputed live, as on the scheduling form: the states, the
// proceeding and the role cannot change in a reschedule, but the consent, the date and (in
// criminal proceedings) the offence scope can; a scope set back to "not specified" is sent as
// null, which clears it.

import { api } from "./api.js";
import {
  inputToInstant, instantToInput, inZone, requireFilled, wallTime, zoneOptions,
} from "./hearing-form.js";
import { clearErrors, showError, showNotice } from "./judge-messages.js";
import { liveDecision, OUTCOMES, renderDecision, ROLES, word } from "./legal-decision.js";
import { $ } from "./staff-page.js";
import { say } from "./staff-i18n.js";

const EDITABLE = new Set(["draft", "scheduled"]);
// The API's field names -> the reschedule form's controls.
const CONTROLS = {
  starts_at: "rs-starts", local_start: "rs-starts", duration_minutes: "rs-duration",
  ends_at: "rs-duration", venue: "rs-venue", venue_time_zone: "rs-venue-zone",
  consent: "rs-consent", offence: "rs-offence",
  recording_requested: "rs-recording", working_hours_override: "rs-override",
};

let hearing = null; // as the form was filled from it
let initial = {}; // the form's values when it was filled
let reload = async () => null;
let zonesOf = () => [];

export function canReschedule(shown) {
  return EDITABLE.has(shown.state);
}

function values() {
  return {
    consent: $("rs-consent").value,
    offence: $("rs-offence").value,
    starts: $("rs-starts").value,
    duration: $("rs-duration").value.trim(),
    venue: $("rs-venue").value.trim(),
    venueZone: $("rs-venue-zone").value,
    override: $("rs-override").value.trim(),
    recording: $("rs-recording").checked,
  };
}

const checkLegal = liveDecision($("rs-decision"), () => hearing && {
  requesting: hearing.requesting_state, requested: hearing.requested_state,
  proceeding: hearing.proceeding, role: hearing.person_heard.role,
  consent: $("rs-consent").value,
  ...($("rs-starts").value ? { date: $("rs-starts").value.slice(0, 10) } : {}),
  ...($("rs-offence").value ? { offence: $("rs-offence").value } : {}),
}, OUTCOMES.reschedule);

// A term and its value, both catalog texts ([key, values]).
function fact(term, [key, values]) {
  const dt = document.createElement("dt");
  const dd = document.createElement("dd");
  say(dt, term);
  say(dd, key, values);
  return [dt, dd];
}

// The new start as it reads in both states, under the start field.
function showStartHint() {
  const value = $("rs-starts").value;
  const hint = $("rs-starts-hint");
  if (!value || Number.isNaN(new Date(value).getTime())) {
    say(hint, "");
    return;
  }
  const venue = $("rs-venue-zone").value || hearing.venue_timezone;
  const court = hearing.times.requesting.starts.time_zone;
  const values = {
    venue_zone: venue, venue_time: inZone(value, venue), court_zone: court, court_time: inZone(value, court),
  };
  say(hint, court !== venue ? "judge.reschedule.starts_court" : "judge.reschedule.starts", values);
}

function fill(shown) {
  hearing = shown;
  const times = shown.times;
  const proceeding = { criminal: "judge.proceeding.criminal", civil: "judge.proceeding.civil" };
  $("rs-fixed").replaceChildren(
    ...fact("judge.reschedule.fixed_states", ["judge.reschedule.states", {
      requesting: shown.requesting_state, requested: shown.requested_state,
    }]),
    ...fact("judge.field.proceeding", ["judge.reschedule.value", { value: word(proceeding, shown.proceeding) }]),
    ...fact("judge.column.person", ["judge.reschedule.person", {
      name: shown.person_heard.name, role: word(ROLES, shown.person_heard.role),
    }]),
    ...fact("judge.reschedule.now", ["judge.reschedule.now_times", {
      venue_zone: shown.venue_timezone, venue_time: wallTime(times.requested.starts),
      court_zone: times.requesting.starts.time_zone, court_time: wallTime(times.requesting.starts),
      minutes: shown.duration_minutes,
    }]),
  );
  $("rs-consent").value = shown.person_heard.consent || "unknown";
  $("rs-offence-field").hidden = shown.proceeding !== "criminal";
  $("rs-offence").value = shown.offence || "";
  $("rs-starts").value = instantToInput(shown.starts_at);
  $("rs-duration").value = String(shown.duration_minutes);
  $("rs-venue").value = shown.venue.name;
  zoneOptions($("rs-venue-zone"), zonesOf(shown.requested_state), shown.venue_timezone);
  $("rs-override").value = shown.working_hours_override || "";
  $("rs-recording").checked = shown.recording.requested;
  initial = values();
  renderDecision($("rs-decision"), shown.legal.decision, OUTCOMES.reschedule);
  showStartHint();
}

// The PATCH body: the version, and each field whose value differs from the one the form opened
// with. A new time drops the old working-hours override on the service (it was a reason for the
// old time), so a reason still in the field is sent again with the new time.
function changes() {
  const now = values();
  const body = { version: hearing.version };
  const moved = now.starts !== initial.starts || now.duration !== initial.duration
    || now.venueZone !== initial.venueZone;
  if (now.starts !== initial.starts) body.starts_at = inputToInstant(now.starts);
  if (now.duration !== initial.duration) body.duration_minutes = Number(now.duration);
  if (now.venue !== initial.venue) body.venue = now.venue;
  if (now.venueZone !== initial.venueZone) body.venue_time_zone = now.venueZone;
  if (now.consent !== initial.consent) body.consent = now.consent;
  if (now.offence !== initial.offence) body.offence = now.offence || null;
  if (now.recording !== initial.recording) body.recording_requested = now.recording;
  if (now.override && (now.override !== initial.override || moved)) {
    body.working_hours_override = now.override;
  }
  return body;
}

function formMessage(key, kind = "error") {
  showNotice($("rs-message"), key, {}, kind);
}

// A change made meanwhile by someone else: say so at the save button, with a way to reload.
function conflictMessage(error) {
  showError(error, { near: $("rs-save") });
  const slot = $("rs-save-error");
  const again = Object.assign(document.createElement("button"), { type: "button", className: "secondary" });
  say(again, "judge.reload_hearing");
  again.addEventListener("click", async () => {
    try {
      openReschedule(await reload(hearing.id));
    } catch (failure) {
      showError(failure, { near: $("rs-save") });
    }
  });
  slot.append(again);
  again.focus();
}

function explainRefusal(error) {
  if (error.code === "hearing.version_conflict") {
    conflictMessage(error);
    return;
  }
  const details = error.details || {};
  const fields = Object.fromEntries(Object.entries(CONTROLS).map(([k, id]) => [k, $(id)]));
  if (error.code === "hearing.barred" && details.decision) {
    renderDecision($("rs-decision"), details.decision, OUTCOMES.reschedule);
  }
  const near = error.code === "hearing.outside_working_hours" ? $("rs-override") : $("rs-save");
  showError(error, { fields, near, scope: "judge" });
}

async function save(event) {
  event.preventDefault();
  formMessage("");
  clearErrors($("reschedule-form"));
  if (!requireFilled(["rs-starts", "rs-duration", "rs-venue", "rs-venue-zone"].map($))) return;
  const body = changes();
  if (Object.keys(body).length === 1) {
    formMessage("judge.reschedule.nothing", "warn");
    return;
  }
  const submit = $("rs-save");
  submit.disabled = true;
  let saved;
  try {
    saved = await api("PATCH", `/api/hearings/${encodeURIComponent(hearing.id)}`, body);
  } catch (error) {
    explainRefusal(error);
    return;
  } finally {
    submit.disabled = false;
  }
  closeReschedule(false);
  const times = saved.times;
  const values = {
    venue_zone: saved.venue_timezone, venue_time: wallTime(times.requested.starts),
    court_zone: times.requesting.starts.time_zone, court_time: wallTime(times.requesting.starts),
  };
  const drafted = saved.state === "draft" && hearing.state !== "draft";
  let shown = true;
  try {
    await reload(saved.id);
  } catch (error) {
    shown = false;
    showError(error, { box: $("message") });
  }
  if (shown) {
    showNotice($("message"), drafted ? "judge.reschedule.saved_draft" : "judge.reschedule.saved", values,
      saved.state === "draft" ? "warn" : "ok");
  }
  $("detail-title").focus();
}

export function openReschedule(shown) {
  fill(shown);
  formMessage("");
  clearErrors($("reschedule-form"));
  $("reschedule").hidden = false;
  $("reschedule-open").setAttribute("aria-expanded", "true");
  $("reschedule-title").focus();
}

export function closeReschedule(focus = true) {
  if ($("reschedule").hidden) return;
  $("reschedule").hidden = true;
  $("reschedule-open").setAttribute("aria-expanded", "false");
  if (focus) $("reschedule-open").focus();
}

export function initReschedule(options) {
  reload = options.reload;
  zonesOf = options.zonesOf || zonesOf;
  $("reschedule-form").addEventListener("submit", save);
  $("rs-cancel").addEventListener("click", () => closeReschedule());
  $("reschedule").addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeReschedule();
  });
  $("rs-consent").addEventListener("change", checkLegal);
  $("rs-offence").addEventListener("change", checkLegal);
  $("rs-starts").addEventListener("change", checkLegal);
  $("rs-starts").addEventListener("input", showStartHint);
  $("rs-venue-zone").addEventListener("change", showStartHint);
}

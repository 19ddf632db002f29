// The clerk page: closed and sealed hearings of the court, downloads (bundle, minutes, the log's
// public key for the offline check), verification (one plain sentence, the numbered checks on
// demand), and each hearing's recordings (files, participant, duration, SHA-256, download).
// Every text comes from the staff catalogs (staff/clerk/<lang>.json); an API error is a sentence
// next to the button that caused it (issue 13 points 8-10).
import { api } from "./api.js";
import { clearErrors, showError } from "./staff-errors.js";
import { language, onLanguageChange, say, t } from "./staff-i18n.js";
import { $, startStaffPage } from "./staff-page.js";
import { formatDateTime } from "./staff-time.js";

// What is on the page, kept so a language switch can draw again what translate() cannot redo
// by itself (times, numbers, attributes with values).
const shown = { zone: null, dates: [], verification: null, recordings: new Map() };

function element(tag, key, values = {}, attributes = {}) {
  const node = document.createElement(tag);
  if (key) say(node, key, values);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

// An attribute (aria-label) from the catalog with values; redone on a language switch.
function label(node, key, values = {}) {
  node.dataset.labelKey = key;
  node.dataset.labelValues = JSON.stringify(values);
  node.setAttribute("aria-label", t(key, values));
  return node;
}

function relabel() {
  for (const node of document.querySelectorAll("[data-label-key]")) {
    node.setAttribute("aria-label", t(node.dataset.labelKey, JSON.parse(node.dataset.labelValues)));
  }
}

function cell(row, content) {
  const td = document.createElement("td");
  if (typeof content === "string") td.textContent = content;
  else td.append(...content);
  row.append(td);
  return td;
}

function link(href, key, values = {}) {
  const a = element("a", key, values);
  a.href = href;
  return a;
}

// --- verification -----------------------------------------------------------------------------

// The verifier's checks in order (report.STEPS); 5 and 6 are what an outside cosigner and an
// independent time-stamping authority would add: the route marks them not_checked when there is
// neither.
const STEP_TITLES = [
  "clerk.check.policy", "clerk.check.parsing", "clerk.check.origin", "clerk.check.signatures",
  "clerk.check.cosignatures", "clerk.check.time", "clerk.check.size_root", "clerk.check.events",
  "clerk.check.tree", "clerk.check.consistency", "clerk.check.bindings",
];
const COSIGN_STEP = 5;
const TIME_STEP = 6;
// What the two proofs a record can lack add to the sentence, by [cosigned, timestamped].
const VERDICTS = {
  "false,false": "clerk.verdict.signed",
  "true,false": "clerk.verdict.cosigned",
  "false,true": "clerk.verdict.timestamped",
  "true,true": "clerk.verdict.complete",
};

function stepStatus(step) {
  return step.status || (step.passed ? "passed" : "failed");
}

function stepTitle(step) {
  const key = STEP_TITLES[step.number - 1];
  return key ? { t: key } : step.title;
}

// One plain sentence: what the checks that ran prove, and what was not proven (and why).
function sayVerdict(node, report, hearing) {
  const steps = report.steps;
  const failed = steps.find((step) => stepStatus(step) === "failed");
  const reference = hearing.case_reference;
  if (!report.ok || failed) {
    if (!failed) return say(node, "clerk.verdict.failed_unknown", { case: reference });
    return say(node, "clerk.verdict.failed", {
      case: reference, number: failed.number, title: stepTitle(failed), detail: failed.detail,
    });
  }
  const passed = (number) => stepStatus(steps.find((step) => step.number === number) || {}) === "passed";
  const key = VERDICTS[`${passed(COSIGN_STEP)},${passed(TIME_STEP)}`];
  return say(node, key, { case: reference, size: report.size });
}

// One numbered check: its status, title and the verifier's own technical detail; a check that
// did not run says why; a failure's code goes in a details line.
function stepItem(step, firstFailed) {
  const status = stepStatus(step);
  const item = element("li", undefined, {}, { "data-status": status });
  const line = element("span");
  const title = stepTitle(step);
  if (status === "not_checked") {
    if (step.number === COSIGN_STEP && firstFailed === null) {
      say(line, "clerk.step.not_checked", { title, reason: { t: "clerk.reason.no_cosigner" } });
    } else if (step.number === TIME_STEP && firstFailed === null) {
      say(line, "clerk.step.not_checked", { title, reason: { t: "clerk.reason.no_timestamp" } });
    } else {
      say(line, "clerk.step.not_run", { title, failed: firstFailed ?? "?" });
    }
  } else {
    say(line, status === "passed" ? "clerk.step.passed" : "clerk.step.failed", { title });
  }
  item.append(line);
  // The verifier's own words (counts, hashes, key names): technical, and in English.
  if (status !== "not_checked" && step.detail) {
    const detail = element("span", undefined, {}, { lang: "en", class: "technical" });
    detail.textContent = step.detail;
    item.append(" — ", detail);
  }
  if (step.code) item.append(element("small", "error.details", { code: step.code }, { class: "error-details" }));
  return item;
}

function keyLine(report) {
  const keys = report.log_keys || [];
  if (!keys.length) return [];
  const a = link(keys[0].download, "clerk.key.download");
  a.setAttribute("download", "log.pem");
  const names = keys.map((key) => key.name).join(", ");
  return [element("span", "clerk.key.before"), a, element("span", "clerk.key.after", { names })];
}

function showVerification() {
  const { hearing, report } = shown.verification;
  const steps = $("verification-steps");
  const keyInfo = $("verification-key");
  say($("verification-title"), "clerk.verification.title_case", { case: hearing.case_reference });
  if (!report) {
    say($("verification-summary"), "clerk.verification.running");
    steps.replaceChildren();
    keyInfo.replaceChildren();
    $("verification-details").hidden = true;
    return;
  }
  sayVerdict($("verification-summary"), report, hearing);
  keyInfo.replaceChildren(...keyLine(report));
  const firstFailed = report.steps.find((step) => stepStatus(step) === "failed")?.number ?? null;
  steps.replaceChildren(...report.steps.map((step) => stepItem(step, firstFailed)));
  say($("verification-steps-title"), "clerk.verification.steps", { count: report.steps.length });
  $("verification-details").hidden = false;
}

async function verify(hearing, button) {
  const section = $("verification");
  const details = $("verification-details");
  clearErrors(button.parentElement);
  button.disabled = true;
  details.open = false;
  shown.verification = { hearing, report: null };
  showVerification();
  section.hidden = false;
  try {
    shown.verification.report = await api("GET", `/api/clerk/hearings/${hearing.id}/verification`);
    showVerification();
    $("verification-summary").focus?.();
  } catch (error) {
    shown.verification = null;
    section.hidden = true;
    showError(error, { near: button });
  } finally {
    button.disabled = false;
  }
}

// --- recordings -------------------------------------------------------------------------------

const RECORDING_STATES = {
  finished: "clerk.recording.state.finished",
  failed: "clerk.recording.state.failed",
  unfinished: "clerk.recording.state.unfinished",
};
const ROLES = {
  judge: "clerk.role.judge", authority: "clerk.role.authority", clerk: "clerk.role.clerk",
  witness: "clerk.role.witness", expert: "clerk.role.expert", accused: "clerk.role.accused",
  victim: "clerk.role.victim", party: "clerk.role.party", interpreter: "clerk.role.interpreter",
  counsel: "clerk.role.counsel", prosecutor: "clerk.role.prosecutor",
};
const KINDS = { audio: "clerk.kind.audio", video: "clerk.kind.video" };

const translated = (map, value) => (map[value] ? { t: map[value] } : value);

function duration(node, microseconds) {
  const number = (value, digits = 0) =>
    value.toLocaleString(language(), { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const seconds = microseconds / 1e6;
  if (seconds < 60) return say(node, "clerk.duration.seconds", { s: number(seconds, 1) });
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  if (minutes < 60) return say(node, "clerk.duration.minutes", { m: number(minutes), s: number(rest) });
  return say(node, "clerk.duration.hours", { h: number(Math.floor(minutes / 60)), m: number(minutes % 60) });
}

// The recorder's instants, to the second, in UTC as the signed log states them.
const instant = (ts) => formatDateTime(ts, "UTC", { seconds: true, date: false });

function describeRecording(recording) {
  const values = {
    recording: recording.recording,
    state: translated(RECORDING_STATES, recording.state),
    start: instant(recording.started_at),
    stop: recording.stopped_at ? instant(recording.stopped_at) : "",
  };
  const facts = [element("p", recording.stopped_at ? "clerk.recording.stopped" : "clerk.recording.started", values)];
  if (recording.problem) {
    const problem = element("div", undefined, {}, { class: "message error" });
    problem.append(
      element("p", "clerk.recording.mismatch"),
      element("p", "error.details", { code: recording.problem.code }, { class: "error-details" }),
    );
    facts.push(problem);
  } else if (recording.state !== "finished") {
    facts.push(element("p", "clerk.recording.no_file"));
  }
  return facts;
}

function participant(node, track) {
  const who = track.participant;
  if (!who) return say(node, "clerk.files.unknown", { peer: track.peer });
  return say(node, "clerk.files.who", { name: who.name, role: translated(ROLES, who.role) });
}

function trackTable(hearing, recording) {
  const table = element("table", undefined, {}, { "data-recording": recording.recording });
  table.append(element("caption", "clerk.files.caption", { recording: recording.recording, case: hearing.case_reference }));
  const head = element("tr");
  for (const key of ["clerk.files.file", "clerk.files.participant", "clerk.files.kind", "clerk.files.duration", "clerk.files.hash", "clerk.files.download"]) {
    head.append(element("th", key, {}, { scope: "col" }));
  }
  table.append(element("thead"));
  table.tHead.append(head);
  const body = element("tbody");
  for (const track of recording.tracks) {
    const row = element("tr", undefined, {}, { "data-track": track.track });
    cell(row, track.file || track.track);
    participant(cell(row, ""), track);
    say(cell(row, ""), "clerk.files.kind_codec", { kind: translated(KINDS, track.kind), codec: track.codec });
    duration(cell(row, ""), track.duration_us);
    if (track.sha256) {
      const code = element("code", undefined, {}, { class: "sha256" });
      code.textContent = track.sha256;
      cell(row, [code]);
    } else {
      say(cell(row, ""), "clerk.files.not_shown");
    }
    if (track.download) {
      const a = link(track.download, "clerk.files.download_link");
      a.setAttribute("download", track.file);
      cell(row, [label(a, "clerk.files.download_label", { file: track.file })]);
    } else {
      say(cell(row, ""), "clerk.files.not_available");
    }
    body.append(row);
  }
  table.append(body);
  const wrap = element("div", undefined, {}, { class: "table-wrap" });
  wrap.append(table);
  return wrap;
}

function drawRecordings(hearing, section, listed) {
  const title = element("h2", "clerk.recordings.title", { case: hearing.case_reference }, {
    id: `${section.id}-title`, tabindex: "-1",
  });
  if (!listed) return section.replaceChildren(title, element("p", "clerk.recordings.loading"));
  section.replaceChildren(title);
  if (listed.recordings.length === 0) section.append(element("p", "clerk.recordings.none"));
  for (const recording of listed.recordings) {
    section.append(...describeRecording(recording), trackTable(hearing, recording));
  }
  return title;
}

async function showRecordings(hearing, button, section) {
  clearErrors(button.parentElement);
  if (button.getAttribute("aria-expanded") === "true") {
    button.setAttribute("aria-expanded", "false");
    section.hidden = true;
    shown.recordings.delete(hearing.id);
    return;
  }
  button.disabled = true;
  drawRecordings(hearing, section, null);
  section.hidden = false;
  try {
    const listed = await api("GET", `/api/clerk/hearings/${hearing.id}/recordings`);
    shown.recordings.set(hearing.id, { hearing, section, listed });
    const title = drawRecordings(hearing, section, listed);
    button.setAttribute("aria-expanded", "true");
    title.focus();
  } catch (error) {
    section.hidden = true;
    showError(error, { near: button });
  } finally {
    button.disabled = false;
  }
}

function recordingsButton(hearing) {
  const section = element("section", undefined, {}, {
    id: `recordings-${hearing.id}`, class: "card", "aria-labelledby": `recordings-${hearing.id}-title`,
  });
  section.hidden = true;
  $("recordings").append(section);
  const button = element("button", "clerk.recordings.button", {}, {
    id: `recordings-button-${hearing.id}`, type: "button", "aria-expanded": "false", "aria-controls": section.id,
  });
  label(button, "clerk.recordings.title", { case: hearing.case_reference });
  button.addEventListener("click", () => showRecordings(hearing, button, section));
  return button;
}

// --- the list -----------------------------------------------------------------------------------

function keyLink(base, hearing) {
  const a = link(`${base}/log-key.pem`, "clerk.link.key");
  a.setAttribute("download", "log.pem");
  return label(a, "clerk.link.key_label", { case: hearing.case_reference });
}

function showDates() {
  for (const { node, when } of shown.dates) node.textContent = formatDateTime(when, shown.zone);
}

function hearingRow(hearing) {
  const row = document.createElement("tr");
  cell(row, hearing.case_reference);
  shown.dates.push({ node: cell(row, ""), when: hearing.starts_at });
  cell(row, hearing.venue);
  say(cell(row, ""), hearing.sealed ? "clerk.state.sealed" : "clerk.state.sealing");
  if (hearing.sealed) {
    const base = `/api/clerk/hearings/${hearing.id}`;
    const button = element("button", "clerk.verify", {}, { id: `verify-${hearing.id}`, type: "button" });
    button.addEventListener("click", () => verify(hearing, button));
    cell(row, [
      link(`${base}/bundle`, "clerk.link.bundle"), " · ",
      link(`${base}/minutes.html`, "clerk.link.minutes_html"), " · ",
      link(`${base}/minutes.pdf`, "clerk.link.minutes_pdf"), " · ", keyLink(base, hearing), " · ",
      button, " ", recordingsButton(hearing),
    ]);
  } else {
    cell(row, [element("span", "clerk.not_sealed"), " ", recordingsButton(hearing)]);
  }
  return row;
}

// translate() has redone every text shown with say(); what holds formatted values is drawn again.
function redraw() {
  relabel();
  showDates();
  if (shown.verification) showVerification();
  for (const { hearing, section, listed } of shown.recordings.values()) drawRecordings(hearing, section, listed);
}

async function main() {
  const session = await startStaffPage({ roles: ["clerk", "judge"], pages: ["clerk"] });
  if (!session) return;
  // The court's hearings, in the court's zone (the signed-in person's), the zone named.
  shown.zone = session.user.time_zone;
  onLanguageChange(redraw);
  let listed;
  try {
    listed = await api("GET", "/api/clerk/hearings");
  } catch (error) {
    showError(error, { box: $("message") });
    return;
  }
  const table = $("hearings");
  $("empty").hidden = listed.hearings.length > 0;
  table.hidden = listed.hearings.length === 0;
  table.querySelector("tbody").replaceChildren(...listed.hearings.map(hearingRow));
  showDates();
}

main();

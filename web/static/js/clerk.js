// The clerk page: closed and sealed hearings of the court, downloads (bundle, minutes, the log's
// public key for the offline check), verification (one plain sentence, the numbered checks on
// demand), and each hearing's recordings (files, participant, duration, SHA-256, download).
import { api, ApiError, showMessage } from "./api.js";

const message = () => document.getElementById("message");

function cell(row, content) {
  const td = document.createElement("td");
  if (typeof content === "string") td.textContent = content;
  else td.append(...content);
  row.append(td);
}

function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

// The verifier's steps 5 and 6 (report.STEPS): what an outside cosigner and an independent
// time-stamping authority would add; the route marks them not_checked when there is neither.
const COSIGN_STEP = 5;
const TIME_STEP = 6;

function stepStatus(step) {
  return step.status || (step.passed ? "passed" : "failed");
}

// One plain sentence: what the checks that ran prove, and what was not proven (and why).
function plainVerdict(report, hearing) {
  const steps = report.steps;
  const failed = steps.find((step) => stepStatus(step) === "failed");
  if (!report.ok || failed) {
    const what = failed ? `check ${failed.number} (${failed.title}) failed: ${failed.detail}` : "a check failed";
    return `NOT verified: ${what}; do not rely on this record of case ${hearing.case_reference}.`;
  }
  const status = (number) => stepStatus(steps.find((step) => step.number === number) || {});
  const proven = [`the record of case ${hearing.case_reference} (${report.size} events) is complete, unchanged since it was sealed and signed by this service's log key`];
  if (status(COSIGN_STEP) === "passed") proven.push("countersigned by every registered cosigner");
  if (status(TIME_STEP) === "passed") proven.push("time-stamped by an independent authority");
  const missing = [];
  if (status(TIME_STEP) === "not_checked") {
    missing.push("when it was sealed (there is no independent timestamp; the time is the service's own claim)");
  }
  if (status(COSIGN_STEP) === "not_checked") {
    missing.push("that no other version was shown to anyone (nobody outside the service countersigned it)");
  }
  const last = proven.length > 1 ? `${proven.slice(0, -1).join(", ")} and ${proven.at(-1)}` : proven[0];
  const lead = `Proven: ${last}`;
  return missing.length ? `${lead}; not proven: ${missing.join(", nor ")}.` : `${lead}.`;
}

function stepLine(step) {
  const status = stepStatus(step);
  if (status === "not_checked") return `Not checked: ${step.title}. Why: ${step.reason || step.detail}`;
  const label = status === "passed" ? "Passed" : "FAILED";
  return `${label}: ${step.title} — ${step.detail}${step.code ? ` [${step.code}]` : ""}`;
}

function keyLine(report) {
  const keys = report.log_keys || [];
  if (!keys.length) return [];
  const a = link(keys[0].download, "Download the log's public key (log.pem)");
  a.setAttribute("download", "log.pem");
  const names = keys.map((key) => key.name).join(", ");
  return [
    "For the offline check (VERIFY.md in the bundle): ", a,
    `, key name ${names}. Give it to whoever checks the record by a channel they trust.`,
  ];
}

async function verify(hearing, button) {
  const section = document.getElementById("verification");
  const steps = document.getElementById("verification-steps");
  const details = document.getElementById("verification-details");
  const keyInfo = document.getElementById("verification-key");
  button.disabled = true;
  steps.replaceChildren();
  keyInfo.replaceChildren();
  details.hidden = true;
  details.open = false;
  section.hidden = false;
  document.getElementById("verification-title").textContent =
    `Verification of case ${hearing.case_reference}`;
  const summary = document.getElementById("verification-summary");
  summary.textContent = "Verifying…";
  try {
    const report = await api("GET", `/api/clerk/hearings/${hearing.id}/verification`);
    summary.textContent = plainVerdict(report, hearing);
    keyInfo.append(...keyLine(report));
    for (const step of report.steps) {
      const item = document.createElement("li");
      item.dataset.status = stepStatus(step);
      item.textContent = stepLine(step);
      steps.append(item);
    }
    document.getElementById("verification-steps-title").textContent =
      `The ${report.steps.length} technical checks, in order`;
    details.hidden = false;
  } catch (error) {
    summary.textContent = "";
    showMessage(message(), error.message);
  } finally {
    button.disabled = false;
    summary.focus?.();
  }
}

// --- recordings -------------------------------------------------------------------------------

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function duration(microseconds) {
  const seconds = microseconds / 1e6;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return minutes < 60 ? `${minutes} min ${rest} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function participant(track) {
  const who = track.participant;
  return who ? `${who.name} (${who.role})` : `unknown (peer ${track.peer})`;
}

const utc = (ts) => `${ts.slice(0, 19).replace("T", " ")} UTC`;

function describeRecording(recording) {
  const parts = [`Recording ${recording.recording}: ${recording.state}`, `started ${utc(recording.started_at)}`];
  if (recording.stopped_at) parts.push(`stopped ${utc(recording.stopped_at)}`);
  const facts = [element("p", `${parts.join(", ")}.`)];
  if (recording.problem) {
    facts.push(element("p", `Does not match the signed log, nothing can be downloaded: ${recording.problem.message} (${recording.problem.code}).`, { class: "message error" }));
  } else if (recording.state !== "finished") {
    facts.push(element("p", "Not finished: the log lists its segments, but there is no file to download."));
  }
  return facts;
}

function trackTable(hearing, recording) {
  const table = element("table", undefined, { "data-recording": recording.recording });
  table.append(element("caption", `Files of recording ${recording.recording} (case ${hearing.case_reference})`));
  const head = element("tr");
  for (const name of ["File", "Participant", "Kind", "Duration", "SHA-256", "Download"]) {
    head.append(element("th", name, { scope: "col" }));
  }
  table.append(element("thead"));
  table.tHead.append(head);
  const body = element("tbody");
  for (const track of recording.tracks) {
    const row = element("tr", undefined, { "data-track": track.track });
    cell(row, track.file || track.track);
    cell(row, participant(track));
    cell(row, `${track.kind} (${track.codec})`);
    cell(row, duration(track.duration_us));
    cell(row, track.sha256 ? [element("code", track.sha256, { class: "sha256" })] : "not shown");
    if (track.download) {
      const a = link(track.download, "Download");
      a.setAttribute("download", track.file);
      a.setAttribute("aria-label", `Download ${track.file}`);
      cell(row, [a]);
    } else {
      cell(row, "not available");
    }
    body.append(row);
  }
  table.append(body);
  const wrap = element("div", undefined, { class: "table-wrap" });
  wrap.append(table);
  return wrap;
}

async function showRecordings(hearing, button, section) {
  if (button.getAttribute("aria-expanded") === "true") {
    button.setAttribute("aria-expanded", "false");
    section.hidden = true;
    return;
  }
  button.disabled = true;
  const title = element("h2", `Recordings of case ${hearing.case_reference}`, {
    id: `${section.id}-title`, tabindex: "-1",
  });
  section.replaceChildren(title, element("p", "Loading…"));
  section.hidden = false;
  try {
    const listed = await api("GET", `/api/clerk/hearings/${hearing.id}/recordings`);
    section.replaceChildren(title);
    if (listed.recordings.length === 0) section.append(element("p", "This hearing was not recorded."));
    for (const recording of listed.recordings) {
      section.append(...describeRecording(recording), trackTable(hearing, recording));
    }
    button.setAttribute("aria-expanded", "true");
    title.focus();
  } catch (error) {
    section.hidden = true;
    showMessage(message(), error.message);
  } finally {
    button.disabled = false;
  }
}

function recordingsButton(hearing) {
  const section = element("section", undefined, {
    id: `recordings-${hearing.id}`, class: "card", "aria-labelledby": `recordings-${hearing.id}-title`,
  });
  section.hidden = true;
  document.getElementById("recordings").append(section);
  const button = element("button", "Recordings", {
    type: "button", "aria-expanded": "false", "aria-controls": section.id,
    "aria-label": `Recordings of case ${hearing.case_reference}`,
  });
  button.addEventListener("click", () => showRecordings(hearing, button, section));
  return button;
}

function keyLink(base, hearing) {
  const a = link(`${base}/log-key.pem`, "Log public key (PEM)");
  a.setAttribute("download", "log.pem");
  a.setAttribute("aria-label", `Log public key (log.pem) of case ${hearing.case_reference}`);
  return a;
}

async function main() {
  let session;
  try {
    session = await api("GET", "/api/auth/session");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      location.assign("/sign-in?next=/clerk");
      return;
    }
    showMessage(message(), error.message);
    return;
  }
  document.getElementById("who").textContent =
    `${session.user.display_name} (${session.user.role})`;
  let listed;
  try {
    listed = await api("GET", "/api/clerk/hearings");
  } catch (error) {
    showMessage(message(), error.message);
    return;
  }
  const table = document.getElementById("hearings");
  const body = table.querySelector("tbody");
  document.getElementById("empty").hidden = listed.hearings.length > 0;
  table.hidden = listed.hearings.length === 0;
  for (const hearing of listed.hearings) {
    const row = document.createElement("tr");
    cell(row, hearing.case_reference);
    cell(row, hearing.starts_at.slice(0, 16).replace("T", " "));
    cell(row, hearing.venue);
    cell(row, hearing.sealed ? "Sealed" : "Closed, sealing");
    if (hearing.sealed) {
      const base = `/api/clerk/hearings/${hearing.id}`;
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "Verify";
      button.addEventListener("click", () => verify(hearing, button));
      cell(row, [
        link(`${base}/bundle`, "Signed bundle (zip)"), " · ",
        link(`${base}/minutes.html`, "Minutes (HTML)"), " · ",
        link(`${base}/minutes.pdf`, "Minutes (PDF)"), " · ", keyLink(base, hearing), " · ",
        button, " ", recordingsButton(hearing),
      ]);
    } else {
      cell(row, ["Not yet sealed ", recordingsButton(hearing)]);
    }
    body.append(row);
  }
}

main();

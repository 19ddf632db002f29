// The clerk page: closed and sealed hearings of the court, downloads, verification per check,
// and each hearing's recordings (files, participant, duration, SHA-256, download).
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

async function verify(hearing, button) {
  const section = document.getElementById("verification");
  const steps = document.getElementById("verification-steps");
  button.disabled = true;
  steps.replaceChildren();
  section.hidden = false;
  document.getElementById("verification-title").textContent =
    `Verification of case ${hearing.case_reference}`;
  const summary = document.getElementById("verification-summary");
  summary.textContent = "Verifying…";
  try {
    const report = await api("GET", `/api/clerk/hearings/${hearing.id}/verification`);
    summary.textContent = report.ok
      ? `Verified: every check passed (${report.size} events).`
      : "NOT verified: a check failed.";
    for (const step of report.steps) {
      const item = document.createElement("li");
      item.textContent = `${step.passed ? "Passed" : "FAILED"}: ${step.title} — ${step.detail}`;
      steps.append(item);
    }
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
        link(`${base}/minutes.pdf`, "Minutes (PDF)"), " · ", button, " ", recordingsButton(hearing),
      ]);
    } else {
      cell(row, ["Not yet sealed ", recordingsButton(hearing)]);
    }
    body.append(row);
  }
}

main();

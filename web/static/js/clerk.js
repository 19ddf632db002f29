// The clerk page: closed and sealed hearings of the court, downloads, verification per check.
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
        link(`${base}/minutes.pdf`, "Minutes (PDF)"), " · ", button,
      ]);
    } else {
      cell(row, "Not yet sealed");
    }
    body.append(row);
  }
}

main();

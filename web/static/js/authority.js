// The requested state's authority: the hearings held with a person in its state, each with a link
// to the live room, where the authority's account takes the authority seat the judge left open;
// then the sealed records, which the authority may cosign with its own key.

import { api, ApiError, setCsrfToken, showMessage } from "./api.js";
import { Cosigning } from "./authority-cosign.js";

const $ = (id) => document.getElementById(id);
const JOINABLE = new Set(["open", "in_session", "testimony"]);

function local(times) {
  const start = times.starts;
  return `${start.local.replace("T", " ")} ${start.abbreviation}`;
}

async function main() {
  let session;
  try {
    session = await api("GET", "/api/auth/session");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      location.assign("/sign-in?next=/authority");
      return;
    }
    throw error;
  }
  setCsrfToken(session.csrf_token);
  $("who").textContent = `${session.user.display_name} (${session.user.role})`;
  const { hearings } = await api("GET", "/api/hearings?upcoming=true");
  $("list-empty").hidden = hearings.length > 0;
  for (const hearing of hearings) {
    const row = document.createElement("tr");
    row.dataset.hearing = hearing.id;
    for (const value of [
      hearing.case_reference, `${hearing.person_heard.name} (${hearing.person_heard.role})`,
      local(hearing.times.requested), `${hearing.requesting_state}: ${local(hearing.times.requesting)}`,
      hearing.state,
    ]) {
      row.append(Object.assign(document.createElement("td"), { textContent: value }));
    }
    const cell = document.createElement("td");
    if (JOINABLE.has(hearing.state)) {
      const link = Object.assign(document.createElement("a"), {
        href: `/hearings/${encodeURIComponent(hearing.id)}/live`,
        textContent: `Join ${hearing.case_reference}`,
      });
      cell.append(link);
    } else {
      cell.textContent = "Not open yet";
    }
    row.append(cell);
    $("hearing-list").append(row);
  }
  await new Cosigning(session).start();
}

main().catch((error) => showMessage($("message"), `The page could not start: ${error.message}`));

// The requested state's authority: the hearings held with a person in its state, each with a link
// to the live room, where the authority's account takes the authority seat the judge left open;
// then the sealed records, which the authority may cosign with its own key.

import { api } from "./api.js";
import { Cosigning } from "./authority-cosign.js";
import { showError } from "./staff-errors.js";
import { onLanguageChange, say } from "./staff-i18n.js";
import { $, startStaffPage } from "./staff-page.js";
import { formatDateTime } from "./staff-time.js";

const JOINABLE = new Set(["open", "in_session", "testimony"]);
const STATES = {
  draft: "authority_page.hearing_state.draft",
  scheduled: "authority_page.hearing_state.scheduled",
  open: "authority_page.hearing_state.open",
  in_session: "authority_page.hearing_state.in_session",
  testimony: "authority_page.hearing_state.testimony",
  closed: "authority_page.hearing_state.closed",
  sealed: "authority_page.hearing_state.sealed",
  cancelled: "authority_page.hearing_state.cancelled",
};
// The person heard (the roles a hearing can be scheduled for).
const ROLES = {
  witness: "authority_page.role.witness",
  expert: "authority_page.role.expert",
  accused: "authority_page.role.accused",
  victim: "authority_page.role.victim",
  party: "authority_page.role.party",
};

function named(table, code) {
  return table[code] ? { t: table[code] } : code;
}

function cell(row, key, values = {}) {
  const node = row.appendChild(document.createElement("td"));
  say(node, key, values);
  return node;
}

let hearings = [];

// The list, in the page's language; the times are written in it, so a switch draws it again.
function renderList() {
  const rows = hearings.map((hearing) => {
    const row = document.createElement("tr");
    row.dataset.hearing = hearing.id;
    row.append(Object.assign(document.createElement("td"), { textContent: hearing.case_reference }));
    cell(row, "authority_page.person_role", {
      name: hearing.person_heard.name, role: named(ROLES, hearing.person_heard.role),
    });
    // Each time in its own zone, named: the venue's (in this state) and the court's.
    row.append(Object.assign(document.createElement("td"), {
      textContent: formatDateTime(hearing.times.requested.starts),
    }));
    cell(row, "authority_page.court_at", {
      state: hearing.requesting_state, when: formatDateTime(hearing.times.requesting.starts),
    });
    const state = row.appendChild(document.createElement("td"));
    if (STATES[hearing.state]) say(state, STATES[hearing.state]);
    else state.textContent = hearing.state;
    const live = row.appendChild(document.createElement("td"));
    if (JOINABLE.has(hearing.state)) {
      const link = Object.assign(document.createElement("a"), {
        href: `/hearings/${encodeURIComponent(hearing.id)}/live`,
      });
      say(link, "authority_page.join", { case: hearing.case_reference });
      live.append(link);
    } else {
      say(live, "authority_page.not_open");
    }
    return row;
  });
  $("hearing-list").replaceChildren(...rows);
  $("list-empty").hidden = hearings.length > 0;
}

async function main() {
  const session = await startStaffPage({ roles: ["authority"], pages: ["authority"] });
  if (!session) return;
  onLanguageChange(renderList);
  try {
    ({ hearings } = await api("GET", "/api/hearings?upcoming=true"));
  } catch (error) {
    showError(error, { box: $("message") });
    return;
  }
  renderList();
  await new Cosigning(session).start();
}

main().catch((error) => showError(error, { box: $("message") }));

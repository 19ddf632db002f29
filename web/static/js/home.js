// The signed-in person's home: who they are, what they can do next in their role, and the way
// there (issue 13 point 10).
import { api } from "./api.js";
import { showError } from "./staff-errors.js";
import { onLanguageChange, say } from "./staff-i18n.js";
import { $, startStaffPage } from "./staff-page.js";
import { formatDateTime } from "./staff-time.js";

const ROLE_PAGES = {
  judge: [["/judge", "home.link.judge"]],
  clerk: [["/clerk", "home.link.clerk"]],
  authority: [["/authority", "home.link.authority"]],
  admin: [],
};

// The one item the next step is about, as [key, values]: the next hearing (judge: in the
// court's zone of the requesting state; authority: in the venue's zone), or the latest closed
// hearing for a clerk. Null for a role with nothing to list.
async function nextItem(user) {
  if (user.role === "judge" || user.role === "authority") {
    const { hearings } = await api("GET", "/api/hearings?upcoming=true");
    if (!hearings.length) return [`home.none.${user.role}`, {}];
    const next = hearings[0];
    const times = user.role === "judge" ? next.times.requesting : next.times.requested;
    return [`home.upcoming.${user.role}`, { case: next.case_reference, start: times.starts }];
  }
  if (user.role === "clerk") {
    const { hearings } = await api("GET", "/api/clerk/hearings");
    if (!hearings.length) return ["home.none.clerk", {}];
    const [latest] = hearings;
    return ["home.closed.clerk", { count: hearings.length, case: latest.case_reference, at: latest.starts_at, zone: user.time_zone }];
  }
  return null;
}

// The time is formatted again on a language switch: a translated sentence keeps only its values.
function showItem(item) {
  if (!item) return;
  const [key, values] = item;
  const when = values.start ? formatDateTime(values.start) : values.at ? formatDateTime(values.at, values.zone) : "";
  say($("next-item"), key, { count: values.count, case: values.case, when });
}

async function main() {
  const session = await startStaffPage();
  if (!session) return;
  const user = session.user;
  say($("greeting"), "home.greeting", { name: user.display_name });
  say($("next-step"), `home.next.${user.role}`);
  const nav = $("links");
  for (const [href, key] of ROLE_PAGES[user.role] || []) {
    const link = Object.assign(document.createElement("a"), { href });
    say(link, key);
    nav.append(link);
  }
  $("next").hidden = false;
  try {
    const item = await nextItem(user);
    showItem(item);
    onLanguageChange(() => showItem(item));
  } catch (error) {
    showError(error, { box: $("message") });
  }
}

main();

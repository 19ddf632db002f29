// The one way staff pages write a date and time: in the page's language, and always with the
// zone it is in, so "10:00" is never read in the wrong one (issue 13 point 10).

import { language } from "./i18n.js";

const UTC_NAMES = new Set(["UTC", "Etc/UTC", "GMT", "Etc/GMT"]);

export function browserZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

// `when`: a Date, an ISO 8601 instant ("2027-03-02T09:00:00Z", "2027-03-02T10:00+01:00"), or one
// of the API's zoned times ({local, time_zone}). `zone`: the IANA zone to show it in (for a zoned
// time, its own zone unless given; otherwise the browser's). Options: `seconds` (records and
// minutes), `date: false` (the time alone, zone still shown).
// "Tue 2 Mar 2027, 10:00 CET (Europe/Paris)"; the IANA name is left out when it adds nothing.
export function formatDateTime(when, zone, { seconds = false, date = true } = {}) {
  if (when === null || when === undefined || when === "") return "";
  const zoned = typeof when === "object" && !(when instanceof Date);
  const instant = new Date(zoned ? when.local : when);
  if (Number.isNaN(instant.getTime())) return String(zoned ? when.local : when);
  const timeZone = zone || (zoned && when.time_zone) || browserZone();
  const options = {
    timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
  };
  if (seconds) options.second = "2-digit";
  if (date) Object.assign(options, { weekday: "short", day: "numeric", month: "short", year: "numeric" });
  let text;
  try {
    text = new Intl.DateTimeFormat(language(), options).format(instant);
  } catch {
    // An unknown zone name from old data: show UTC rather than nothing, and say so.
    return formatDateTime(instant, "UTC", { seconds, date });
  }
  return UTC_NAMES.has(timeZone) ? text : `${text} (${timeZone})`;
}

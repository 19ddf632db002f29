// What the judge's scheduling and reschedule forms share: reading and showing times (the start is
// typed in the browser's own zone; the service answers with wall times in each state's zone), the
// required fields (said next to the first one left empty) and the venue's time zone.

import { showNote } from "./judge-messages.js";
import { say } from "./staff-i18n.js";

// The judge's own zone: the browser's, in which a datetime-local input is typed (staff-time.js).
export { browserZone } from "./staff-time.js";

// A zone select: the state's zones, `chosen` selected; with no zone chosen, a first empty
// option asks for one (the service requires it where the state spans several zones).
export function zoneOptions(select, zones, chosen) {
  select.replaceChildren();
  if (!chosen) {
    const ask = new Option("", "");
    say(ask, "judge.zone.choose");
    select.append(ask);
  }
  const listed = zones.length ? zones : chosen ? [chosen] : [];
  for (const zone of listed) select.append(new Option(zone.replace(/_/g, " "), zone));
  if (chosen && !listed.includes(chosen)) select.append(new Option(chosen, chosen));
  select.value = chosen || "";
}

// "2027-03-02 10:00 CET" from one of the service's wall times ({local, time_zone, abbreviation});
// `local` is "2027-03-02T10:00+01:00": the abbreviation says what the offset says, shorter.
export function wallTime(point) {
  return `${point.local.slice(0, 16).replace("T", " ")} ${point.abbreviation}`;
}

// The start of a hearing in one state's zone, as the hearing list shows it.
export function localTime(times) {
  if (!times) return "";
  return `${wallTime(times.starts)} (${times.starts.time_zone})`;
}

// A datetime-local value (the browser's zone) as the RFC 3339 UTC instant the API takes.
export function inputToInstant(value) {
  return new Date(value).toISOString().replace(/\.\d+Z$/, "Z");
}

// An instant as a datetime-local value in the browser's zone (seconds only when there are some).
export function instantToInput(iso) {
  const at = new Date(iso);
  const two = (n) => String(n).padStart(2, "0");
  const minutes = `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}T${two(at.getHours())}:${two(at.getMinutes())}`;
  return at.getSeconds() ? `${minutes}:${two(at.getSeconds())}` : minutes;
}

// How a datetime-local value reads in another zone, e.g. "2027-03-02 10:00 CET".
export function inZone(value, timeZone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {
    timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
    minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
  }).formatToParts(new Date(value)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

// The control's label as a value for `t`: its key, so the note follows a language switch.
function labelOf(control) {
  const label = document.querySelector(`label[for="${control.id}"]`);
  if (label && label.dataset.i18n) return { t: label.dataset.i18n };
  return label ? label.textContent.trim() : control.id;
}

// The first of `controls` left empty, or null; the caller says so next to it and focuses it.
export function firstEmpty(controls) {
  return controls.find((control) => !control.value.trim()) || null;
}

export function requireFilled(controls) {
  const empty = firstEmpty(controls);
  if (empty) {
    showNote(empty, empty.tagName === "SELECT" ? "judge.note.choose" : "judge.note.fill", { label: labelOf(empty) });
    empty.focus();
  }
  return !empty;
}

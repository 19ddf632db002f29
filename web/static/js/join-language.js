// The participant page's language (chosen, remembered, or the invitation's) and the hearing's
// times as the participant reads them, in their language: the venue's local time labelled with
// the venue's zone, and, when it reads differently, the time in the browser's own zone labelled
// with that zone (the zone the court wrote down for the person may not be where she is today).

import { LANGUAGES, language, loadLanguage, translate } from "./i18n.js";
import { $, page } from "./join-state.js";

// `onChange()` re-renders whatever the new language changes.
export function fillLanguages(onChange) {
  const select = $("language");
  select.replaceChildren();
  for (const [code, name] of Object.entries(LANGUAGES)) {
    const option = new Option(name, code, false, code === language());
    option.lang = code;
    select.append(option);
  }
  select.addEventListener("change", async () => {
    await loadLanguage(select.value, { remember: true });
    onChange();
  });
}

export function renderLanguage() {
  translate();
  $("language").value = language();
  document.title = `${$("title").textContent} · vc-service`;
}

// The venue's IANA zone (where the hearing takes place and the court's letters count from).
export function venueZone() {
  const hearing = (page.invitation && page.invitation.hearing) || {};
  return hearing.venue_timezone || (hearing.venue && hearing.venue.time_zone) || "";
}

// The zone this browser is in: the person's own clock, whatever the court wrote down for her.
export function browserZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

function format(iso, zone, options) {
  try {
    return new Intl.DateTimeFormat(language(), { ...options, timeZone: zone || undefined })
      .format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(language(), options).format(new Date(iso));
  }
}

// A date and time in one zone (the browser's unless given), as the page's language writes it.
export function formatTime(iso, zone = browserZone()) {
  if (!iso) return "";
  return format(iso, zone, { dateStyle: "full", timeStyle: "short" });
}

// The same moment with its zone's short name ("CET", "GMT+9"), for a sentence that names no zone.
export function formatZonedTime(iso) {
  if (!iso) return "";
  return format(iso, browserZone(), {
    weekday: "long", year: "numeric", month: "long", day: "numeric",
    hour: "numeric", minute: "2-digit", timeZoneName: "short",
  });
}

// The start at the venue and, when her clock shows another time, in her browser's zone too.
export function startTimes(iso) {
  const venue = venueZone() || browserZone();
  const atVenue = formatTime(iso, venue);
  const here = formatTime(iso, browserZone());
  return { venue: { time: atVenue, zone: venue }, local: here === atVenue ? null : { time: here, zone: browserZone() } };
}

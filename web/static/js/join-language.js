// The participant page's language (chosen, remembered, or the invitation's) and the hearing's
// times as the participant reads them: in their language and their own time zone.

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

export function personZone() {
  const person = (page.invitation && page.invitation.participant) || {};
  return person.time_zone || Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function formatTime(iso) {
  if (!iso) return "";
  const options = { dateStyle: "full", timeStyle: "short" };
  try {
    return new Intl.DateTimeFormat(language(), { ...options, timeZone: personZone() })
      .format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(language(), options).format(new Date(iso));
  }
}

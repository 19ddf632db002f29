// Translations for the staff pages (sign-in, home, judge, hearing room, authority, clerk), on top
// of the participant page's i18n.js: same markup (data-i18n="key"), same `t`/`say`/`translate`,
// other files (/static/i18n/staff/<lang>.json plus, if a page asks, a folder of its own).

import { LANGUAGES, language, loadLanguage, preferredLanguage, say, t, translate } from "./i18n.js";

export { LANGUAGES, language, say, t, translate };

const STAFF = "/static/i18n/staff";
let catalogs = [STAFF];
const listeners = [];

// The signed-in person's own choice comes first, kept with their account (`user.language`,
// PUT /api/auth/preferences), so a German judge on a court computer last used in French still
// gets German. Then the last choice made on this browser (i18n.js), then the browser's languages.
export function staffLanguage(user) {
  if (user && user.language && user.language in LANGUAGES) return user.language;
  return preferredLanguage();
}

// Load the staff texts in `lang` and translate the page. `pages` names extra catalogs under
// /static/i18n/staff/<page>/ for texts only one page uses.
export async function startLanguage(lang, { pages = [] } = {}) {
  catalogs = [STAFF, ...pages.map((page) => `${STAFF}/${page}`)];
  await loadLanguage(lang, { catalogs });
  redraw();
  return language();
}

// A re-render hook for what `translate()` cannot redo by itself (lists built from data).
export function onLanguageChange(listener) {
  listeners.push(listener);
}

// translate() covers <title data-i18n> too: it is an element of the document like any other.
function redraw() {
  translate();
  for (const select of document.querySelectorAll("select[data-language-switch]")) {
    select.value = language();
  }
  for (const listener of listeners) listener(language());
}

// A <select> that switches the page's language and remembers it on this browser; `save(lang)`
// (given on signed-in pages) keeps it with the person's account too.
export function languageSwitch(select, { save = null } = {}) {
  select.replaceChildren();
  select.dataset.languageSwitch = "";
  for (const [code, name] of Object.entries(LANGUAGES)) {
    const option = new Option(name, code, false, code === language());
    option.lang = code;
    select.append(option);
  }
  select.addEventListener("change", async () => {
    await loadLanguage(select.value, { remember: true, catalogs });
    redraw();
    if (save) await save(language());
  });
  return select;
}

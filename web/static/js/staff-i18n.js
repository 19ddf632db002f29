// Translations for the staff pages (sign-in, home, judge, hearing room, authority, clerk), on top
// of the participant page's i18n.js: same markup (data-i18n="key"), same `t`/`say`/`translate`,
// other files (/static/i18n/staff/<lang>.json plus, if a page asks, a folder of its own).

import { LANGUAGES, language, loadLanguage, preferredLanguage, say, t, translate } from "./i18n.js";

export { LANGUAGES, language, say, t, translate };

const STAFF = "/static/i18n/staff";
const PERSON_KEY = "vc.staff.language."; // + the account's id
let catalogs = [STAFF];
const listeners = [];

// The signed-in person's own choice comes first (a German judge on a court computer last used
// in French still gets German): the one they made with the switch on this browser. Then the
// last choice made on this browser by anyone (i18n.js), then the browser's languages.
export function staffLanguage(user) {
  const own = user ? storage(() => localStorage.getItem(PERSON_KEY + user.id)) : null;
  if (own && own in LANGUAGES) return own;
  return preferredLanguage();
}

function storage(action) {
  try {
    return action();
  } catch {
    return null; // storage can be disabled: the choice then lasts for this page only
  }
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

// A <select> that switches the page's language and remembers it on this browser, for `user`
// (the signed-in person, if any) in particular.
export function languageSwitch(select, { user = null } = {}) {
  select.replaceChildren();
  select.dataset.languageSwitch = "";
  for (const [code, name] of Object.entries(LANGUAGES)) {
    const option = new Option(name, code, false, code === language());
    option.lang = code;
    select.append(option);
  }
  select.addEventListener("change", async () => {
    await loadLanguage(select.value, { remember: true, catalogs });
    if (user) storage(() => localStorage.setItem(PERSON_KEY + user.id, language()));
    redraw();
  });
  return select;
}

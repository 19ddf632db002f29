// Translations for the participant pages: flat JSON files in /static/i18n/<lang>.json.
// Markup names its texts with data-i18n="key" (text) or data-i18n-<attr>="key" (an attribute).

export const LANGUAGES = { en: "English", fr: "Français", de: "Deutsch", es: "Español" };
export const DEFAULT_LANGUAGE = "en";
const STORAGE_KEY = "vc.language";

let strings = {};
let current = DEFAULT_LANGUAGE;
let loads = 0;

export function language() {
  return current;
}

// The language to start with: the person's own earlier choice, then the browser's preferences.
export function preferredLanguage(hint) {
  const stored = safeStorage(() => localStorage.getItem(STORAGE_KEY));
  const candidates = [stored, hint, ...(navigator.languages || [navigator.language])];
  for (const tag of candidates) {
    const base = (tag || "").slice(0, 2).toLowerCase();
    if (base in LANGUAGES) return base;
  }
  return DEFAULT_LANGUAGE;
}

// `catalogs`: the folders whose <lang>.json files are merged, later ones adding keys (the staff
// pages use /static/i18n/staff and, for a page's own texts, a folder of its own).
export async function loadLanguage(lang, { remember = false, catalogs = ["/static/i18n"] } = {}) {
  const chosen = lang in LANGUAGES ? lang : DEFAULT_LANGUAGE;
  // Remember first: a reload straight after choosing must keep the choice.
  if (remember) safeStorage(() => localStorage.setItem(STORAGE_KEY, chosen));
  const ticket = ++loads;
  const files = await Promise.all(catalogs.map(async (folder) => {
    const response = await fetch(`${folder}/${chosen}.json`, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`translation file ${folder}/${chosen} failed: ${response.status}`);
    return response.json();
  }));
  const loaded = Object.assign({}, ...files);
  // Two quick choices: the later one wins, whichever file arrives first.
  if (ticket !== loads) return current;
  strings = loaded;
  current = chosen;
  document.documentElement.lang = chosen;
  return chosen;
}

// A missing key shows as the key itself, so it is visible in screenshots and tests.
// A value given as {t: "other.key"} is itself translated.
export function t(key, values = {}) {
  const text = Object.hasOwn(strings, key) ? strings[key] : key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!Object.hasOwn(values, name)) return whole;
    const value = values[name];
    return value !== null && typeof value === "object" ? t(value.t) : String(value);
  });
}

// Show a translated text in `element` and remember how, so a language switch redoes it.
export function say(element, key, values = {}) {
  if (!key) {
    element.removeAttribute("data-i18n");
    element.removeAttribute("data-i18n-values");
    element.textContent = "";
    return;
  }
  element.dataset.i18n = key;
  element.dataset.i18nValues = JSON.stringify(values);
  element.textContent = t(key, values);
}

export function translate(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    const values = element.dataset.i18nValues ? JSON.parse(element.dataset.i18nValues) : {};
    element.textContent = t(element.dataset.i18n, values);
  }
  for (const attribute of ["aria-label", "alt", "placeholder", "title"]) {
    const data = `data-i18n-${attribute}`;
    for (const element of root.querySelectorAll(`[${data}]`)) {
      element.setAttribute(attribute, t(element.getAttribute(data)));
    }
  }
}

function safeStorage(action) {
  try {
    return action();
  } catch {
    return null; // storage can be disabled; the choice then lasts for this page only
  }
}

// What every signed-in staff page does first, in one place: `$`, the session (or the sign-in
// page when there is none), the CSRF token, the language, and the bar with the person's name,
// the language switch and "Sign out".
//
//   import { $, startStaffPage } from "./staff-page.js";
//   const session = await startStaffPage({ roles: ["judge"] });
//   if (!session) return; // on its way to the sign-in page
//
// The page's markup may hold <header class="bar"> with #who, #language and #sign-out; whatever
// is missing is added, so a page without a bar gets one.

import { api, ApiError, setCsrfToken } from "./api.js";
import { clearErrors, showError } from "./staff-errors.js";
import { languageSwitch, say, staffLanguage, startLanguage, translate } from "./staff-i18n.js";

export const $ = (id) => document.getElementById(id);

// The sign-in page's address that comes back here afterwards.
export function signInUrl(next = location.pathname + location.search) {
  // Slashes left as they are: "/sign-in?next=/judge" reads better and is as safe in a query.
  return `/sign-in?next=${encodeURIComponent(next).replace(/%2F/g, "/")}`;
}

// The session of the signed-in person, or null after sending the browser to sign in (no session)
// or showing why not (a role this page is not for). `pages`: extra catalogs (staff-i18n.js).
export async function startStaffPage({ roles = [], pages = [] } = {}) {
  let session;
  try {
    session = await api("GET", "/api/auth/session");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      location.assign(signInUrl());
      return null;
    }
    await startLanguage(staffLanguage(null), { pages });
    showError(error, { box: messageBox() });
    return null;
  }
  setCsrfToken(session.csrf_token);
  await startLanguage(staffLanguage(session.user), { pages });
  mountBar(session);
  if (roles.length && !roles.includes(session.user.role)) {
    say(messageBox(), "page.wrong_role", { role: { t: `role.${session.user.role}` } });
    messageBox().hidden = false;
    return null;
  }
  return session;
}

function messageBox() {
  let box = $("message");
  if (!box) {
    box = Object.assign(document.createElement("div"), { id: "message", className: "message error" });
    box.setAttribute("role", "alert");
    (document.querySelector("main") || document.body).prepend(box);
  }
  return box;
}

function element(tag, id, attributes = {}) {
  return Object.assign(document.createElement(tag), { id, ...attributes });
}

// The bar: who is signed in, the language, "Sign out". Existing elements are reused.
export function mountBar(session) {
  let bar = document.querySelector("header.bar");
  if (!bar) {
    bar = Object.assign(document.createElement("header"), { className: "bar" });
    bar.append(Object.assign(document.createElement("span"), { className: "brand", textContent: "vc-service" }));
    document.body.prepend(bar);
  }
  const who = $("who") || bar.appendChild(element("span", "who"));
  const user = session.user;
  say(who, "bar.who", { name: user.display_name, role: { t: `role.${user.role}` } });
  let select = $("language");
  if (!select) {
    select = element("select", "language", { className: "compact" });
    select.setAttribute("data-i18n-aria-label", "bar.language");
    bar.append(select);
  }
  languageSwitch(select, { save: saveLanguage });
  let button = $("sign-out");
  if (!button) {
    button = element("button", "sign-out", { type: "button", className: "secondary" });
    bar.append(button);
  }
  say(button, "bar.sign_out");
  button.addEventListener("click", () => signOut(button));
  translate(bar); // the elements just added need their texts too
}

// Ends the session on the server (recorded there as a sign_out auth event, like sign-ins), then
// goes to the sign-in page. An already ended session is as good as signed out; any other
// failure is shown next to the button.
export async function signOut(button = $("sign-out")) {
  if (button) clearErrors(button.parentElement);
  try {
    await api("POST", "/api/auth/sign-out", {});
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) {
      showError(error, { near: button });
      return false;
    }
  }
  location.assign("/sign-in");
  return true;
}

// Keeps the language with the person's account (it follows them to any browser); a failure is
// shown next to the switch, and the page stays in the language chosen.
async function saveLanguage(lang) {
  clearErrors($("language").parentElement);
  try {
    await api("PUT", "/api/auth/preferences", { language: lang });
  } catch (error) {
    showError(error, { near: $("language") });
  }
}

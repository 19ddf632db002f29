// Staff sign-in: password, then the authenticator's code (or its enrolment). Errors are
// sentences next to the field or button they are about (staff-errors.js).
import { api, ApiError, ensureCsrfCookie, setCsrfToken } from "./api.js";
import { clearErrors, showError } from "./staff-errors.js";
import { languageSwitch, say, staffLanguage, startLanguage } from "./staff-i18n.js";
import { $, signOut } from "./staff-page.js";

const passwordForm = $("password-form");
const codeForm = $("code-form");
// Both mean this ticket is gone (an enrolment is void once the account has enrolled).
const TICKET_GONE = ["auth.ticket_expired", "auth.enrolment_void"];
let ticket = null;

function clearAll() {
  clearErrors(document);
}

passwordForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearAll();
  try {
    await ensureCsrfCookie();
    const result = await api("POST", "/api/auth/sign-in", {
      username: passwordForm.username.value.trim(),
      password: passwordForm.password.value,
    });
    ticket = result.ticket;
    passwordForm.hidden = true;
    codeForm.hidden = false;
    // Hidden again for a `totp` ticket: a void enrolment's QR code must not linger.
    $("enrol").hidden = result.next !== "enrol";
    if (result.next === "enrol") {
      $("qr").src = result.qr_svg;
      $("secret").textContent = result.secret;
    }
    codeForm.code.focus();
  } catch (error) {
    showError(error, {
      fields: { username: $("username"), password: $("password") },
      near: $("continue"),
      scope: "sign_in",
    });
  }
});

codeForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearAll();
  try {
    await api("POST", "/api/auth/second-factor", { ticket, code: codeForm.code.value.trim() });
    const next = new URLSearchParams(location.search).get("next");
    location.assign(next && next.startsWith("/") && !next.startsWith("//") ? next : "/home");
  } catch (error) {
    codeForm.code.value = "";
    if (error instanceof ApiError && TICKET_GONE.includes(error.code)) {
      codeForm.hidden = true;
      passwordForm.hidden = false;
      showError(error, { near: $("continue") });
      $("password").focus();
      return;
    }
    // A wrong or used code is about the field, not the button.
    showError(error, { fields: { code: $("code") }, near: $("code"), scope: "sign_in" });
  }
});

// Someone already signed in is told so, with the way home and "Sign out" (to sign in as someone
// else on a shared computer). The form stays: signing in again replaces nothing but the cookie.
async function offerSignOut() {
  let session;
  try {
    session = await api("GET", "/api/auth/session");
  } catch {
    return; // not signed in (401) is the usual case here; anything else shows on submit
  }
  setCsrfToken(session.csrf_token);
  say($("signed-in-text"), "sign_in.already", { name: session.user.display_name });
  $("signed-in").hidden = false;
  $("sign-out").addEventListener("click", async () => {
    if (await signOut($("sign-out"))) $("signed-in").hidden = true;
  });
}

// After the handlers: a form sent before the texts arrive is still handled here.
await startLanguage(staffLanguage(null));
languageSwitch($("language"));
await offerSignOut();

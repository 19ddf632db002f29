import { api, ApiError, ensureCsrfCookie, showMessage } from "./api.js";

const message = document.getElementById("message");
const passwordForm = document.getElementById("password-form");
const codeForm = document.getElementById("code-form");
let ticket = null;

function explain(error) {
  if (!(error instanceof ApiError)) return "The service cannot be reached. Check your connection.";
  if (error.code === "auth.locked") {
    return `Too many failed attempts. Try again in ${error.details.retry_after_seconds} seconds.`;
  }
  if (error.code === "auth.ticket_expired") return "That took too long. Please sign in again.";
  return error.message;
}

passwordForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  showMessage(message, "");
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
    document.getElementById("enrol").hidden = result.next !== "enrol";
    if (result.next === "enrol") {
      document.getElementById("qr").src = result.qr_svg;
      document.getElementById("secret").textContent = result.secret;
    }
    codeForm.code.focus();
  } catch (error) {
    showMessage(message, explain(error));
  }
});

codeForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  showMessage(message, "");
  try {
    await api("POST", "/api/auth/second-factor", { ticket, code: codeForm.code.value.trim() });
    const next = new URLSearchParams(location.search).get("next");
    location.assign(next && next.startsWith("/") && !next.startsWith("//") ? next : "/home");
  } catch (error) {
    // Both mean this ticket is gone (an enrolment is void once the account has enrolled).
    const gone = ["auth.ticket_expired", "auth.enrolment_void"];
    if (error instanceof ApiError && gone.includes(error.code)) {
      codeForm.hidden = true;
      passwordForm.hidden = false;
    }
    codeForm.code.value = "";
    showMessage(message, explain(error));
  }
});

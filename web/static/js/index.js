// The landing page: signed-in staff go straight to their home page; others read it in their
// language and find the way to sign in.
import { $ } from "./staff-page.js";
import { languageSwitch, staffLanguage, startLanguage } from "./staff-i18n.js";

fetch("/api/auth/session", { credentials: "same-origin" }).then((response) => {
  if (response.ok) location.replace("/home");
});

await startLanguage(staffLanguage(null));
languageSwitch($("language"));

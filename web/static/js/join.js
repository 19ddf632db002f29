// The participant page: language, camera and microphone check, the notices the legal decision
// requires, the one-time code, then the waiting room. One state machine (join-state.js) drives
// what is shown; each step has its own module, wired together here. The invitation token is read
// from the link's fragment and is never logged or stored.
//
// The notices come before the code on purpose: the code buys a join credential that lasts only
// minutes once the judge has opened the waiting room, so it is entered last, right before the page
// connects to the room. Before that, the credential lasts until the hearing's end and the page
// waits and connects by itself; a reload while waiting skips the notices and the code.

import { loadLanguage, preferredLanguage } from "./i18n.js";
import { submitCode } from "./join-code.js";
import { initConsent } from "./join-consent.js";
import { startDevices } from "./join-devices.js";
import { fillLanguages } from "./join-language.js";
import { openInvitation, renderAll } from "./join-link.js";
import { enterLobby } from "./join-lobby.js";
import { submitNotices } from "./join-notices.js";
import { initReconnect } from "./join-reconnect.js";
import { initRoom } from "./join-room.js";
import { $, message, page, setState, State } from "./join-state.js";

async function main() {
  await loadLanguage(preferredLanguage());
  fillLanguages(renderAll);
  renderAll();
  $("devices-start").addEventListener("click", startDevices);
  $("devices-continue").addEventListener("click", () => {
    if (page.grant) enterLobby(page.grant);
    else setState(State.NOTICES);
  });
  $("camera").addEventListener("change", startDevices);
  $("microphone").addEventListener("change", startDevices);
  $("notices-form").addEventListener("submit", submitNotices);
  $("code-form").addEventListener("submit", (event) => submitCode(event, enterLobby));
  initConsent();
  initReconnect();
  initRoom();
  // Pasting another invitation link into the same tab changes only the fragment: start over.
  window.addEventListener("hashchange", () => location.reload());
  if (!page.invited) {
    $("no-token-note").hidden = false;
    setState(State.DEVICES);
    return;
  }
  await openInvitation();
}

main().catch((error) => message("error.generic", { code: error.name || "error" }));

// The participant page's one state machine: which step is shown (language and link problems,
// camera and microphone, notices, code, waiting room, end), and what the page's parts share. The
// invitation token is read from the link's fragment (`page.link`) and is never logged or stored.

import { say } from "./i18n.js";
import { linkFromLocation } from "./invitation.js";

export const State = Object.freeze({
  LOADING: "loading",
  LINK_ERROR: "link_error",
  DEVICES: "devices",
  NOTICES: "notices",
  CODE: "code",
  LOBBY: "lobby",
  ENDED: "ended",
});
const STEPS = new Set([State.DEVICES, State.NOTICES, State.CODE, State.LOBBY]);
export const $ = (id) => document.getElementById(id);

const link = linkFromLocation();
export const page = {
  state: State.LOADING,
  link,
  invited: Boolean(link.hearingId || link.token),
  invitation: null,
  room: null, // the RoomConnection, once the code bought a join credential
  grant: null, // that credential, until the room takes it (invitation.js keeps it for reloads)
  admitted: false,
  left: false, // she left the hearing herself
};
const listeners = [];

// `listener(state)` runs on every change of step, before focus moves to the new step.
export function onStateChange(listener) {
  listeners.push(listener);
}

export function setState(next) {
  if (next === page.state) return;
  console.info(`join: ${page.state} -> ${next}`);
  page.state = next;
  document.body.dataset.state = next;
  for (const section of document.querySelectorAll("section[data-state]")) {
    section.hidden = section.dataset.state !== next;
  }
  $("steps").hidden = !page.invited || !STEPS.has(next);
  for (const item of $("steps").children) {
    if (item.dataset.step === next) item.setAttribute("aria-current", "step");
    else item.removeAttribute("aria-current");
  }
  for (const listener of listeners) listener(next);
  // Move focus to the new step's heading so keyboard and screen-reader users follow along.
  const heading = document.querySelector(`section[data-state="${next}"] h2`);
  if (heading && next !== State.DEVICES) heading.focus();
}

export function message(key, values = {}, kind = "error") {
  const box = $("message");
  say(box, key, values);
  box.className = `message ${kind}`;
  box.hidden = !key;
}

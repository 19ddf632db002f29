// The waiting room and the hearing itself on the participant page: waiting for the judge to open
// the waiting room (the code is passed once; the page connects by itself), the room's connection,
// being admitted (then our camera and the others' video), one status line saying where the
// hearing is, the conditions this participant confirms by their own declaration, and why the
// room closed.

import { say } from "./i18n.js";
import { classify, fetchInvitation, forgetGrant, keepGrant } from "./invitation.js";
import { codeProblem } from "./join-code.js";
import { linkError } from "./join-link.js";
import { consentRefused, renderConsent } from "./join-consent.js";
import { check } from "./join-devices.js";
import { showReconnect } from "./join-reconnect.js";
import { plainNotice } from "./join-notices.js";
import {
  leaveMedia, mediaMessage, renderRoom, showMedia, startMedia, stopMedia,
} from "./join-room.js";
import { $, message, page, setState, State } from "./join-state.js";
import { RoomConnection } from "./room-connection.js";

// How often a waiting page asks whether the judge opened the waiting room.
export const POLL_SECONDS = 3;

let myRole = "";
let pollTimer = null;
let lastError = "";

// `grant`: the join credential the code bought (or this tab kept from before a reload).
export function enterLobby(grant) {
  page.grant = grant;
  keepGrant(grant);
  message("");
  setState(State.LOBBY);
  if (grant.lobby_open) connect();
  else waitForOpening();
}

// The judge has not opened the waiting room: say so, and ask the service now and then (with the
// link's token, as the page did to open the invitation) until it is open.
function waitForOpening() {
  page.room = null;
  page.admitted = false;
  renderRoom({ phase: "not_open" });
  clearTimeout(pollTimer);
  pollTimer = setTimeout(pollOpening, 0);
}

async function pollOpening() {
  pollTimer = null;
  let info;
  try {
    info = await fetchInvitation(page.link);
  } catch (error) {
    const problem = classify(error);
    if (["network", "other"].includes(problem.kind)) {
      pollTimer = setTimeout(pollOpening, POLL_SECONDS * 1000);
      return;
    }
    // Revoked, replaced, cancelled or over: the credential is void too.
    forgetGrant(page.link.hearingId);
    linkError(problem);
    return;
  }
  if (page.state !== State.LOBBY || page.room) return;
  if (info.invitation.lobby_open) connect();
  else pollTimer = setTimeout(pollOpening, POLL_SECONDS * 1000);
}

function connect() {
  renderRoom({ phase: "connecting" });
  lastError = "";
  startMedia();
  page.room = new RoomConnection({
    hearingId: page.grant.hearing_id,
    credential: page.grant.credential,
    onMessage: onRoomMessage,
    onStatus: onRoomStatus,
  });
  page.room.connect();
}

function onRoomStatus(status) {
  showReconnect(status);
  if (status.kind === "connecting" || status.kind === "reconnecting") {
    renderRoom({ phase: "connecting" });
  }
  if (status.kind !== "closed" || page.left) return;
  page.admitted = false;
  leaveMedia();
  if (lastError === "auth.not_open" && !status.resumed) {
    // Too early after all (the page and the service disagreed for a moment): the credential
    // was not used up, so wait on.
    waitForOpening();
    return;
  }
  if (status.reason === "refused" && status.resumed) {
    // The seat was given up while we were away: a fresh code from the court lets us back in.
    page.room = null;
    setState(State.CODE);
    codeProblem("lobby.resume_failed");
    return;
  }
  forgetGrant(page.link.hearingId);
  const key = {
    ended: "ended.text", denied: "lobby.denied", removed: "lobby.excluded",
    excluded: "lobby.excluded", replaced: "lobby.replaced", not_joinable: "lobby.not_joinable",
  }[status.reason] || "lobby.refused";
  say($("ended-title"), "ended.heading");
  say($("ended-text"), key);
  stopMedia();
  check.stop();
  setState(State.ENDED);
}

function onRoomMessage(msg) {
  if (msg.type === "welcome") {
    // The room took the credential: it cannot serve again, so this tab no longer keeps it.
    forgetGrant(page.link.hearingId);
    myRole = msg.role;
    startMedia(msg.ice_servers);
  } else if (msg.type === "error") {
    lastError = msg.code || "";
    if (lastError === "condition.bad_method") retryConfirmation(msg.details || {});
    else if (lastError.startsWith("consent.") || lastError === "perm.role") {
      consentRefused(msg.code);
    }
  } else if (msg.type === "room_state") {
    page.admitted = msg.seat === "admitted";
    renderConsent(msg);
    if (page.admitted) showMedia();
    else leaveMedia();
    renderConfirmations(page.admitted ? msg.conditions || [] : []);
    renderRoom({ phase: page.admitted ? "admitted" : "waiting", state: msg });
  } else {
    mediaMessage(msg);
  }
}

// Her own confirmation of a condition. The room decides how each condition may be met: if it
// names other ways than a declaration (her own click, for her consent), confirm in the first
// of them that asks for nothing more.
let confirming = null;

function confirmCondition(condition, method) {
  confirming = { condition, method };
  return page.room.send({ type: "condition", condition, method });
}

function retryConfirmation(details) {
  const pending = confirming;
  confirming = null;
  const methods = Array.isArray(details.methods) ? details.methods : [];
  const next = methods.find((method) => method !== (pending && pending.method));
  if (pending && next && page.room) confirmCondition(pending.condition, next);
}

// Conditions of the legal decision that this participant meets by their own declaration
// (for example a witness's consent to be heard by video), in plain language (the server sends
// participants nothing else).
let shownConditions = [];

// The page's language changed: the same conditions, in the new language.
export function rerenderConfirmations() {
  renderConfirmations(shownConditions);
}

function renderConfirmations(conditions) {
  shownConditions = conditions;
  const mine = conditions.filter((c) => c.stage === "during" && c.satisfied_by.includes(myRole));
  $("confirmations").hidden = mine.length === 0;
  const list = $("confirm-list");
  list.replaceChildren();
  for (const condition of mine) {
    const item = document.createElement("li");
    item.dataset.condition = condition.id;
    item.append(plainNotice(condition));
    if (condition.met) {
      const done = document.createElement("p");
      say(done, "room.confirmed");
      item.append(done);
    } else {
      const button = document.createElement("button");
      button.type = "button";
      say(button, "room.confirm");
      button.addEventListener("click", () => {
        button.disabled = confirmCondition(condition.id, "oral_declaration");
      });
      item.append(button);
    }
    list.append(item);
  }
}

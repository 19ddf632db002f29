// The waiting room and the hearing itself on the participant page: the room's connection, being
// admitted (then our camera and the others' video), the conditions this participant confirms by
// their own declaration, and why the room closed.

import { say } from "./i18n.js";
import { codeProblem } from "./join-code.js";
import { renderConsent } from "./join-consent.js";
import { check } from "./join-devices.js";
import { showReconnect } from "./join-reconnect.js";
import { plainNotice } from "./join-notices.js";
import { $, page, setState, State } from "./join-state.js";
import { RoomConnection } from "./room-connection.js";
import { PeerMesh, removeTile, videoTile } from "./webrtc.js";

let mesh = null;
let myRole = "";

export function enterLobby(grant) {
  setState(State.LOBBY);
  say($("lobby-status"), "lobby.connecting");
  mesh = new PeerMesh({
    send: (msg) => Boolean(page.room && page.room.send(msg)),
    onTile: (tile) => videoTile($("tiles"), tile),
    onGone: (peer) => removeTile($("tiles"), peer),
  });
  page.room = new RoomConnection({
    hearingId: grant.hearing_id,
    credential: grant.credential,
    onMessage: onRoomMessage,
    onStatus: onRoomStatus,
  });
  page.room.connect();
}

function onRoomStatus(status) {
  showReconnect(status);
  if (status.kind === "connecting" || status.kind === "reconnecting") {
    say($("lobby-status"), "lobby.connecting");
  }
  if (status.kind !== "closed") return;
  page.admitted = false;
  leaveMedia();
  if (status.reason === "refused" && status.resumed) {
    // The seat was given up while we were away: a fresh code from the court lets us back in.
    page.room = null;
    setState(State.CODE);
    codeProblem("lobby.resume_failed");
    return;
  }
  const key = {
    ended: "ended.text", denied: "lobby.denied", removed: "lobby.excluded",
    excluded: "lobby.excluded", replaced: "lobby.replaced", not_joinable: "lobby.not_joinable",
  }[status.reason] || "lobby.refused";
  say($("ended-text"), key);
  check.stop();
  setState(State.ENDED);
}

function onRoomMessage(msg) {
  if (msg.type === "welcome") {
    myRole = msg.role;
    mesh.setIceServers(msg.ice_servers);
  } else if (msg.type === "room_state") {
    page.admitted = msg.seat === "admitted";
    say($("lobby-status"), page.admitted ? "lobby.admitted" : "lobby.waiting");
    renderConsent();
    if (page.admitted) showMedia();
    else leaveMedia();
    renderConfirmations(page.admitted ? msg.conditions || [] : []);
    // The person heard must know while they are recorded, not only that it is lawful.
    $("recording-notice").hidden = !(page.admitted && msg.recording && msg.recording.active);
  } else if (msg.type === "peer_joined") {
    mesh.joined(msg);
  } else if (msg.type === "peer_left") {
    mesh.left(msg.peer);
  } else if (["offer", "answer", "ice"].includes(msg.type)) {
    mesh.received(msg);
  }
}

// --- the hearing itself: our camera and the others' video --------------------------------------

function showMedia() {
  if (!$("room-media").hidden) return;
  $("room-media").hidden = false;
  mesh.setLocalStream(check.stream);
  if (check.stream) {
    const tile = videoTile($("tiles"), { peer: "self", name: "", stream: check.stream, self: true });
    say(tile.querySelector("figcaption"), "room.you");
  }
}

function leaveMedia() {
  if (mesh) mesh.closeAll();
  removeTile($("tiles"), "self");
  $("room-media").hidden = true;
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
        button.disabled = page.room.send({
          type: "condition", condition: condition.id, method: "oral_declaration",
        });
      });
      item.append(button);
    }
    list.append(item);
  }
}

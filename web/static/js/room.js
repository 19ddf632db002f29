// The live hearing for staff (judge, authority, clerk) at /hearings/<id>/live: the account joins
// through POST /api/hearings/<id>/join, whose short-lived credential opens the room's WebSocket.
// What each button may do is decided by the server; the page shows only the controls the role
// has (docs/signaling.md, "Room states and permissions") and reports any refusal it gets.

import { api, ApiError, setCsrfToken, showMessage } from "./api.js";
import { renderConditions, renderPeople } from "./room-panels.js";
import { RoomConnection } from "./room-connection.js";
import { PeerMesh, removeTile, videoTile } from "./webrtc.js";

const $ = (id) => document.getElementById(id);
const hearingId = decodeURIComponent(location.pathname.split("/")[2] || "");
const reconnecting = new Set();
let me = { role: "", name: "", peer: "" };
let room = null;
let mesh = null;
let localStream = null;
let last = null; // the latest full room_state

let scheduled = { requested: false, rule: "unknown", lawful: false }; // the hearing's recording
const RULE_TEXT = {
  allowed: "Recording is lawful for this hearing.",
  mandatory: "Recording is mandatory for this hearing.",
  court_decides: "Recording is lawful if the court decides so.",
};
const CLOSED_TEXT = {
  ended: "The hearing has ended.",
  denied: "The judge did not admit you to this hearing.",
  removed: "The judge removed you from this hearing.",
  excluded: "The judge removed you from this hearing.",
  revoked: "Your access to this hearing was withdrawn.",
  replaced: "You joined this hearing from another window, so this one was closed.",
  not_joinable: "This hearing cannot be joined now.",
};
const LAWFUL = new Set(["allowed", "mandatory", "court_decides"]);

function problem(text) {
  showMessage($("message"), text, "error");
}

function send(message) {
  if (!room || !room.send(message)) {
    problem("Not connected to the room; the action was not sent.");
    return false;
  }
  return true;
}

function status(text) {
  $("room-status").textContent = text;
}

// --- the room's messages -----------------------------------------------------------------------

function onMessage(msg) {
  switch (msg.type) {
    case "welcome":
      me = { role: msg.role, name: msg.name, peer: msg.peer };
      mesh.setIceServers(msg.ice_servers);
      document.body.dataset.role = msg.role;
      status(msg.seat === "admitted" ? "In the hearing." : "Waiting to be admitted.");
      if (localStream) videoTile($("tiles"), { peer: "self", name: me.name, stream: localStream, self: true });
      break;
    case "lobby":
      renderLobby(msg.waiting);
      break;
    case "peer_joined":
      reconnecting.delete(msg.peer);
      mesh.joined(msg);
      break;
    case "peer_left":
      reconnecting.delete(msg.peer);
      mesh.left(msg.peer);
      break;
    case "peer_reconnecting":
      reconnecting.add(msg.peer);
      if (last) renderState(last);
      break;
    case "offer": case "answer": case "ice":
      mesh.received(msg);
      break;
    case "room_state":
      if (msg.participants) renderState(msg);
      else status("Waiting to be admitted.");
      break;
    case "error":
      problem(`${msg.message} (${msg.code})`);
      break;
    case "closed":
      status(`The hearing has ended: ${msg.message || msg.reason}.`);
      break;
    default:
      break;
  }
}

function onStatus(change) {
  const counting = change.kind === "reconnecting" && change.seconds > 0;
  $("reconnect").hidden = !counting;
  if (counting) $("reconnect-text").textContent = `Connection lost. Reconnecting in ${change.seconds} s.`;
  if (change.kind === "connecting" || change.kind === "reconnecting") status("Connecting…");
  if (change.kind === "closed") {
    mesh.closeAll();
    document.body.dataset.state = "closed";
    status(CLOSED_TEXT[change.reason] || `You left the room (${change.reason}).`);
    for (const button of document.querySelectorAll("main button")) button.disabled = true;
    if (change.reason === "ended") showWhatFollows();
  }
}

// After the end the service seals the record (minutes, final signed checkpoint): say where it is.
const RECORDS = ["/clerk", "Signed records and minutes",
  "Once it is sealed (a few seconds), its signed record and minutes are on the records page."];
const AFTER_END = {
  authority: ["/authority#sealed-heading", "Cosign the sealed record",
    "Once it is sealed (a few seconds), you can cosign its record with your own key."],
  judge: RECORDS,
  clerk: RECORDS,
};

function showWhatFollows() {
  const next = AFTER_END[me.role];
  if (!next) return;
  const [href, label, text] = next;
  const link = Object.assign(document.createElement("a"), { href, textContent: label });
  $("after-end").replaceChildren(`${text} `, link);
  $("after-end").hidden = false;
}

// --- rendering ---------------------------------------------------------------------------------

function renderLobby(waiting) {
  const list = $("lobby-list");
  list.replaceChildren();
  $("lobby-empty").hidden = waiting.length > 0;
  for (const person of waiting) {
    const item = document.createElement("li");
    item.dataset.peer = person.peer;
    const label = document.createElement("span");
    label.textContent = `${person.name} (${person.role})${person.connected ? "" : " · reconnecting"}`;
    const admit = button(`Admit ${person.name}`, "", () => send({ type: "admit", peer: person.peer }));
    const deny = button(`Deny ${person.name}`, "secondary", () => send({
      type: "deny", peer: person.peer, reason: "not admitted by the judge",
    }));
    const actions = document.createElement("div");
    actions.className = "actions";
    actions.append(admit, deny);
    item.append(label, actions);
    list.append(item);
  }
}

function button(text, kind, onClick) {
  const node = document.createElement("button");
  node.type = "button";
  node.textContent = text;
  if (kind) node.className = kind;
  node.addEventListener("click", onClick);
  return node;
}

function renderState(state) {
  last = state;
  document.body.dataset.state = state.state;
  status(`In the hearing · room ${state.state}.`);
  for (const person of state.participants) {
    if (person.peer !== me.peer) mesh.describe(person.peer, person.role, person.name);
  }
  renderTestimony(state);
  renderRecording(state.recording || { rule: "unknown", active: false });
  renderConditions($("condition-list"), state.conditions || [], me.role, send);
  const confirm = me.role === "judge"
    ? (peer) => send({ type: "confirm_authority", peer })
    : null;
  renderPeople(
    $("people-list"), state.participants.filter((p) => p.role !== "recorder"), reconnecting, confirm,
  );
}

function renderTestimony(state) {
  const judge = me.role === "judge";
  const authority = me.role === "authority";
  const t = state.testimony;
  const by = state.paused_by ? ` by ${state.paused_by}` : "";
  $("testimony-state").textContent = {
    idle: state.consent_withdrawn ? "Not running: consent was withdrawn." : "Not running.",
    running: "Testimony is running.",
    paused: `Testimony is paused${by}.`,
  }[t] || t;
  $("testimony-start").hidden = !(judge && t === "idle");
  $("testimony-pause").hidden = !(judge && t === "running");
  $("testimony-stop").hidden = !(judge && t !== "idle");
  $("testimony-resume").hidden = !((judge || authority) && t === "paused");
  $("principles-stop").hidden = !(authority && t === "running");
}

function renderRecording(recording) {
  // The room allows recording only when the law makes it lawful AND it was requested when the
  // hearing was scheduled; say which of the two stands in the way.
  const lawful = LAWFUL.has(recording.rule);
  let text = RULE_TEXT[recording.rule];
  if (!lawful && !scheduled.lawful) {
    text = `Recording is not lawful for this hearing: the legal decision does not allow it (rule: ${scheduled.rule}).`;
  } else if (!lawful) {
    text = "Recording is not possible: it was not requested when the hearing was scheduled.";
  }
  $("recording-state").textContent = `${recording.active ? "Recording is running. " : "Not recording. "}${text}`;
  const judge = me.role === "judge";
  $("recording-start").hidden = !judge || recording.active;
  $("recording-start").disabled = !lawful;
  $("recording-stop").hidden = !judge || !recording.active;
}

// --- start -------------------------------------------------------------------------------------

async function camera() {
  try {
    localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  } catch (error) {
    problem(`Your camera or microphone is not available (${error.name}); you can still see and hear the others.`);
  }
}

function wireControls() {
  const testimony = (action) => () => send({ type: "testimony", action });
  $("testimony-start").addEventListener("click", testimony("start"));
  $("testimony-pause").addEventListener("click", testimony("pause"));
  $("testimony-resume").addEventListener("click", testimony("resume"));
  $("testimony-stop").addEventListener("click", testimony("stop"));
  // The authority's pause is the fundamental-principles stop: the server audits it as such.
  $("principles-stop").addEventListener("click", testimony("pause"));
  $("recording-start").addEventListener("click", () => send({ type: "recording", action: "start" }));
  $("recording-stop").addEventListener("click", () => send({ type: "recording", action: "stop" }));
  $("end-open").addEventListener("click", () => $("end-dialog").showModal());
  $("end-dialog").addEventListener("close", () => {
    if ($("end-dialog").returnValue !== "end") return;
    send({ type: "end", reason: $("end-reason").value.trim() || "hearing concluded" });
  });
  $("reconnect-now").addEventListener("click", () => room && room.reconnectNow());
  window.addEventListener("offline", () => room && room.networkLost());
  window.addEventListener("online", () => room && room.reconnectNow());
}

async function main() {
  let session;
  try {
    session = await api("GET", "/api/auth/session");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      location.assign(`/sign-in?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    throw error;
  }
  setCsrfToken(session.csrf_token);
  const role = session.user.role;
  $("who").textContent = `${session.user.display_name} (${role})`;
  $("back").href = role === "judge" ? "/judge" : role === "authority" ? "/authority" : "/home";
  $("lobby").hidden = role !== "judge";
  $("end").hidden = role !== "judge";
  const hearing = await api("GET", `/api/hearings/${encodeURIComponent(hearingId)}`);
  $("title").textContent = `Live hearing ${hearing.case_reference}`;
  scheduled = hearing.recording || scheduled;
  document.title = `${hearing.case_reference} · live · vc-service`;
  wireControls();
  mesh = new PeerMesh({
    send: (message) => room && room.send(message),
    onTile: (tile) => videoTile($("tiles"), tile),
    onGone: (peer) => removeTile($("tiles"), peer),
  });
  await camera();
  mesh.setLocalStream(localStream);
  let grant;
  try {
    grant = await api("POST", `/api/hearings/${encodeURIComponent(hearingId)}/join`, {});
  } catch (error) {
    status("You cannot join this hearing.");
    problem(`${error.message} (${error.code})`);
    return;
  }
  room = new RoomConnection({ hearingId, credential: grant.credential, onMessage, onStatus });
  room.connect();
}

main().catch((error) => problem(`The page could not start: ${error.message}`));

// The live hearing for staff (judge, authority, clerk) at /hearings/<id>/live: the account joins
// through POST /api/hearings/<id>/join, whose short-lived credential opens the room's WebSocket.
// What each button may do is decided by the server; the page shows only the controls the role
// has (docs/signaling.md, "Room states and permissions") and reports any refusal it gets.
// Everything shown is rendered by `render()` from one state (`page`): what the room last said,
// this page's connection, and a refusal tied to the moment it was made.

import { api, ApiError, setCsrfToken, showMessage } from "./api.js";
import { renderConditions, renderPeople } from "./room-panels.js";
import { RoomConnection } from "./room-connection.js";
import { PeerMesh, removeTile, videoTile } from "./webrtc.js";

const $ = (id) => document.getElementById(id);
const hearingId = decodeURIComponent(location.pathname.split("/")[2] || "");
let room = null;
let mesh = null;
let localStream = null;

// The one state of this page; everything shown is rendered from it by `render()`.
const page = {
  me: { role: "", name: "", peer: "" },
  scheduled: { requested: false, rule: "unknown", lawful: false }, // the hearing's recording
  connection: "connecting", // connecting | connected | reconnecting | closed
  seconds: 0, // until the next reconnection attempt
  closed: null, // why this page is out of the room (a CLOSED_TEXT key), once closed
  seat: "", // lobby | admitted
  room: null, // the latest full room_state
  lobby: [],
  reconnecting: new Set(),
  // A refusal or problem, with the moment it belongs to: it goes once the room moves on
  // (a refused "start testimony" must not stand while testimony runs, nor after the end).
  problem: null,
};

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
const ROLE_NAMES = { authority: "the requested state's authority", judge: "the judge", clerk: "the clerk" };

// What the room is doing now, as far as a problem shown about it is concerned.
function moment() {
  const r = page.room;
  const met = r ? (r.conditions || []).filter((c) => c.met).length : 0;
  return [page.connection, page.closed, r && r.state, r && r.testimony, r && r.paused_by,
    r && r.recording && r.recording.active, met].join("|");
}

// `lasting`: a problem of this browser (no camera), not of the room's current moment.
function problem(text, lasting = false) {
  page.problem = { text, at: lasting ? null : moment() };
  render();
}

function send(message) {
  if (!room || !room.send(message)) {
    problem("Not connected to the room; the action was not sent.");
    return false;
  }
  return true;
}

// --- the room's messages -----------------------------------------------------------------------

function onMessage(msg) {
  switch (msg.type) {
    case "welcome":
      page.me = { role: msg.role, name: msg.name, peer: msg.peer };
      page.seat = msg.seat;
      mesh.setIceServers(msg.ice_servers);
      document.body.dataset.role = msg.role;
      if (localStream) videoTile($("tiles"), { peer: "self", name: page.me.name, stream: localStream, self: true });
      break;
    case "lobby":
      page.lobby = msg.waiting;
      break;
    case "peer_joined":
      page.reconnecting.delete(msg.peer);
      mesh.joined(msg);
      return;
    case "peer_left":
      page.reconnecting.delete(msg.peer);
      mesh.left(msg.peer);
      return;
    case "peer_reconnecting":
      page.reconnecting.add(msg.peer);
      break;
    case "offer": case "answer": case "ice":
      mesh.received(msg);
      return;
    case "room_state":
      page.seat = msg.seat;
      if (msg.participants) {
        page.room = msg;
        for (const person of msg.participants) {
          if (person.peer !== page.me.peer) mesh.describe(person.peer, person.role, person.name);
        }
      }
      break;
    case "error":
      problem(`${msg.message} (${msg.code})`);
      return;
    case "closed":
      page.closed = msg.reason in CLOSED_TEXT ? msg.reason : page.closed;
      break;
    default:
      return;
  }
  render();
}

function onStatus(change) {
  page.connection = change.kind;
  page.seconds = change.seconds || 0;
  if (change.kind === "closed") {
    mesh.closeAll();
    page.closed = change.reason;
  }
  render();
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

function renderWhatFollows() {
  const next = page.closed === "ended" ? AFTER_END[page.me.role] : null;
  $("after-end").hidden = !next;
  if (!next || $("after-end").childElementCount) return;
  const [href, label, text] = next;
  const link = Object.assign(document.createElement("a"), { href, textContent: label });
  $("after-end").replaceChildren(`${text} `, link);
}

// --- rendering ---------------------------------------------------------------------------------

function render() {
  const closed = page.connection === "closed";
  const r = closed ? null : page.room;
  document.body.dataset.state = closed ? "closed" : r ? r.state : "loading";
  if (page.problem && page.problem.at !== null && page.problem.at !== moment()) page.problem = null;
  showMessage($("message"), page.problem ? page.problem.text : "", "error");
  $("room-status").textContent = statusText();
  const counting = page.connection === "reconnecting" && page.seconds > 0;
  $("reconnect").hidden = !counting;
  if (counting) $("reconnect-text").textContent = `Connection lost. Reconnecting in ${page.seconds} s.`;
  renderWhatFollows();
  renderLobby(closed ? [] : page.lobby);
  renderTestimony(page.room, closed);
  renderRecording(page.room ? page.room.recording : { rule: "unknown", active: false }, closed);
  renderConditions($("condition-list"), page.room ? page.room.conditions || [] : [],
    page.me.role, send, !closed);
  renderAfter(r);
  const confirm = page.me.role === "judge" && !closed
    ? (peer) => send({ type: "confirm_authority", peer })
    : null;
  const people = page.room ? page.room.participants.filter((p) => p.role !== "recorder") : [];
  renderPeople($("people-list"), people, page.reconnecting, confirm,
    closed ? (page.closed === "ended" ? "Hearing ended" : "Not connected") : "");
  if (closed) for (const node of document.querySelectorAll("main button")) node.disabled = true;
}

function statusText() {
  if (page.connection === "closed") {
    return CLOSED_TEXT[page.closed] || `You left the room (${page.closed}).`;
  }
  if (page.connection !== "connected") return "Connecting…";
  if (page.seat !== "admitted") return "Waiting to be admitted.";
  return page.room ? `In the hearing · room ${page.room.state}.` : "In the hearing.";
}

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

// Am I an authority the judge has not confirmed yet? Then I may attend, not act as the authority.
function unconfirmed(state) {
  if (page.me.role !== "authority" || !state) return false;
  const mine = state.participants.find((p) => p.peer === page.me.peer);
  return Boolean(mine && mine.confirmed === false);
}

function renderTestimony(state, closed) {
  const judge = page.me.role === "judge";
  const authority = page.me.role === "authority" && !unconfirmed(state);
  const t = closed ? "ended" : state ? state.testimony : "";
  // An authority's stop the last room saw (a crash, a restart): only the authority resumes.
  const stopped = Boolean(state) && !closed && t === "idle" && state.paused_by === "authority";
  const by = state && state.paused_by ? ` by ${state.paused_by}` : "";
  let text = {
    ended: "The hearing has ended.",
    idle: state && state.consent_withdrawn ? "Not running: consent was withdrawn." : "Not running.",
    running: "Testimony is running.",
    paused: `Testimony is paused${by}.`,
  }[t] || "Not started.";
  if (stopped) text = "Stopped by the requested state's authority; only it can resume testimony.";
  if (unconfirmed(state) && !closed) {
    text += " The judge has not confirmed you as the authority yet: you cannot stop or resume it.";
  }
  $("testimony-state").textContent = text;
  $("testimony-start").hidden = !(judge && t === "idle" && !stopped);
  $("testimony-pause").hidden = !(judge && t === "running");
  $("testimony-stop").hidden = !(judge && (t === "running" || t === "paused"));
  $("testimony-resume").hidden = !(((judge || authority) && t === "paused") || (authority && stopped));
  $("principles-stop").hidden = !(authority && t === "running");
}

function renderRecording(recording, closed) {
  // The room allows recording only when the law makes it lawful AND it was requested when the
  // hearing was scheduled; say which of the two stands in the way.
  const lawful = LAWFUL.has(recording.rule);
  const scheduled = page.scheduled;
  let text = RULE_TEXT[recording.rule] || "";
  if (!lawful && !scheduled.lawful) {
    text = `Recording is not lawful for this hearing: the legal decision does not allow it (rule: ${scheduled.rule}).`;
  } else if (!lawful) {
    text = "Recording is not possible: it was not requested when the hearing was scheduled.";
  }
  const running = recording.active && !closed;
  $("recording-state").textContent = `${running ? "Recording is running. " : "Not recording. "}${text}`;
  const judge = page.me.role === "judge";
  $("recording-start").hidden = !judge || running || closed;
  $("recording-start").disabled = !lawful;
  $("recording-stop").hidden = !judge || !running;
}

// The `after` conditions still open: the role that meets them is asked on its page, and the
// judge's end dialog lists them (ending anyway leaves them open in the record).
function openAfter(state) {
  return state ? (state.conditions || []).filter((c) => c.stage === "after" && !c.met) : [];
}

function renderAfter(state) {
  const open = openAfter(state);
  const mine = open.filter((c) => c.satisfied_by.includes(page.me.role));
  $("after-ask").hidden = mine.length === 0;
  $("after-ask").textContent = mine.length
    ? `Before the judge ends the hearing, please confirm: ${mine.map((c) => c.id).join(", ")} (below).`
    : "";
  $("end-open-after").hidden = open.length === 0;
  $("end-open-after").textContent = open.length
    ? `Still open: ${open.map((c) => `${c.id} (met by ${c.satisfied_by.map((r) => ROLE_NAMES[r] || r).join(" or ")})`).join("; ")}. `
      + "Ask them to confirm it now; if you end the hearing, the record shows it was left open."
    : "";
}

// --- start -------------------------------------------------------------------------------------

async function camera() {
  try {
    localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  } catch (error) {
    problem(`Your camera or microphone is not available (${error.name}); you can still see and hear the others.`, true);
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
  page.scheduled = hearing.recording || page.scheduled;
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
    page.connection = "closed";
    page.closed = "not_joinable";
    problem(`${error.message} (${error.code})`);
    return;
  }
  render();
  room = new RoomConnection({ hearingId, credential: grant.credential, onMessage, onStatus });
  room.connect();
}

main().catch((error) => problem(`The page could not start: ${error.message}`, true));

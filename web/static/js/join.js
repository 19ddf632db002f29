// The participant page: language, camera and microphone check, the notices the legal decision
// requires, the one-time code, then the waiting room. One state machine drives what is shown.
// The invitation token is read from the link's fragment and is never logged or stored.
//
// The notices come before the code on purpose: the code buys a join credential that lasts only
// minutes, so it is entered last, right before the page connects to the room.

import { DeviceCheck } from "./devices.js";
import { LANGUAGES, language, loadLanguage, preferredLanguage, say, translate } from "./i18n.js";
import { classify, fetchInvitation, joinWithCode, linkFromLocation, plausibleLink } from "./invitation.js";
import { noticeKind, sortNotices } from "./notices.js";
import { RoomConnection } from "./room-connection.js";
import { PeerMesh, removeTile, videoTile } from "./webrtc.js";

const State = Object.freeze({
  LOADING: "loading",
  LINK_ERROR: "link_error",
  DEVICES: "devices",
  NOTICES: "notices",
  CODE: "code",
  LOBBY: "lobby",
  ENDED: "ended",
});
const STEPS = new Set([State.DEVICES, State.NOTICES, State.CODE, State.LOBBY]);
const $ = (id) => document.getElementById(id);

let state = State.LOADING;
const link = linkFromLocation();
const invited = Boolean(link.hearingId || link.token);
let invitation = null;
let room = null;
let admitted = false;
let mesh = null;
let myRole = "";
const check = new DeviceCheck({ video: $("preview"), onLevel: showLevel });

function setState(next) {
  if (next === state) return;
  console.info(`join: ${state} -> ${next}`);
  state = next;
  document.body.dataset.state = next;
  for (const section of document.querySelectorAll("section[data-state]")) {
    section.hidden = section.dataset.state !== next;
  }
  $("steps").hidden = !invited || !STEPS.has(next);
  for (const item of $("steps").children) {
    if (item.dataset.step === next) item.setAttribute("aria-current", "step");
    else item.removeAttribute("aria-current");
  }
  renderConsent();
  // Move focus to the new step's heading so keyboard and screen-reader users follow along.
  const heading = document.querySelector(`section[data-state="${next}"] h2`);
  if (heading && next !== State.DEVICES) heading.focus();
}

function message(key, values = {}, kind = "error") {
  const box = $("message");
  say(box, key, values);
  box.className = `message ${kind}`;
  box.hidden = !key;
}

// --- language ---------------------------------------------------------------------------------

function fillLanguages() {
  const select = $("language");
  select.replaceChildren();
  for (const [code, name] of Object.entries(LANGUAGES)) {
    const option = new Option(name, code, false, code === language());
    option.lang = code;
    select.append(option);
  }
  select.addEventListener("change", async () => {
    await loadLanguage(select.value, { remember: true });
    renderAll();
  });
}

function renderAll() {
  translate();
  $("language").value = language();
  document.title = `${$("title").textContent} · vc-service`;
  renderHearing();
}

// --- invitation -------------------------------------------------------------------------------

const LINK_PROBLEMS = new Set([
  "expired", "early", "revoked", "locked", "unavailable", "network", "invalid",
]);

function linkError(problem) {
  const known = LINK_PROBLEMS.has(problem.kind) ? problem.kind : "other";
  say($("link-title"), `link.title.${known}`);
  say($("link-text"), `link.text.${known}`, {
    code: problem.code || problem.kind, time: formatTime(problem.from),
  });
  message("");
  check.stop();
  $("hearing").hidden = true;
  setState(State.LINK_ERROR);
}

function personZone() {
  const person = (invitation && invitation.participant) || {};
  return person.time_zone || Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function formatTime(iso) {
  if (!iso) return "";
  const options = { dateStyle: "full", timeStyle: "short" };
  try {
    return new Intl.DateTimeFormat(language(), { ...options, timeZone: personZone() })
      .format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(language(), options).format(new Date(iso));
  }
}

function renderHearing() {
  if (!invitation) return;
  const hearing = invitation.hearing;
  say($("hearing-case"), "hearing.case", {
    reference: hearing.case_reference, court: hearing.court,
  });
  say($("hearing-when"), "hearing.when", { time: formatTime(hearing.starts_at), zone: personZone() });
  say($("hearing-role"), "hearing.role", { role: { t: `role.${invitation.participant.role}` } });
  $("hearing").hidden = state === State.LINK_ERROR;
}

async function openInvitation() {
  if (!plausibleLink(link)) {
    linkError({ kind: "invalid" });
    return;
  }
  try {
    invitation = await fetchInvitation(link);
  } catch (error) {
    linkError(classify(error));
    return;
  }
  if (invitation.invitation.locked) {
    linkError({ kind: "locked" });
    return;
  }
  const wanted = invitation.participant.language;
  if (wanted && preferredLanguage(wanted) !== language()) {
    await loadLanguage(preferredLanguage(wanted));
  }
  renderNotices();
  setState(State.DEVICES);
  renderAll();
  if (!invitation.invitation.open_now) {
    message("link.opens_at", { time: formatTime(invitation.invitation.valid_from) }, "warn");
  }
}

// --- devices ----------------------------------------------------------------------------------

function showLevel(level, heard) {
  $("level").value = level;
  if (heard && check.videoWorks()) say($("device-status"), "devices.all_good");
  else if (heard) say($("device-status"), "devices.heard");
  else if (check.videoWorks()) say($("device-status"), "devices.speak");
}

async function fillDeviceChoices() {
  const { cameras, microphones } = await check.devices();
  for (const [select, list, kind] of [
    [$("camera"), cameras, "video"], [$("microphone"), microphones, "audio"],
  ]) {
    select.replaceChildren();
    list.forEach((device, index) => {
      const label = device.label || `${kind} ${index + 1}`;
      const chosen = device.deviceId === check.current(kind);
      select.append(new Option(label, device.deviceId, false, chosen));
    });
    select.disabled = list.length < 2;
  }
}

async function startDevices() {
  if (state === State.DEVICES) message("");
  const start = $("devices-start");
  start.disabled = true;
  try {
    await check.start({ cameraId: $("camera").value, microphoneId: $("microphone").value });
    await fillDeviceChoices();
    say($("device-status"), "devices.speak");
    start.hidden = true;
    $("devices-continue").hidden = !invited;
    // The button just pressed is gone: keep keyboard focus in the step.
    $(invited ? "devices-continue" : "devices-title").focus();
  } catch (error) {
    message(`devices.${error.kind || "failed"}`, { name: error.cause || "" });
    say($("device-status"), "devices.not_working");
    say(start, "devices.retry");
    start.hidden = false;
  } finally {
    start.disabled = false;
  }
}

// --- notices ----------------------------------------------------------------------------------

function renderNotices() {
  const list = $("notice-list");
  list.replaceChildren();
  let previous = null;
  for (const notice of sortNotices(invitation.notices || [])) {
    const article = document.createElement("article");
    article.className = "notice";
    // Notices of one kind share one heading.
    const kind = noticeKind(notice.id);
    if (kind !== previous) {
      const title = document.createElement("h3");
      say(title, `notices.kind.${kind}`);
      article.append(title);
      previous = kind;
    }
    const text = document.createElement("p");
    text.textContent = notice.text || "";
    article.append(text);
    if (notice.citation) {
      const law = document.createElement("p");
      law.className = "citation";
      say(law, "notices.law", { citation: notice.citation });
      article.append(law);
    }
    list.append(article);
  }
  $("notices-none").hidden = list.children.length > 0;
}

function submitNotices(event) {
  event.preventDefault();
  if (!$("notices-ack").checked) {
    say($("notices-error"), "notices.ack_needed");
    $("notices-ack").setAttribute("aria-invalid", "true");
    $("notices-ack").focus();
    return;
  }
  $("notices-ack").removeAttribute("aria-invalid");
  say($("notices-error"), "");
  setState(State.CODE);
}

// --- code -------------------------------------------------------------------------------------

function codeProblem(key, values = {}) {
  const input = $("code");
  say($("code-error"), key, values);
  if (key) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

async function submitCode(event) {
  event.preventDefault();
  const input = $("code");
  const code = input.value.trim();
  message("");
  if (!/^[0-9]{6}$/.test(code)) {
    codeProblem("code.format");
    input.focus();
    return;
  }
  let grant;
  try {
    grant = await joinWithCode(link, code);
  } catch (error) {
    input.value = "";
    const problem = classify(error);
    if (["expired", "revoked", "invalid", "unavailable", "early"].includes(problem.kind)) {
      linkError(problem);
      return;
    }
    if (problem.kind === "locked") {
      codeProblem("code.locked");
      for (const element of $("code-form").elements) element.disabled = true;
      return;
    }
    const keys = {
      wrong_code: problem.attemptsLeft === undefined ? "code.wrong_plain" : "code.wrong",
      wait: "code.wait", used: "code.used", network: "error.network",
    };
    codeProblem(keys[problem.kind] || "error.generic", {
      count: problem.attemptsLeft, seconds: problem.seconds, code: problem.code,
    });
    input.focus();
    return;
  }
  input.value = "";
  codeProblem("");
  enterLobby(grant);
}

// --- consent (the accused may withdraw it at any time) ----------------------------------------

function renderConsent() {
  const person = invitation && invitation.participant;
  const shown = Boolean(person && person.role === "accused")
    && [State.NOTICES, State.CODE, State.LOBBY].includes(state);
  $("consent").hidden = !shown;
  if (!shown || $("consent-withdraw").dataset.done) return;
  say($("consent-text"), admitted ? "consent.given" : "consent.before_admission");
  $("consent-withdraw").disabled = !admitted;
}

function askWithdrawal() {
  const dialog = $("consent-dialog");
  dialog.returnValue = "";
  dialog.showModal();
}

function onDialogClosed() {
  if ($("consent-dialog").returnValue !== "withdraw") {
    $("consent-withdraw").focus();
    return;
  }
  if (room && room.send({ type: "consent_withdrawn" })) {
    $("consent-withdraw").dataset.done = "yes";
    $("consent-withdraw").disabled = true;
    say($("consent-text"), "consent.withdrawn");
  } else {
    say($("consent-text"), "consent.withdraw_offline");
  }
}

// --- waiting room -----------------------------------------------------------------------------

function enterLobby(grant) {
  setState(State.LOBBY);
  say($("lobby-status"), "lobby.connecting");
  mesh = new PeerMesh({
    send: (msg) => Boolean(room && room.send(msg)),
    onTile: (tile) => videoTile($("tiles"), tile),
    onGone: (peer) => removeTile($("tiles"), peer),
  });
  room = new RoomConnection({
    hearingId: grant.hearing_id,
    credential: grant.credential,
    onMessage: onRoomMessage,
    onStatus: onRoomStatus,
  });
  room.connect();
}

function onRoomStatus(status) {
  const counting = status.kind === "reconnecting" && status.seconds > 0;
  $("reconnect").hidden = !counting;
  if (counting) say($("reconnect-text"), "lobby.lost", { seconds: status.seconds });
  if (status.kind === "connecting" || status.kind === "reconnecting") {
    say($("lobby-status"), "lobby.connecting");
  }
  if (status.kind !== "closed") return;
  admitted = false;
  leaveMedia();
  if (status.reason === "refused" && status.resumed) {
    // The seat was given up while we were away: a fresh code from the court lets us back in.
    room = null;
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
    admitted = msg.seat === "admitted";
    say($("lobby-status"), admitted ? "lobby.admitted" : "lobby.waiting");
    renderConsent();
    if (admitted) showMedia();
    else leaveMedia();
    renderConfirmations(admitted ? msg.conditions || [] : []);
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
// (for example a witness's consent to be heard by video).
function renderConfirmations(conditions) {
  const mine = conditions.filter((c) => c.stage === "during" && c.satisfied_by.includes(myRole));
  $("confirmations").hidden = mine.length === 0;
  const list = $("confirm-list");
  list.replaceChildren();
  for (const condition of mine) {
    const item = document.createElement("li");
    item.dataset.condition = condition.id;
    const text = document.createElement("p");
    text.textContent = condition.text;
    item.append(text);
    if (condition.met) {
      const done = document.createElement("p");
      say(done, "room.confirmed");
      item.append(done);
    } else {
      const button = document.createElement("button");
      button.type = "button";
      say(button, "room.confirm");
      button.addEventListener("click", () => {
        button.disabled = room.send({
          type: "condition", condition: condition.id, method: "oral_declaration",
        });
      });
      item.append(button);
    }
    list.append(item);
  }
}

// --- start ------------------------------------------------------------------------------------

async function main() {
  await loadLanguage(preferredLanguage());
  fillLanguages();
  renderAll();
  $("devices-start").addEventListener("click", startDevices);
  $("devices-continue").addEventListener("click", () => setState(State.NOTICES));
  $("camera").addEventListener("change", startDevices);
  $("microphone").addEventListener("change", startDevices);
  $("notices-form").addEventListener("submit", submitNotices);
  $("code-form").addEventListener("submit", submitCode);
  $("consent-withdraw").addEventListener("click", askWithdrawal);
  $("consent-dialog").addEventListener("close", onDialogClosed);
  $("reconnect-now").addEventListener("click", () => room && room.reconnectNow());
  window.addEventListener("offline", () => room && room.networkLost());
  window.addEventListener("online", () => room && room.reconnectNow());
  // Pasting another invitation link into the same tab changes only the fragment: start over.
  window.addEventListener("hashchange", () => location.reload());
  if (!invited) {
    $("no-token-note").hidden = false;
    setState(State.DEVICES);
    return;
  }
  await openInvitation();
}

main().catch((error) => message("error.generic", { code: error.name || "error" }));

// The participant page: language, camera and microphone check, one-time code, the notices the
// legal decision requires, then the waiting room. One state machine drives what is shown.
// The invitation token is read from the link and never logged or stored.

import { DeviceCheck } from "./devices.js";
import {
  LANGUAGES, language, loadLanguage, preferredLanguage, say, translate,
} from "./i18n.js";
import {
  classify, fetchInvitation, joinWithCode, plausibleToken, tokenFromLocation,
} from "./invitation.js";
import { RoomConnection } from "./room-connection.js";

const State = Object.freeze({
  LOADING: "loading",
  LINK_ERROR: "link_error",
  DEVICES: "devices",
  CODE: "code",
  NOTICES: "notices",
  LOBBY: "lobby",
  ENDED: "ended",
});
const STEP_OF = { devices: "devices", code: "code", notices: "notices", lobby: "lobby" };
const $ = (id) => document.getElementById(id);

let state = State.LOADING;
const token = tokenFromLocation();
let invitation = null;
let joined = null; // the join API's answer: credential and hearing id
let room = null;
const check = new DeviceCheck({ video: $("preview"), onLevel: showLevel });

function setState(next) {
  if (next === state) return;
  console.info(`join: ${state} -> ${next}`);
  state = next;
  for (const section of document.querySelectorAll("section[data-state]")) {
    section.hidden = section.dataset.state !== next;
  }
  const step = STEP_OF[next];
  $("steps").hidden = !token || !step;
  for (const item of $("steps").children) {
    if (item.dataset.step === step) item.setAttribute("aria-current", "step");
    else item.removeAttribute("aria-current");
  }
  // Move focus to the new step's heading so keyboard and screen-reader users follow along.
  const heading = document.querySelector(`section[data-state="${next}"] h2`);
  if (heading && next !== State.DEVICES) heading.focus();
}

function message(key, values, kind = "error") {
  const box = $("message");
  if (!key) {
    box.hidden = true;
    box.removeAttribute("data-i18n");
    box.textContent = "";
    return;
  }
  say(box, key, values);
  box.className = `message ${kind}`;
  box.hidden = false;
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
  renderNotices();
}

// --- invitation -------------------------------------------------------------------------------

const LINK_PROBLEMS = new Set([
  "expired", "early", "revoked", "locked", "unavailable", "network", "invalid",
]);

function linkError(kind, values = {}) {
  const known = LINK_PROBLEMS.has(kind) ? kind : "other";
  say($("link-title"), `link.title.${known}`);
  say($("link-text"), `link.text.${known}`, { code: kind, ...values });
  check.stop();
  $("hearing").hidden = true;
  $("consent").hidden = true;
  setState(State.LINK_ERROR);
}

function formatTime(iso, zone) {
  if (!iso) return "";
  const options = { dateStyle: "full", timeStyle: "short" };
  try {
    return new Intl.DateTimeFormat(language(), { ...options, timeZone: zone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(language(), options).format(new Date(iso));
  }
}

function renderHearing() {
  if (!invitation) return;
  const hearing = invitation.hearing || {};
  const person = invitation.participant || {};
  const zone = person.time_zone || Intl.DateTimeFormat().resolvedOptions().timeZone;
  say($("hearing-case"), "hearing.case", {
    reference: hearing.case_reference || "", court: hearing.court || "",
  });
  say($("hearing-when"), "hearing.when", { time: formatTime(hearing.starts_at, zone), zone });
  say($("hearing-role"), "hearing.role", { role: { t: `role.${person.role}` } });
  $("hearing").hidden = false;
  const consent = $("consent");
  consent.hidden = !(person.role === "accused" && state !== State.LOADING);
  say($("consent-text"), "consent.given");
}

async function openInvitation() {
  if (!plausibleToken(token)) {
    linkError("invalid");
    return;
  }
  try {
    invitation = await fetchInvitation(token);
  } catch (error) {
    const problem = classify(error);
    linkError(problem.kind, { time: formatTime(problem.from) });
    return;
  }
  const person = invitation.participant || {};
  if (person.language && preferredLanguage(person.language) !== language()) {
    await loadLanguage(preferredLanguage(person.language));
  }
  setState(State.DEVICES);
  renderAll();
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
      select.append(new Option(label, device.deviceId, false, device.deviceId === check.current(kind)));
    });
    select.disabled = list.length < 2;
  }
}

async function startDevices() {
  message(null);
  const start = $("devices-start");
  start.disabled = true;
  try {
    await check.start({ cameraId: $("camera").value, microphoneId: $("microphone").value });
    await fillDeviceChoices();
    say($("device-status"), "devices.speak");
    start.hidden = true;
    $("devices-continue").hidden = !token;
    if (token) $("devices-continue").focus();
  } catch (error) {
    const kind = error.kind || "failed";
    message(`devices.${kind}`, { name: error.cause || "" });
    say($("device-status"), "devices.not_working");
    say(start, "devices.retry");
    start.hidden = false;
  } finally {
    start.disabled = false;
  }
}

// --- code -------------------------------------------------------------------------------------

async function submitCode(event) {
  event.preventDefault();
  const input = $("code");
  const code = input.value.trim();
  message(null);
  if (!/^[0-9]{6}$/.test(code)) {
    say($("code-error"), "code.format");
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return;
  }
  try {
    joined = await joinWithCode(token, code);
  } catch (error) {
    input.value = "";
    const problem = classify(error);
    if (["expired", "revoked", "invalid", "unavailable", "early"].includes(problem.kind)) {
      linkError(problem.kind, { time: formatTime(problem.from) });
      return;
    }
    input.setAttribute("aria-invalid", "true");
    if (problem.kind === "wrong_code" && problem.attemptsLeft !== undefined) {
      say($("code-error"), "code.wrong", { count: problem.attemptsLeft });
    } else if (problem.kind === "wrong_code") {
      say($("code-error"), "code.wrong_plain");
    } else if (problem.kind === "locked") {
      say($("code-error"), "code.locked");
      for (const element of $("code-form").elements) element.disabled = true;
      return;
    } else {
      say($("code-error"), problem.kind === "used" ? "code.used" : "error.network");
    }
    input.focus();
    return;
  }
  input.removeAttribute("aria-invalid");
  say($("code-error"), "");
  const notices = noticesOf();
  if (notices.length) {
    renderNotices();
    setState(State.NOTICES);
  } else {
    enterLobby();
  }
}

// --- notices ----------------------------------------------------------------------------------

function noticesOf() {
  return (joined && joined.notices) || (invitation && invitation.notices) || [];
}

function renderNotices() {
  const list = $("notice-list");
  list.replaceChildren();
  for (const notice of noticesOf()) {
    const article = document.createElement("article");
    article.className = "notice";
    const title = document.createElement("h3");
    if (notice.kind) say(title, `notices.kind.${notice.kind}`);
    else title.textContent = notice.title || "";
    const text = document.createElement("p");
    text.textContent = notice.text || "";
    article.append(title, text);
    if (notice.citation) {
      const law = document.createElement("p");
      law.className = "citation";
      say(law, "notices.law", { citation: notice.citation });
      article.append(law);
    }
    list.append(article);
  }
}

function submitNotices(event) {
  event.preventDefault();
  if (!$("notices-ack").checked) {
    say($("notices-error"), "notices.ack_needed");
    $("notices-ack").focus();
    return;
  }
  say($("notices-error"), "");
  enterLobby();
}

// --- consent ----------------------------------------------------------------------------------

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
  const sent = room && room.send({ type: "consent_withdrawn" });
  say($("consent-text"), sent ? "consent.withdrawn" : "consent.withdraw_offline");
  $("consent-withdraw").disabled = Boolean(sent);
}

// --- waiting room -----------------------------------------------------------------------------

function enterLobby() {
  setState(State.LOBBY);
  renderHearing();
  room = new RoomConnection({
    hearingId: joined.hearing_id || (invitation.hearing || {}).id,
    credential: joined.credential,
    onMessage: onRoomMessage,
    onStatus: onRoomStatus,
  });
  room.connect();
}

function onRoomStatus(status) {
  const banner = $("reconnect");
  banner.hidden = status.kind !== "reconnecting" || !status.seconds;
  if (status.kind === "reconnecting" && status.seconds) {
    say($("reconnect-text"), "lobby.lost", { seconds: status.seconds });
  }
  if (status.kind === "connecting" || (status.kind === "reconnecting" && !status.seconds)) {
    say($("lobby-status"), "lobby.connecting");
  }
  if (status.kind === "closed") {
    const key = {
      ended: "ended.text", excluded: "lobby.excluded", replaced: "lobby.replaced",
      not_joinable: "lobby.not_joinable", denied: "lobby.denied", removed: "lobby.excluded",
    }[status.reason] || "lobby.refused";
    say($("ended-text"), key);
    check.stop();
    setState(State.ENDED);
  }
}

function onRoomMessage(msg) {
  if (msg.type === "room_state" && msg.seat === "lobby") say($("lobby-status"), "lobby.waiting");
  if (msg.type === "room_state" && msg.seat === "admitted") say($("lobby-status"), "lobby.admitted");
}

// --- start ------------------------------------------------------------------------------------

async function main() {
  await loadLanguage(preferredLanguage());
  fillLanguages();
  renderAll();
  $("devices-start").addEventListener("click", startDevices);
  $("devices-continue").addEventListener("click", () => setState(State.CODE));
  $("camera").addEventListener("change", startDevices);
  $("microphone").addEventListener("change", startDevices);
  $("code-form").addEventListener("submit", submitCode);
  $("notices-form").addEventListener("submit", submitNotices);
  $("consent-withdraw").addEventListener("click", askWithdrawal);
  $("consent-dialog").addEventListener("close", onDialogClosed);
  $("reconnect-now").addEventListener("click", () => room && room.reconnectNow());
  window.addEventListener("offline", () => room && room.networkLost());
  window.addEventListener("online", () => room && room.reconnectNow());
  // Pasting another invitation link into the same tab changes only the fragment: start over.
  window.addEventListener("hashchange", () => location.reload());
  if (!token) {
    $("no-token-note").hidden = false;
    setState(State.DEVICES);
    return;
  }
  await openInvitation();
}

main().catch((error) => {
  message("error.generic", { code: error.name || "error" });
});

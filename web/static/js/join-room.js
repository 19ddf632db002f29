// The participant's room once she is in it: one status line saying where the hearing is (not
// started, connecting, waiting to be let in, admitted, testimony running or paused, recording),
// her own microphone, camera and a way to leave, and the video laid out so that the judge and
// whoever is speaking are large and her own picture small.

import { say } from "./i18n.js";
import { check } from "./join-devices.js";
import { forgetGrant } from "./invitation.js";
import { $, page, setState, State } from "./join-state.js";
import { PeerMesh, removeTile, videoTile } from "./webrtc.js";

// A voice louder than this (RMS of the samples, 0..1) counts as speaking, for this long after.
const SPEAKING_LEVEL = 0.02;
const SPEAKING_HOLD_MS = 1500;
const LEVEL_EVERY_MS = 250;

let mesh = null;
const meters = new Map(); // peer -> {analyser, samples, source, heardAt}
let audio = null;
let levelTimer = null;
let speaking = null;

// --- the status line ------------------------------------------------------------------------

// `phase`: not_open | connecting | waiting | admitted; `state`: the room's last room_state.
export function renderRoom({ phase, state = {} }) {
  const testimony = phase === "admitted" ? state.testimony || "idle" : "";
  const recording = Boolean(phase === "admitted" && state.recording && state.recording.active);
  const key = {
    not_open: "lobby.not_open", connecting: "lobby.connecting", waiting: "lobby.waiting",
    admitted: { running: "lobby.testimony", paused: "lobby.paused" }[testimony] || "lobby.admitted",
  }[phase];
  say($("lobby-status"), key);
  const section = $("step-lobby");
  section.dataset.room = testimony && testimony !== "idle" ? testimony : phase;
  section.dataset.recording = String(recording);
  // Inside the hearing (also while reconnecting to it) this is no longer a step of joining: the
  // wizard's list goes away.
  const inside = phase === "admitted" || page.admitted;
  if (inside) say($("lobby-title"), "room.heading");
  else say($("lobby-title"), "lobby.heading");
  $("steps").hidden = inside || page.state !== State.LOBBY;
  // The person heard must know while they are recorded, not only that it is lawful.
  $("recording-notice").hidden = !recording;
  $("room-controls").hidden = !(inside || phase === "waiting");
  describePeople(phase === "admitted" ? state.participants || [] : []);
}

// --- our own camera and microphone, and leaving -------------------------------------------------

function setTracks(kind, on) {
  const stream = check.stream;
  if (!stream) return;
  const tracks = kind === "audio" ? stream.getAudioTracks() : stream.getVideoTracks();
  // A disabled track sends silence or black: the others see that she muted, no renegotiation.
  for (const track of tracks) track.enabled = on;
}

function toggle(button, kind) {
  const off = button.getAttribute("aria-pressed") !== "true";
  button.setAttribute("aria-pressed", String(off));
  setTracks(kind, !off);
  const self = $("tiles").querySelector('figure[data-peer="self"]');
  if (self && kind === "video") self.dataset.cameraOff = String(off);
  const status = $("controls-status");
  if (kind === "audio" && off) say(status, "room.audio_off");
  else if (kind === "audio") say(status, "room.audio_on");
  else if (off) say(status, "room.video_off");
  else say(status, "room.video_on");
}

function askLeave() {
  const dialog = $("leave-dialog");
  dialog.returnValue = "";
  dialog.showModal();
}

function onLeaveClosed() {
  if ($("leave-dialog").returnValue !== "leave") {
    $("leave").focus();
    return;
  }
  page.left = true;
  forgetGrant(page.link.hearingId);
  if (page.room) page.room.leave();
  page.room = null;
  page.admitted = false;
  stopMedia();
  check.stop();
  say($("ended-title"), "ended.left_heading");
  say($("ended-text"), "ended.left");
  setState(State.ENDED);
}

export function initRoom() {
  $("toggle-microphone").addEventListener("click", (e) => toggle(e.currentTarget, "audio"));
  $("toggle-camera").addEventListener("click", (e) => toggle(e.currentTarget, "video"));
  $("leave").addEventListener("click", askLeave);
  $("leave-dialog").addEventListener("close", onLeaveClosed);
}

// --- the others' video, and who is large ------------------------------------------------------

export function startMedia(iceServers) {
  if (!mesh) {
    mesh = new PeerMesh({
      send: (msg) => Boolean(page.room && page.room.send(msg)),
      onTile: (tile) => {
        videoTile($("tiles"), tile);
        listen(tile.peer, tile.stream);
        arrange();
      },
      onGone: (peer) => {
        removeTile($("tiles"), peer);
        forget(peer);
        arrange();
      },
    });
  }
  if (iceServers) mesh.setIceServers(iceServers);
}

export function mediaMessage(msg) {
  if (!mesh) return;
  if (msg.type === "peer_joined") mesh.joined(msg);
  else if (msg.type === "peer_left") mesh.left(msg.peer);
  else if (["offer", "answer", "ice"].includes(msg.type)) mesh.received(msg);
}

export function showMedia() {
  if (!$("room-media").hidden) return;
  $("room-media").hidden = false;
  mesh.setLocalStream(check.stream);
  if (check.stream) {
    const tile = videoTile($("tiles"), { peer: "self", name: "", stream: check.stream, self: true });
    say(tile.querySelector("figcaption"), "room.you");
  }
  arrange();
}

export function leaveMedia() {
  if (mesh) mesh.closeAll();
  removeTile($("tiles"), "self");
  $("room-media").hidden = true;
}

export function stopMedia() {
  leaveMedia();
  clearInterval(levelTimer);
  levelTimer = null;
  for (const peer of [...meters.keys()]) forget(peer);
  if (audio) audio.close().catch(() => {});
  audio = null;
}

function describePeople(people) {
  if (!mesh) return;
  for (const person of people) {
    if (person.peer) mesh.describe(person.peer, person.role, person.name);
  }
}

// The judge is always large; so is whoever spoke last (for a moment after they stop).
function arrange() {
  for (const figure of $("tiles").querySelectorAll("figure.tile")) {
    const large = figure.dataset.role === "judge" || figure.dataset.peer === speaking;
    figure.classList.toggle("large", large);
    figure.dataset.speaking = String(figure.dataset.peer === speaking);
  }
}

function listen(peer, stream) {
  if (meters.has(peer) || !stream || stream.getAudioTracks().length === 0) return;
  try {
    audio = audio || new AudioContext();
    if (audio.state === "suspended") audio.resume().catch(() => {});
    const source = audio.createMediaStreamSource(stream);
    const analyser = audio.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    meters.set(peer, { analyser, source, samples: new Float32Array(analyser.fftSize), heardAt: 0 });
  } catch {
    return; // without Web Audio, only the judge is large
  }
  if (levelTimer === null) levelTimer = setInterval(measure, LEVEL_EVERY_MS);
}

function forget(peer) {
  const meter = meters.get(peer);
  if (meter) meter.source.disconnect();
  meters.delete(peer);
  if (speaking === peer) speaking = null;
}

function measure() {
  const now = performance.now();
  let loudest = null;
  let loudestLevel = SPEAKING_LEVEL;
  for (const [peer, meter] of meters) {
    meter.analyser.getFloatTimeDomainData(meter.samples);
    let sum = 0;
    for (const sample of meter.samples) sum += sample * sample;
    const level = Math.sqrt(sum / meter.samples.length);
    if (level > SPEAKING_LEVEL) meter.heardAt = now;
    if (level > loudestLevel) {
      loudest = peer;
      loudestLevel = level;
    }
  }
  const current = speaking && meters.get(speaking);
  const holding = current && now - current.heardAt < SPEAKING_HOLD_MS;
  const next = holding ? speaking : loudest;
  if (next !== speaking) {
    speaking = next;
    arrange();
  }
}

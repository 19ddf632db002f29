// Camera and microphone check: a live preview and a microphone level from a Web Audio
// AnalyserNode. The stream is kept for the hearing so the browser asks only once.

const METER_INTERVAL_MS = 100;
// Quieter than this (dBFS) counts as silence; a voice at arm's length is around -30 dBFS.
const FLOOR_DB = -60;
const HEARD_LEVEL = 10; // on the 0..100 scale of the meter

export class DeviceError extends Error {
  // kind: denied | missing | busy | unsupported | failed
  constructor(kind, name) {
    super(`${kind} (${name})`);
    this.kind = kind;
    this.name = "DeviceError";
    this.cause = name;
  }
}

function kindOf(error) {
  switch (error && error.name) {
    case "NotAllowedError":
    case "SecurityError":
      return "denied";
    case "NotFoundError":
    case "OverconstrainedError":
      return "missing";
    case "NotReadableError":
    case "AbortError":
      return "busy";
    default:
      return "failed";
  }
}

export class DeviceCheck {
  constructor({ video, onLevel }) {
    this.video = video;
    this.onLevel = onLevel;
    this.stream = null;
    this.audio = null;
    this.timer = null;
    this.peak = 0;
  }

  get heard() {
    return this.peak >= HEARD_LEVEL;
  }

  async start({ cameraId, microphoneId } = {}) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new DeviceError("unsupported", "no mediaDevices");
    }
    this.stop();
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: cameraId ? { deviceId: { exact: cameraId } } : true,
        audio: microphoneId ? { deviceId: { exact: microphoneId } } : true,
      });
    } catch (error) {
      throw new DeviceError(kindOf(error), error && error.name);
    }
    this.stream = stream;
    this.video.srcObject = stream;
    this.video.muted = true; // never play our own microphone back to us
    await this.video.play().catch(() => {}); // autoplay of a muted preview is always allowed
    await this.startMeter(stream);
    return stream;
  }

  async startMeter(stream) {
    const context = new AudioContext();
    // Created during a click, so the context may run; resume covers browsers that start it
    // suspended anyway.
    await context.resume().catch(() => {});
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    this.audio = context;
    this.peak = 0;
    this.timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const sample of samples) sum += sample * sample;
      const rms = Math.sqrt(sum / samples.length);
      const db = rms > 0 ? 20 * Math.log10(rms) : FLOOR_DB;
      const level = Math.round(Math.max(0, Math.min(1, (db - FLOOR_DB) / -FLOOR_DB)) * 100);
      this.peak = Math.max(this.peak, level);
      this.onLevel(level, this.heard);
    }, METER_INTERVAL_MS);
  }

  async devices() {
    const all = await navigator.mediaDevices.enumerateDevices();
    return {
      cameras: all.filter((d) => d.kind === "videoinput"),
      microphones: all.filter((d) => d.kind === "audioinput"),
    };
  }

  current(kind) {
    const track = this.stream && this.stream.getTracks().find((tr) => tr.kind === kind);
    return track ? track.getSettings().deviceId : "";
  }

  videoWorks() {
    return this.video.videoWidth > 0 && this.video.readyState >= 2;
  }

  stopMeter() {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.audio) this.audio.close().catch(() => {});
    this.audio = null;
  }

  stop() {
    this.stopMeter();
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }
}

// The participant's WebSocket to the hearing's room (signaling protocol v1, docs/signaling.md):
// hello with the join credential, then resume tokens after a drop, with a visible countdown.
// Credentials live in memory only and are never logged.

const PROTOCOL_VERSION = 1;
// Seconds to wait before each reconnection attempt; the last value repeats.
export const RECONNECT_DELAYS = [2, 3, 5, 8, 10];

// Close codes after which trying again cannot help (see signaling/errors.py).
const FINAL_CLOSE = new Map([
  [1000, "ended"],
  [4001, "refused"],
  [4002, "refused"],
  [4003, "excluded"],
  [4004, "not_joinable"],
  [4009, "replaced"],
]);

export class RoomConnection {
  // onMessage(message), onStatus({kind, seconds?, reason?}) with kind one of
  // connecting | connected | reconnecting | closed
  constructor({ hearingId, credential, onMessage, onStatus }) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.url = `${scheme}//${location.host}/ws/hearings/${encodeURIComponent(hearingId)}`;
    this.credential = credential;
    this.resume = null;
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    this.socket = null;
    this.attempt = 0;
    this.countdown = null;
    this.finished = false;
    this.finalReason = null;
    this.dropped = false; // we closed the socket ourselves because the network went away
  }

  connect() {
    this.cancelCountdown();
    if (this.finished) return;
    this.onStatus({ kind: this.attempt === 0 ? "connecting" : "reconnecting", seconds: 0 });
    const socket = new WebSocket(this.url);
    this.socket = socket;
    this.dropped = false;
    socket.addEventListener("open", () => {
      const hello = { type: "hello", v: PROTOCOL_VERSION };
      if (this.resume) hello.resume = this.resume;
      else hello.session = this.credential;
      socket.send(JSON.stringify(hello));
    });
    socket.addEventListener("message", (event) => this.received(event.data));
    socket.addEventListener("close", (event) => this.closed(socket, event));
  }

  send(message) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  received(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (message.type === "welcome") {
      this.resume = message.resume;
      this.attempt = 0;
      this.onStatus({ kind: "connected" });
    } else if (message.type === "closed") {
      this.finalReason = message.reason;
    }
    this.onMessage(message);
  }

  closed(socket, event) {
    if (socket !== this.socket) return; // an older socket we already replaced
    this.socket = null;
    // The code of a close we started ourselves says nothing about the server's view.
    const final = this.finalReason || (this.dropped ? null : FINAL_CLOSE.get(event.code));
    if (final || this.finished) {
      this.finished = true;
      this.onStatus({
        kind: "closed", reason: final || "left", code: event.code, resumed: Boolean(this.resume),
      });
      return;
    }
    const delay = RECONNECT_DELAYS[Math.min(this.attempt, RECONNECT_DELAYS.length - 1)];
    this.attempt += 1;
    this.startCountdown(delay);
  }

  startCountdown(seconds) {
    let left = seconds;
    this.onStatus({ kind: "reconnecting", seconds: left });
    this.countdown = setInterval(() => {
      left -= 1;
      if (left <= 0) {
        this.connect();
      } else {
        this.onStatus({ kind: "reconnecting", seconds: left });
      }
    }, 1000);
  }

  cancelCountdown() {
    if (this.countdown !== null) clearInterval(this.countdown);
    this.countdown = null;
  }

  reconnectNow() {
    if (this.socket || this.finished) return;
    this.connect();
  }

  // The browser says the network is gone: drop the socket now rather than wait for a timeout.
  networkLost() {
    if (this.socket && !this.finished) {
      const socket = this.socket;
      this.dropped = true;
      socket.close(4000, "offline");
      // Without a network the close handshake may never finish (Chromium waits for it while
      // a peer connection is open): count down now; the late close event is then ignored.
      this.closed(socket, { code: 4000 });
    }
  }

  leave() {
    this.finished = true;
    this.cancelCountdown();
    if (this.socket) this.socket.close(1000, "left");
  }
}

// Media between participants: one RTCPeerConnection per admitted peer, negotiated over the room's
// WebSocket (docs/signaling.md). The side told `initiate: true` offers; the other answers. Every
// step of one connection runs in order on its own promise chain, so an ICE candidate never races
// the description it belongs to.
//
// The server-side recorder is a peer like any other for negotiation (we offer to it), but it sends
// no media worth showing, so it never gets a tile.

const HIDDEN_ROLES = new Set(["recorder"]);

export class PeerMesh {
  // send(message) -> bool; onTile({peer, role, name, stream}); onGone(peer);
  // onState(peer, connectionState)
  constructor({ send, onTile, onGone, onState }) {
    this.send = send;
    this.onTile = onTile;
    this.onGone = onGone;
    this.onState = onState || (() => {});
    this.iceServers = [];
    this.local = null;
    this.peers = new Map(); // peer id -> {pc, chain, role, name}
  }

  setIceServers(servers) {
    this.iceServers = Array.isArray(servers) ? servers : [];
  }

  setLocalStream(stream) {
    this.local = stream;
  }

  // A peer arrived (or came back): drop any old connection; offer if we are told to.
  joined({ peer, role, name, initiate }) {
    this.close(peer);
    const entry = this.open(peer, role, name);
    if (initiate) this.step(entry, () => this.offer(peer, entry));
  }

  left(peer) {
    this.close(peer);
    this.onGone(peer);
  }

  received(message) {
    const from = message.from;
    if (message.type === "offer") {
      // An offer from a peer we did not hear about yet (e.g. it was present before us).
      let entry = this.peers.get(from);
      if (!entry || entry.pc.signalingState !== "stable") {
        this.close(from);
        entry = this.open(from, entry ? entry.role : "", entry ? entry.name : "");
      }
      this.step(entry, async () => {
        await entry.pc.setRemoteDescription({ type: "offer", sdp: message.sdp });
        await entry.pc.setLocalDescription(await entry.pc.createAnswer());
        this.send({ type: "answer", to: from, sdp: entry.pc.localDescription.sdp });
      });
    } else if (message.type === "answer") {
      const entry = this.peers.get(from);
      if (entry) {
        this.step(entry, () => entry.pc.setRemoteDescription({ type: "answer", sdp: message.sdp }));
      }
    } else if (message.type === "ice") {
      const entry = this.peers.get(from);
      if (entry && message.candidate) {
        this.step(entry, () => entry.pc.addIceCandidate({
          candidate: message.candidate, sdpMid: message.sdpMid,
          sdpMLineIndex: message.sdpMLineIndex,
        }));
      }
    }
  }

  // Names and roles come with room_state; a peer that offered before we knew it gets them here.
  describe(peer, role, name) {
    const entry = this.peers.get(peer);
    if (!entry || (entry.role === role && entry.name === name)) return;
    entry.role = role;
    entry.name = name;
    if (entry.stream && !HIDDEN_ROLES.has(role)) this.onTile({ peer, role, name, stream: entry.stream });
    else if (HIDDEN_ROLES.has(role)) this.onGone(peer);
  }

  open(peer, role, name) {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    const entry = { pc, chain: Promise.resolve(), role, name, stream: null };
    this.peers.set(peer, entry);
    if (this.local) {
      for (const track of this.local.getTracks()) pc.addTrack(track, this.local);
    } else {
      // Without our own camera we still want to see and hear the others.
      pc.addTransceiver("audio", { direction: "recvonly" });
      pc.addTransceiver("video", { direction: "recvonly" });
    }
    pc.addEventListener("icecandidate", (event) => {
      if (!event.candidate || !event.candidate.candidate) return;
      this.send({
        type: "ice", to: peer, candidate: event.candidate.candidate,
        sdpMid: event.candidate.sdpMid ?? "0", sdpMLineIndex: event.candidate.sdpMLineIndex ?? 0,
      });
    });
    pc.addEventListener("track", (event) => {
      entry.stream = event.streams[0] || entry.stream || new MediaStream();
      if (!event.streams[0]) entry.stream.addTrack(event.track);
      if (!HIDDEN_ROLES.has(entry.role)) {
        this.onTile({ peer, role: entry.role, name: entry.name, stream: entry.stream });
      }
    });
    pc.addEventListener("connectionstatechange", () => this.onState(peer, pc.connectionState));
    return entry;
  }

  async offer(peer, entry) {
    await entry.pc.setLocalDescription(await entry.pc.createOffer());
    this.send({ type: "offer", to: peer, sdp: entry.pc.localDescription.sdp });
  }

  step(entry, work) {
    entry.chain = entry.chain.then(work).catch((error) => {
      console.warn(`webrtc: ${error.name}: ${error.message}`);
    });
  }

  close(peer) {
    const entry = this.peers.get(peer);
    if (!entry) return;
    entry.pc.close();
    this.peers.delete(peer);
  }

  closeAll() {
    for (const peer of [...this.peers.keys()]) this.left(peer);
  }
}

// A video tile: a labelled <figure> with the stream playing (muted only for our own preview).
export function videoTile(container, { peer, name, role, stream, self = false, label = "" }) {
  let figure = container.querySelector(`figure[data-peer="${CSS.escape(peer)}"]`);
  if (!figure) {
    figure = document.createElement("figure");
    figure.className = "tile";
    figure.dataset.peer = peer;
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    video.muted = self;
    const caption = document.createElement("figcaption");
    figure.append(video, caption);
    container.append(figure);
  }
  figure.dataset.role = role || "";
  const video = figure.querySelector("video");
  const text = label || (self ? `${name} (you)` : `${name || "participant"}${role ? `, ${role}` : ""}`);
  figure.querySelector("figcaption").textContent = text;
  video.setAttribute("aria-label", text);
  if (video.srcObject !== stream) {
    video.srcObject = stream;
    video.play().catch(() => {});
  }
  return figure;
}

export function removeTile(container, peer) {
  const figure = container.querySelector(`figure[data-peer="${CSS.escape(peer)}"]`);
  if (figure) figure.remove();
}

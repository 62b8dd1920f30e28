// Media transport: one RTCPeerConnection per remote member (a full mesh), negotiated with the
// "perfect negotiation" pattern. Everything WebRTC lives here so a server-side SFU can replace
// this module later behind the same small interface:
//
//   const mesh = new PeerMesh({selfId, iceServers, localStream, send(to, signal)})
//   mesh.connectTo(pid)       we offer (we are the newcomer)
//   mesh.handleSignal(msg)    {from, description?, candidate?} from the server
//   mesh.drop(pid) / mesh.keepOnly(pids) / mesh.close()
//   mesh.restart(pid)         ICE restart after a network change
//   mesh.setAudioOnly(bool)   stop sending and receiving video
//   events: "stream" {pid, stream}, "peerstate" {pid, state}, "quality" {pid, level, rtt, loss}, "closed" {pid}

import { grade, inboundTotals, roundTripTime } from "./link_quality.js";

const STATS_INTERVAL_MS = 2000;

function fingerprintOf(sdp) {
  const match = /^a=fingerprint:(.+)$/m.exec(sdp || "");
  return match ? match[1].trim() : null;
}

class Peer {
  constructor(mesh, pid, { offerer }) {
    this.mesh = mesh;
    this.pid = pid;
    this.polite = mesh.selfId < pid; // the smaller participant id yields on glare
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.remoteFingerprint = null;
    this.stream = new MediaStream();
    this._queue = Promise.resolve();
    this._lastStats = null;
    this._disconnectTimer = null;
    this._videoDirections = new Map(); // transceiver → direction to restore after audio-only
    this.pc = new RTCPeerConnection({ iceServers: mesh.iceServers, bundlePolicy: "max-bundle" });
    this._wire();
    for (const track of mesh.localStream.getTracks()) this.pc.addTrack(track, mesh.localStream);
    if (offerer) {
      // Receive what we cannot send: with no camera we still want to see the others.
      const kinds = new Set(mesh.localStream.getTracks().map((t) => t.kind));
      for (const kind of ["audio", "video"]) {
        if (!kinds.has(kind)) this.pc.addTransceiver(kind, { direction: "recvonly" });
      }
    }
    if (mesh.audioOnly) this.applyAudioOnly(true);
  }

  _wire() {
    const pc = this.pc;
    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        this.mesh.send(this.pid, { description: pc.localDescription.toJSON() });
      } catch (error) {
        console.warn("steadyline: offer failed", error);
      } finally {
        this.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && candidate.candidate) this.mesh.send(this.pid, { candidate: candidate.toJSON() });
    };
    pc.ontrack = ({ track }) => {
      for (const old of this.stream.getTracks().filter((t) => t.kind === track.kind && t !== track)) {
        this.stream.removeTrack(old);
      }
      if (!this.stream.getTracks().includes(track)) this.stream.addTrack(track);
      this.mesh._emit("stream", { pid: this.pid, stream: this.stream });
    };
    pc.onconnectionstatechange = () => this._onState();
  }

  _onState() {
    const state = this.pc.connectionState;
    this.mesh._emit("peerstate", { pid: this.pid, state });
    clearTimeout(this._disconnectTimer);
    if (state === "failed") {
      this.restart();
    } else if (state === "disconnected") {
      // give the network a few seconds to come back by itself before restarting ICE
      this._disconnectTimer = setTimeout(() => {
        if (this.pc.connectionState === "disconnected") this.restart();
      }, 4000);
    }
  }

  restart() {
    if (this.pc.signalingState === "closed") return;
    try { this.pc.restartIce(); } catch (error) { console.warn("steadyline: ICE restart failed", error); }
  }

  // Signals are applied one at a time, in order, per peer.
  enqueue(message) {
    this._queue = this._queue.then(() => this._apply(message)).catch((error) => {
      console.warn("steadyline: signal failed", error);
    });
    return this._queue;
  }

  async _apply({ description, candidate }) {
    const pc = this.pc;
    if (description) {
      const offerCollision = description.type === "offer" && (this.makingOffer || pc.signalingState !== "stable");
      this.ignoreOffer = !this.polite && offerCollision;
      if (this.ignoreOffer) return;
      await pc.setRemoteDescription(description);
      const fingerprint = fingerprintOf(description.sdp);
      if (fingerprint) this.remoteFingerprint = fingerprint;
      if (description.type === "offer") {
        await pc.setLocalDescription();
        this.mesh.send(this.pid, { description: pc.localDescription.toJSON() });
      }
    } else if (candidate) {
      try {
        await pc.addIceCandidate(candidate);
      } catch (error) {
        if (!this.ignoreOffer) throw error;
      }
    }
  }

  applyAudioOnly(on) {
    for (const transceiver of this.pc.getTransceivers()) {
      const kind = (transceiver.sender.track && transceiver.sender.track.kind) || transceiver.receiver.track.kind;
      if (kind !== "video" || transceiver.stopped) continue;
      if (on) {
        if (!this._videoDirections.has(transceiver)) this._videoDirections.set(transceiver, transceiver.direction);
        transceiver.direction = "inactive";
      } else if (this._videoDirections.has(transceiver)) {
        transceiver.direction = this._videoDirections.get(transceiver);
        this._videoDirections.delete(transceiver);
      }
    }
  }

  async stats() {
    if (this.pc.connectionState !== "connected") {
      return { level: this.pc.connectionState === "failed" ? "lost" : "connecting", rtt: null, loss: null };
    }
    const report = await this.pc.getStats();
    const now = inboundTotals(report);
    const quality = grade(roundTripTime(report), this._lastStats, now);
    this._lastStats = now;
    return quality;
  }

  close() {
    clearTimeout(this._disconnectTimer);
    this.pc.onnegotiationneeded = this.pc.onicecandidate = this.pc.ontrack = this.pc.onconnectionstatechange = null;
    this.pc.close();
  }
}

export class PeerMesh extends EventTarget {
  constructor({ selfId, iceServers = [], localStream, send }) {
    super();
    this.selfId = selfId;
    this.iceServers = iceServers;
    this.localStream = localStream || new MediaStream();
    this.audioOnly = false;
    this._send = send;
    this._peers = new Map();
    this._statsTimer = setInterval(() => this._collectStats(), STATS_INTERVAL_MS);
  }

  _emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  send(to, signal) {
    this._send(to, signal);
  }

  get peerIds() {
    return [...this._peers.keys()];
  }

  has(pid) {
    return this._peers.has(pid);
  }

  state(pid) {
    const peer = this._peers.get(pid);
    return peer ? peer.pc.connectionState : null;
  }

  connectTo(pid) {
    if (pid === this.selfId) return;
    const existing = this._peers.get(pid);
    if (existing && ["connected", "connecting", "new"].includes(existing.pc.connectionState)) return;
    this.drop(pid);
    this._peers.set(pid, new Peer(this, pid, { offerer: true }));
  }

  restart(pid) {
    const peer = this._peers.get(pid);
    if (peer) peer.restart();
  }

  handleSignal({ from, description, candidate }) {
    if (!from || from === this.selfId) return;
    let peer = this._peers.get(from);
    if (peer && description && description.type === "offer" && peer.remoteFingerprint &&
        fingerprintOf(description.sdp) !== peer.remoteFingerprint) {
      // A new certificate: the other side started afresh (page reload, new device). Start over too.
      this.drop(from);
      peer = null;
    }
    if (!peer) {
      if (!description || description.type !== "offer") return; // stale answer or candidate
      peer = new Peer(this, from, { offerer: false });
      this._peers.set(from, peer);
    }
    peer.enqueue({ description, candidate });
  }

  drop(pid) {
    const peer = this._peers.get(pid);
    if (!peer) return;
    this._peers.delete(pid);
    peer.close();
    this._emit("closed", { pid });
  }

  keepOnly(pids) {
    const keep = new Set(pids);
    for (const pid of this.peerIds) if (!keep.has(pid)) this.drop(pid);
  }

  setAudioOnly(on) {
    this.audioOnly = on;
    for (const peer of this._peers.values()) peer.applyAudioOnly(on);
  }

  // another camera or microphone: every peer sends the new track in place of the old (no renegotiation)
  async replaceTrack(old, fresh) {
    const senders = [...this._peers.values()].flatMap((peer) => peer.pc.getSenders());
    await Promise.all(senders.filter((sender) => sender.track === old).map((sender) => sender.replaceTrack(fresh)));
  }

  async _collectStats() {
    for (const peer of this._peers.values()) {
      try {
        const quality = await peer.stats();
        this._emit("quality", { pid: peer.pid, ...quality });
      } catch {
        // a peer closed while we were reading its stats
      }
    }
  }

  close() {
    clearInterval(this._statsTimer);
    for (const pid of this.peerIds) this.drop(pid);
  }
}

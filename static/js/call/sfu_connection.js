// Media transport for group sessions: ONE RTCPeerConnection with the server's SFU
// (docs/protocol.md, "Group sessions through the server's SFU"). Same small interface as PeerMesh,
// so the room and the call view do not care which one they hold:
//
//   const sfu = new SfuConnection({selfId, iceServers, localStream, channel})
//   sfu.start()               publish our tracks: we offer, the server answers (ack)
//   sfu.handleOffer({sdp})    the server's `media_offer` event (someone joined or left)
//   sfu.reset()               `media_reset`, or our connection failed: start a new peer connection
//   sfu.drop(pid) / sfu.keepOnly(pids) / sfu.close()
//   sfu.state(pid)            the connection state, for a member whose media we receive
//   sfu.setAudioOnly(bool)    stop sending video
//   events: "stream" {pid, stream}, "peerstate" {pid, state}, "quality" {pid, level, rtt, loss}, "closed" {pid}
//
// Every received track's stream id (msid) is its publisher's participant id.

import { grade, inboundTotals, roundTripTime } from "./link_quality.js";

const STATS_INTERVAL_MS = 2000;
const DISCONNECTED_GRACE_MS = 4000;

function fingerprintOf(sdp) {
  const match = /^a=fingerprint:(.+)$/m.exec(sdp || "");
  return match ? match[1].trim() : null;
}

export class SfuConnection extends EventTarget {
  constructor({ selfId, iceServers = [], localStream, channel }) {
    super();
    this.selfId = selfId;
    this.iceServers = iceServers;
    this.localStream = localStream || new MediaStream();
    this.audioOnly = false;
    this._channel = channel;
    this._streams = new Map(); // publisher pid → MediaStream we hand out
    this._midOwner = new Map(); // mid → publisher pid
    this._queue = Promise.resolve();
    this._pc = null;
    this._generation = 0;
    this._closed = false;
    this._lastStats = new Map();
    this._statsTimer = setInterval(() => this._collectStats(), STATS_INTERVAL_MS);
  }

  _emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  get peerIds() {
    return [...this._streams.keys()];
  }

  has(pid) {
    return this._streams.has(pid);
  }

  get connectionState() {
    return this._pc ? this._pc.connectionState : "closed";
  }

  state(pid) {
    return this._streams.has(pid) ? this.connectionState : null;
  }

  // ---- the peer connection -------------------------------------------------------------
  start() {
    if (this._closed || this._pc) return;
    this._newPeerConnection();
  }

  reset() {
    if (this._closed) return;
    this._closePeerConnection();
    for (const pid of this.peerIds) this.drop(pid);
    this._newPeerConnection();
  }

  _newPeerConnection() {
    const generation = ++this._generation;
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, bundlePolicy: "max-bundle" });
    this._pc = pc;
    this._remoteFingerprint = null;
    this._pendingCandidates = [];
    this._answered = false; // candidates go out once the server has our offer
    this._reofferAfterAnswer = false;
    const tracks = this.localStream.getTracks();
    this._videoSenders = [];
    for (const track of tracks) {
      const transceiver = pc.addTransceiver(track, { direction: "sendonly", streams: [this.localStream] });
      if (track.kind === "video") this._videoSenders.push(transceiver.sender);
    }
    if (!tracks.length) pc.addTransceiver("audio", { direction: "recvonly" }); // an offer needs an m-line
    if (this.audioOnly) this._applyAudioOnly(true);
    pc.onicecandidate = ({ candidate }) => {
      const payload = { candidate: candidate && candidate.candidate ? candidate.toJSON() : null };
      if (this._answered) this._channel.send("media_candidate", payload);
      else this._pendingCandidates.push(payload);
    };
    pc.ontrack = (event) => this._onTrack(event);
    pc.onconnectionstatechange = () => this._onState(pc, generation);
    this._enqueue(() => this._offer(pc));
  }

  _closePeerConnection() {
    clearTimeout(this._disconnectTimer);
    const pc = this._pc;
    this._pc = null;
    if (!pc) return;
    pc.onicecandidate = pc.ontrack = pc.onconnectionstatechange = null;
    pc.close();
  }

  // Descriptions are applied one at a time, in order.
  _enqueue(operation) {
    this._queue = this._queue.then(operation).catch((error) => {
      console.warn("steadyline: media negotiation failed", error);
    });
    return this._queue;
  }

  async _offer(pc) {
    if (pc !== this._pc) return;
    await pc.setLocalDescription();
    let ack;
    try {
      ack = await this._channel.request("media_offer", { sdp: pc.localDescription.sdp });
    } catch (error) {
      if (pc !== this._pc) return;
      if (error.code === "negotiation_collision") {
        // The server's offer is on its way: roll back, answer it, then offer again.
        await pc.setLocalDescription({ type: "rollback" });
        this._reofferAfterAnswer = true;
        return;
      }
      throw error;
    }
    if (pc !== this._pc) return;
    await pc.setRemoteDescription({ type: "answer", sdp: ack.sdp });
    this._remoteFingerprint = fingerprintOf(ack.sdp);
    this._answered = true;
    for (const payload of this._pendingCandidates.splice(0)) this._channel.send("media_candidate", payload);
  }

  handleOffer({ sdp }) {
    this._enqueue(() => this._answer(sdp));
  }

  async _answer(sdp) {
    const pc = this._pc;
    if (!pc || pc.signalingState === "closed") return;
    const fingerprint = fingerprintOf(sdp);
    if (this._remoteFingerprint && fingerprint && fingerprint !== this._remoteFingerprint) return; // for an older connection
    if (pc.signalingState === "have-local-offer") await pc.setLocalDescription({ type: "rollback" });
    await pc.setRemoteDescription({ type: "offer", sdp });
    await pc.setLocalDescription();
    if (pc !== this._pc) return;
    await this._channel.request("media_answer", { sdp: pc.localDescription.sdp });
    if (this._reofferAfterAnswer) {
      this._reofferAfterAnswer = false;
      this._enqueue(() => this._offer(pc));
    }
  }

  _onState(pc, generation) {
    if (pc !== this._pc || generation !== this._generation) return;
    const state = pc.connectionState;
    for (const pid of this.peerIds) this._emit("peerstate", { pid, state });
    clearTimeout(this._disconnectTimer);
    // The server (aiortc) cannot restart ICE: a broken connection is replaced by a new one.
    if (state === "failed") {
      this.reset();
    } else if (state === "disconnected") {
      this._disconnectTimer = setTimeout(() => {
        if (this._pc === pc && pc.connectionState === "disconnected") this.reset();
      }, DISCONNECTED_GRACE_MS);
    }
  }

  // ---- received media --------------------------------------------------------------------
  _onTrack({ track, streams, transceiver }) {
    const pid = streams && streams[0] ? streams[0].id : null;
    if (!pid || pid === this.selfId) return;
    const mid = transceiver && transceiver.mid;
    const previous = mid !== null && mid !== undefined ? this._midOwner.get(mid) : undefined;
    if (previous !== undefined && previous !== pid) this._removeTrack(previous, track);
    if (mid !== null && mid !== undefined) this._midOwner.set(mid, pid);
    let stream = this._streams.get(pid);
    if (!stream) {
      stream = new MediaStream();
      this._streams.set(pid, stream);
    }
    for (const old of stream.getTracks().filter((t) => t.kind === track.kind && t !== track)) stream.removeTrack(old);
    if (!stream.getTracks().includes(track)) stream.addTrack(track);
    // The slot goes inactive when the publisher leaves: the browser removes the track from its stream.
    streams[0].addEventListener("removetrack", ({ track: gone }) => {
      if (this._midOwner.get(mid) === pid && gone === track) this._removeTrack(pid, track);
    });
    this._emit("stream", { pid, stream });
    this._emit("peerstate", { pid, state: this.connectionState });
  }

  _removeTrack(pid, track) {
    const stream = this._streams.get(pid);
    if (!stream || !stream.getTracks().includes(track)) return;
    stream.removeTrack(track);
    stream.dispatchEvent(new MediaStreamTrackEvent("removetrack", { track }));
  }

  drop(pid) {
    if (!this._streams.has(pid)) return;
    this._streams.delete(pid);
    this._lastStats.delete(pid);
    for (const [mid, owner] of this._midOwner) if (owner === pid) this._midOwner.delete(mid);
    this._emit("closed", { pid });
  }

  keepOnly(pids) {
    const keep = new Set(pids);
    for (const pid of this.peerIds) if (!keep.has(pid)) this.drop(pid);
  }

  // ---- own media ---------------------------------------------------------------------------
  setAudioOnly(on) {
    this.audioOnly = on;
    if (this._pc) this._applyAudioOnly(on);
  }

  _applyAudioOnly(on) {
    const video = this.localStream.getVideoTracks()[0] || null;
    for (const sender of this._videoSenders) sender.replaceTrack(on ? null : video).catch(() => {});
  }

  // another camera or microphone (audio-only keeps sending none; turning it off sends the new camera)
  async replaceTrack(old, fresh) {
    if (!this._pc) return;
    await Promise.all(this._pc.getSenders().filter((sender) => sender.track === old)
      .map((sender) => sender.replaceTrack(fresh)));
  }

  // ---- quality -----------------------------------------------------------------------------
  async _collectStats() {
    const pc = this._pc;
    if (!pc || !this._streams.size) return;
    if (pc.connectionState !== "connected") {
      const level = pc.connectionState === "failed" ? "lost" : "connecting";
      for (const pid of this.peerIds) this._emit("quality", { pid, level, rtt: null, loss: null });
      return;
    }
    let report;
    try {
      report = await pc.getStats();
    } catch {
      return; // closed while reading
    }
    const rtt = roundTripTime(report);
    for (const pid of this.peerIds) {
      const now = inboundTotals(report, (s) => this._midOwner.get(s.mid) === pid);
      this._emit("quality", { pid, ...grade(rtt, this._lastStats.get(pid), now) });
      this._lastStats.set(pid, now);
    }
  }

  close() {
    this._closed = true;
    clearInterval(this._statsTimer);
    this._closePeerConnection();
    for (const pid of this.peerIds) this.drop(pid);
  }
}

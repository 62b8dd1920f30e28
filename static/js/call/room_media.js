// The media side of a Room (call/room.js, which extends this class): the person's own camera and
// microphone (on, off, audio-only, told to the others as `media_state`), and the transport that
// carries everyone's media: a PeerMesh for 1:1 sessions, one SfuConnection with the server for group
// sessions (same interface, held in `this.mesh`). Its events (stream, peerstate, quality, closed,
// localmedia) are the Room's events.

import { PeerMesh } from "./peer_mesh.js";
import { SfuConnection } from "./sfu_connection.js";

export class RoomMedia extends EventTarget {
  constructor({ localStream, microphoneOn, cameraOn }) {
    super();
    this.localStream = localStream || new MediaStream();
    this.microphoneOn = microphoneOn;
    this.cameraOn = cameraOn;
    this.audioOnly = false;
    this.mesh = null;
    this._streams = new Map(); // pid → stream received, kept until that member is shown
  }

  _emit(name, detail = {}) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  // ---- the media transport ---------------------------------------------------------------
  get _usesSfu() {
    return this.mesh instanceof SfuConnection;
  }

  _ensureMesh(iceServers, group) {
    if (this.mesh) return;
    if (group) {
      this.mesh = new SfuConnection({
        selfId: this.selfId, iceServers, localStream: this.localStream, channel: this._channel,
      });
    } else {
      this.mesh = new PeerMesh({
        selfId: this.selfId, iceServers, localStream: this.localStream,
        send: (to, signal) => this._channel.send("signal", { to, ...signal }),
      });
    }
    this.mesh.setAudioOnly(this.audioOnly);
    for (const name of ["stream", "peerstate", "quality", "closed"]) {
      this.mesh.addEventListener(name, (event) => this._onMedia(name, event.detail));
    }
  }

  // With the SFU, media may arrive before that member's presence: keep it and show it later.
  _onMedia(name, detail) {
    if (name === "stream") this._streams.set(detail.pid, detail.stream);
    if (name === "closed") this._streams.delete(detail.pid);
    this._emit(name, detail);
  }

  _replayStream(pid) {
    const stream = this._streams.get(pid);
    if (!stream || !this.mesh) return;
    this._emit("stream", { pid, stream });
    const state = this.mesh.state(pid);
    if (state) this._emit("peerstate", { pid, state });
  }

  _closePeers() {
    if (this._usesSfu) {
      // Back in the lobby: the server dropped our media; a new connection follows admission.
      this.mesh.close();
      this.mesh = null;
      this._streams.clear();
    } else if (this.mesh) {
      this.mesh.keepOnly([]);
    }
  }
  // ---- own media -------------------------------------------------------------------------
  get hasMicrophone() {
    return this.localStream.getAudioTracks().length > 0;
  }

  get hasCamera() {
    return this.localStream.getVideoTracks().length > 0;
  }

  get mediaState() {
    return {
      audio: this.hasMicrophone && this.microphoneOn,
      video: this.hasCamera && this.cameraOn && !this.audioOnly,
    };
  }

  _applyLocalTracks() {
    for (const track of this.localStream.getAudioTracks()) track.enabled = this.microphoneOn;
    for (const track of this.localStream.getVideoTracks()) track.enabled = this.cameraOn && !this.audioOnly;
  }

  _sendMediaState(you = null) {
    const wanted = this.mediaState;
    // The server keeps audio-only (no video forwarded to us) per connection: say it again after a reconnect.
    if (you && you.audio === wanted.audio && you.video === wanted.video && !this.audioOnly) return;
    if (this._channel.connected) this._channel.send("media_state", { ...wanted, receive_video: !this.audioOnly });
  }

  _mediaChanged() {
    this._applyLocalTracks();
    this._sendMediaState();
    this._emit("localmedia", this.mediaState);
  }

  setMicrophone(on) {
    this.microphoneOn = on;
    this._mediaChanged();
  }

  setCamera(on) {
    this.cameraOn = on;
    this._mediaChanged();
  }

  setAudioOnly(on) {
    this.audioOnly = on;
    if (this.mesh) this.mesh.setAudioOnly(on);
    this._mediaChanged();
  }

  // Switch to another camera ("videoinput") or microphone ("audioinput") in the call: the new track
  // takes the old one's place on every connection and in our own preview; on/off stays as it was.
  async switchDevice(kind, deviceId) {
    const constraints = kind === "audioinput" ? { audio: { deviceId: { exact: deviceId } } }
      : { video: { deviceId: { exact: deviceId } } };
    const fresh = (await navigator.mediaDevices.getUserMedia(constraints)).getTracks()[0];
    const old = this.localStream.getTracks().find((track) => track.kind === fresh.kind) || null;
    if (this.mesh) await this.mesh.replaceTrack(old, fresh);
    if (old) {
      this.localStream.removeTrack(old);
      old.stop();
    }
    this.localStream.addTrack(fresh);
    this._mediaChanged(); // the new track takes the on/off state
    this._emit("devicechanged", { kind, deviceId: fresh.getSettings().deviceId || deviceId });
  }

  // The therapist shows their screen (a worksheet) in place of their camera, until they stop or the
  // browser's own "Stop sharing" ends it; then the camera comes back.
  async shareScreen() {
    if (this._camera !== undefined) return;
    const screen = (await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false })).getVideoTracks()[0];
    const camera = this.localStream.getVideoTracks()[0] || null;
    this._camera = camera;
    screen.addEventListener("ended", () => this.stopSharing());
    await this._swapVideo(camera, screen);
    this._emit("sharing", { on: true });
  }

  async stopSharing() {
    if (this._camera === undefined) return;
    const screen = this.localStream.getVideoTracks()[0] || null;
    const camera = this._camera;
    this._camera = undefined;
    await this._swapVideo(screen, camera);
    if (screen) screen.stop();
    this._emit("sharing", { on: false });
  }

  get sharing() {
    return this._camera !== undefined;
  }

  async _swapVideo(old, fresh) {
    if (this.mesh) await this.mesh.replaceTrack(old, fresh);
    if (old) this.localStream.removeTrack(old);
    if (fresh) this.localStream.addTrack(fresh);
    this._mediaChanged();
  }
}

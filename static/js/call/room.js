// One person's presence in a session: the signalling channel, the lobby/call phases, the other
// members, and the media transport: a PeerMesh for 1:1 sessions, one SfuConnection with the server
// for group sessions (same interface, held in `this.mesh`; the media side, with the person's own
// camera and microphone, is call/room_media.js, which Room extends). Views listen to its events and
// call its methods.
//
// phases: connecting → lobby → call, "reconnecting" while the network is away, "moving" while it
// changes rooms, "ended" at the end.
// events: phase, state, members, lobby, stream, peerstate, quality, notice, ended, locked, hostpresence,
//         unreachable / reachable (the first connection could not be made or was refused: views say so
//         in plain words within UNREACHABLE_AFTER_MS and offer retry(); socket.io keeps retrying too),
//         speaker, crisis ({crisis_id, session_id, state, version, event}: a crisis opened or changed),
//         moved ({from_session_id, session_id, participant_token, expires_in, participant, reason, by}:
//         this Room left its session and is joining another, e.g. a private crisis room),
//         steppedout ({participant_id, display_name, with_you} or null: a group's therapist stepped out
//         for a moment, and is back when null — neutral: never whose crisis or why)
//
// A move keeps the Room, its views and the local media: it leaves the old session (others see us
// leave; a group's SFU renegotiates without us), drops the old media transport and signalling channel
// and connects a new channel with the new room's token; the new room's kind picks the transport.

import { RETRY_TRANSIENT_MS, SignalingChannel, TRANSIENT } from "./signaling.js";
import { stopStream } from "./local_media.js";
import { RoomMedia } from "./room_media.js";
import { followParticipant } from "../lib/storage.js";

// A first connection that has not opened by then is shown as a problem (a refusal is shown at once).
export const UNREACHABLE_AFTER_MS = 4000;

const FINAL_EVENTS = {
  denied: "denied", removed: "removed", session_ended: "ended", replaced: "replaced",
};

export class Room extends RoomMedia {
  constructor({ token, localStream, microphoneOn = true, cameraOn = true }) {
    super({ localStream, microphoneOn, cameraOn });
    this.phase = "connecting";
    this.state = null;
    this.selfId = null;
    this.members = new Map(); // admitted others: pid → MemberView
    this.lobby = [];
    this.hostPresent = false;
    this.locked = false;
    this.activeSpeaker = null;
    this.crisis = null; // the latest `crisis` notice seen in this room (only ever our own, or staff's)
    this.steppedOut = null; // the group's therapist stepped out for a moment (`host_stepped_out`)
    this._joining = null;
    this.unreachable = false; // the first connection failed and has not been made since
    this._reachTimer = null;
    this.token = token; // the participant token of the room we are in (REST calls use it too)
    this._channel = new SignalingChannel(token);
    this._wire();
    this._applyLocalTracks();
  }

  // ---- wiring ----------------------------------------------------------------------------
  _on(name, handler) {
    // bound to the channel of this moment: after a move, events of the old channel are ignored
    const channel = this._channel;
    channel.addEventListener(name, (event) => { if (channel === this._channel) handler(event.detail); });
  }

  _wire() {
    this._on("connected", () => {
      this._reached();
      this.join();
    });
    this._on("disconnected", ({ reason, willRetry }) => {
      if (this.phase === "ended") return;
      if (willRetry) this._setPhase("reconnecting");
      else if (reason === "io server disconnect") this._end("disconnected");
    });
    this._on("retrying", () => {
      if (this.phase === "connecting") this._unreachable();
      else if (this.phase !== "ended") this._setPhase("reconnecting");
    });
    this._on("refused", ({ code }) => this._end("refused", code));
    this._on("admitted", () => this.join());
    this._on("returned_to_lobby", () => {
      this._closePeers();
      this._emit("notice", { kind: "returned_to_lobby" });
      this.join();
    });
    for (const [event, reason] of Object.entries(FINAL_EVENTS)) {
      this._on(event, ({ message }) => this._end(reason, message));
    }
    this._on("lobby", ({ waiting }) => {
      this.lobby = waiting || [];
      this._emit("lobby", { waiting: this.lobby });
    });
    this._on("presence", (p) => this._onPresence(p));
    this._on("media_state", (member) => this._upsert(member));
    this._on("signal", (message) => {
      if (!this._usesSfu && (this.phase === "call" || this.phase === "reconnecting")) this.mesh && this.mesh.handleSignal(message);
    });
    this._on("media_offer", (message) => {
      if (this._usesSfu) this.mesh.handleOffer(message);
    });
    this._on("media_reset", () => {
      if (this._usesSfu) this.mesh.reset();
    });
    this._on("active_speaker", ({ participant_id: pid }) => {
      this.activeSpeaker = pid || null;
      this._emit("speaker", { pid: this.activeSpeaker });
    });
    this._on("crisis", (notice) => {
      this.crisis = notice;
      this._emit("crisis", notice);
    });
    this._on("host_stepped_out", (notice) => {
      this.steppedOut = notice;
      this._emit("steppedout", notice);
    });
    this._on("mute_requested", () => this._emit("notice", { kind: "mute_requested" }));
    // to therapists: a lost-contact step fell due, or the client pressed "I need help now"
    this._on("lost_contact", (step) => this._emit("lost_contact", step));
    this._on("help_requested", (request) => this._emit("help_requested", request));
    this._on("shared_with_you", (shared) => this._emit("shared", shared));
    this._on("chat_message", (message) => this._emit("chat", message));
    this._on("hand", (hand) => {
      const member = this.members.get(hand.participant_id);
      if (member) member.hand = hand.raised;
      this._emit("hand", hand);
    });
    // the therapist moved us into another room (a private crisis room): go there at once
    this._on("moved_to_room", (moved) => {
      followParticipant(moved); // a reload of the join page goes to the new room
      this.moveTo({ ...moved, by: "therapist" });
    });
    // the server lost its shared live state for a while (the call itself goes on): show
    // "reconnecting" until it is back, then join again to get the room as it is now
    this._on("live_state", ({ state }) => {
      if (this.phase === "ended" || this.phase === "connecting") return;
      if (state === "unavailable") this._setPhase("reconnecting");
      else this.join();
    });
    this._on("room_locked", ({ reason }) => {
      this.locked = reason === "locked";
      this._emit("locked", { locked: this.locked });
    });
  }

  // ---- lifecycle -------------------------------------------------------------------------
  start() {
    this._channel.connect();
    this._armReachability();
  }

  // The person pressed "Try again" after the first connection failed.
  retry() {
    this._channel.retryNow();
    this._armReachability();
  }

  _armReachability() {
    clearTimeout(this._reachTimer);
    this._reachTimer = setTimeout(() => { if (this.phase === "connecting") this._unreachable(); }, UNREACHABLE_AFTER_MS);
  }

  _unreachable() {
    if (this.unreachable || this.phase === "ended") return;
    this.unreachable = true;
    this._emit("unreachable");
  }

  _reached() {
    clearTimeout(this._reachTimer);
    if (!this.unreachable) return;
    this.unreachable = false;
    this._emit("reachable");
  }

  async join() {
    if (this._joining) return this._joining;
    this._joining = (async () => {
      try {
        const ack = await this._channel.request("join");
        this._applyState(ack.state);
      } catch (error) {
        if (error.code === TRANSIENT) {
          // the server is without its shared state for a moment: say so, and ask again shortly
          if (this.phase !== "ended" && this.phase !== "connecting") this._setPhase("reconnecting");
          setTimeout(() => { if (this.phase !== "ended") this.join(); }, RETRY_TRANSIENT_MS);
        } else {
          this._emit("notice", { kind: "error", code: error.code, message: error.message });
        }
      } finally {
        this._joining = null;
      }
    })();
    return this._joining;
  }

  _applyState(state) {
    if (this.phase === "ended") return;
    this.state = state;
    this.selfId = state.you.participant_id;
    this.hostPresent = state.host_present;
    this.locked = state.locked;
    if (state.lobby) this.lobby = state.lobby;
    this._emit("state", { state });
    if (state.crisis && (!this.crisis || this.crisis.version < state.crisis.version)) {
      // A crisis already holds this session open (after a reload or reconnect): show it at once.
      this.crisis = { ...state.crisis, session_id: state.session_id };
      this._emit("crisis", this.crisis);
    }
    this._emit("hostpresence", { present: this.hostPresent });
    this._emit("locked", { locked: this.locked });
    if (state.lobby) this._emit("lobby", { waiting: this.lobby });
    this._sendMediaState(state.you);
    if (state.you.status !== "admitted") {
      this._closePeers();
      this.members.clear();
      this._emit("members", { members: [] });
      this._setPhase("lobby");
      return;
    }
    this.members = new Map(
      state.members.filter((m) => m.participant_id !== this.selfId).map((m) => [m.participant_id, m])
    );
    this._ensureMesh(state.ice_servers, state.kind === "group");
    this.mesh.keepOnly([...this.members.keys()]);
    this._setPhase("call");
    this._emit("members", { members: [...this.members.values()] });
    if (this._usesSfu) {
      for (const pid of this.members.keys()) this._replayStream(pid);
      const sfuState = this.mesh.connectionState;
      if (sfuState === "failed" || sfuState === "closed") this.mesh.reset();
      else this.mesh.start();
      return;
    }
    // We are the newcomer (or back after a reconnect): we offer to everyone already here.
    for (const member of this.members.values()) {
      if (!member.connected) continue;
      const peerState = this.mesh.state(member.participant_id);
      if (peerState === "connected") continue;
      if (peerState === "disconnected" || peerState === "failed") this.mesh.restart(member.participant_id);
      else this.mesh.connectTo(member.participant_id);
    }
  }

  _onPresence({ participant_id: pid, display_name, role, state }) {
    if (this.steppedOut && pid === this.steppedOut.participant_id && state === "joined") {
      this.steppedOut = null; // back with the group
      this._emit("steppedout", null);
    }
    if (role === "therapist" && pid !== this.selfId) {
      this.hostPresent = state === "joined";
      this._emit("hostpresence", { present: this.hostPresent, state });
    }
    if (pid === this.selfId || this.phase === "lobby") return;
    const known = this.members.has(pid);
    if (state === "left") {
      this.members.delete(pid);
      if (this.mesh) this.mesh.drop(pid);
    } else {
      const previous = this.members.get(pid) || { audio: true, video: true, status: "admitted" };
      this.members.set(pid, {
        ...previous, participant_id: pid, display_name, role, connected: state === "joined",
      });
    }
    this._emit("members", { members: [...this.members.values()], changed: pid, presence: state });
    if (!known && state !== "left") this._replayStream(pid);
  }

  _upsert(member) {
    if (member.participant_id === this.selfId || !this.members.has(member.participant_id)) return;
    this.members.set(member.participant_id, member);
    this._emit("members", { members: [...this.members.values()], changed: member.participant_id });
  }

  _setPhase(phase) {
    if (this.phase === phase) return;
    const previous = this.phase;
    this.phase = phase;
    this._emit("phase", { phase, previous });
  }

  _end(reason, message = null) {
    if (this.phase === "ended") return;
    this._setPhase("ended");
    this._teardown();
    this._emit("ended", { reason, message });
  }

  _teardown() {
    clearTimeout(this._reachTimer);
    if (this.mesh) this.mesh.close();
    this.mesh = null;
    this._streams.clear();
    this._channel.close();
    stopStream(this.localStream);
  }

  async leave() {
    if (this.phase === "ended") return;
    try {
      if (this._channel.connected) await this._channel.request("leave", {}, 3000);
    } catch {
      // leaving anyway
    }
    this._end("left");
  }

  // ---- moving to another room --------------------------------------------------------------
  async moveTo(moved) {
    if (this.phase === "ended" || this._moving || !moved || !moved.participant_token) return;
    this._moving = true;
    const from = this.state ? this.state.session_id : null;
    this._setPhase("moving");
    const old = this._channel;
    try {
      if (old.connected) await old.request("leave", {}, 3000);
    } catch {
      // the old room forgets us when the connection closes
    }
    if (this.mesh) this.mesh.close();
    this.mesh = null;
    this._streams.clear();
    this.members.clear();
    this.lobby = [];
    this.crisis = null;
    if (this.steppedOut) {
      this.steppedOut = null;
      this._emit("steppedout", null);
    }
    this.activeSpeaker = null;
    this._joining = null;
    this._emit("members", { members: [] });
    this.token = moved.participant_token;
    this._channel = new SignalingChannel(moved.participant_token);
    this._wire();
    old.close();
    this._moving = false;
    this._emit("moved", { ...moved, from_session_id: moved.from_session_id || from });
    this._channel.connect();
  }

  // ---- talking without speaking (docs/protocol.md, "chat"): to "room", "hosts" or (hosts) a participant id
  chat(text, to = "room", quiet = false) {
    return this._channel.request("chat", { text, to, quiet });
  }

  raiseHand(raised) {
    return this._channel.request("raise_hand", { raised });
  }

  // ---- host actions ------------------------------------------------------------------------
  moderate(event, participantId) {
    return this._channel.request(event, { participant_id: participantId });
  }

  lock(locked) {
    return this._channel.request("lock", { locked });
  }

  endSession() {
    return this._channel.request("end_session");
  }
}

// The Socket.IO channel (docs/protocol.md): authenticate with the participant token, send events
// with acknowledgements, and surface server events and connection changes as DOM events.

import { io } from "/static/vendor/socket.io.esm.min.js";

const SERVER_EVENTS = [
  "lobby", "admitted", "denied", "removed", "session_ended", "replaced", "returned_to_lobby",
  "presence", "signal", "media_state", "mute_requested", "room_locked", "location_flag",
  "media_offer", "media_reset", "active_speaker", "crisis", "moved_to_room", "lost_contact", "help_requested",
  "host_stepped_out", "live_state", "shared_with_you", "chat_message", "hand",
];

// The server cannot reach its shared live state for a moment (docs/protocol.md): nothing was done;
// the same request or connection works again shortly.
export const TRANSIENT = "live_state_unavailable";
export const RETRY_TRANSIENT_MS = 2000;

export class SignalError extends Error {
  constructor(code, message) {
    super(message || code);
    this.name = "SignalError";
    this.code = code;
  }
}

export class SignalingChannel extends EventTarget {
  constructor(token) {
    super();
    this._socket = io(location.origin, {
      transports: ["websocket"],
      auth: { token },
      autoConnect: false,
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      timeout: 8000,
    });
    for (const name of SERVER_EVENTS) {
      this._socket.on(name, (data) => this._emit(name, data || {}));
    }
    this._socket.on("connect", () => this._emit("connected", { recovered: this._everConnected }));
    this._socket.on("disconnect", (reason) => this._onDisconnect(reason));
    this._socket.on("connect_error", (error) => this._onConnectError(error));
    this._everConnected = false;
    this._socket.on("connect", () => { this._everConnected = true; });
    // This server is stopping (a restart) and closes us next: we reconnect at once, not as if ended.
    this._socket.on("server_restarting", () => { this._restarting = true; });
    this._restarting = false;
    this._closed = false;
  }

  _emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  _onDisconnect(reason) {
    if (reason === "io server disconnect" && this._restarting) {
      // the server said it is restarting: another one takes us at once (socket.io retries if none yet)
      this._restarting = false;
      this._emit("disconnected", { reason: "server_restarting", willRetry: true });
      this._socket.connect();
      return;
    }
    // "io server disconnect": the server closed us on purpose (denied, removed, ended, replaced);
    // "io client disconnect": we closed. Anything else is a network problem: socket.io retries.
    const final = reason === "io server disconnect" || reason === "io client disconnect";
    this._emit("disconnected", { reason, willRetry: !final });
  }

  _onConnectError(error) {
    const data = error && error.data;
    if (data && data.code === TRANSIENT) {
      // refused only for now: socket.io does not retry a refusal by itself, so we do
      this._emit("retrying", { message: data.message });
      setTimeout(() => { if (!this._closed && !this._socket.connected) this._socket.connect(); }, RETRY_TRANSIENT_MS);
    } else if (data && data.code) {
      // The server refused the token: retrying will not help.
      this._emit("refused", { code: data.code, message: data.message });
    } else {
      this._emit("retrying", { message: String(error && error.message) });
    }
  }

  connect() {
    this._socket.connect();
  }

  // Try again at once instead of waiting out socket.io's back-off (a person pressed "Try again").
  retryNow() {
    if (this._socket.connected) return;
    this._socket.disconnect();
    this._socket.connect();
  }

  get connected() {
    return this._socket.connected;
  }

  // Send an event and wait for its acknowledgement; resolves with the ack, throws SignalError.
  async request(event, payload = {}, timeout = 10000) {
    let ack;
    try {
      ack = await this._socket.timeout(timeout).emitWithAck(event, payload);
    } catch {
      throw new SignalError("timeout", "The server did not answer in time.");
    }
    if (!ack || ack.ok !== true) {
      const error = (ack && ack.error) || {};
      throw new SignalError(error.code || "unknown", error.message);
    }
    return ack;
  }

  // Fire and forget (used for ICE candidates and descriptions, whose acks we only log).
  send(event, payload) {
    this.request(event, payload).catch((error) => {
      if (error.code !== "unknown_participant") console.warn(`steadyline: ${event} failed`, error.code);
    });
  }

  close() {
    this._closed = true;
    this._socket.disconnect();
  }
}

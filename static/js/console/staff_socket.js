// The live dashboard's socket (/staff, docs/protocol.md "Live dashboard"): authenticated with the staff
// access token, it only listens. Events: "alert" {alert}, "outreach_task" {task}, "message" {client_id, …}
// (a client wrote; no text), "signed_out".
// onConnected runs on every (re)connect: the dashboard reloads its lists by REST then, so a push missed
// while disconnected costs nothing.

import { io } from "/static/vendor/socket.io.esm.min.js";

const UNAVAILABLE = "live_state_unavailable"; // refused only for now (as on the call pages)
const RETRY_MS = 3000;

export class StaffSocket {
  // handlers: {onAlert(alert), onTask(task), onConnected(), onSignedOut(), onState(text)}
  constructor(token, handlers) {
    this.handlers = handlers;
    this.socket = io(`${location.origin}/staff`, {
      transports: ["websocket"], auth: { token }, autoConnect: false,
      reconnectionDelay: 500, reconnectionDelayMax: 5000, timeout: 8000,
    });
    this.socket.on("connect", () => { handlers.onState("live"); handlers.onConnected(); });
    this.socket.on("disconnect", (reason) => {
      if (reason !== "io client disconnect") handlers.onState("reconnecting");
    });
    this.socket.on("connect_error", (error) => {
      const data = error && error.data;
      if (data && data.code === UNAVAILABLE) {
        // refused only for now: socket.io does not retry a refusal by itself, so we do
        handlers.onState("reconnecting");
        this._retry = setTimeout(() => this.socket.connect(), RETRY_MS);
      } else if (data && data.code) {
        handlers.onSignedOut(data.message); // signed out or expired: retrying will not help
      } else {
        handlers.onState("reconnecting"); // a network problem: socket.io retries
      }
    });
    this.socket.on("alert", (data) => data && data.alert && handlers.onAlert(data.alert));
    this.socket.on("outreach_task", (data) => data && data.task && handlers.onTask(data.task));
    this.socket.on("message", (data) => data && data.client_id && handlers.onMessage(data.client_id));
    this.socket.on("signed_out", () => { this.close(); handlers.onSignedOut("You have been signed out. Please sign in again."); });
  }

  connect() {
    this.socket.connect();
  }

  close() {
    clearTimeout(this._retry);
    this.socket.off();
    this.socket.disconnect();
  }
}

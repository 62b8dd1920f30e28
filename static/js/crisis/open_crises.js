// The console's notice of open crises: every clinician of the program sees, on any screen of the console, that a
// crisis is open somewhere in the program — who leads it and since when — so a crisis never lives on one
// screen only. It polls GET /api/program/crises; the list carries no clinical content.
//
// During a call it never covers or shrinks the call: it becomes one short line in the call's top bar
// (a slot the call view keeps for it), leaves out the crisis of the session the clinician is in (the
// call's own crisis panel has it) and offers no "Go to the session" (that would leave the call).

import { el, formatTime } from "../lib/dom.js";
import { crisisRequests } from "./requests.js";

const POLL_MS = 10000; // tests may set globalThis.STEADYLINE_OPEN_CRISES_POLL_MS to see a poll sooner

function describe(crisis, inCall) {
  const since = formatTime(crisis.opened_at);
  const who = crisis.opened_by_role === "client" ? "The client asked for help" : "A crisis protocol started";
  const yours = inCall ? "in another of your sessions" : "in your session";
  const lead = crisis.yours ? yours : `led by ${crisis.responsible_clinician_name || "a colleague"}`;
  const state = crisis.state.replaceAll("_", " ");
  return `${who} at ${since}, ${lead} (now: ${state}).`;
}

export class OpenCrises {
  // call(method, path) is the console's signed-in API client; onOpen(sessionId) opens that session.
  constructor({ call, onOpen, pollMs = Number(globalThis.STEADYLINE_OPEN_CRISES_POLL_MS) || POLL_MS }) {
    this._requests = crisisRequests(call);
    this._onOpen = onOpen;
    this._pollMs = pollMs;
    this._timer = null;
    this._crises = [];
    this._call = null; // {sessionId, slot} while the clinician is in a call
    this.list = el("ul", { class: "open-crises-list" });
    this.root = el("section", { class: "open-crises", role: "alert", hidden: true, "aria-label": "Open crises" },
      el("h2", {}, "Open crisis in your program"), this.list);
  }

  get running() {
    return this._timer !== null;
  }

  start() {
    this.stop();
    this.refresh();
    this._timer = setInterval(() => this.refresh(), this._pollMs);
  }

  stop() {
    clearInterval(this._timer);
    this._timer = null;
  }

  // In a call (sessionId, and the call bar's slot to show in) or back on the console's screens (null,
  // and the place the notice lives there).
  inCall(sessionId, slot) {
    this._call = sessionId ? { sessionId, slot } : null;
    this.root.classList.toggle("in-call", Boolean(this._call));
    slot.append(this.root);
    this._render();
  }

  async refresh() {
    try {
      this._crises = (await this._requests.openCrises()).crises;
    } catch {
      return; // signed out or offline: the console says so elsewhere
    }
    this._render();
  }

  _render() {
    const inCall = this._call !== null;
    const crises = inCall ? this._crises.filter((c) => c.session_id !== this._call.sessionId) : this._crises;
    this.root.hidden = crises.length === 0;
    this.list.replaceChildren(...crises.map((c) => el("li", { dataset: { crisisId: c.crisis_id } },
      el("span", {}, describe(c, inCall)), " ",
      c.yours && !inCall ? el("button", { type: "button", class: "btn btn-small btn-primary",
        onclick: () => this._onOpen(c.session_id) }, "Go to the session") : null)));
  }
}

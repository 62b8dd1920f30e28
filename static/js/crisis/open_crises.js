// The console's notice of open crises: every clinician of the program sees, on any screen of the console, that a
// crisis is open somewhere in the program — who leads it and since when — so a crisis never lives on one
// screen only. It polls GET /api/program/crises; the list carries no clinical content.

import { el, formatTime } from "../lib/dom.js";
import { crisisRequests } from "./requests.js";

const POLL_MS = 10000;

function describe(crisis) {
  const since = formatTime(crisis.opened_at);
  const who = crisis.opened_by_role === "client" ? "The client asked for help" : "A crisis protocol started";
  const lead = crisis.yours ? "in your session" : `led by ${crisis.responsible_clinician_name || "a colleague"}`;
  const state = crisis.state.replaceAll("_", " ");
  return `${who} at ${since}, ${lead} (now: ${state}).`;
}

export class OpenCrises {
  // call(method, path) is the console's signed-in API client; onOpen(sessionId) opens that session.
  constructor({ call, onOpen }) {
    this._requests = crisisRequests(call);
    this._onOpen = onOpen;
    this._timer = null;
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
    this._timer = setInterval(() => this.refresh(), POLL_MS);
  }

  stop() {
    clearInterval(this._timer);
    this._timer = null;
  }

  async refresh() {
    let crises;
    try {
      crises = (await this._requests.openCrises()).crises;
    } catch {
      return; // signed out or offline: the console says so elsewhere
    }
    this.root.hidden = crises.length === 0;
    this.list.replaceChildren(...crises.map((c) => el("li", { dataset: { crisisId: c.crisis_id } },
      el("span", {}, describe(c)), " ",
      c.yours ? el("button", { type: "button", class: "btn btn-small btn-primary",
        onclick: () => this._onOpen(c.session_id) }, "Go to the session") : null)));
  }
}

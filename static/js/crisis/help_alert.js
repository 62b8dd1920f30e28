// The therapist's alert when a client presses "I need help now" (issue 18, item 3). It cannot be
// missed and it stays until the therapist acknowledges it: a toast over the call that never times out,
// a short alarm made in the page with WebAudio (no sound file; repeated while nobody has acknowledged),
// the client's tile marked (or their line in the waiting room, when they pressed it there), and the
// crisis panel brought to the top of the host panel. Only a session's hosts are told `help_requested`
// (docs/protocol.md): the other clients of a group never see any of this.

import { el, announce, formatTime } from "../lib/dom.js";
import { alarm } from "../call/level_meter.js";
import { loadHelpAlerts, saveHelpAlerts } from "../lib/storage.js";

export const REPEAT_ALARM_MS = 20000;

export class HelpAlert {
  // view: the CallView (its tiles and root); panel: the HostPanel (waiting room, crisis panel)
  constructor(room, { view, panel }) {
    this.room = room;
    this.view = view;
    this.panel = panel;
    this.pending = new Map(); // participant_id → {at: Date}
    this.root = el("div", { class: "help-alerts", role: "region", "aria-label": "Help requests" });
    view.root.append(this.root);
    const on = (name, fn) => room.addEventListener(name, (event) => fn(event.detail));
    on("help_requested", (request) => this.requested(request));
    // a tile that appears later (a client let in from the waiting room) is marked as well
    on("members", () => this._refresh());
    on("lobby", () => this._refresh());
    // a reload of the console keeps what was not acknowledged yet: alert and alarm again
    on("state", ({ state }) => this._restore(state.session_id));
    this._timer = null;
    this._sessionId = null;
  }

  _restore(sessionId) {
    if (sessionId === this._sessionId) return;
    this._sessionId = sessionId;
    const saved = Object.entries(loadHelpAlerts(sessionId)).filter(([pid]) => !this.pending.has(pid));
    if (!saved.length) return;
    for (const [pid, at] of saved) this.pending.set(pid, { at: new Date(at) });
    this._render();
    this._mark();
    this.panel.bringCrisisToTop();
    this._sound();
  }

  _save() {
    const sessionId = this._sessionId || (this.room.state && this.room.state.session_id);
    if (!sessionId) return;
    saveHelpAlerts(sessionId, Object.fromEntries([...this.pending].map(([pid, { at }]) => [pid, at.getTime()])));
  }

  _name(pid) {
    const member = this.room.members.get(pid) || this.room.lobby.find((w) => w.participant_id === pid);
    return member ? member.display_name : "A client";
  }

  _waiting(pid) {
    return this.room.lobby.some((w) => w.participant_id === pid);
  }

  requested({ participant_id: pid }) {
    const known = this.pending.get(pid);
    this.pending.set(pid, { at: known ? known.at : new Date() });
    this._save();
    const where = this._waiting(pid) ? " in the waiting room" : "";
    announce(`${this._name(pid)} pressed “I need help now”${where}.`, { assertive: true });
    this._render();
    this._mark();
    this.panel.bringCrisisToTop();
    this._sound();
  }

  acknowledge(pid) {
    this.pending.delete(pid);
    this._save();
    this._render();
    this._mark();
    if (!this.pending.size) {
      clearInterval(this._timer);
      this._timer = null;
    }
    this.panel.focusCrisis();
  }

  _refresh() {
    if (!this.pending.size) return;
    this._render();
    this._mark();
  }

  _sound() {
    alarm();
    if (!this._timer) this._timer = setInterval(() => { if (this.pending.size) alarm(); }, REPEAT_ALARM_MS);
  }

  _render() {
    this.root.replaceChildren(...[...this.pending].map(([pid, { at }]) => {
      const name = this._name(pid);
      const waiting = this._waiting(pid);
      const titleId = `help-alert-title-${pid}`;
      const admit = waiting ? el("button", { type: "button", class: "btn btn-small",
        "aria-label": `Let ${name} in now`,
        onclick: () => this.room.moderate("admit", pid) }, "Let them in now") : null;
      return el("div", { class: "help-alert", role: "alertdialog", "aria-labelledby": titleId, dataset: { pid } },
        el("p", { class: "help-alert-title", id: titleId }, `${name} pressed “I need help now”`),
        el("p", { class: "help-alert-meta" },
          `${waiting ? "In the waiting room" : "In the call"} · at ${formatTime(at.toISOString())}. `
          + "The crisis protocol is open: the crisis panel is at the top of your controls."),
        el("div", { class: "help-alert-actions" }, admit,
          el("button", { type: "button", class: "btn btn-primary btn-small", "aria-label": `I've seen it: ${name}`,
            onclick: () => this.acknowledge(pid) }, "I've seen it")));
    }));
    this.root.hidden = this.pending.size === 0;
  }

  // the client's tile and their line in the waiting room carry the mark while it is not acknowledged
  _mark() {
    for (const [pid, tile] of this.view.tiles) tile.setAlert(this.pending.has(pid) ? "Needs help now" : null);
    this.panel.markNeedsHelp(new Set(this.pending.keys()));
  }

  destroy() {
    clearInterval(this._timer);
    this.root.remove();
  }
}

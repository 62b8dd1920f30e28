// The therapist's side panel in a call: the live waiting room (admit / deny / admit all; someone new
// waiting is told with a knock and a count on the heading and in the tab's title), the people in the
// session (ask to mute, send back to the waiting room, remove), lock the room, end the session;
// first of all, the crisis protocol (crisis/panel.js).

import { el, announce, waitedInWords } from "../lib/dom.js";
import { confirmAction } from "../lib/dialog.js";
import { CrisisPanel } from "../crisis/panel.js";
import { knock } from "../call/level_meter.js";

export class HostPanel {
  constructor(room, { call }) {
    this.room = room;
    this.lobbyList = el("ul", { class: "people", "aria-label": "People waiting" });
    this.lobbyEmpty = el("p", { class: "muted" }, "Nobody is waiting.");
    this.lobbyCount = el("span", { class: "count" }, "0");
    this.admitAll = el("button", { type: "button", class: "btn btn-primary btn-small", hidden: true,
      onclick: () => this._admitAll() }, "Admit all");
    this._title = document.title;
    this.memberList = el("ul", { class: "people", "aria-label": "People in the session" });
    this.memberEmpty = el("p", { class: "muted" }, "Only you so far.");
    this.lockInput = el("input", { type: "checkbox", id: "lock-room", role: "switch" });
    this.lockInput.addEventListener("change", () => this._lock());
    this.error = el("p", { class: "form-error", role: "alert" });
    this.crisis = new CrisisPanel(room, { call });
    this.root = el("aside", { class: "host-panel", "aria-label": "Host controls" }, this.crisis.root,
      el("section", { class: "panel-section", "aria-labelledby": "waiting-heading" },
        el("div", { class: "section-head" }, el("h2", { id: "waiting-heading" }, "Waiting room ", this.lobbyCount),
          this.admitAll), this.lobbyList, this.lobbyEmpty),
      el("section", { class: "panel-section", "aria-labelledby": "inroom-heading" },
        el("h2", { id: "inroom-heading" }, "In the session"), this.memberList, this.memberEmpty),
      el("section", { class: "panel-section" },
        el("div", { class: "switch-row" }, this.lockInput, el("label", { for: "lock-room" }, "Lock the room"),
          el("p", { class: "hint", id: "lock-hint" }, "While locked, nobody new can be let in.")),
        this.error,
        el("button", { type: "button", class: "btn btn-danger btn-block", onclick: () => this._end() },
          "End session for everyone")));
    this.lockInput.setAttribute("aria-describedby", "lock-hint");
    const on = (name, fn) => room.addEventListener(name, (event) => fn(event.detail));
    on("lobby", ({ waiting }) => this._renderLobby(waiting));
    on("members", ({ members }) => this._renderMembers(members));
    on("locked", ({ locked }) => { this.lockInput.checked = locked; });
    this._lastWaiting = [];
    this._needsHelp = new Set(); // participant_ids whose "I need help now" is not acknowledged yet
    this._timer = setInterval(() => this._renderLobby(this._lastWaiting, { quiet: true }), 30000);
  }

  async _act(promise, done) {
    this.error.textContent = "";
    try {
      await promise;
      if (done) announce(done);
    } catch (error) {
      this.error.textContent = error.message || "That didn't work. Please try again.";
    }
  }

  _renderLobby(waiting, { quiet = false } = {}) {
    const before = new Set(this._lastWaiting.map((w) => w.participant_id));
    this._lastWaiting = waiting;
    this.lobbyCount.textContent = String(waiting.length);
    this.lobbyCount.classList.toggle("count-alert", waiting.length > 0);
    this.admitAll.hidden = waiting.length < 2;
    document.title = waiting.length ? `(${waiting.length} waiting) ${this._title}` : this._title;
    this.lobbyEmpty.hidden = waiting.length > 0;
    const now = Date.now() / 1000;
    this.lobbyList.replaceChildren(...waiting.map((w) => el("li", {
      class: this._needsHelp.has(w.participant_id) ? "person person-help" : "person", dataset: { pid: w.participant_id } },
      el("div", { class: "person-text" },
        el("span", { class: "person-name" }, w.display_name),
        this._needsHelp.has(w.participant_id) ? el("strong", { class: "person-alert" }, "Pressed “I need help now”") : null,
        el("span", { class: "person-meta" }, `waiting ${waitedInWords(now - w.waiting_since)}`)),
      el("div", { class: "person-actions" },
        el("button", { type: "button", class: "btn btn-primary btn-small", "aria-label": `Admit ${w.display_name}`,
          onclick: () => this._act(this.room.moderate("admit", w.participant_id), `${w.display_name} was let in.`) }, "Admit"),
        el("button", { type: "button", class: "btn btn-small", "aria-label": `Deny ${w.display_name}`,
          onclick: () => this._act(this.room.moderate("deny", w.participant_id), `${w.display_name} was turned away.`) }, "Deny")))));
    if (!quiet) {
      const arrived = waiting.filter((w) => !before.has(w.participant_id));
      for (const w of arrived) announce(`${w.display_name} is in the waiting room.`);
      if (arrived.length) knock();
    }
  }

  // Everyone waiting is let in at once (a group starting).
  async _admitAll() {
    const waiting = [...this._lastWaiting];
    for (const w of waiting) await this._act(this.room.moderate("admit", w.participant_id));
    announce(waiting.length === 1 ? `${waiting[0].display_name} was let in.` : `${waiting.length} people were let in.`);
  }

  // crisis/help_alert.js: who pressed "I need help now" and is not acknowledged yet
  markNeedsHelp(pids) {
    const same = pids.size === this._needsHelp.size && [...pids].every((p) => this._needsHelp.has(p));
    if (same) return;
    this._needsHelp = pids;
    this._renderLobby(this._lastWaiting, { quiet: true });
  }

  // The crisis panel is the first thing in the host panel: scroll it into view and mark it.
  bringCrisisToTop() {
    this.root.scrollTop = 0;
    this.crisis.root.dataset.alert = "help";
    this.crisis.root.scrollIntoView({ block: "nearest" });
  }

  focusCrisis() {
    delete this.crisis.root.dataset.alert;
    const heading = this.crisis.root.querySelector("h2");
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }

  _renderMembers(members) {
    this.memberEmpty.hidden = members.length > 0;
    this.memberList.replaceChildren(...members.map((m) => el("li", { class: "person", dataset: { pid: m.participant_id } },
      el("div", { class: "person-text" },
        el("span", { class: "person-name" }, m.display_name),
        el("span", { class: "person-meta" }, [m.connected ? null : "reconnecting", m.audio ? null : "muted"].filter(Boolean).join(", "))),
      el("div", { class: "person-actions" },
        el("button", { type: "button", class: "btn btn-small", disabled: !m.audio, "aria-label": `Ask to mute: ${m.display_name}`,
          onclick: () => this._act(this.room.moderate("ask_mute", m.participant_id), `Asked ${m.display_name} to mute.`) }, "Ask to mute"),
        el("button", { type: "button", class: "btn btn-small", "aria-label": `To waiting room: ${m.display_name}`,
          onclick: () => this._act(this.room.moderate("send_to_lobby", m.participant_id), `${m.display_name} is back in the waiting room.`) }, "To waiting room"),
        el("button", { type: "button", class: "btn btn-small btn-danger-quiet", "aria-label": `Remove ${m.display_name}`,
          onclick: () => this._remove(m) }, "Remove")))));
  }

  async _remove(member) {
    const ok = await confirmAction({
      title: `Remove ${member.display_name}?`,
      message: "They leave the call and their personal link stops working. You can add them again later with a new link.",
      confirmLabel: "Remove",
    });
    if (ok) await this._act(this.room.moderate("remove", member.participant_id), `${member.display_name} was removed.`);
  }

  async _lock() {
    const locked = this.lockInput.checked;
    await this._act(this.room.lock(locked), locked ? "Room locked." : "Room unlocked.");
  }

  async _end() {
    const ok = await confirmAction({
      title: "End the session for everyone?",
      message: "Everyone is disconnected and the personal links stop working.",
      confirmLabel: "End session",
    });
    if (ok) await this._act(this.room.endSession());
  }

  destroy() {
    clearInterval(this._timer);
    document.title = this._title;
  }
}

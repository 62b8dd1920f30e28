// Talking without speaking, in the call: a Chat control opens a small panel of messages. A client
// writes to everyone or only to their therapist, and has a one-tap "I can't talk right now" that goes
// to the therapist alone and alerts them; a therapist can answer one person privately. In a group a
// client can raise a hand, and the therapist sees it on the person's tile. Nothing is kept after the call.

import { el, announce } from "../lib/dom.js";
import { icon } from "../lib/icons.js";

const QUIET = "I can't talk right now";

function when(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export class ChatPanel {
  constructor(room, { isHost }) {
    this.room = room;
    this.isHost = isHost;
    this.unread = 0;
    this.list = el("ol", { class: "chat-list", "aria-live": "polite", "aria-label": "Messages" });
    this.input = el("input", { id: "chat-text", type: "text", maxlength: "500", autocomplete: "off" });
    this.to = el("select", { id: "chat-to", "aria-label": "Send to" },
      el("option", { value: "room" }, "Everyone"),
      isHost ? null : el("option", { value: "hosts" }, "Only my therapist"));
    this.error = el("p", { class: "form-error", role: "alert" });
    this.hands = el("ul", { class: "chat-hands", "aria-label": "Raised hands", hidden: true });
    this.raised = new Map(); // pid -> name (therapists: who raised a hand)
    const form = el("form", { class: "chat-form", onsubmit: (event) => { event.preventDefault(); this._send(); } },
      el("label", { for: "chat-text", class: "visually-hidden" }, "Message"), this.input, this.to,
      el("button", { type: "submit", class: "btn btn-small btn-primary" }, "Send"));
    const quiet = isHost ? null : el("button", { type: "button", class: "btn btn-small chat-quiet",
      onclick: () => this._send(QUIET, "hosts", true) }, QUIET);
    this.root = el("section", { class: "chat-panel", "aria-label": "Chat", hidden: true },
      el("div", { class: "chat-head" }, el("h2", {}, "Chat"),
        el("button", { type: "button", class: "btn btn-small", onclick: () => this.toggle(false) }, "Close")),
      quiet, this.hands, this.list, form, this.error);
    this.button = el("button", { type: "button", class: "ctl", "aria-pressed": "false",
      onclick: () => this.toggle() }, icon("chat"), el("span", { class: "ctl-label" }, "Chat"),
    this.badge = el("span", { class: "ctl-badge", hidden: true }));
    // a raised hand is for groups: shown once the room says it is one
    this.handButton = isHost ? null : el("button", { type: "button", class: "ctl", "aria-pressed": "false", hidden: true,
      onclick: () => this._hand() }, icon("hand"), el("span", { class: "ctl-label" }, "Raise hand"));
    room.addEventListener("state", ({ detail }) => {
      if (this.handButton) this.handButton.hidden = detail.state.kind !== "group";
    });
    room.addEventListener("chat", ({ detail }) => this._received(detail));
    room.addEventListener("hand", ({ detail }) => this._handChanged(detail));
    room.addEventListener("members", () => this._refreshTargets());
  }

  toggle(open = this.root.hidden) {
    this.root.hidden = !open;
    this.button.setAttribute("aria-pressed", String(open));
    if (open) {
      this.unread = 0;
      this.badge.hidden = true;
      this.input.focus();
    }
  }

  // a therapist may write to one person: the list follows who is in the call
  _refreshTargets() {
    if (!this.isHost) return;
    const keep = this.to.value;
    const people = [...this.room.members.values()].filter((m) => m.role !== "therapist" && m.status === "admitted");
    this.to.replaceChildren(el("option", { value: "room" }, "Everyone"),
      ...people.map((m) => el("option", { value: m.participant_id }, `Only ${m.display_name}`)));
    this.to.value = [...this.to.options].some((o) => o.value === keep) ? keep : "room";
  }

  async _send(text = this.input.value.trim(), to = this.to.value, quiet = false) {
    if (!text) return;
    this.error.textContent = "";
    try {
      await this.room.chat(text, to, quiet);
    } catch (error) {
      this.error.textContent = error.message;
      return;
    }
    if (!quiet) this.input.value = "";
    this._add({ from_name: "You", text, to: to === "room" ? "room" : "sent", quiet, at: Date.now() / 1000 });
    if (quiet) announce("Your therapist has been told you can't talk right now.");
  }

  _received(message) {
    this._add(message);
    if (message.quiet) {
      // a client can't talk: the therapist must see it even with the chat closed
      this.toggle(true);
      announce(`${message.from_name}: ${message.text}`, { assertive: true });
      return;
    }
    if (this.root.hidden) {
      this.unread += 1;
      this.badge.textContent = String(this.unread);
      this.badge.hidden = false;
    }
    announce(`Message from ${message.from_name}`);
  }

  _add(message) {
    const privately = message.to === "you" ? " (to you only)" : message.to === "hosts" ? " (to the therapist only)"
      : message.to === "sent" ? " (private)" : "";
    this.list.append(el("li", { class: message.quiet ? "chat-item chat-quiet-item" : "chat-item" },
      el("span", { class: "chat-meta" }, `${message.from_name}${privately} · ${when(message.at)}`),
      el("span", { class: "chat-text" }, message.text)));
    this.list.scrollTop = this.list.scrollHeight;
  }

  async _hand() {
    const raised = this.handButton.getAttribute("aria-pressed") !== "true";
    try {
      await this.room.raiseHand(raised);
    } catch (error) {
      this.error.textContent = error.message;
    }
  }

  _handChanged({ participant_id: pid, display_name: name, raised }) {
    if (this.handButton && pid === this.room.selfId) {
      this.handButton.setAttribute("aria-pressed", String(raised));
      this.handButton.querySelector(".ctl-label").textContent = raised ? "Lower hand" : "Raise hand";
    }
    if (!this.isHost) return;
    if (raised) {
      this.raised.set(pid, name);
      announce(`${name} raised their hand`);
    } else {
      this.raised.delete(pid);
    }
    this.hands.hidden = this.raised.size === 0;
    this.hands.replaceChildren(...[...this.raised].map(([who, whoName]) => el("li", {}, `\u270B ${whoName} `,
      el("button", { type: "button", class: "btn btn-small", onclick: () => this.room.moderate("lower_hand", who) },
        `Lower ${whoName}'s hand`))));
    if (raised && this.root.hidden) {
      this.unread += 1;
      this.badge.textContent = String(this.unread);
      this.badge.hidden = false;
    }
  }
}

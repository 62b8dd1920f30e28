// "Unread messages" in "Needs attention": the clients whose messages nobody on their care team has read
// (GET /api/messages/unread: counts and names, never the text), waiting longest first. Kept live by the
// /staff socket's "message" push and by the console saying a thread was read ("steadyline:messages-read").
// A client's name opens their "Between sessions" view, where the thread is.

import { $, el, announce } from "../lib/dom.js";

export const MESSAGES_READ = "steadyline:messages-read";

function words(thread) {
  const count = thread.unread === 1 ? "1 unread message" : `${thread.unread} unread messages`;
  return thread.urgent ? `${count}, marked urgent` : count;
}

export class UnreadMessages {
  // requests: consoleRequests(call); openClient(clientId, name)
  constructor({ requests, openClient }) {
    this.requests = requests;
    this.openClient = openClient;
    this.list = $("#attention-messages");
    this.known = new Map(); // client_id -> unread count, to announce what is new
    this._refresh = () => this.reload();
  }

  start() {
    document.addEventListener(MESSAGES_READ, this._refresh);
  }

  stop() {
    document.removeEventListener(MESSAGES_READ, this._refresh);
    this.known.clear();
    this.list.replaceChildren();
    $("#attention-messages-block").hidden = true;
  }

  // a client wrote (the push carries no text and no name): read the list again and say who
  async pushed(clientId) {
    const before = this.known.get(clientId) || 0;
    await this.reload();
    const now = this.known.get(clientId) || 0;
    const thread = this.threads.find((t) => t.client_id === clientId);
    if (thread && now > before) {
      announce(`New message from ${thread.client_name || "a client"}${thread.urgent ? ", marked urgent" : ""}.`,
        { assertive: thread.urgent });
    }
  }

  async reload() {
    try {
      this.threads = (await this.requests.unreadThreads()).threads;
    } catch (error) {
      $("#attention-error").textContent = `Could not load unread messages: ${error.message}`;
      return;
    }
    this.known = new Map(this.threads.map((t) => [t.client_id, t.unread]));
    this.list.replaceChildren(...this.threads.map((thread) => el("li", {
      class: `attention-message${thread.urgent ? " urgent" : ""}`, dataset: { clientId: thread.client_id } },
    el("button", { type: "button", class: "link-button",
      onclick: () => this.openClient(thread.client_id, thread.client_name || "the client") },
    thread.client_name || "A client"),
    " · ", el("span", {}, words(thread)))));
    $("#attention-messages-block").hidden = this.threads.length === 0;
  }
}

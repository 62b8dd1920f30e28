// "Needs attention" on the console's sessions view: the alerts and outreach tasks this clinician may see,
// newest first, filtered by risk and by open / done, kept live by the /staff socket (staff_socket.js) and
// reloaded by REST on every (re)connect. A new high-risk alert is announced (assertive live region).
// The client's name opens their safety plan and "Between sessions" with its trend chart (client_between.js).

import { $, announce } from "../lib/dom.js";
import { fromAlert, fromTask, itemNode } from "./dashboard_view.js";
import { StaffSocket } from "./staff_socket.js";
import { UnreadMessages } from "./unread_messages.js";

// Someone else changed an item while you were on it: keep the colleague you chose and the note you were
// writing (and its form open) in the item's new version.
function keepWhatYouWereDoing(old, node) {
  const oldPick = old.querySelector(".attention-give select");
  const newPick = node.querySelector(".attention-give select");
  if (oldPick && newPick && oldPick.value) newPick.value = oldPick.value;
  const oldForm = old.querySelector(".attention-resolve");
  const newForm = node.querySelector(".attention-resolve");
  if (oldForm && newForm && !oldForm.hidden) {
    newForm.hidden = false;
    newForm.querySelector("textarea").value = oldForm.querySelector("textarea").value;
  }
}

export class Dashboard {
  // requests: consoleRequests(call); staff(): the signed-in {access_token, staff};
  // openClient(clientId, name): show the client's plan and between-sessions view; onSignedOut(message)
  constructor({ requests, staff, openClient, onSignedOut }) {
    this.requests = requests;
    this.staff = staff;
    this.openClient = openClient;
    this.onSignedOut = onSignedOut;
    this.items = new Map(); // key -> item
    this.nodes = new Map(); // key -> <li>
    this.colleagues = [];
    this.socket = null;
    this.list = $("#attention-list");
    this.filters = $("#attention-filters");
    this.filters.addEventListener("change", () => this.render());
    this.messages = new UnreadMessages({ requests, openClient: (clientId, name) => this.openClient(clientId, name) });
    this.actions = {
      acknowledge: (item) => this._changed(item, this.requests.acknowledgeAlert(item.id)),
      assign: (item, staffId) => this._changed(item, item.type === "alert"
        ? this.requests.assignAlert(item.id, staffId) : this.requests.assignOutreach(item.id, staffId)),
      resolve: async (item, note) => {
        await this._changed(item, item.type === "alert"
          ? this.requests.resolveAlert(item.id, note) : this.requests.resolveOutreach(item.id, note));
        announce("Resolved. It is listed under Done.");
        if (!this.list.contains(document.activeElement)) $("#attention-title").focus();
      },
      openClient: (item) => this.openClient(item.clientId, item.clientName || "the client"),
    };
  }

  get running() {
    return this.socket !== null;
  }

  start() {
    if (this.socket) return;
    $("#attention").hidden = false;
    this._state("connecting");
    this.socket = new StaffSocket(this.staff().access_token, {
      onAlert: (alert) => this._pushed(fromAlert(alert)),
      onTask: (task) => this._pushed(fromTask(task)),
      onMessage: (clientId) => this.messages.pushed(clientId),
      onConnected: () => this.reload(),
      onSignedOut: (message) => { this.stop(); this.onSignedOut(message); },
      onState: (state) => this._state(state),
    });
    this.messages.start();
    this.socket.connect();
  }

  stop() {
    if (this.socket) this.socket.close();
    this.socket = null;
    this.messages.stop();
    this.items.clear();
    this.nodes.clear();
    this.list.replaceChildren();
  }

  async reload() {
    const error = $("#attention-error");
    try {
      const [alerts, tasks, colleagues] = await Promise.all([
        this.requests.alerts(), this.requests.outreach(), this.requests.therapists()]);
      this.colleagues = colleagues.therapists;
      this.items.clear();
      this.nodes.clear();
      alerts.alerts.forEach((a) => this.items.set(`alert:${a.alert_id}`, fromAlert(a)));
      tasks.tasks.forEach((t) => this.items.set(`task:${t.task_id}`, fromTask(t)));
      error.textContent = "";
    } catch (e) {
      error.textContent = `Could not load what needs attention: ${e.message}`;
    }
    this.render();
    await this.messages.reload();
  }

  async _changed(item, request) {
    const answer = await request;
    this._put(item.type === "alert" ? fromAlert(answer) : fromTask(answer));
    this.render();
  }

  _pushed(item) {
    const isNew = !this.items.has(item.key);
    this._put(item);
    this.render();
    if (isNew && item.risk === "high" && !item.resolvedAt) {
      announce(`New high-risk alert${item.clientName ? ` about ${item.clientName}` : ""}: ${item.subject}`,
        { assertive: true });
    }
  }

  _put(item) {
    const before = this.items.get(item.key);
    this.items.set(item.key, item);
    const old = this.nodes.get(item.key);
    // the push of your own change follows its answer: the same again changes nothing on screen
    if (old && before && JSON.stringify(before) === JSON.stringify(item)) return;
    const node = this._node(item);
    if (old) {
      keepWhatYouWereDoing(old, node);
      const hadFocus = old.contains(document.activeElement);
      old.replaceWith(node);
      if (hadFocus) node.focus(); // keyboard and screen-reader users stay on the item they acted on
    }
    this.nodes.set(item.key, node);
  }

  _node(item) {
    const me = this.staff().staff.id;
    const names = new Map(this.colleagues.map((c) => [c.id, c.display_name]));
    const nameOf = (id) => (id === me ? "you" : names.get(id) || "a colleague");
    return itemNode(item, { actions: this.actions, colleagues: this.colleagues, me, myRole: this.staff().staff.role, nameOf });
  }

  _shown() {
    const risk = this.filters.elements.risk.value;
    const done = this.filters.elements.show.value === "done";
    return [...this.items.values()]
      .filter((i) => (risk === "all" || i.risk === risk) && Boolean(i.resolvedAt) === done)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  render() {
    const shown = this._shown();
    this.list.replaceChildren(...shown.map((item) => {
      if (!this.nodes.has(item.key)) this.nodes.set(item.key, this._node(item));
      return this.nodes.get(item.key);
    }));
    const open = [...this.items.values()].filter((i) => !i.resolvedAt);
    const high = open.filter((i) => i.risk === "high").length;
    $("#attention-count").textContent = `${open.length} open${high ? `, ${high} high risk` : ""}`;
    $("#attention-empty").hidden = shown.length > 0;
  }

  _state(state) {
    const words = { live: "Live", connecting: "Connecting…", reconnecting: "Reconnecting… (lists may be out of date)" };
    $("#attention-live").textContent = words[state] || state;
  }
}

// The therapist's crisis controls in the host panel (docs/protocol.md, "Crises"): start the crisis
// protocol for a client, see its state in plain words, take the next step (one button per allowed
// action, sent with the version it was based on), invite a consented support person and relay the
// situation to emergency services, each giving a link to copy.

import { el, announce } from "./dom.js";
import { ApiError } from "./api.js";


export const STATE_WORDS = {
  active: "Crisis active. Stay with the client.",
  help_on_the_way: "Help is on the way.",
  help_arrived: "Help has arrived.",
  stabilised: "Stabilised.",
  closed: "Closed.",
};

const ACTION_LABELS = {
  dispatch_help: "Help is on the way",
  help_arrived: "Help has arrived",
  stabilise: "Mark as stabilised",
  reactivate: "Crisis again: back to active",
  close: "Close the crisis",
};

function copyField(id, label, value) {
  const input = el("input", { id, type: "text", readonly: true, class: "link-out", value });
  const done = el("span", { class: "copy-done", role: "status" });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      input.select();
      document.execCommand("copy");
    }
    done.textContent = "Copied.";
    announce("Link copied.");
  };
  return el("div", { class: "crisis-link" },
    el("label", { for: id }, label),
    el("div", { class: "copy-row" }, input,
      el("button", { type: "button", class: "btn btn-small", "aria-label": `Copy: ${label}`, onclick: copy }, "Copy")),
    done);
}

export class CrisisPanel {
  constructor(room, { call }) {  // call(method, path, body): the console's signed-in API client
    this.room = room;
    this.call = call;
    this.sessionId = null;
    this.clients = []; // [{participant_id, client_id, display_name}]
    this.crisis = null; // the CrisisView
    this.contacts = null; // consented support persons of the crisis's client
    this.links = []; // links made during this crisis: [{id, label, url}]
    this.invited = new Set(); // contact_ids invited during this crisis
    this.status = el("p", { class: "crisis-state", id: "crisis-state", role: "status", "aria-live": "polite" });
    this.error = el("p", { class: "form-error", role: "alert" });
    this.body = el("div", { class: "crisis-body" });
    // kept across renders, so a crisis event arriving while the therapist types loses nothing
    this.situation = el("textarea", { id: "crisis-situation", rows: "3", maxlength: "2000" });
    this.root = el("section", { class: "panel-section crisis-panel", "aria-labelledby": "crisis-heading" },
      el("h2", { id: "crisis-heading" }, "Crisis protocol"), this.status, this.error, this.body);
    room.addEventListener("state", ({ detail }) => this._onState(detail.state));
    room.addEventListener("members", ({ detail }) => {
      const known = new Set(this.clients.map((c) => c.participant_id));
      if (detail.members.some((m) => m.role === "client" && !known.has(m.participant_id))) this._loadClients();
    });
    room.addEventListener("crisis", ({ detail }) => this._onNotice(detail));
    this._render();
  }

  async _onState(state) {
    this.sessionId = state.session_id;
    await this._loadClients();
  }

  async _loadClients() {
    if (!this.sessionId) return;
    try {
      const session = await this.call("GET", `/api/sessions/${this.sessionId}`);
      this.clients = (session.participants || [])
        .filter((p) => p.role === "client" && !p.removed && p.client_id)
        .map((p) => ({ participant_id: p.id, client_id: p.client_id, display_name: p.display_name }));
      this.kind = session.kind;
    } catch {
      return; // keep what we had; the start button still works in a 1:1 session
    }
    if (!this._isOpen()) this._render();
  }

  _isOpen() {
    return Boolean(this.crisis && this.crisis.state !== "closed");
  }

  async _onNotice(notice) {
    if (this.crisis && this.crisis.crisis_id === notice.crisis_id && this.crisis.version >= notice.version) return;
    await this._reload(notice.crisis_id);
  }

  async _reload(crisisId) {
    try {
      this._show(await this.call("GET", `/api/crises/${crisisId}`));
    } catch (error) {
      this.error.textContent = error.message;
    }
  }

  _show(crisis) {
    const changed = !this.crisis || this.crisis.crisis_id !== crisis.crisis_id;
    if (changed) {
      this.contacts = null;
      this.links = [];
      this.invited = new Set();
      this.situation.value = "";
    }
    const stateChanged = changed || this.crisis.state !== crisis.state;
    this.crisis = crisis;
    this._render();
    if (stateChanged) announce(`Crisis protocol: ${STATE_WORDS[crisis.state] || crisis.state}`);
    if (changed) this._loadContacts();
  }

  async _act(fn) {
    this.error.textContent = "";
    try {
      await fn();
    } catch (error) {
      if (error instanceof ApiError && error.code === "crisis_version_conflict" && this.crisis) {
        this.error.textContent = "Someone else changed the crisis just now. Here is where it stands; choose again.";
        await this._reload(this.crisis.crisis_id);
      } else if (error instanceof ApiError && error.code === "consent_required") {
        this.error.textContent = "The client has not given consent for this. Sharing without it needs an emergency "
          + "override with a written reason, which this panel does not offer yet.";
      } else {
        this.error.textContent = error.message || "That didn't work. Please try again.";
      }
    }
  }

  _start(client) {
    return this._act(async () => {
      const body = client && this.clients.length > 1 ? { client_id: client.client_id } : {};
      this._show(await this.call("POST", `/api/sessions/${this.sessionId}/crisis`, body));
    });
  }

  _step(action) {
    const { crisis_id: id, version } = this.crisis;
    return this._act(async () => {
      this._show(await this.call("POST", `/api/crises/${id}/transitions`, { action, expected_version: version }));
    });
  }

  async _loadContacts() {
    const id = this.crisis.crisis_id;
    const current = () => this.crisis && this.crisis.crisis_id === id;
    try {
      const { grants } = await this.call("GET", `/api/clients/${this.crisis.client_id}/consents`);
      const seen = new Map();
      for (const g of grants) {
        if (g.active && g.party === "support_person" && g.scope === "invite_to_video" && g.contact_id) {
          seen.set(g.contact_id, { contact_id: g.contact_id, name: g.contact_name || "Support person" });
        }
      }
      if (current()) this.contacts = [...seen.values()];
    } catch {
      if (current()) this.contacts = [];
    }
    this._render();
  }

  _invite(contact) {
    return this._act(async () => {
      const made = await this.call("POST", `/api/crises/${this.crisis.crisis_id}/support-persons`,
        { contact_id: contact.contact_id });
      this.invited.add(contact.contact_id);
      this._addLink("support", `Personal link for ${contact.name}`, made.join_url);
      announce(`${contact.name} is invited. Their link is ready to copy; they will wait in the waiting room.`);
    });
  }

  _relay(textarea) {
    const situation = textarea.value.trim();
    if (!situation) {
      this.error.textContent = "Describe the situation for emergency services first.";
      textarea.focus();
      return null;
    }
    return this._act(async () => {
      const made = await this.call("POST", `/api/crises/${this.crisis.crisis_id}/responder-packet`, { situation });
      await this._reload(this.crisis.crisis_id); // the disclosure is a new version of the crisis
      this._addLink("responder", "Responder link", made.responder_url);
      announce("Relayed to emergency services. The responder link is ready to copy.");
    });
  }

  _addLink(kind, label, url) {
    this.links.push({ id: `crisis-link-${kind}-${this.links.length + 1}`, label, url });
    this._render();
    const input = this.root.querySelector(`#${this.links[this.links.length - 1].id}`);
    if (input) {
      input.focus();
      input.select();
    }
  }

  _render() {
    this.root.dataset.state = this.crisis ? this.crisis.state : "none";
    if (!this._isOpen()) {
      this.status.textContent = this.crisis ? `Crisis protocol: ${STATE_WORDS.closed}` : "";
      const targets = this.clients.length > 1 ? this.clients : [this.clients[0] || null];
      this.body.replaceChildren(...targets.map((client) => el("button", {
        type: "button", class: "btn btn-danger btn-block btn-crisis", disabled: !this.sessionId,
        onclick: () => this._start(client),
      }, this.clients.length > 1 ? `Start crisis protocol: ${client.display_name}` : "Start crisis protocol")));
      return;
    }
    const crisis = this.crisis;
    const client = this.clients.find((c) => c.client_id === crisis.client_id);
    this.status.textContent = STATE_WORDS[crisis.state] || crisis.state;
    const actions = el("div", { class: "crisis-actions", role: "group", "aria-label": "Next step" },
      ...crisis.allowed_actions.map((action) => el("button", {
        type: "button", class: action === "close" ? "btn btn-block" : "btn btn-primary btn-block",
        dataset: { action }, onclick: () => this._step(action),
      }, ACTION_LABELS[action] || action)));
    const invite = el("div", { class: "crisis-block" }, el("h3", {}, "Invite support person"),
      this.contacts === null ? el("p", { class: "muted" }, "Loading the client's contacts…")
        : this.contacts.length === 0 ? el("p", { class: "muted" }, "No support person has the client's consent to be invited.")
          : el("ul", { class: "crisis-contacts" }, ...this.contacts.map((c) => el("li", {},
            el("button", { type: "button", class: "btn btn-small", onclick: () => this._invite(c) }, `Invite ${c.name}`),
            this.invited.has(c.contact_id) ? el("span", { class: "muted" }, " Invited.") : null))));
    const situation = this.situation;
    const relay = el("div", { class: "crisis-block" }, el("h3", {}, "Emergency services"),
      el("label", { for: "crisis-situation" }, "Situation (what responders need to know)"), situation,
      el("button", { type: "button", class: "btn btn-danger btn-block", onclick: () => this._relay(situation) },
        "Relay to emergency services"));
    const links = this.links.map((l) => copyField(l.id, l.label, l.url));
    const about = client && this.clients.length > 1 ? el("p", { class: "crisis-about" }, `About ${client.display_name}`) : null;
    this.body.replaceChildren(...[about, actions, ...links, invite, relay].filter(Boolean));
  }
}

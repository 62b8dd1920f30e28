// The therapist's crisis controls in the host panel (docs/protocol.md, "Crises"): start the crisis
// protocol for a client, see its state in plain words, take the next step (one button per allowed
// action, sent with the version it was based on), invite a consented support person and relay the
// situation to emergency services, each giving a link to copy. Without the client's consent both
// offer an emergency override with a written reason. In a group, a client can be moved into a
// private crisis room (the therapist follows with "Open the private room"); after closing, the
// follow-up plan is shown and its items can be ticked off.

import { el, announce } from "../lib/dom.js";
import { ApiError } from "../lib/api.js";
import { FOLLOW_UP_WORDS, followUpItems } from "./follow_up_list.js";
import { ResponderLinks } from "./responder_links.js";


export const STATE_WORDS = {
  active: "Crisis active. Stay with the client.",
  help_on_the_way: "Help is on the way.",
  help_arrived: "Help has arrived.",
  stabilised: "Stabilised.",
  closed: "Closed.",
};

const NOTIFY_WORDS = { sent: "sent", failed: "could not be sent", skipped: "not set up" };
const CHANNEL_WORDS = { email: "Email", webhook: "Text message / webhook" };


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
    this.notices = []; // plain-words outcomes of invitations: [{id, text}]
    this.override = null; // {kind: "invite" | "relay", contact?, situation?}: waiting for a written reason
    this.privateRoom = null; // the answer of POST /private-room, until the therapist goes there
    this.followUp = null; // the follow-up plan of the closed crisis
    this.debrief = el("input", { type: "checkbox", id: "crisis-debrief" });
    this.reason = el("textarea", { id: "crisis-override-reason", rows: "3", maxlength: "4000",
      "aria-describedby": "crisis-override-why" });
    this.status = el("p", { class: "crisis-state", id: "crisis-state", role: "status", "aria-live": "polite" });
    this.error = el("p", { class: "form-error", role: "alert" });
    this.body = el("div", { class: "crisis-body" });
    // kept across renders, so a crisis event arriving while the therapist types loses nothing
    this.situation = el("textarea", { id: "crisis-situation", rows: "3", maxlength: "2000" });
    this.clientPhone = el("input", { type: "tel", id: "crisis-client-phone", autocomplete: "off", maxlength: "32" });
    this.therapistPhone = el("input", { type: "tel", id: "crisis-therapist-phone", autocomplete: "tel", maxlength: "32" });
    this.allowJoin = el("input", { type: "checkbox", id: "crisis-responder-join" });
    this.substanceUse = el("input", { type: "checkbox", id: "crisis-substance-use" });
    this.responderLinks = new ResponderLinks({ call, onChange: () => this._render() });
    this.root = el("section", { class: "panel-section crisis-panel", "aria-labelledby": "crisis-heading" },
      el("h2", { id: "crisis-heading" }, "Crisis protocol"), this.status, this.error, this.body);
    room.addEventListener("state", ({ detail }) => this._onState(detail.state));
    room.addEventListener("members", ({ detail }) => {
      const known = new Set(this.clients.map((c) => c.participant_id));
      if (detail.members.some((m) => m.role === "client" && !known.has(m.participant_id))) this._loadClients();
    });
    room.addEventListener("crisis", ({ detail }) => this._onNotice(detail));
    room.addEventListener("lost_contact", ({ detail }) => this._lostContact(detail));
    room.addEventListener("help_requested", ({ detail }) => this._urgent(
      `${this._clientName(detail.participant_id)} pressed “I need help now”. The crisis protocol is open.`));
    this._render();
  }

  async _onState(state) {
    if (this.sessionId !== state.session_id) this.privateRoom = null;
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
    const movedAway = notice.event && notice.event.kind === "moved" && notice.session_id !== this.sessionId;
    if (movedAway && !this.privateRoom) { // a co-facilitator: the crisis went on in another room
      this.crisis = null;
      this._render();
      this.status.textContent = "The crisis moved to a private room with the lead therapist. Carry on with the group.";
      return;
    }
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
      this.notices = [];
      this.override = null;
      this.followUp = null;
      this.situation.value = "";
      this.clientPhone.value = "";
      this.reason.value = "";
      this.debrief.checked = false;
      this.substanceUse.checked = false;
      this.responderLinks.load(crisis.crisis_id);
    }
    const stateChanged = changed || this.crisis.state !== crisis.state;
    this.crisis = crisis;
    this._render();
    if (stateChanged) announce(`Crisis protocol: ${STATE_WORDS[crisis.state] || crisis.state}`);
    if (changed && crisis.state !== "closed") this._loadContacts();
    if (crisis.state === "closed" && !this.followUp) this._loadFollowUp();
  }

  async _act(fn, overrideWith = null) {
    this.error.textContent = "";
    try {
      await fn();
    } catch (error) {
      if (error instanceof ApiError && error.code === "consent_required" && overrideWith) {
        this.override = overrideWith;
        this._render();
        this.reason.focus();
        announce("The client has not consented to this. An emergency override with a written reason is offered.");
        return;
      }
      if (error instanceof ApiError && error.code === "crisis_version_conflict" && this.crisis) {
        this.error.textContent = "Someone else changed the crisis just now. Here is where it stands; choose again.";
        await this._reload(this.crisis.crisis_id);
      } else if (error instanceof ApiError && error.code === "consent_required") {
        this.error.textContent = "The client has not given consent for this.";
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
    const body = { action, expected_version: version };
    if (action === "close") body.include_family_debrief = this.debrief.checked;
    return this._act(async () => {
      this._show(await this.call("POST", `/api/crises/${id}/transitions`, body));
    });
  }

  // ---- private crisis room (group sessions) ----------------------------------------------------
  _moveToPrivateRoom(client) {
    return this._act(async () => {
      const room = await this.call("POST", `/api/sessions/${this.sessionId}/private-room`,
        { participant_id: client.participant_id });
      this.privateRoom = { ...room, client };
      this._show(room.crisis);
      announce(room.client_notified
        ? `${client.display_name} is moving to a private room. Open the private room to join them.`
        : `The private room is ready, but ${client.display_name} is not connected right now.`);
    });
  }

  _openPrivateRoom() {
    const room = this.privateRoom;
    if (!room) return;
    this.room.moveTo({
      participant_token: room.participant_token, session_id: room.session.id, expires_in: room.expires_in,
      participant: room.host, from_session_id: room.from_session_id, by: "self",
    });
  }

  _privateRoomBlock() {
    const room = this.privateRoom;
    if (!room) return null;
    const name = room.client.display_name;
    return el("div", { class: "crisis-block crisis-private-room" },
      el("h3", {}, "Private room"),
      el("p", {}, room.client_notified
        ? `${name} is on their way to a private room with you. The group goes on: a co-facilitator keeps it `
          + "running; if you were its only host, it continues without one until you come back."
        : `${name} is not connected right now, so they could not be moved. Send them a new link for the private `
          + "room from the session list."),
      el("button", { type: "button", class: "btn btn-primary btn-block", id: "open-private-room",
        onclick: () => this._openPrivateRoom() }, "Open the private room"));
  }

  // ---- follow-up after closing ---------------------------------------------------------------
  async _loadFollowUp() {
    const id = this.crisis.crisis_id;
    try {
      const plan = await this.call("GET", `/api/crises/${id}/follow-up`);
      if (this.crisis && this.crisis.crisis_id === id) this.followUp = plan;
    } catch {
      return;
    }
    this._render();
  }

  _markDone(item) {
    return this._act(async () => {
      this.followUp = await this.call("POST",
        `/api/clients/${this.followUp.client_id}/follow-ups/${item.id}/done`);
      this._render();
      announce(`${FOLLOW_UP_WORDS[item.kind] || item.kind} marked done.`);
    });
  }

  _followUpBlock() {
    const plan = this.followUp;
    if (!plan) return null;
    return el("div", { class: "crisis-block crisis-follow-up" },
      el("h3", {}, "Follow-up plan"),
      followUpItems(plan, (item) => this._markDone(item)));
  }

  async _loadContacts() {
    const id = this.crisis.crisis_id;
    const current = () => this.crisis && this.crisis.crisis_id === id;
    const seen = new Map();
    try {
      const { grants } = await this.call("GET", `/api/clients/${this.crisis.client_id}/consents`);
      for (const g of grants) {
        if (g.active && g.party === "support_person" && g.scope === "invite_to_video" && g.contact_id) {
          seen.set(g.contact_id, { contact_id: g.contact_id, name: g.contact_name || "Support person", consented: true });
        }
      }
    } catch {
      // no consents readable: the plan's people are still offered (with the override)
    }
    try {
      // The people the client named in their plan without consent: an emergency override can invite them.
      const plan = await this.call("GET", `/api/clients/${this.crisis.client_id}/safety-plan`);
      const sections = (plan && plan.version && plan.version.sections) || [];
      for (const section of sections.filter((x) => x.key === "people_to_ask")) {
        for (const c of section.contacts || []) {
          if (c.contact_id && !seen.has(c.contact_id)) {
            seen.set(c.contact_id, { contact_id: c.contact_id, name: c.name || "Support person", consented: false });
          }
        }
      }
    } catch {
      // no plan: only consented people
    }
    if (current()) this.contacts = [...seen.values()];
    this._render();
  }

  _clientName(participantId) {
    const client = this.clients.find((c) => c.participant_id === participantId
      || (this.crisis && c.client_id === this.crisis.client_id));
    return client ? client.display_name : "The client";
  }

  // Urgent notices (role=alert) stay in the panel until the crisis changes hands or closes.
  _urgent(text) {
    this.notices.push({ id: `crisis-notice-${this.notices.length + 1}`, text, urgent: true });
    this._render();
  }

  _lostContact({ step, since, notified }) {
    const name = this._clientName(null);
    const at = since ? new Date(since).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
    if (step === "prompt_emergency_call") {
      this._urgent(`${name} has been out of contact since ${at}. Call emergency services now and relay their `
        + "location (Relay to emergency services below).");
    } else if (step === "notify_support_person") {
      this._urgent(`${name} has not come back. ${notified || "Their"} support person${notified > 1 ? "s were" : " was"} `
        + "told contact was lost.");
    } else {
      this._urgent(`${name} has not come back, and there is no support person they agreed we may contact.`);
    }
  }

  _invite(contact, overrideReason = null) {
    const body = { contact_id: contact.contact_id };
    if (overrideReason) body.override_reason = overrideReason;
    return this._act(async () => {
      const made = await this.call("POST", `/api/crises/${this.crisis.crisis_id}/support-persons`, body);
      this.override = null;
      this.reason.value = "";
      this.invited.add(contact.contact_id);
      const sent = Object.entries(made.notifications || {})
        .map(([channel, outcome]) => `${CHANNEL_WORDS[channel] || channel}: ${NOTIFY_WORDS[outcome] || outcome}`);
      this.notices.push({ id: `crisis-notice-${this.notices.length + 1}`, text:
        `${contact.name} is invited${made.basis === "override" ? " (emergency override)" : ""}. `
        + (sent.length ? `${sent.join(". ")}.` : "") });
      this._addLink("support", `Personal link for ${contact.name}`, made.join_url);
      announce(`${contact.name} is invited. Their link is ready to copy; they will come straight into the call.`);
    }, overrideReason ? null : { kind: "invite", contact });
  }

  _overrideBlock() {
    const o = this.override;
    if (!o) return null;
    const what = o.kind === "invite" ? `invite ${o.contact.name} to the call`
      : "share the client's location and situation with emergency services";
    const submit = () => {
      const reason = this.reason.value.trim();
      if (!reason) {
        this.error.textContent = "Write down why this cannot wait for the client's consent.";
        this.reason.focus();
        return null;
      }
      return o.kind === "invite" ? this._invite(o.contact, reason) : this._relayWith(o.situation, reason);
    };
    return el("div", { class: "crisis-block crisis-override", role: "group", "aria-labelledby": "crisis-override-heading" },
      el("h3", { id: "crisis-override-heading" }, "Emergency override"),
      el("p", { id: "crisis-override-why" }, `The client has not given consent to ${what}. In an emergency you `
        + "can do it anyway: write down why it cannot wait. The reason is kept in the record and the clinical "
        + "lead is alerted."),
      el("label", { for: "crisis-override-reason" }, "Reason (required)"), this.reason,
      el("div", { class: "crisis-actions" },
        el("button", { type: "button", class: "btn btn-danger btn-block", id: "crisis-override-submit",
          onclick: submit }, o.kind === "invite" ? "Invite with emergency override" : "Relay with emergency override"),
        el("button", { type: "button", class: "btn btn-block", onclick: () => {
          this.override = null;
          this._render();
        } }, "Cancel")));
  }

  _relay(textarea) {
    const situation = textarea.value.trim();
    if (!situation) {
      this.error.textContent = "Describe the situation for emergency services first.";
      textarea.focus();
      return null;
    }
    return this._relayWith(situation, null);
  }

  _relayWith(situation, overrideReason) {
    const body = { situation };
    if (overrideReason) body.override_reason = overrideReason;
    const clientPhone = this.clientPhone.value.trim();
    const therapistPhone = this.therapistPhone.value.trim();
    if (clientPhone) body.client_phone = clientPhone;
    if (therapistPhone) body.therapist_phone = therapistPhone;
    if (this.allowJoin.checked) body.allow_join = true;
    if (this.substanceUse.checked) body.substance_use = true;
    return this._act(async () => {
      const made = await this.call("POST", `/api/crises/${this.crisis.crisis_id}/responder-packet`, body);
      this.override = null;
      this.reason.value = "";
      await this._reload(this.crisis.crisis_id); // the disclosure is a new version of the crisis
      this._addLink("responder", "Responder link", made.page_url);
      await this.responderLinks.load(this.crisis.crisis_id);
      announce("Relayed to emergency services. The responder link is ready to read out or copy.");
    }, overrideReason ? null : { kind: "relay", situation });
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
      const group = this.kind === "group";
      const buttons = targets.flatMap((client) => [el("button", {
        type: "button", class: "btn btn-danger btn-block btn-crisis", disabled: !this.sessionId,
        onclick: () => this._start(client),
      }, this.clients.length > 1 ? `Start crisis protocol: ${client.display_name}` : "Start crisis protocol"),
      group && client ? this._privateRoomButton(client) : null]);
      this.body.replaceChildren(...[this._privateRoomBlock(), ...buttons, this._followUpBlock(),
        this.crisis ? this.responderLinks.block() : null].filter(Boolean));
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
        : this.contacts.length === 0 ? el("p", { class: "muted" }, "The client's safety plan names no support person to invite.")
          : el("ul", { class: "crisis-contacts" }, ...this.contacts.map((c) => el("li", {},
            el("button", { type: "button", class: "btn btn-small", onclick: () => this._invite(c) },
              c.consented ? `Invite ${c.name}` : `Invite ${c.name} (no consent)`),
            this.invited.has(c.contact_id) ? el("span", { class: "muted" }, " Invited.") : null))));
    const situation = this.situation;
    const relay = el("div", { class: "crisis-block" }, el("h3", {}, "Emergency services"),
      el("label", { for: "crisis-situation" }, "Situation (what responders need to know)"), situation,
      el("label", { for: "crisis-client-phone" }, "Number to call the client back on (optional)"), this.clientPhone,
      el("label", { for: "crisis-therapist-phone" }, "Your callback number (optional)"), this.therapistPhone,
      el("div", { class: "switch-row" }, this.allowJoin,
        el("label", { for: "crisis-responder-join" }, "Let responders join this call from their page")),
      el("div", { class: "switch-row" }, this.substanceUse,
        el("label", { for: "crisis-substance-use" }, "This includes substance-use information (adds the 42 CFR Part 2 "
          + "notice against redisclosure)")),
      el("button", { type: "button", class: "btn btn-danger btn-block", onclick: () => this._relay(situation) },
        "Relay to emergency services"));
    const links = this.links.map((l) => copyField(l.id, l.label, l.url));
    const notices = this.notices.map((n) => el("p", { class: n.urgent ? "crisis-notice crisis-urgent" : "crisis-notice",
      id: n.id, role: n.urgent ? "alert" : "status" }, n.text));
    const about = client && this.clients.length > 1 ? el("p", { class: "crisis-about" }, `About ${client.display_name}`) : null;
    const closing = crisis.allowed_actions.includes("close") ? el("div", { class: "switch-row crisis-debrief" },
      this.debrief, el("label", { for: "crisis-debrief" }, "When closing, plan a debrief with family or support persons")) : null;
    const move = this.kind === "group" && client && !this.privateRoom ? this._privateRoomButton(client) : null;
    this.body.replaceChildren(...[about, this._privateRoomBlock(), move, actions, closing, this._overrideBlock(),
      ...links, this.responderLinks.block(), ...notices, invite, relay].filter(Boolean));
  }

  _privateRoomButton(client) {
    return el("button", { type: "button", class: "btn btn-block btn-private-room", dataset: { pid: client.participant_id },
      onclick: () => this._moveToPrivateRoom(client) }, `Move ${client.display_name} to a private room`);
  }
}

// The therapist's crisis controls in the host panel (docs/protocol.md, "Crises"): start the crisis
// protocol for a client, see its state in plain words, take the next step (one button per allowed
// action, sent with the version it was based on), invite a consented support person and relay the
// situation to emergency services, each giving a link to copy. Without the client's consent both
// offer an emergency override with a written reason. In a group, a client can be moved into a
// private crisis room (the therapist follows with "Open the private room"); after closing, the
// follow-up plan is shown and its items can be ticked off.

import { announce } from "../lib/dom.js";
import { confirmAction } from "../lib/dialog.js";
import { ApiError } from "../lib/api.js";
import { FOLLOW_UP_WORDS } from "./follow_up_list.js";
import { ResponderLinks } from "./responder_links.js";
import { ShareBlock } from "./share_block.js";
import { ClientBrief } from "./client_brief.js";
import { crisisRequests } from "./requests.js";
import { consoleRequests } from "../console/requests.js";
import { planRequests } from "../plans/requests.js";
import { CrisisPanelState, STATE_WORDS, addConsentedContacts, addPlannedContacts } from "./panel_state.js";
import { CrisisPanelView } from "./panel_view.js";

// The panel wires three parts: what it knows (panel_state.js), how it looks (panel_view.js) and the
// requests it makes (requests.js); the methods below are what the therapist's buttons and the room's
// events do.
export class CrisisPanel {
  constructor(room, { call }) {  // call(method, path, body): the console's signed-in API client
    this.room = room;
    this.crises = crisisRequests(call);
    this.sessions = consoleRequests(call);
    this.plans = planRequests(call);
    this.state = new CrisisPanelState();
    this.view = new CrisisPanelView();
    this.root = this.view.root;
    this.responderLinks = new ResponderLinks({ call, onChange: () => this._render() });
    this.on = {
      start: (client) => this._start(client),
      step: (action) => this._step(action),
      moveToPrivateRoom: (client) => this._moveToPrivateRoom(client),
      openPrivateRoom: () => this._openPrivateRoom(),
      markDone: (item) => this._markDone(item),
      invite: (contact) => this._invite(contact),
      submitOverride: (override) => this._submitOverride(override),
      cancelOverride: () => {
        this.state.override = null;
        this._render();
      },
      relay: () => this._relay(),
      share: new ShareBlock(this.crises, this.plans, () => this._render()),
      brief: new ClientBrief(this.plans, this.crises, () => this._render()),
    };
    room.addEventListener("state", ({ detail }) => this._onState(detail.state));
    room.addEventListener("members", ({ detail }) => {
      const known = new Set(this.state.clients.map((c) => c.participant_id));
      if (detail.members.some((m) => m.role === "client" && !known.has(m.participant_id))) this._loadClients();
    });
    room.addEventListener("crisis", ({ detail }) => this._onNotice(detail));
    room.addEventListener("lost_contact", ({ detail }) => {
      const words = this.state.lostContactWords(detail);
      if (words) this._urgent(words);
      else this._render();
      this._tickPaging();
    });
    room.addEventListener("help_requested", ({ detail }) => this._urgent(
      `${this.state.clientName(detail.participant_id)} pressed “I need help now”. The crisis protocol is open.`,
      detail.crisis_id));
    this._render();
  }

  _render() {
    this.view.render(this.state, this.responderLinks, this.on);
  }

  async _onState(state) {
    if (this.state.sessionId !== state.session_id) this.state.privateRoom = null;
    this.state.sessionId = state.session_id;
    await this._loadClients();
  }

  async _loadClients() {
    if (!this.state.sessionId) return;
    try {
      this.state.setSession(await this.sessions.session(this.state.sessionId));
    } catch {
      return; // keep what we had; the start button still works in a 1:1 session
    }
    if (!this.state.isOpen()) this._render();
  }

  async _onNotice(notice) {
    const { crisis } = this.state;
    if (crisis && crisis.crisis_id === notice.crisis_id && crisis.version >= notice.version) return;
    const movedAway = notice.event && notice.event.kind === "moved" && notice.session_id !== this.state.sessionId;
    if (movedAway && !this.state.privateRoom) { // a co-facilitator: the crisis went on in another room
      this.state.crisis = null;
      this._render();
      this.view.status.textContent = "The crisis moved to a private room with the lead therapist. Carry on with the group.";
      return;
    }
    await this._reload(notice.crisis_id);
  }

  async _reload(crisisId) {
    try {
      this._show(await this.crises.crisis(crisisId));
    } catch (error) {
      this.view.error.textContent = error.message;
    }
  }

  _show(crisis) {
    const state = this.state;
    const changed = !state.crisis || state.crisis.crisis_id !== crisis.crisis_id;
    if (changed) {
      state.forgetCrisisDetails(crisis.crisis_id);
      this.view.clearFields();
      this.responderLinks.load(crisis.crisis_id);
    }
    const stateChanged = changed || state.crisis.state !== crisis.state;
    state.crisis = crisis;
    this._render();
    if (stateChanged) announce(`Crisis protocol: ${STATE_WORDS[crisis.state] || crisis.state}`);
    if (changed && crisis.state !== "closed") {
      this._loadContacts();
      this._loadReadOut();
    }
    if (crisis.state === "closed" && !state.followUp) this._loadFollowUp();
  }

  async _act(fn, overrideWith = null) {
    this.view.error.textContent = "";
    try {
      await fn();
    } catch (error) {
      if (error instanceof ApiError && error.code === "consent_required" && overrideWith) {
        this.state.override = overrideWith;
        this._render();
        this.view.reason.focus();
        announce("The client has not consented to this. An emergency override with a written reason is offered.");
        return;
      }
      if (error instanceof ApiError && error.code === "crisis_version_conflict" && this.state.crisis) {
        this.view.error.textContent = "Someone else changed the crisis just now. Here is where it stands; choose again.";
        await this._reload(this.state.crisis.crisis_id);
      } else if (error instanceof ApiError && error.code === "consent_required") {
        this.view.error.textContent = "The client has not given consent for this.";
      } else {
        this.view.error.textContent = error.message || "That didn't work. Please try again.";
      }
    }
  }

  // A crisis starts only once the therapist has confirmed it (a slip of the mouse must not start one).
  async _start(client) {
    const name = client ? client.display_name : "the client";
    if (!await confirmAction({
      title: `Start the crisis protocol for ${name}?`,
      message: "The session is held open, and you can invite their support persons and make a link for emergency "
        + "services.",
      confirmLabel: "Start crisis protocol",
    })) return;
    await this._act(async () => {
      const body = client && this.state.clients.length > 1 ? { client_id: client.client_id } : {};
      this._show(await this.crises.start(this.state.sessionId, body));
    });
  }

  _step(action) {
    const { crisis_id: id, version } = this.state.crisis;
    const body = { action, expected_version: version };
    if (action === "close") {
      body.include_family_debrief = this.view.debrief.checked;
      if (this.state.onDemand) body.book_follow_up = this.view.book.checked;
    }
    return this._act(async () => {
      this._show(await this.crises.transition(id, body));
    });
  }

  // ---- private crisis room (group sessions) ----------------------------------------------------
  async _moveToPrivateRoom(client) {
    const crisisOpen = this.state.isOpen();
    if (!await confirmAction({
      title: `Move ${client.display_name} to a private room?`,
      message: (crisisOpen ? "" : "This starts the crisis protocol for them. ")
        + "They leave the group for a private room with you; the group goes on.",
      confirmLabel: "Move to a private room",
    })) return;
    await this._act(async () => {
      const room = await this.crises.moveToPrivateRoom(this.state.sessionId, client.participant_id);
      this.state.privateRoom = { ...room, client };
      this._show(room.crisis);
      announce(room.client_notified
        ? `${client.display_name} is moving to a private room. Open the private room to join them.`
        : `The private room is ready, but ${client.display_name} is not connected right now.`);
    });
  }

  _openPrivateRoom() {
    const room = this.state.privateRoom;
    if (!room) return;
    this.room.moveTo({
      participant_token: room.participant_token, session_id: room.session.id, expires_in: room.expires_in,
      participant: room.host, from_session_id: room.from_session_id, by: "self",
    });
  }

  // ---- follow-up after closing ---------------------------------------------------------------
  async _loadFollowUp() {
    const id = this.state.crisis.crisis_id;
    try {
      const plan = await this.crises.followUp(id);
      if (this.state.isCurrent(id)) this.state.followUp = plan;
    } catch {
      return;
    }
    this._render();
  }

  _markDone(item) {
    return this._act(async () => {
      this.state.followUp = await this.crises.markFollowUpDone(this.state.followUp.client_id, item.id);
      this._render();
      announce(`${FOLLOW_UP_WORDS[item.kind] || item.kind} marked done.`);
    });
  }

  // ---- what to read out on a phone call to emergency services ----------------------------------
  async _loadReadOut() {
    const id = this.state.crisis.crisis_id;
    try {
      const readOut = await this.crises.readOut(id);
      if (this.state.isCurrent(id)) this.state.readOut = readOut;
    } catch {
      return; // the rest of the panel works without it
    }
    this._render();
  }

  // ---- support persons -------------------------------------------------------------------------
  async _loadContacts() {
    const id = this.state.crisis.crisis_id;
    const seen = new Map();
    try {
      addConsentedContacts(seen, (await this.plans.consents(this.state.crisis.client_id)).grants);
    } catch {
      // no consents readable: the plan's people are still offered (with the override)
    }
    try {
      // The people the client named in their plan without consent: an emergency override can invite them.
      addPlannedContacts(seen, await this.plans.safetyPlan(this.state.crisis.client_id));
    } catch {
      // no plan: only consented people
    }
    if (this.state.isCurrent(id)) this.state.contacts = [...seen.values()];
    this._render();
  }

  // While a page waits for its answer the countdown is redrawn every second (one timer, stopped after).
  _tickPaging() {
    clearInterval(this._pagingTimer);
    this._pagingTimer = this.state.paging ? setInterval(() => {
      if (!this.state.paging || !this.state.isOpen()) clearInterval(this._pagingTimer);
      this._render();
    }, 1000) : null;
  }

  _urgent(text, crisisId = null) {
    this.state.addUrgent(text, crisisId);
    this._render();
  }

  _invite(contact, overrideReason = null) {
    const body = { contact_id: contact.contact_id };
    if (overrideReason) body.override_reason = overrideReason;
    return this._act(async () => {
      const made = await this.crises.inviteSupportPerson(this.state.crisis.crisis_id, body);
      this.state.override = null;
      this.view.reason.value = "";
      this.state.noteInvitation(contact, made);
      this._addLink("support", `Personal link for ${contact.name}`, made.join_url);
      announce(`${contact.name} is invited. Their link is ready to copy; they will come straight into the call.`);
    }, overrideReason ? null : { kind: "invite", contact });
  }

  // ---- emergency services ----------------------------------------------------------------------
  _submitOverride(override) {
    const reason = this.view.reason.value.trim();
    if (!reason) {
      this.view.error.textContent = "Write down why this cannot wait for the client's consent.";
      this.view.reason.focus();
      return null;
    }
    return override.kind === "invite" ? this._invite(override.contact, reason) : this._relayWith(override.situation, reason);
  }

  _relay() {
    const textarea = this.view.situation;
    const situation = textarea.value.trim();
    if (!situation) {
      this.view.error.textContent = "Describe the situation for emergency services first.";
      textarea.focus();
      return null;
    }
    return this._relayWith(situation, null);
  }

  _relayWith(situation, overrideReason) {
    const { view } = this;
    const body = { situation };
    if (overrideReason) body.override_reason = overrideReason;
    const clientPhone = view.clientPhone.value.trim();
    const therapistPhone = view.therapistPhone.value.trim();
    if (clientPhone) body.client_phone = clientPhone;
    if (therapistPhone) body.therapist_phone = therapistPhone;
    if (view.allowJoin.checked) body.allow_join = true;
    if (view.substanceUse.checked) body.substance_use = true;
    return this._act(async () => {
      const made = await this.crises.relayToResponders(this.state.crisis.crisis_id, body);
      this.state.override = null;
      view.reason.value = "";
      await this._reload(this.state.crisis.crisis_id); // the disclosure is a new version of the crisis
      this._addLink("responder", "Responder link (give it to emergency services)", made.page_url);
      await this.responderLinks.load(this.state.crisis.crisis_id);
      this._loadReadOut(); // the callback numbers just given
      announce("The responder link is ready to copy. Nobody has been contacted: give it to emergency services "
        + "on your call with them.");
    }, overrideReason ? null : { kind: "relay", situation });
  }

  _addLink(kind, label, url) {
    const id = this.state.addLink(kind, label, url);
    this._render();
    this.view.focusLink(id);
  }
}

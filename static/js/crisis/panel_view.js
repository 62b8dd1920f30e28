// How the therapist's crisis panel looks (crisis/panel.js): the state in plain words, one button per
// allowed next step, the private room, the emergency override, links to copy, notices, inviting a
// support person and relaying to emergency services. The form fields are made once and kept across
// renders, so a crisis event arriving while the therapist types loses nothing.
//
// render(state, responderLinks, on) draws the panel from a CrisisPanelState; `on` holds the actions:
// start(client), step(action), moveToPrivateRoom(client), openPrivateRoom(), markDone(item),
// invite(contact), submitOverride(override), cancelOverride(), relay().

import { el, announce, formatTime } from "../lib/dom.js";
import { followUpItems } from "./follow_up_list.js";
import { STATE_WORDS } from "./panel_state.js";

const ACTION_LABELS = {
  // said to the client too: press it once help has actually been called
  dispatch_help: "Help is on the way (I have called for it)",
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

export class CrisisPanelView {
  constructor() {
    this.debrief = el("input", { type: "checkbox", id: "crisis-debrief" });
    this.book = el("input", { type: "checkbox", id: "crisis-book", checked: true });
    this.reason = el("textarea", { id: "crisis-override-reason", rows: "3", maxlength: "4000",
      "aria-describedby": "crisis-override-why" });
    this.status = el("p", { class: "crisis-state", id: "crisis-state", role: "status", "aria-live": "polite" });
    this.error = el("p", { class: "form-error", role: "alert" });
    this.body = el("div", { class: "crisis-body" });
    this.situation = el("textarea", { id: "crisis-situation", rows: "3", maxlength: "2000" });
    this.clientPhone = el("input", { type: "tel", id: "crisis-client-phone", autocomplete: "off", maxlength: "32" });
    this.therapistPhone = el("input", { type: "tel", id: "crisis-therapist-phone", autocomplete: "tel", maxlength: "32" });
    this.allowJoin = el("input", { type: "checkbox", id: "crisis-responder-join" });
    this.substanceUse = el("input", { type: "checkbox", id: "crisis-substance-use" });
    // a group: one picker for whom the crisis is about, instead of two buttons per client
    this.clientPick = el("select", { id: "crisis-client" });
    this.root = el("section", { class: "panel-section crisis-panel", "aria-labelledby": "crisis-heading" },
      el("h2", { id: "crisis-heading" }, "Crisis protocol"), this.status, this.error, this.body);
  }

  // A different crisis: the fields start empty (the therapist's own callback number and the
  // "responders may join" choice stay).
  clearFields() {
    this.situation.value = "";
    this.clientPhone.value = "";
    this.reason.value = "";
    this.debrief.checked = false;
    this.book.checked = true;
    this.substanceUse.checked = false;
  }

  // Move to a link just made, ready to copy.
  focusLink(id) {
    const input = this.root.querySelector(`#${id}`);
    if (input) {
      input.focus();
      input.select();
    }
  }

  render(state, responderLinks, on) {
    this.root.dataset.state = state.crisis ? state.crisis.state : "none";
    if (!state.isOpen()) {
      this.status.textContent = state.crisis ? `Crisis protocol: ${STATE_WORDS.closed}` : "";
      this._replace(...[this._privateRoomBlock(state, on), ...this._startBlock(state, on), this._followUpBlock(state, on),
        state.crisis ? responderLinks.block() : null].filter(Boolean));
      return;
    }
    const crisis = state.crisis;
    const client = state.crisisClient();
    this.status.textContent = STATE_WORDS[crisis.state] || crisis.state;
    const actions = el("div", { class: "crisis-actions", role: "group", "aria-label": "Next step" },
      ...crisis.allowed_actions.map((action) => el("button", {
        type: "button", class: action === "close" ? "btn btn-block" : "btn btn-primary btn-block",
        dataset: { action }, onclick: () => on.step(action),
      }, ACTION_LABELS[action] || action)));
    const invite = el("div", { class: "crisis-block" }, el("h3", {}, "Invite support person"),
      state.contacts === null ? el("p", { class: "muted" }, "Loading the client's contacts…")
        : state.contacts.length === 0 ? el("p", { class: "muted" }, "The client's safety plan names no support person to invite.")
          : el("ul", { class: "crisis-contacts" }, ...state.contacts.map((c) => el("li", {},
            el("button", { type: "button", class: "btn btn-small", onclick: () => on.invite(c) },
              c.consented ? `Invite ${c.name}` : `Invite ${c.name} (no consent)`),
            state.invited.has(c.contact_id) ? el("span", { class: "muted" }, " Invited.") : null))));
    const relay = el("div", { class: "crisis-block" }, el("h3", {}, "A link for emergency services"),
      el("p", { class: "hint", id: "crisis-relay-what" }, "This contacts nobody. It makes a private link to the "
        + "client's location and your notes, to copy and give to emergency services (read it out, or send it, on "
        + "your call with them). To get help, call emergency services yourself."),
      el("label", { for: "crisis-situation" }, "Situation (what responders need to know)"), this.situation,
      el("label", { for: "crisis-client-phone" }, "Number to call the client back on (optional)"), this.clientPhone,
      el("label", { for: "crisis-therapist-phone" }, "Your callback number (optional)"), this.therapistPhone,
      el("div", { class: "switch-row" }, this.allowJoin,
        el("label", { for: "crisis-responder-join" }, "Let responders join this call from their page")),
      el("div", { class: "switch-row" }, this.substanceUse,
        el("label", { for: "crisis-substance-use" }, "This includes substance-use information (adds the 42 CFR Part 2 "
          + "notice against redisclosure)")),
      el("button", { type: "button", class: "btn btn-danger btn-block", "aria-describedby": "crisis-relay-what",
        onclick: () => on.relay() }, "Make a link for emergency services"));
    const links = state.links.map((l) => copyField(l.id, l.label, l.url));
    const notices = state.notices.map((n) => el("p", { class: n.urgent ? "crisis-notice crisis-urgent" : "crisis-notice",
      id: n.id, role: n.urgent ? "alert" : "status" }, n.text));
    const paging = state.pagingWords();
    if (paging) notices.unshift(el("p", { class: "crisis-notice crisis-paging", id: "crisis-paging" }, paging));
    const about = client && state.clients.length > 1 ? el("p", { class: "crisis-about" }, `About ${client.display_name}`) : null;
    const closing = crisis.allowed_actions.includes("close") ? el("div", {},
      state.onDemand ? el("div", { class: "switch-row crisis-book" }, this.book, el("label", { for: "crisis-book" },
        "When closing, book a session for tomorrow (their link is sent to them) and daily check-ins")) : null,
      el("div", { class: "switch-row crisis-debrief" }, this.debrief,
        el("label", { for: "crisis-debrief" }, "When closing, plan a debrief with family or support persons"))) : null;
    const move = state.kind === "group" && client && !state.privateRoom ? this._privateRoomButton(client, on) : null;
    this._replace(...[about, this._readOutBlock(state), this._privateRoomBlock(state, on), move, actions, closing,
      this._overrideBlock(state, on), ...links, responderLinks.block(), ...notices,
      on.brief.block(state, client && client.display_name), on.share.block(state), invite, relay].filter(Boolean));
  }

  // What the therapist reads out on a phone call to emergency services (GET /read-out), at the top.
  _readOutBlock(state) {
    const r = state.readOut;
    if (!r) return null;
    const row = (label, ...value) => [el("dt", {}, label), el("dd", {}, ...value)];
    const when = (iso) => ` (confirmed at ${formatTime(iso)})`;
    return el("div", { class: "crisis-block crisis-read-out", role: "group", "aria-labelledby": "crisis-read-out-heading" },
      el("h3", { id: "crisis-read-out-heading" }, "To read out to emergency services"),
      el("dl", { class: "read-out" },
        r.client_name ? row("Name", r.client_name) : null,
        row("Address", r.address ? `${r.address}${when(r.address_confirmed_at)}`
          : "Not confirmed. Ask the client where they are."),
        r.device_position ? row("Device position", `${r.device_position} (at ${formatTime(r.device_observed_at)})`) : null,
        ...r.callbacks.map((c) => row(c.label, c.tel ? el("a", { href: c.tel }, c.number) : c.number))),
      r.warning ? el("p", { class: "notice notice-warning" }, r.warning) : null,
      el("p", { class: "hint" }, r.consent_to_emergency_services
        ? "The client consented to sharing their location with emergency services."
        : "The client has not consented to sharing this with emergency services: in an emergency you may share it "
          + "anyway (the link below then asks you to write down why)."));
  }

  // Redraw the body, keeping the field someone is typing in focused (with its selection): the panel
  // redraws whenever the crisis changes, and a lost focus would drop what they type next.
  _replace(...children) {
    const active = document.activeElement;
    const kept = active && this.body.contains(active) ? active : null;
    const selection = kept && typeof kept.selectionStart === "number" ? [kept.selectionStart, kept.selectionEnd] : null;
    this.body.replaceChildren(...children);
    if (!kept || !this.body.contains(kept)) return;
    kept.focus({ preventScroll: true });
    if (selection) kept.setSelectionRange(...selection);
  }

  // How a crisis starts: one button in a 1:1 session; in a group (or with several clients) one picker of
  // the client and, for a group, "Move to a private room" beside it. Each asks to confirm (crisis/panel.js).
  _startBlock(state, on) {
    const group = state.kind === "group";
    if (state.clients.length <= 1 && !group) {
      return [el("button", { type: "button", class: "btn btn-danger btn-block btn-crisis", disabled: !state.sessionId,
        onclick: () => on.start(state.clients[0] || null) }, "Start crisis protocol")];
    }
    if (state.clients.length === 0) return [el("p", { class: "muted" }, "No client in the session yet.")];
    const kept = this.clientPick.value;
    this.clientPick.replaceChildren(...state.clients.map((c) => el("option", { value: c.participant_id }, c.display_name)));
    if (state.clients.some((c) => c.participant_id === kept)) this.clientPick.value = kept;
    const picked = () => state.clients.find((c) => c.participant_id === this.clientPick.value) || state.clients[0];
    return [el("div", { class: "crisis-start" },
      el("label", { for: "crisis-client" }, "Start the crisis protocol for"), this.clientPick,
      el("div", { class: "crisis-start-actions" },
        el("button", { type: "button", class: "btn btn-danger btn-crisis", disabled: !state.sessionId,
          onclick: () => on.start(picked()) }, "Start crisis protocol"),
        group ? el("button", { type: "button", class: "btn btn-private-room", onclick: () => on.moveToPrivateRoom(picked()) },
          "Move to a private room") : null))];
  }

  _privateRoomButton(client, on) {
    return el("button", { type: "button", class: "btn btn-block btn-private-room", dataset: { pid: client.participant_id },
      onclick: () => on.moveToPrivateRoom(client) }, `Move ${client.display_name} to a private room`);
  }

  _privateRoomBlock(state, on) {
    const room = state.privateRoom;
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
        onclick: () => on.openPrivateRoom() }, "Open the private room"));
  }

  _followUpBlock(state, on) {
    const plan = state.followUp;
    if (!plan) return null;
    return el("div", { class: "crisis-block crisis-follow-up" },
      el("h3", {}, "Follow-up plan"),
      followUpItems(plan, (item) => on.markDone(item)));
  }

  _overrideBlock(state, on) {
    const o = state.override;
    if (!o) return null;
    const what = o.kind === "invite" ? `invite ${o.contact.name} to the call`
      : "share the client's location and situation with emergency services";
    return el("div", { class: "crisis-block crisis-override", role: "group", "aria-labelledby": "crisis-override-heading" },
      el("h3", { id: "crisis-override-heading" }, "Emergency override"),
      el("p", { id: "crisis-override-why" }, `The client has not given consent to ${what}. In an emergency you `
        + "can do it anyway: write down why it cannot wait. The reason is kept in the record and the clinical "
        + "lead is alerted."),
      el("label", { for: "crisis-override-reason" }, "Reason (required)"), this.reason,
      el("div", { class: "crisis-actions" },
        el("button", { type: "button", class: "btn btn-danger btn-block", id: "crisis-override-submit",
          onclick: () => on.submitOverride(o) }, o.kind === "invite" ? "Invite with emergency override" : "Make the link with emergency override"),
        el("button", { type: "button", class: "btn btn-block", onclick: () => on.cancelOverride() }, "Cancel")));
  }
}

// What the therapist's crisis panel knows (crisis/panel.js): the session's clients, the crisis as last
// read, the people who may be invited, and what happened during this crisis (links made, invitations,
// notices), with the plain words that describe it. No DOM and no requests here.

export const STATE_WORDS = {
  active: "Crisis active. Stay with the client.",
  help_on_the_way: "Help is on the way.",
  help_arrived: "Help has arrived.",
  stabilised: "Stabilised.",
  closed: "Closed.",
};

// how a support person's invitation went out, in plain words (skipped: that way is not available here)
const SENT_WORDS = {
  email: { sent: "Their link was sent to them by email.", failed: "The email to them could not be sent." },
  webhook: { sent: "Their link was sent to them by text message.", failed: "The text message to them could not be sent." },
};
const NOT_SENT = "Nothing was sent to them: copy their link below and give it to them yourself (read it out on the "
  + "phone, or send it by text).";

export function invitationWords(notifications) {
  const outcomes = Object.entries(notifications || {});
  const said = outcomes.map(([channel, outcome]) => (SENT_WORDS[channel] || {})[outcome]).filter(Boolean);
  if (!outcomes.some(([, outcome]) => outcome === "sent")) said.push(NOT_SENT);
  return said.join(" ");
}

export class CrisisPanelState {
  constructor() {
    this.sessionId = null;
    this.kind = undefined; // the session's kind ("group" offers a private room), once read
    this.clients = []; // [{participant_id, client_id, display_name}]
    this.crisis = null; // the CrisisView
    this.contacts = null; // consented support persons of the crisis's client
    this.links = []; // links made during this crisis: [{id, label, url}]
    this.invited = new Set(); // contact_ids invited during this crisis
    this.notices = []; // plain-words outcomes of invitations: [{id, text}]
    this.override = null; // {kind: "invite" | "relay", contact?, situation?}: waiting for a written reason
    this.privateRoom = null; // the answer of POST /private-room, until the therapist goes there
    this.followUp = null; // the follow-up plan of the closed crisis
    this.paging = null; // {name, until (ms)}: an on-call page waiting for its answer
    this.readOut = null; // GET /read-out: the address and callback numbers to read out to emergency services
  }

  isOpen() {
    return Boolean(this.crisis && this.crisis.state !== "closed");
  }

  isCurrent(crisisId) {
    return Boolean(this.crisis && this.crisis.crisis_id === crisisId);
  }

  // The session as GET /api/sessions/{id} answers it: its clients still in it, and its kind.
  setSession(session) {
    this.clients = (session.participants || [])
      .filter((p) => p.role === "client" && !p.removed && p.client_id)
      .map((p) => ({ participant_id: p.id, client_id: p.client_id, display_name: p.display_name }));
    this.kind = session.kind;
    this.onDemand = Boolean(session.on_demand); // an urgent help room: closing books the days after
  }

  // A different crisis: what belonged to the one before is forgotten (an urgent notice that arrived
  // just before this crisis was read, such as the client's help press, is about it and stays).
  forgetCrisisDetails(crisisId = null) {
    this.contacts = null;
    this.links = [];
    this.invited = new Set();
    this.notices = this.notices.filter((n) => crisisId && n.crisisId === crisisId);
    this.override = null;
    this.followUp = null;
    this.paging = null;
    this.readOut = null;
  }

  clientName(participantId) {
    const client = this.clients.find((c) => c.participant_id === participantId)
      || this.clients.find((c) => this.crisis && c.client_id === this.crisis.client_id);
    return client ? client.display_name : "The client";
  }

  // The crisis's client among the session's clients (null when not in this session).
  crisisClient() {
    return this.clients.find((c) => c.client_id === this.crisis.client_id);
  }

  // Urgent notices (role=alert) stay in the panel until the crisis changes hands or closes.
  addUrgent(text, crisisId = null) {
    this.notices.push({ id: `crisis-notice-${this.notices.length + 1}`, text, urgent: true,
      crisisId: crisisId || (this.crisis && this.crisis.crisis_id) });
  }

  // An escalation step told to the clinicians (the ``lost_contact`` event): the words of an urgent
  // notice, or null when the step is shown otherwise (a page in progress shows as ``pagingWords``).
  lostContactWords({ step, since, notified, paged, ack_due_at: ackDueAt }) {
    if (step.startsWith("page_on_call_")) {
      this.paging = { name: paged || "the on-call clinician", until: Date.parse(ackDueAt) };
      return null;
    }
    if (step.startsWith("page_on_call:")) this.paging = null;
    if (step === "page_on_call:acknowledged") return "The on-call clinician answered the page and is joining.";
    if (step === "page_on_call:nobody_acknowledged") {
      return "No on-call clinician answered the page. The clinical lead has been alerted.";
    }
    if (step === "page_on_call:nobody_rostered") {
      return "Nobody is on call at this time. The clinical lead has been alerted.";
    }
    const name = this.clientName(null);
    const at = since ? new Date(since).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
    if (step === "prompt_emergency_call") {
      return `${name} has been out of contact since ${at}. Call emergency services now and read out their `
        + "address (at the top of this panel).";
    }
    if (step === "notify_support_person") {
      return `${name} has not come back. ${notified || "Their"} support person${notified > 1 ? "s were" : " was"} `
        + "told contact was lost.";
    }
    return `${name} has not come back, and there is no support person they agreed we may contact.`;
  }

  // "Paging Dr B (on call) — 40 s to answer", while a page waits for its answer; null otherwise.
  pagingWords(now = Date.now()) {
    if (!this.paging) return null;
    const left = Math.max(0, Math.ceil((this.paging.until - now) / 1000));
    return left > 0 ? `Paging ${this.paging.name} (on call) — ${left} s to answer.`
      : `Paging ${this.paging.name} (on call) — no answer yet; the next person is being paged.`;
  }

  // An invitation was made (the answer of POST /support-persons): note who, how, and whether they were told.
  noteInvitation(contact, made) {
    this.invited.add(contact.contact_id);
    this.notices.push({ id: `crisis-notice-${this.notices.length + 1}`, text:
      `${contact.name} is invited${made.basis === "override" ? " (emergency override)" : ""}. `
      + invitationWords(made.notifications) });
  }

  // A link made during this crisis; returns the id of the field that shows it.
  addLink(kind, label, url) {
    const id = `crisis-link-${kind}-${this.links.length + 1}`;
    this.links.push({ id, label, url });
    return id;
  }
}

// The people who may be invited to the call: support persons the client consented to (active grants
// to invite to video) first, then the people named in their plan without consent (an emergency override
// can invite them). `seen` is a Map contact_id → {contact_id, name, consented}, filled in that order.
export function addConsentedContacts(seen, grants) {
  for (const g of grants) {
    if (g.active && g.party === "support_person" && g.scope === "invite_to_video" && g.contact_id) {
      seen.set(g.contact_id, { contact_id: g.contact_id, name: g.contact_name || "Support person", consented: true });
    }
  }
}

export function addPlannedContacts(seen, plan) {
  const sections = (plan && plan.version && plan.version.sections) || [];
  for (const section of sections.filter((x) => x.key === "people_to_ask")) {
    for (const c of section.contacts || []) {
      if (c.contact_id && !seen.has(c.contact_id)) {
        seen.set(c.contact_id, { contact_id: c.contact_id, name: c.name || "Support person", consented: false });
      }
    }
  }
}

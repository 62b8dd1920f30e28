// The client's view of a crisis: a calm, steady banner above the call that says what is happening,
// in a polite live region so a screen reader reads each change once. While a crisis is open the
// banner always says something: if the therapist's connection drops, it says so and that another
// clinician is joining (the server pages the on-call clinician after a short grace).

import { el } from "../lib/dom.js";

// "Help is on the way" only once the therapist has marked help as sent (the `help_on_the_way` step),
// never before: a crisis that has only been opened promises nothing that has not happened.
export const CLIENT_WORDS = {
  active: "Your therapist has started the crisis protocol. Stay on the call — they are with you.",
  help_on_the_way: "Help is on the way. Stay on the call with your therapist.",
  help_arrived: "Help has arrived.",
  stabilised: "Things are steadier now. Your therapist is still here with you.",
};

// when the client pressed "I need help now" themselves
export const ASKED_WORDS = "Your therapist knows you need help now. Stay on the call — they are with you.";

// to a support person (or a responder) in the crisis call: their own words, not the client's
export const GUEST_WORDS = {
  active: "You're in this call to support someone you care about. Their clinician leads the call: "
    + "staying with them and listening helps.",
  help_on_the_way: "Help is on the way for them. Please stay on the call.",
  help_arrived: "Help has arrived.",
  stabilised: "Things are steadier now. Thank you for being here.",
};

export const GUEST_AWAY_WORDS = {
  away: "The clinician's connection dropped. If they can't come back in a moment, another clinician from the "
    + "care team is joining. Please stay on the call.",
  cover: "Another clinician from the care team is joining now. Please stay on the call.",
};

export const AWAY_WORDS = {
  // the therapist's connection dropped: they may come back, or another clinician takes over
  away: "Your therapist's connection dropped. If they can't come back in a moment, another clinician from "
    + "your care team is joining you. Please stay on the call — you are not alone.",
  // the on-call clinician has been asked to join and is on their way
  cover: "Another clinician from your care team is joining you now. Please stay on the call.",
};

// to the other members of a group when their therapist stepped out (for someone else's crisis, which
// is never named): neutral words, and who of the group's hosts is still with them
export function steppedOutWords(notice) {
  const names = (notice && notice.with_you) || [];
  const stays = names.length ? ` ${names.join(" and ")} ${names.length > 1 ? "are" : "is"} with you.` : "";
  return `Your therapist stepped out for a moment.${stays}`;
}

export class CrisisBanner {
  constructor(room) {
    // The live region stays in the page (a region that appears with its text is often not read);
    // only the box inside it is shown and hidden.
    this.text = el("p", { class: "crisis-banner", id: "crisis-banner", hidden: true });
    this.root = el("div", { class: "crisis-live", role: "status", "aria-live": "polite", "aria-atomic": "true" },
      this.text);
    this._version = 0;
    this._state = null;
    this._hostPresent = true;
    this._coverComing = false;
    this._asked = false;
    this._steppedOut = null;
    this._room = room;
    room.addEventListener("crisis", ({ detail }) => this.update(detail));
    room.addEventListener("hostpresence", ({ detail }) => this.host(detail));
    room.addEventListener("state", () => this.render()); // who we are (client or guest) is known from here
    room.addEventListener("steppedout", ({ detail }) => {
      this._steppedOut = detail;
      this.render();
    });
  }

  update({ state, version, crisis_id: id, event }) {
    // notices can arrive out of order: keep the newest of this crisis
    if (id === this._id && version <= this._version) return;
    if (id !== this._id) {
      this._coverComing = false;
      this._asked = false;
    }
    this._id = id;
    this._version = version;
    this._state = state;
    if (event && event.kind === "assigned") this._coverComing = true;
    if (event && event.action === "start" && event.actor_role === "client") this._asked = true;
    const here = this._room.state && this._room.state.session_id;
    if (event && event.kind === "moved" && here && event.to_session_id !== here) this._state = null; // not in this room
    this.render();
  }

  host({ present }) {
    this._hostPresent = Boolean(present);
    if (this._hostPresent) this._coverComing = false;
    this.render();
  }

  // a support person or a responder: not the client, whose crisis it is
  _guest() {
    const you = this._room.state && this._room.state.you;
    return Boolean(you && you.role !== "client");
  }

  words() {
    const guest = this._guest();
    const base = (guest ? GUEST_WORDS : CLIENT_WORDS)[this._state];
    if (!base) return this._steppedOut ? steppedOutWords(this._steppedOut) : ""; // no crisis of ours
    const away = guest ? GUEST_AWAY_WORDS : AWAY_WORDS;
    if (this._coverComing && !this._hostPresent) return away.cover;
    if (!this._hostPresent) return away.away;
    if (guest) return base;
    return this._state === "active" && this._asked ? ASKED_WORDS : base;
  }

  render() {
    const words = this.words();
    if (words === this.text.textContent && !this.text.hidden === Boolean(words)) return; // read each change once
    this.text.hidden = !words;
    this.text.dataset.state = this._state || (this._steppedOut ? "stepped_out" : "");
    this.text.dataset.host = this._hostPresent ? "present" : (this._coverComing ? "cover" : "away");
    this.text.textContent = words;
  }
}

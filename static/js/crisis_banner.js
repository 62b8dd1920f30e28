// The client's view of a crisis: a calm, steady banner above the call that says what is happening,
// in a polite live region so a screen reader reads each change once.

import { el } from "./dom.js";

export const CLIENT_WORDS = {
  active: "Your therapist has started the crisis protocol. Stay on the call — help is on the way.",
  help_on_the_way: "Help is on the way. Stay on the call with your therapist.",
  help_arrived: "Help has arrived.",
  stabilised: "Things are steadier now. Your therapist is still here with you.",
};

export class CrisisBanner {
  constructor(room) {
    // The live region stays in the page (a region that appears with its text is often not read);
    // only the box inside it is shown and hidden.
    this.text = el("p", { class: "crisis-banner", id: "crisis-banner", hidden: true });
    this.root = el("div", { class: "crisis-live", role: "status", "aria-live": "polite", "aria-atomic": "true" },
      this.text);
    this._version = 0;
    room.addEventListener("crisis", ({ detail }) => this.update(detail));
  }

  update({ state, version, crisis_id: id }) {
    // notices can arrive out of order: keep the newest of this crisis
    if (id === this._id && version <= this._version) return;
    this._id = id;
    this._version = version;
    const words = CLIENT_WORDS[state];
    this.text.hidden = !words;
    this.text.dataset.state = state;
    this.text.textContent = words || "";
  }
}

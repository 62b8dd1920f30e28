// The client's "I need help now" button. One press tells the therapist at once (it opens the crisis
// protocol, or joins the one already open); the answer is said in plain words next to the button, in a
// live region, including what to do when no therapist is connected. The same button is offered in the
// waiting room (a client may be in crisis before being let in; join.js moves it there and back).

import { requestHelp } from "./requests.js";
import { el } from "../lib/dom.js";

export const HELP_WORDS = {
  sending: "Telling your therapist…",
  told: "Your therapist has been told you need help now. Stay on the call — they are with you.",
  // pressed in the waiting room, before being let in
  toldWaiting: "Your therapist has been told you need help now. Stay on this page — they will be with you as "
    + "soon as they can.",
  alerted: "Your therapist isn't connected right now. We have alerted your care team and someone will join " +
    "as soon as they can.",
  failed: "We couldn't send that. Please try again, or tell your therapist out loud.",
};

export class HelpButton {
  constructor({ room, emergencyNumber = "911" }) {
    this.room = room;
    this.emergencyNumber = emergencyNumber;
    this.button = el("button", { type: "button", class: "btn help-now", onclick: () => this.press() },
      "I need help now");
    this.status = el("p", { class: "help-now-status", role: "status", "aria-live": "assertive" });
    this.root = el("div", { class: "help-now-box" }, this.button, this.status);
    // a crisis already open (started by the therapist, or by an earlier press) needs no button
    room.addEventListener("crisis", ({ detail }) => this._crisis(detail.state));
    // let in after pressing it in the waiting room: the words follow to the call
    room.addEventListener("phase", ({ detail }) => {
      if (detail.phase === "call" && this.status.textContent === HELP_WORDS.toldWaiting) {
        this.status.textContent = HELP_WORDS.told;
      }
    });
    room.addEventListener("state", ({ detail }) => {
      const crisis = detail.state && detail.state.crisis;
      this._crisis(crisis ? crisis.state : null);
      if (detail.state && detail.state.emergency) this.emergencyNumber = detail.state.emergency.emergency_number;
    });
  }

  _crisis(state) {
    const open = Boolean(state) && state !== "closed";
    this.button.hidden = open;
    if (!open) this.status.textContent = "";
  }

  async press() {
    this.button.disabled = true;
    this.status.textContent = HELP_WORDS.sending;
    try {
      const answer = await requestHelp(this.room.token);
      const told = this.room.phase === "lobby" ? HELP_WORDS.toldWaiting : HELP_WORDS.told;
      this.status.textContent = answer.therapist_connected ? told :
        `${HELP_WORDS.alerted} If you are in danger, call ${this.emergencyNumber} now.`;
      this.button.hidden = true;
    } catch {
      this.status.textContent = `${HELP_WORDS.failed} If you are in danger, call ${this.emergencyNumber}.`;
    } finally {
      this.button.disabled = false;
    }
  }
}

// "Show on their screen": during a crisis the clinician puts part of the client's own safety plan (their
// coping steps, the people they can call) or the crisis lines on the client's screen — to the client
// alone. The sections are read from the client's plan once per crisis.

import { el, announce } from "../lib/dom.js";

const FIRST = ["coping", "grounding", "calm"]; // coping steps first, as on the client's own page

export class ShareBlock {
  constructor(crises, plans, redraw) {
    this.crises = crises;
    this.plans = plans;
    this.redraw = redraw;
    this.crisisId = null;
    this.sections = null; // null: loading
    this.said = "";
  }

  async _load(crisis) {
    this.crisisId = crisis.crisis_id;
    this.sections = null;
    this.said = "";
    let sections = [];
    try {
      const plan = await this.plans.safetyPlan(crisis.client_id);
      sections = ((plan && plan.version && plan.version.sections) || [])
        .filter((s) => (s.items || []).length || (s.contacts || []).length || s.text);
    } catch {
      // no plan: the crisis lines can still be shown
    }
    const rank = (s) => (FIRST.some((word) => s.key.includes(word)) ? 0 : 1);
    if (this.crisisId === crisis.crisis_id) this.sections = sections.sort((a, b) => rank(a) - rank(b));
    this.redraw();
  }

  async _share(body, title) {
    try {
      const shared = await this.crises.shareWithClient(this.crisisId, body);
      this.said = shared.delivered ? `Shown on their screen: ${title}.`
        : "They are not connected right now: nothing was shown.";
    } catch (error) {
      this.said = error.message;
    }
    announce(this.said);
    this.redraw();
  }

  block(state) {
    const crisis = state.crisis;
    if (!crisis || !state.isOpen()) return null;
    if (crisis.crisis_id !== this.crisisId) this._load(crisis);
    const buttons = (this.sections || []).map((s) => el("li", {}, el("button", {
      type: "button", class: "btn btn-small", onclick: () => this._share({ section_key: s.key }, s.title),
    }, s.title)));
    buttons.push(el("li", {}, el("button", { type: "button", class: "btn btn-small",
      onclick: () => this._share({ crisis_lines: true }, "Numbers to call") }, "Numbers to call")));
    return el("div", { class: "crisis-block crisis-share" },
      el("h3", {}, "Show on their screen"),
      el("p", { class: "hint" }, "Only the client sees it, as a card they can close."),
      this.sections === null ? el("p", { class: "muted" }, "Loading their plan…") : null,
      el("ul", { class: "crisis-contacts" }, ...buttons),
      el("p", { class: "muted", role: "status" }, this.said));
  }
}

// "About the client" in the crisis panel, for whoever works the crisis — the on-call clinician who has
// never met them above all: their safety plan (warning signs, coping steps, people), what they consented
// to share and with whom, and their recent follow-ups after earlier crises. Read once per crisis.

import { el } from "../lib/dom.js";

const SCOPES = {
  invite_to_video: "may be invited to a video call", phone: "may be phoned", receive_location: "may be told where they are",
  share_location_and_situation: "location and situation may be shared",
};

function when(iso) {
  return new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

export class ClientBrief {
  constructor(plans, crises, redraw) {
    this.plans = plans;
    this.crises = crises;
    this.redraw = redraw;
    this.crisisId = null;
    this.brief = null; // null: loading
    this.open = null; // the clinician opened or closed it: kept across the panel's redraws
  }

  async _load(crisis) {
    this.crisisId = crisis.crisis_id;
    this.brief = null;
    this.open = null;
    const [plan, consents, followUps] = await Promise.all([
      this.plans.safetyPlan(crisis.client_id).catch(() => null),
      this.plans.consents(crisis.client_id).then((c) => c.grants).catch(() => []),
      this.crises.followUps(crisis.client_id).then((f) => f.plans).catch(() => []),
    ]);
    if (this.crisisId !== crisis.crisis_id) return;
    this.brief = { plan, consents: consents.filter((g) => g.active), followUps: followUps
      .filter((p) => p.crisis_id !== crisis.crisis_id).slice(0, 3) };
    this.redraw();
  }

  block(state, name) {
    const crisis = state.crisis;
    if (!crisis || !state.isOpen()) return null;
    if (crisis.crisis_id !== this.crisisId) this._load(crisis);
    const body = [];
    if (this.brief === null) {
      body.push(el("p", { class: "muted" }, "Loading…"));
    } else {
      const sections = ((this.brief.plan && this.brief.plan.version.sections) || [])
        .filter((s) => (s.items || []).length || (s.contacts || []).length || s.text);
      body.push(el("h4", {}, "Safety plan"), sections.length ? el("dl", { class: "brief-plan" }, ...sections.flatMap((s) => [
        el("dt", {}, s.title),
        el("dd", {}, [...(s.items || []), ...(s.contacts || []).map((c) => [c.name, c.relationship && `(${c.relationship})`,
          c.phone].filter(Boolean).join(" ")), s.text].filter(Boolean).join("; ")),
      ])) : el("p", { class: "muted" }, "No safety plan yet."));
      body.push(el("h4", {}, "Consents in force"), this.brief.consents.length ? el("ul", {}, ...this.brief.consents.map(
        (g) => el("li", {}, `${g.party === "emergency_services" ? "Emergency services" : g.contact_name || "A support person"}: `
          + `${SCOPES[g.scope] || g.scope}`))) : el("p", { class: "muted" }, "None: sharing needs an emergency override."));
      body.push(el("h4", {}, "Earlier crises"), this.brief.followUps.length ? el("ul", {}, ...this.brief.followUps.map(
        (p) => el("li", {}, `Closed ${when(p.created_at)}: ${p.items.filter((i) => i.done_at).length} of `
          + `${p.items.length} follow-ups done`))) : el("p", { class: "muted" }, "None recorded."));
    }
    // open at once in an urgent room (whoever answers the page may never have met them); one click away otherwise
    const details = el("details", { class: "crisis-block client-brief",
      open: this.open === null ? Boolean(state.onDemand) : this.open },
    el("summary", {}, `About ${name || "the client"}`), ...body);
    details.addEventListener("toggle", () => { this.open = details.open; });
    return details;
  }
}

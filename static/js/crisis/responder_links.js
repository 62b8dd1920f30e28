// The crisis panel's list of responder links (docs/protocol.md, "Crises"): whether each still works,
// who received the packet (the name and agency they gave on the responder page, or a system's
// headers), and a button to revoke a link at once. A responder who joined the call from a revoked
// link loses their place.

import { el, announce } from "../lib/dom.js";
import { crisisRequests } from "./requests.js";

const VIA_WORDS = {
  page: "read it on the responder page", pidf: "downloaded the location file", json: "read it through their system",
  join: "joined the call",
};

function time(value) {
  return new Date(value).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function standing(link) {
  if (link.live) return `works until ${time(link.ends_at)}`;
  return link.revoked_at ? `revoked at ${time(link.revoked_at)}` : "no longer works";
}

export class ResponderLinks {
  constructor({ call, onChange }) {
    this.requests = crisisRequests(call);
    this.onChange = onChange;
    this.crisisId = null;
    this.links = [];
    this.error = el("p", { class: "form-error", role: "alert" });
  }

  async load(crisisId) {
    if (crisisId !== this.crisisId) this.links = [];
    this.crisisId = crisisId;
    try {
      this.links = (await this.requests.responderLinks(crisisId)).links;
      this.error.textContent = "";
    } catch (error) {
      this.error.textContent = error.message || "The responder links could not be loaded.";
    }
    this.onChange();
  }

  async revoke(link, number) {
    try {
      await this.requests.revokeResponderLink(this.crisisId, link.link_id);
      announce(`Responder link ${number} revoked: it no longer works.`);
    } catch (error) {
      this.error.textContent = error.message || "The link could not be revoked. Please try again.";
    }
    await this.load(this.crisisId);
  }

  block() {
    if (!this.links.length) return null;
    const items = this.links.map((link, i) => el("li", { class: "responder-link", dataset: { linkId: link.link_id } },
      el("span", {}, `Responder link ${i + 1}: ${standing(link)}.`),
      ...link.receipts.map((r) => el("span", { class: "muted responder-receipt" },
        ` ${r.recipient_name} (${r.recipient_agency}) ${VIA_WORDS[r.via] || r.via} at ${time(r.at)}.`)),
      link.live ? el("button", { type: "button", class: "btn btn-small", onclick: () => this.revoke(link, i + 1) },
        `Revoke responder link ${i + 1}`) : null));
    return el("div", { class: "crisis-block responder-links" }, el("h3", {}, "Responder links"),
      el("ul", { class: "plain-list" }, ...items),
      el("button", { type: "button", class: "btn btn-small", onclick: () => this.load(this.crisisId) },
        "Check who has opened them"), this.error);
  }
}

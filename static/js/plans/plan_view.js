// The client's own safety plan, read-only, in a dialog reachable from the join page, the waiting
// room and the call: what they wrote with their therapist, and one-tap phone links to their people
// and to crisis lines. Support persons never get this button (the server refuses them too).

import { el } from "../lib/dom.js";
import { participantSafetyPlan } from "./requests.js";

function telLink(label, tel, number) {
  return tel ? el("a", { href: tel, class: "tel-link" }, label || number) : el("span", {}, label || number);
}

function sectionBlock(section) {
  const body = [];
  if (section.items.length) body.push(el("ul", {}, section.items.map((item) => el("li", {}, item))));
  if (section.contacts.length) {
    body.push(el("ul", { class: "plan-contacts" }, section.contacts.map((c) => el("li", {},
      el("span", { class: "plan-contact-name" }, c.name),
      c.relationship ? el("span", { class: "muted" }, ` (${c.relationship})`) : null,
      c.phone ? el("span", {}, " ", telLink(`Call ${c.phone}`, c.tel, c.phone)) : null,
      c.email ? el("span", {}, " ", el("a", { href: `mailto:${c.email}` }, c.email)) : null))));
  }
  if (section.text) body.push(el("p", {}, section.text));
  return el("section", { class: "plan-section", dataset: { key: section.key } }, el("h3", {}, section.title), body);
}

export class PlanView {
  constructor(token) {
    this.token = token;
    this.button = el("button", { type: "button", class: "btn btn-small plan-open", id: "my-plan" }, "My safety plan");
    this.button.addEventListener("click", () => this.open());
    this.dock();
    new MutationObserver(() => this.dock()).observe(document.body, { attributes: true, attributeFilter: ["data-screen"] });
  }

  // The button sits in a bar, never floating over the page: the page's header, or the call's bar in
  // a call (on a phone a floating button covered the call controls and form fields).
  dock() {
    const bar = document.body.dataset.screen === "call" ? document.querySelector(".call-bar") : null;
    const place = bar || document.querySelector(".site-header") || document.body;
    if (this.button.parentElement !== place) place.append(this.button);
  }

  async open() {
    const opener = document.activeElement;
    const close = el("button", { type: "button", class: "btn btn-primary" }, "Close");
    const content = el("div", { class: "plan-body" }, el("p", { class: "muted" }, "Loading your plan…"));
    const dialog = el("dialog", { class: "dialog plan-dialog", "aria-labelledby": "plan-dialog-title" },
      el("h2", { id: "plan-dialog-title" }, "My safety plan"), content, el("div", { class: "dialog-actions" }, close));
    const finish = () => { dialog.close(); dialog.remove(); if (opener && opener.focus) opener.focus(); };
    close.addEventListener("click", finish);
    dialog.addEventListener("cancel", (event) => { event.preventDefault(); finish(); });
    document.body.append(dialog);
    dialog.showModal();
    close.focus();
    try {
      const plan = await participantSafetyPlan(this.token);
      content.replaceChildren(...this.render(plan));
    } catch (error) {
      content.replaceChildren(el("p", { class: "form-error", role: "alert" }, error.message));
    }
  }

  render(plan) {
    const lines = el("aside", { class: "emergency plan-lines", "aria-label": "Crisis lines" },
      el("h3", {}, "If you need help right now"),
      el("ul", {}, plan.crisis_lines.map((line) => el("li", {}, `${line.label}: `, telLink(line.number, line.tel)))));
    if (!plan.has_plan) {
      return [el("p", {}, "You and your therapist haven't written a safety plan yet."), lines];
    }
    return [lines, ...plan.sections.map(sectionBlock)];
  }

  destroy() {
    this.button.remove();
  }
}

// In the call, for a client who came from their own page ("my Steadyline"): while their urgent help
// room waits for a clinician, a strip says truthfully where the call for help stands (polled from the
// server: reaching, joining, with you) and always shows the numbers to call if they are in danger now.
// And whatever their clinician shows them from their plan ("shared_with_you") appears as a card they close.

import { el, announce } from "../lib/dom.js";
import { loadHomeToken } from "../lib/storage.js";
import { helpStatus } from "./requests.js";
import { lines } from "./home_view.js";

const POLL_MS = 2000;

function sharedCard(shared) {
  const body = [];
  const section = shared.section;
  if (section && section.items.length) body.push(el("ul", {}, section.items.map((item) => el("li", {}, item))));
  if (section && section.contacts.length) body.push(lines(section.contacts.map((c) => ({
    label: c.relationship ? `${c.name} (${c.relationship})` : c.name, number: c.phone || c.email || "", tel: c.tel,
  }))));
  if (section && section.text) body.push(el("p", {}, section.text));
  if (shared.crisis_lines.length) body.push(lines(shared.crisis_lines));
  const card = el("section", { class: "shared-card", role: "dialog", "aria-label": shared.title },
    el("p", { class: "muted" }, "From your clinician"), el("h2", {}, shared.title), ...body,
    el("button", { type: "button", class: "btn btn-small", onclick: () => card.remove() }, "Close"));
  return card;
}

export function watchHelp(room, participant) {
  room.addEventListener("shared", ({ detail }) => {
    document.querySelector(".shared-card")?.remove();
    document.body.append(sharedCard(detail));
    announce(`Your clinician shared: ${detail.title}`);
  });
  const token = loadHomeToken();
  if (!token || participant.participant.role !== "client") return;
  const strip = el("section", { class: "help-progress", role: "status", hidden: true },
    el("p", { class: "help-progress-headline" }), el("p", { class: "help-progress-detail" }),
    el("div", { class: "help-progress-lines" }, el("span", {}, "In danger right now? Call:")));
  let said = "";
  const poll = async () => {
    let status;
    try {
      status = await helpStatus(token);
    } catch {
      strip.hidden = true; // none open (or the page token expired): nothing to tell here
      return;
    }
    if (status.session_id !== participant.session_id || status.stage === "closed") {
      strip.hidden = true;
      document.body.classList.remove("help-room");
      return;
    }
    document.body.classList.add("help-room"); // this strip, not the session banner, tells them where help is
    const host = document.querySelector('[data-view="call"]:not([hidden]) .call-main') ||
      document.querySelector('[data-view]:not([hidden])');
    if (host && strip.parentElement !== host.parentElement) host.before(strip);
    strip.hidden = false;
    strip.querySelector(".help-progress-headline").textContent = status.headline;
    strip.querySelector(".help-progress-detail").textContent = status.detail;
    strip.querySelector(".help-progress-lines").replaceChildren(el("span", {}, "In danger right now? Call"),
      ...status.crisis_lines.map((line) => el("a", { href: line.tel, class: "tel-chip", "aria-label":
        `${line.label}: ${line.number}` }, line.number)));
    if (status.headline !== said) announce(status.headline, { assertive: said !== "" });
    said = status.headline;
    if (status.stage !== "with_you") setTimeout(poll, POLL_MS);
    else setTimeout(() => { strip.hidden = true; }, 8000); // they are together: the call has the screen
  };
  poll();
}

// The personal links made in the console for a session's clients. Each stays listed with its own Copy and
// "Send by e-mail or text" until the therapist dismisses it (a group's links used to replace each other);
// a new link for the same person replaces theirs (the one before no longer works); an ended session's
// links no longer work and are never shown. Sending goes through the server's notifier
// (POST …/send-link, console/requests.js), which issues a new link and sends that one.

import { el, announce } from "../lib/dom.js";

async function copyText(input) {
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select();
    document.execCommand("copy");
  }
}

function sentWords(answer) {
  const where = [answer.email, answer.phone].filter(Boolean).join(" and ");
  if (answer.sent) return `Sent to ${where}. The link shown here is the one sent (the one before no longer works).`;
  return `It could not be sent to ${where} (sending is not set up, or it failed). Copy the new link shown here `
    + "and give it to them yourself.";
}

export class LinkList {
  // root: the <ul> the links are listed in, box: what holds it (hidden when empty);
  // send(sessionId, participantId, body) → LinkSent; contact(clientId) → the client's profile (email, phone)
  constructor(root, { box, send, contact }) {
    this.root = root;
    this.box = box;
    this.send = send;
    this.contact = contact;
    this.bySession = new Map(); // session id → Map(participant id → {name, url})
    this.sessionId = null;
  }

  _links(sessionId) {
    if (!this.bySession.has(sessionId)) this.bySession.set(sessionId, new Map());
    return this.bySession.get(sessionId);
  }

  // The session whose details are open; its people still in it (links of others are dropped).
  show(sessionId, { ended, people }) {
    this.sessionId = sessionId;
    if (ended) this.bySession.delete(sessionId);
    const links = this.bySession.get(sessionId);
    if (links) for (const pid of [...links.keys()]) if (!people.has(pid)) links.delete(pid);
    this.render();
  }

  add(sessionId, participant, link) {
    this._links(sessionId).set(participant.id, { name: participant.display_name, clientId: participant.client_id,
      url: link.join_url, note: "" });
    if (sessionId !== this.sessionId) return;
    this.render();
    const input = this.root.querySelector(`#link-out-${participant.id}`);
    if (input) {
      input.focus();
      input.select();
    }
  }

  drop(sessionId, participantId) {
    this._links(sessionId).delete(participantId);
    if (sessionId === this.sessionId) this.render();
  }

  render() {
    const links = this.bySession.get(this.sessionId) || new Map();
    this.box.hidden = links.size === 0;
    this.root.replaceChildren(...[...links].map(([pid, link]) => this._item(pid, link)));
  }

  // "Send by e-mail or text message", opened: says where the client's saved contact would send it
  _sendBlock(link, form, saved) {
    const details = el("details", { class: "link-send" }, el("summary", {}, "Send by e-mail or text message"), form);
    details.addEventListener("toggle", async () => {
      if (!details.open || !link.clientId || saved.dataset.loaded) return;
      saved.dataset.loaded = "true";
      try {
        const profile = await this.contact(link.clientId);
        const where = [profile.email, profile.phone].filter(Boolean).join(" and ");
        saved.textContent = where ? `Their saved contact: ${where}.` : "No contact is saved for them: type an e-mail "
          + "address or a mobile number.";
      } catch {
        delete saved.dataset.loaded;
      }
    });
    return details;
  }

  _item(pid, link) {
    const id = `link-out-${pid}`;
    const input = el("input", { id, readonly: true, class: "link-out", value: link.url });
    const note = el("span", { class: "copy-done", role: "status" }, link.note);
    const email = el("input", { type: "email", id: `send-email-${pid}`, autocomplete: "off", maxlength: "320" });
    const phone = el("input", { type: "tel", id: `send-phone-${pid}`, autocomplete: "off", maxlength: "40" });
    const error = el("p", { class: "form-error", role: "alert" });
    const saved = el("p", { class: "hint link-saved-contact" });
    const form = el("form", { class: "link-send-form", novalidate: true },
      el("div", { class: "field" }, el("label", { for: email.id }, "E-mail address"), email),
      el("div", { class: "field" }, el("label", { for: phone.id }, "Mobile number (text message)"), phone),
      saved,
      el("p", { class: "hint" }, "Leave both empty to use the client's saved contact. A new link is made and sent; "
        + "the message says only that it is their session link."),
      error,
      el("button", { type: "submit", class: "btn btn-primary btn-small", "aria-label": `Send link to ${link.name}` },
        "Send link"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = "";
      const body = {};
      if (email.value.trim()) body.email = email.value.trim();
      if (phone.value.trim()) body.phone = phone.value.trim();
      try {
        const answer = await this.send(this.sessionId, pid, body);
        this._links(this.sessionId).set(pid, { ...link, url: answer.link.join_url, note: sentWords(answer) });
        this.render();
        announce(sentWords(answer));
      } catch (e) {
        error.textContent = e.message;
      }
    });
    const copy = async () => {
      await copyText(input);
      note.textContent = "Copied.";
      announce("Link copied.");
    };
    const dismiss = () => {
      this.drop(this.sessionId, pid);
      announce(`The link for ${link.name} is no longer listed.`);
    };
    return el("li", { class: "link-box", dataset: { pid } },
      el("label", { for: id }, `Personal link for ${link.name}`),
      el("div", { class: "link-row" }, input,
        el("button", { type: "button", class: "btn btn-primary", "aria-label": `Copy link: ${link.name}`, onclick: copy },
          "Copy link")),
      el("p", { class: "hint" }, note),
      this._sendBlock(link, form, saved),
      el("button", { type: "button", class: "btn btn-small btn-quiet", "aria-label": `Dismiss link: ${link.name}`,
        onclick: dismiss }, "Dismiss"));
  }
}

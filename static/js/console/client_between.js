// Between sessions, in the console beside a client's safety plan: their own therapist (paged first when
// they ask for help in office hours), where Steadyline reaches them (their next-day session, check-in
// reminders), their personal link "my Steadyline" — made (shown once), remade, switched off — and the
// daily check-ins the care team asks of them there (check_in_schedule.js); their messages (messages.js).

import { el, announce } from "../lib/dom.js";
import { consoleRequests } from "./requests.js";
import { checkInScheduleBlock } from "./check_in_schedule.js";
import { trendBlock } from "./trend_chart.js";
import { messagesBlock } from "./messages.js";

function when(iso) {
  return new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

export class ClientBetweenSessions {
  constructor(call) {
    this.requests = consoleRequests(call);
  }

  // The block for one client; it fills itself in when its data arrives.
  block(clientId) {
    const root = el("div", { class: "plan-block client-between", "aria-labelledby": "between-title" },
      el("h4", { id: "between-title" }, "Between sessions"), el("p", { class: "muted" }, "Loading…"));
    this._fill(root, clientId);
    return root;
  }

  async _fill(root, clientId) {
    let client, therapists;
    try {
      [client, therapists] = await Promise.all([this.requests.client(clientId), this.requests.therapists()]);
    } catch (error) {
      root.replaceChildren(el("p", { class: "form-error", role: "alert" }, error.message));
      return;
    }
    const status = el("p", { role: "status", class: "muted" });
    const own = el("select", { id: "between-therapist" }, el("option", { value: "" }, "Not set"),
      ...therapists.therapists.map((t) => el("option", { value: t.id, selected: t.id === client.therapist_id },
        t.display_name)));
    const email = el("input", { id: "between-email", type: "email", autocomplete: "off", maxlength: "320",
      value: client.email || "" });
    const phone = el("input", { id: "between-phone", type: "tel", autocomplete: "off", maxlength: "40",
      value: client.phone || "" });
    const save = async (event) => {
      event.preventDefault();
      try {
        await this.requests.setClientProfile(clientId, {
          therapist_id: own.value || null, email: email.value.trim() || null, phone: phone.value.trim() || null });
        status.textContent = "Saved.";
      } catch (error) {
        status.textContent = error.message;
      }
      announce(status.textContent);
    };
    const form = el("form", { class: "between-form", onsubmit: save },
      el("div", { class: "field" }, el("label", { for: "between-therapist" }, "Their own therapist"), own),
      el("div", { class: "field" }, el("label", { for: "between-email" }, "Their email (for their session links and "
        + "check-in reminders)"), email),
      el("div", { class: "field" }, el("label", { for: "between-phone" }, "Their mobile number"), phone),
      el("button", { type: "submit", class: "btn btn-small" }, "Save"), status);
    root.replaceChildren(el("h4", { id: "between-title" }, "Between sessions"), form,
      messagesBlock(this.requests, clientId), this._linkBlock(client, clientId),
      checkInScheduleBlock(this.requests, clientId), trendBlock(this.requests, clientId));
  }

  _linkBlock(client, clientId) {
    const link = client.home_link;
    const out = el("div", { class: "between-link" });
    const said = el("p", { role: "status", class: "muted" }, link
      ? `Their personal link works until ${when(link.expires_at)}`
        + (link.last_used_at ? `; last opened ${when(link.last_used_at)}.` : "; not opened yet.")
      : "They have no personal link yet.");
    const issue = async () => {
      try {
        const issued = await this.requests.issueHomeLink(clientId);
        const input = el("input", { id: "between-link-out", type: "text", readonly: true, class: "link-out",
          value: issued.url });
        out.replaceChildren(el("label", { for: "between-link-out" }, "Their personal link (shown once: give it to "
          + "them now)"), input);
        input.focus();
        input.select();
        said.textContent = `New link made; any link before it no longer works. It works until ${when(issued.expires_at)}.`;
      } catch (error) {
        said.textContent = error.message;
      }
      announce(said.textContent);
    };
    const revoke = async () => {
      try {
        await this.requests.revokeHomeLink(clientId);
        out.replaceChildren();
        said.textContent = "Their personal link is switched off.";
      } catch (error) {
        said.textContent = error.message;
      }
      announce(said.textContent);
    };
    return el("div", {},
      el("h4", {}, "My Steadyline (their personal link)"),
      el("p", { class: "hint" }, "Opens their own page at any hour: their plan, the numbers to call, their sessions "
        + "and \u201cI need help now\u201d, which pages the on-call clinician."),
      said, out,
      el("div", { class: "inline-form" },
        el("button", { type: "button", class: "btn btn-small", id: "between-link-new", onclick: issue },
          link ? "Make a new personal link" : "Make their personal link"),
        link ? el("button", { type: "button", class: "btn btn-small btn-danger-quiet", onclick: revoke },
          "Switch off their link") : null));
  }
}

// Drawing the client's own page: their plan read-only (coping steps first), the numbers to call, the
// nearest local resources and their upcoming sessions with a Join button each. Text only, never HTML.

import { $, el } from "../lib/dom.js";

function telLink(label, tel) {
  return tel ? el("a", { href: tel, class: "tel-link" }, label) : el("span", {}, label);
}

export function lines(list) {
  return el("ul", { class: "home-lines" }, list.map((line) =>
    el("li", {}, el("span", { class: "home-line-label" }, line.label), " ",
      telLink(line.number, line.tel))));
}

function section(entry) {
  const body = [];
  if (entry.items.length) body.push(el("ul", {}, entry.items.map((item) => el("li", {}, item))));
  if (entry.contacts.length) {
    body.push(el("ul", { class: "home-contacts" }, entry.contacts.map((c) => el("li", {},
      el("span", { class: "person-name" }, c.name), c.relationship ? ` (${c.relationship})` : "",
      c.phone ? el("span", {}, " — ", telLink(`Call ${c.phone}`, c.tel)) : null))));
  }
  if (entry.text) body.push(el("p", {}, entry.text));
  return el("section", { class: "home-plan-section", dataset: { key: entry.key } },
    el("h3", {}, entry.title), ...body);
}

function when(iso, timezone) {
  const options = { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" };
  try {
    return new Date(iso).toLocaleString([], { ...options, timeZone: timezone });
  } catch {
    return new Date(iso).toLocaleString([], options);
  }
}

export function drawHome(home, { onJoin }) {
  $("#home-greeting").textContent = `Hello, ${home.client_name}`;
  $("#home-program").textContent = home.program_name;
  $("#home-lines").replaceChildren(lines(home.crisis_lines));

  const plan = $("#home-plan");
  if (home.plan.has_plan) {
    plan.replaceChildren(...home.plan.sections.map(section));
  } else {
    plan.replaceChildren(el("p", { class: "muted" },
      "Your care team has not written your safety plan with you yet. Until then, the numbers above are always here."));
  }

  const resources = $("#home-resources");
  resources.replaceChildren(...(home.resources.length ? [el("ul", {}, home.resources.map((r) => el("li", {},
    el("span", { class: "person-name" }, r.name), r.hours ? ` (${r.hours})` : "", " — ",
    telLink(r.phone, r.tel))))] : [el("p", { class: "muted" }, "No local resources are listed for you yet.")]));

  const upcoming = $("#home-sessions");
  if (!home.upcoming.length) {
    upcoming.replaceChildren(el("p", { class: "muted" }, "No sessions in the next two weeks."));
    return;
  }
  upcoming.replaceChildren(el("ul", { class: "session-list" }, home.upcoming.map((s) => {
    const opens = new Date(s.join_opens_at).getTime() <= Date.now();
    return el("li", { class: "session-item" },
      el("div", { class: "session-text" },
        el("span", { class: "session-title" }, s.title),
        el("span", { class: "session-time" }, when(s.starts_at, home.timezone)),
        s.therapist_name ? el("span", { class: "muted" }, `with ${s.therapist_name}`) : null),
      opens
        ? el("button", { type: "button", class: "btn btn-primary", onclick: () => onJoin(s) }, "Join")
        : el("span", { class: "muted" }, "Join opens 15 minutes before"));
  })));
}

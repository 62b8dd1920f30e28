// How the console's sessions look: today's list, one session's details (its clients with their
// links, its therapists), the link box and the form that creates a session. Rendering only: the
// buttons call back into console/sessions.js.

import { $, el, formatTime } from "../lib/dom.js";

export function today() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
}

// on: {manage(id), startCall(id)}
export function renderSessionList(sessions, on) {
  $("#sessions-empty").hidden = sessions.length > 0;
  $("#session-list").replaceChildren(...sessions.map((s) => sessionItem(s, on)));
}

function sessionItem(s, on) {
  const ended = s.status === "ended";
  return el("li", { class: ended ? "session-item ended" : "session-item", dataset: { sessionId: s.id } },
    el("div", { class: "session-text" },
      el("span", { class: "session-time" }, `${formatTime(s.starts_at)} – ${formatTime(s.ends_at)}`),
      el("span", { class: "session-title" }, s.title),
      el("span", { class: "badges" },
        el("span", { class: "badge" }, s.kind === "group" ? "Group" : "Individual"),
        ended ? el("span", { class: "badge badge-muted" }, "Ended") : null)),
    el("div", { class: "session-actions" },
      el("button", { type: "button", class: "btn btn-small", "aria-label": `Manage ${s.title}`,
        onclick: () => on.manage(s.id) }, "Manage"),
      ended ? null : el("button", { type: "button", class: "btn btn-small btn-primary", "aria-label": `Start call: ${s.title}`,
        onclick: () => on.startCall(s.id) }, "Start call")));
}

// ---- the form that creates a session ------------------------------------------------------------

function minutesFrom(input) {
  return new Date(input).getTime();
}

// The form's session as POST /api/sessions takes it, or null (with the reason shown) when incomplete.
export function readCreateForm(form) {
  const error = $("#create-error");
  error.textContent = "";
  const start = minutesFrom(form.starts.value);
  if (!form.title.value.trim() || Number.isNaN(start)) {
    error.textContent = "Give the session a title and a start time.";
    return null;
  }
  const end = start + Number(form.duration.value) * 60000;
  return {
    kind: form.kind.value, title: form.title.value.trim(),
    starts_at: new Date(start).toISOString(), ends_at: new Date(end).toISOString(),
  };
}

function localInputValue(date) {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return shifted.toISOString().slice(0, 16);
}

export function resetCreateForm() {
  const form = $("#create-form");
  const now = new Date();
  now.setSeconds(0, 0);
  form.starts.value = localInputValue(now);
  form.title.value = form.kind.value === "group" ? "Group session" : "Individual session";
}

// ---- one session --------------------------------------------------------------------------------

// on: {plan(participant), newLink(participant), revoke(participant)}
export function renderDetail(s, on) {
  const ended = s.status === "ended";
  const detail = $("#detail");
  detail.hidden = false;
  detail.dataset.sessionId = s.id;
  $("#detail-title").textContent = s.title;
  $("#detail-status").textContent = ended ? "Ended" : s.kind === "group" ? "Group" : "Individual";
  $("#detail-when").textContent = `${formatTime(s.starts_at)} – ${formatTime(s.ends_at)}`;
  const clients = (s.participants || []).filter((p) => p.role === "client");
  $("#detail-empty").hidden = clients.length > 0;
  $("#detail-people").replaceChildren(...clients.map((p) => el("li", { class: "person", dataset: { pid: p.id } },
    el("div", { class: "person-text" },
      el("span", { class: "person-name" }, p.display_name),
      el("span", { class: "person-meta" }, p.removed ? "removed" : "")),
    el("div", { class: "person-actions" },
      p.client_id ? el("button", { type: "button", class: "btn btn-small", "aria-label": `Safety plan: ${p.display_name}`,
        onclick: () => on.plan(p) }, "Safety plan") : null,
      ended || p.removed ? null : el("button", { type: "button", class: "btn btn-small", "aria-label": `New link: ${p.display_name}`,
        onclick: () => on.newLink(p) }, "New link"),
      el("button", { type: "button", class: "btn btn-small btn-danger-quiet", "aria-label": `Revoke link: ${p.display_name}`,
        onclick: () => on.revoke(p) }, "Revoke link")))));
}

// After the therapists are shown: what an ended session no longer offers, and focus on its title.
export function finishDetail(ended, { focus }) {
  $("#add-form").hidden = ended;
  $("#detail-start").hidden = ended;
  $("#detail-end").hidden = ended;
  $("#detail-error").textContent = "";
  if (focus) {
    $("#detail-title").setAttribute("tabindex", "-1");
    $("#detail-title").focus();
  }
}

// The session's therapists: its lead and any co-facilitators.
export function renderTherapists(s, therapists) {
  $("#detail-therapists").replaceChildren(...therapists.map((p) => el("li", { class: "person" },
    el("div", { class: "person-text" }, el("span", { class: "person-name" }, p.display_name),
      el("span", { class: "person-meta" }, p.staff_id === s.therapist_id ? "leads the session" : "co-facilitator")))));
}

// The colleagues who may be added as co-facilitators (the form is hidden when there are none).
export function renderColleagues(colleagues) {
  $("#cofac-select").replaceChildren(...colleagues.map((t) => el("option", { value: t.id }, t.display_name)));
  $("#cofac-form").hidden = colleagues.length === 0;
}

export function showCoFacilitatorForm(shown) {
  $("#cofac-form").hidden = !shown;
}

export function showDetailError(message) {
  $("#detail-error").textContent = message;
}

export function showSessionsError(message) {
  $("#sessions-error").textContent = message;
}

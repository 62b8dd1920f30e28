// How one alert or outreach task looks in "Needs attention": its risk in words (never colour alone), what
// it is (a subject free of health information), whose it is, where it stands, and its buttons. Building
// only: dashboard.js owns the data and does what the buttons ask.

import { el } from "../lib/dom.js";

// the alerts' urgency, as the dashboard names it (and filters by)
export const RISK = { urgent: "high", high: "medium", normal: "low" };
const RISK_WORDS = { high: "High risk", medium: "Medium risk", low: "Low risk" };
const TASK_SUBJECTS = { missed_session: "Missed a session: please reach out" };

function when(iso) {
  return new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

// An alert or an outreach task as one shape: {key, type, id, risk, subject, body, clientId, clientName, ...}
export function fromAlert(a) {
  return {
    key: `alert:${a.alert_id}`, type: "alert", id: a.alert_id, risk: RISK[a.urgency] || "low",
    subject: a.subject, body: a.body, clientId: a.client_id, clientName: a.client_name, createdAt: a.created_at,
    acknowledgedAt: a.acknowledged_at, acknowledgedBy: a.acknowledged_by, assignedTo: a.assigned_to,
    resolvedAt: a.resolved_at, resolvedBy: a.resolved_by, note: a.resolved_note,
  };
}

export function fromTask(t) {
  return {
    key: `task:${t.task_id}`, type: "task", id: t.task_id, risk: "low",
    subject: TASK_SUBJECTS[t.kind] || "Outreach: please reach out", body: null, clientId: t.client_id,
    clientName: t.client_name, createdAt: t.created_at, acknowledgedAt: null, acknowledgedBy: null,
    assignedTo: t.assigned_to, resolvedAt: t.resolved_at, resolvedBy: t.resolved_by, note: t.note,
  };
}

function standing(item, nameOf) {
  if (item.resolvedAt) return `Done: resolved by ${nameOf(item.resolvedBy)} ${when(item.resolvedAt)}`;
  const parts = [item.type === "task" ? "Open outreach task" : "Open"];
  if (item.acknowledgedAt) parts.push(`seen by ${nameOf(item.acknowledgedBy)}`);
  parts.push(item.assignedTo ? `assigned to ${nameOf(item.assignedTo)}` : "not assigned");
  return parts.join(" · ");
}

// actions: {acknowledge(item), assign(item, staffId|null), resolve(item, note) -> Promise, openClient(item)}
// colleagues: [{id, display_name}] (the program's therapists); me, myRole: yours; nameOf(id) -> a name to show
export function itemNode(item, { actions, colleagues, me, myRole, nameOf }) {
  const error = el("p", { class: "form-error", role: "alert" });
  const run = (fn) => async () => {
    error.textContent = "";
    try { await fn(); } catch (e) { error.textContent = e.message; }
  };
  const client = item.clientId
    ? el("button", { type: "button", class: "link-button attention-client",
      onclick: () => actions.openClient(item) }, item.clientName || "The client")
    : el("span", { class: "muted" }, "The whole program");
  const buttons = [];
  const form = resolveForm(item, actions, error);
  if (!item.resolvedAt) {
    if (item.type === "alert" && !item.acknowledgedAt) {
      buttons.push(el("button", { type: "button", class: "btn btn-small", onclick: run(() => actions.acknowledge(item)) },
        "Acknowledge"));
    }
    // outreach tasks go to therapists only (an admin gives them to one)
    if (item.assignedTo !== me && !(item.type === "task" && myRole === "admin")) {
      buttons.push(el("button", { type: "button", class: "btn btn-small", onclick: run(() => actions.assign(item, null)) },
        "Assign to me"));
    }
    const others = colleagues.filter((c) => c.id !== me);
    if (others.length) {
      // a choice and a button (a select acting on change would act on every arrow key)
      const pick = el("select", { "aria-label": "Colleague to assign it to" },
        el("option", { value: "" }, "A colleague…"),
        ...others.map((c) => el("option", { value: c.id, selected: c.id === item.assignedTo }, c.display_name)));
      const give = async () => {
        if (!pick.value) throw new Error("Choose a colleague first.");
        await actions.assign(item, pick.value);
      };
      buttons.push(el("span", { class: "attention-give" }, pick,
        el("button", { type: "button", class: "btn btn-small", onclick: run(give) }, "Assign")));
    }
    buttons.push(el("button", { type: "button", class: "btn btn-small btn-primary", "aria-expanded": "false",
      onclick: (event) => {
        form.hidden = false;
        event.currentTarget.setAttribute("aria-expanded", "true");
        form.querySelector("textarea").focus();
      } }, "Resolve…"));
  }
  return el("li", { class: `attention-item risk-${item.risk}${item.resolvedAt ? " done" : ""}`, tabindex: "-1",
    dataset: { key: item.key, risk: item.risk } },
  el("div", { class: "attention-head" },
    el("span", { class: `badge risk-badge risk-badge-${item.risk}` }, RISK_WORDS[item.risk]),
    el("span", { class: "attention-kind muted" }, item.type === "task" ? "Outreach task" : "Alert"),
    el("time", { class: "muted", datetime: item.createdAt }, when(item.createdAt))),
  el("p", { class: "attention-subject" }, item.subject),
  el("p", { class: "attention-who" }, client),
  item.body ? el("details", { class: "attention-body" }, el("summary", {}, "Details"), el("p", {}, item.body)) : null,
  el("p", { class: "attention-state muted" }, standing(item, nameOf)),
  item.resolvedAt && item.note ? el("p", { class: "attention-note" }, `Note: ${item.note}`) : null,
  buttons.length ? el("div", { class: "attention-actions" }, ...buttons) : null,
  form, error);
}

function resolveForm(item, actions, error) {
  const id = `resolve-${item.type}-${item.id}`;
  const note = el("textarea", { id, rows: "2", maxlength: "1000", required: true });
  const form = el("form", { class: "attention-resolve", hidden: true, novalidate: true },
    el("label", { for: id }, "What was done (a note for the record)"), note,
    el("div", { class: "attention-actions" },
      el("button", { type: "submit", class: "btn btn-small btn-primary" }, "Resolve"),
      el("button", { type: "button", class: "btn btn-small", onclick: () => { form.hidden = true; } }, "Cancel")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!note.value.trim()) {
      error.textContent = "Write a short note of what was done.";
      note.focus();
      return;
    }
    error.textContent = "";
    try { await actions.resolve(item, note.value.trim()); } catch (e) { error.textContent = e.message; }
  });
  return form;
}

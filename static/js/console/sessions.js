// The console's sessions: today's list, creating a session, and one session's details: adding
// clients and co-facilitators, a client's personal link (new, revoked), ending the session.
// What it knows is in console/state.js, its requests in console/requests.js, how it looks in
// console/sessions_view.js.

import { $, announce } from "../lib/dom.js";
import { confirmAction } from "../lib/dialog.js";
import { state, requests } from "./state.js";
import {
  today, renderSessionList, readCreateForm, resetCreateForm, renderDetail, finishDetail, renderTherapists,
  renderColleagues, showCoFacilitatorForm, showDetailError, showSessionsError,
} from "./sessions_view.js";
import { LinkList } from "./link_list.js";

let linkList = null;

// the links made here, listed each with its own Copy and Send until dismissed (console/link_list.js)
function links() {
  if (!linkList) {
    linkList = new LinkList($("#link-list"), {
      box: $("#links"), send: (sessionId, pid, body) => requests.sendLink(sessionId, pid, body),
      contact: (clientId) => requests.client(clientId),
    });
  }
  return linkList;
}

let startCall = () => {};

// fn(sessionId) enters a session's call as its host (the list's "Start call" buttons).
export function onStartCall(fn) {
  startCall = fn;
}

export async function refresh() {
  showSessionsError("");
  try {
    state.sessions = (await requests.sessionsOn(today())).sessions;
  } catch (e) {
    showSessionsError(e.message);
    return;
  }
  state.sessions.sort((a, b) => a.starts_at.localeCompare(b.starts_at));
  renderSessionList(state.sessions, { manage: (id) => openDetail(id), startCall: (id) => startCall(id) });
  if (state.selectedId) await openDetail(state.selectedId, { focus: false });
}

export async function create(event) {
  event.preventDefault();
  const body = readCreateForm(event.currentTarget);
  if (!body) return;
  try {
    const created = await requests.createSession(body);
    announce(`Session ${created.title} created.`);
    resetCreateForm();
    state.selectedId = created.id;
    await refresh();
    $("#client-name").focus();
  } catch (e) {
    $("#create-error").textContent = e.message;
  }
}

// ---- one session --------------------------------------------------------------------------------

export async function openDetail(id, { focus = true } = {}) {
  const another = $("#detail").dataset.sessionId !== id; // the session shown until now
  state.selectedId = id;
  // the previous client's safety plan never stays open under another session (closed now, before any
  // wait, so a plan opened from the new details while they finish loading stays open)
  if ((another || focus) && state.planEditor) state.planEditor.close();
  let s;
  try {
    s = await requests.session(id);
  } catch (e) {
    showSessionsError(e.message);
    return;
  }
  const ended = s.status === "ended";
  renderDetail(s, {
    plan: (p) => state.planEditor.open(p.client_id, p.display_name),
    newLink: (p) => reissue(s, p),
    revoke: (p) => revoke(s, p),
  });
  const people = new Set((s.participants || []).filter((p) => !p.removed).map((p) => p.id));
  links().show(s.id, { ended, people });
  await showTherapists(s, ended);
  finishDetail(ended, { focus });
}

// The session's therapists: its lead and any co-facilitators; the lead (or an admin) may add one.
async function showTherapists(s, ended) {
  const therapists = (s.participants || []).filter((p) => p.role === "therapist" && !p.removed);
  renderTherapists(s, therapists);
  const { staff } = state.staff;
  const mayAdd = !ended && (staff.id === s.therapist_id || staff.role === "admin");
  showCoFacilitatorForm(mayAdd);
  if (!mayAdd) return;
  const present = new Set(therapists.map((p) => p.staff_id));
  let colleagues = [];
  try {
    colleagues = (await requests.therapists()).therapists.filter((t) => !present.has(t.id));
  } catch { /* the list stays empty */ }
  renderColleagues(colleagues);
}

export async function addCoFacilitator(event) {
  event.preventDefault();
  const staffId = $("#cofac-select").value;
  if (!staffId || !state.selectedId) return;
  try {
    await requests.addCoFacilitator(state.selectedId, staffId);
    announce("Co-facilitator added.");
    await openDetail(state.selectedId, { focus: false });
  } catch (e) {
    showDetailError(e.message);
  }
}

export async function addClient(event) {
  event.preventDefault();
  const input = $("#client-name");
  const name = input.value.trim();
  if (!name) {
    showDetailError("Enter the client's name.");
    input.focus();
    return;
  }
  try {
    const link = await requests.addClient(state.selectedId, name);
    input.value = "";
    await openDetail(state.selectedId, { focus: false });
    links().add(state.selectedId, link.participant, link);
  } catch (e) {
    showDetailError(e.message);
  }
}

async function reissue(s, p) {
  try {
    const link = await requests.newLink(s.id, p.id);
    links().add(s.id, p, link);
    announce(`New link for ${p.display_name}. The old link no longer works.`);
  } catch (e) {
    showDetailError(e.message);
  }
}

async function revoke(s, p) {
  const ok = await confirmAction({
    title: `Revoke ${p.display_name}'s link?`,
    message: "Their link stops working and they are disconnected. You can create a new link afterwards.",
    confirmLabel: "Revoke link",
  });
  if (!ok) return;
  try {
    await requests.revokeLink(s.id, p.id);
    links().drop(s.id, p.id);
    announce(`${p.display_name}'s link was revoked.`);
  } catch (e) {
    showDetailError(e.message);
  }
}

export async function endSession() {
  const ok = await confirmAction({
    title: "End this session?",
    message: "Everyone in the call is disconnected and all personal links stop working.",
    confirmLabel: "End session",
  });
  if (!ok) return;
  try {
    await requests.endSession(state.selectedId);
    announce("Session ended.");
    await refresh();
  } catch (e) {
    showDetailError(e.message);
  }
}

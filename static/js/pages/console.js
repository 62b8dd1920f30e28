// /console: sign in, today's sessions, create sessions, add clients and manage their links, and
// enter the call as its host (the same call view as clients, plus the host panel).

import { $, el, showView, announce, formatTime } from "../lib/dom.js";
import { api, ApiError } from "../lib/api.js";
import { openLocalMedia, explainProblem } from "../call/local_media.js";
import { Room } from "../call/room.js";
import { CallView } from "../call/call_view.js";
import { HostPanel } from "../console/host_panel.js";
import { confirmAction } from "../lib/dialog.js";
import { PlanEditor } from "../plans/plan_editor.js";
import { OpenCrises } from "../crisis/open_crises.js";
import { signIn as requestSignIn, consoleRequests } from "../console/requests.js";
import {
  loadStaff, saveStaff, clearStaff, loadHostCall, saveHostCall, clearHostCall, deviceTokenFor, rememberDeviceToken,
} from "../lib/storage.js";

let staff = loadStaff();
let selectedId = null;
let sessions = [];
let planEditor = null;

async function call(method, path, body) {
  try {
    return await api(method, path, { body, token: staff && staff.access_token });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) signOut("Your sign-in has expired. Please sign in again.");
    throw error;
  }
}

const requests = consoleRequests(call);

// ---- sign in / out ------------------------------------------------------------------------------

// every screen of the console shows the program's open crises
const openCrises = new OpenCrises({ call: (method, path) => call(method, path), onOpen: (id) => startCall(id) });

function signOut(message = "") {
  openCrises.stop();
  openCrises.root.hidden = true;
  staff = null;
  clearStaff();
  clearHostCall();
  $("#header-user").hidden = true;
  $("#signin-error").textContent = message;
  showView("signin");
}

async function signIn(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const email = form.email.value.trim();
  const password = form.password.value;
  const error = $("#signin-error");
  if (!email || !password) {
    error.textContent = "Enter your email and password.";
    (email ? form.password : form.email).focus();
    return;
  }
  error.textContent = "";
  try {
    const deviceToken = deviceTokenFor(email);
    const answer = await requestSignIn({ email, password, ...(deviceToken ? { device_token: deviceToken } : {}) });
    rememberDeviceToken(email, answer.device_token);
    saveStaff({ access_token: answer.access_token, staff: answer.staff }, answer.expires_in);
    staff = loadStaff();
    form.password.value = "";
    await dashboard();
  } catch (e) {
    error.textContent = e.status === 401 || e.status === 403
      ? "That email and password don't match. Please try again." : e.message;
    form.password.focus();
  }
}

// ---- sessions -----------------------------------------------------------------------------------

function today() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
}

function showOpenCrises() {
  if (!openCrises.root.isConnected) $("#open-crises-host").append(openCrises.root);
  if (!openCrises.running) openCrises.start();
}

async function dashboard({ focus = true } = {}) {
  showOpenCrises();
  $("#header-user").hidden = false;
  $("#staff-name").textContent = staff.staff.display_name;
  showView("sessions", { focus });
  await refresh();
}

async function refresh() {
  $("#sessions-error").textContent = "";
  try {
    sessions = (await requests.sessionsOn(today())).sessions;
  } catch (e) {
    $("#sessions-error").textContent = e.message;
    return;
  }
  sessions.sort((a, b) => a.starts_at.localeCompare(b.starts_at));
  $("#sessions-empty").hidden = sessions.length > 0;
  $("#session-list").replaceChildren(...sessions.map(sessionItem));
  if (selectedId) await openDetail(selectedId, { focus: false });
}

function sessionItem(s) {
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
        onclick: () => openDetail(s.id) }, "Manage"),
      ended ? null : el("button", { type: "button", class: "btn btn-small btn-primary", "aria-label": `Start call: ${s.title}`,
        onclick: () => startCall(s.id) }, "Start call")));
}

function minutesFrom(input) {
  return new Date(input).getTime();
}

async function create(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const error = $("#create-error");
  error.textContent = "";
  const start = minutesFrom(form.starts.value);
  if (!form.title.value.trim() || Number.isNaN(start)) {
    error.textContent = "Give the session a title and a start time.";
    return;
  }
  const end = start + Number(form.duration.value) * 60000;
  try {
    const created = await requests.createSession({
      kind: form.kind.value, title: form.title.value.trim(),
      starts_at: new Date(start).toISOString(), ends_at: new Date(end).toISOString(),
    });
    announce(`Session ${created.title} created.`);
    resetCreateForm();
    selectedId = created.id;
    await refresh();
    $("#client-name").focus();
  } catch (e) {
    error.textContent = e.message;
  }
}

function localInputValue(date) {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return shifted.toISOString().slice(0, 16);
}

function resetCreateForm() {
  const form = $("#create-form");
  const now = new Date();
  now.setSeconds(0, 0);
  form.starts.value = localInputValue(now);
  form.title.value = form.kind.value === "group" ? "Group session" : "Individual session";
}

// ---- one session --------------------------------------------------------------------------------

// The session's therapists: its lead and any co-facilitators; the lead (or an admin) may add one.
async function showTherapists(s, ended) {
  const therapists = (s.participants || []).filter((p) => p.role === "therapist" && !p.removed);
  $("#detail-therapists").replaceChildren(...therapists.map((p) => el("li", { class: "person" },
    el("div", { class: "person-text" }, el("span", { class: "person-name" }, p.display_name),
      el("span", { class: "person-meta" }, p.staff_id === s.therapist_id ? "leads the session" : "co-facilitator")))));
  const mayAdd = !ended && (staff.staff.id === s.therapist_id || staff.staff.role === "admin");
  $("#cofac-form").hidden = !mayAdd;
  if (!mayAdd) return;
  const present = new Set(therapists.map((p) => p.staff_id));
  let colleagues = [];
  try {
    colleagues = (await requests.therapists()).therapists.filter((t) => !present.has(t.id));
  } catch { /* the list stays empty */ }
  $("#cofac-select").replaceChildren(...colleagues.map((t) => el("option", { value: t.id }, t.display_name)));
  $("#cofac-form").hidden = colleagues.length === 0;
}

async function addCoFacilitator(event) {
  event.preventDefault();
  const staffId = $("#cofac-select").value;
  if (!staffId || !selectedId) return;
  try {
    await requests.addCoFacilitator(selectedId, staffId);
    announce("Co-facilitator added.");
    await openDetail(selectedId, { focus: false });
  } catch (e) {
    $("#detail-error").textContent = e.message;
  }
}

async function openDetail(id, { focus = true } = {}) {
  selectedId = id;
  let s;
  try {
    s = await requests.session(id);
  } catch (e) {
    $("#sessions-error").textContent = e.message;
    return;
  }
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
        onclick: () => planEditor.open(p.client_id, p.display_name) }, "Safety plan") : null,
      ended || p.removed ? null : el("button", { type: "button", class: "btn btn-small", "aria-label": `New link: ${p.display_name}`,
        onclick: () => reissue(s, p) }, "New link"),
      el("button", { type: "button", class: "btn btn-small btn-danger-quiet", "aria-label": `Revoke link: ${p.display_name}`,
        onclick: () => revoke(s, p) }, "Revoke link")))));
  await showTherapists(s, ended);
  if (focus && planEditor) planEditor.close();
  $("#add-form").hidden = ended;
  $("#detail-start").hidden = ended;
  $("#detail-end").hidden = ended;
  $("#detail-error").textContent = "";
  if (focus) {
    $("#link-box").hidden = true;
    $("#detail-title").setAttribute("tabindex", "-1");
    $("#detail-title").focus();
  }
}

function showLink(name, link) {
  $("#link-label").textContent = `Personal link for ${name}`;
  $("#link-out").value = link.join_url;
  $("#copy-done").textContent = "";
  $("#link-box").hidden = false;
  $("#link-out").focus();
  $("#link-out").select();
}

async function addClient(event) {
  event.preventDefault();
  const input = $("#client-name");
  const name = input.value.trim();
  if (!name) {
    $("#detail-error").textContent = "Enter the client's name.";
    input.focus();
    return;
  }
  try {
    const link = await requests.addClient(selectedId, name);
    input.value = "";
    await openDetail(selectedId, { focus: false });
    showLink(name, link);
  } catch (e) {
    $("#detail-error").textContent = e.message;
  }
}

async function reissue(s, p) {
  try {
    const link = await requests.newLink(s.id, p.id);
    showLink(p.display_name, link);
    announce(`New link for ${p.display_name}. The old link no longer works.`);
  } catch (e) {
    $("#detail-error").textContent = e.message;
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
    $("#link-box").hidden = true;
    announce(`${p.display_name}'s link was revoked.`);
  } catch (e) {
    $("#detail-error").textContent = e.message;
  }
}

async function copyLink() {
  const input = $("#link-out");
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select();
    document.execCommand("copy");
  }
  $("#copy-done").textContent = "Copied.";
  announce("Link copied.");
}

async function endSession() {
  const ok = await confirmAction({
    title: "End this session?",
    message: "Everyone in the call is disconnected and all personal links stop working.",
    confirmLabel: "End session",
  });
  if (!ok) return;
  try {
    await requests.endSession(selectedId);
    announce("Session ended.");
    await refresh();
  } catch (e) {
    $("#detail-error").textContent = e.message;
  }
}

// ---- the call -----------------------------------------------------------------------------------

async function startCall(id) {
  try {
    const answer = await requests.host(id);
    saveHostCall({ session_id: id, participant_token: answer.participant_token, participant: answer.participant },
      answer.expires_in);
    await enterCall(loadHostCall());
  } catch (e) {
    $("#sessions-error").textContent = e.message;
    $("#detail-error").textContent = e.message;
  }
}

async function enterCall(saved) {
  showView("call", { focus: false });
  const media = await openLocalMedia();
  const room = new Room({ token: saved.participant_token, localStream: media.stream });
  const panel = new HostPanel(room, { call });
  const view = new CallView($("#call-host"), room, {
    selfName: `${saved.participant.display_name}`, hostPanel: panel, emergency: false,
  });
  const problems = [explainProblem("camera", media.camera), explainProblem("microphone", media.microphone)];
  if (problems.some(Boolean)) view.showBanner(problems.filter(Boolean).join(" "), "warning", 15000);
  room.addEventListener("phase", ({ detail }) => {
    if (detail.phase === "call" && detail.previous === "connecting") {
      $("#call-title").setAttribute("tabindex", "-1");
      $("#call-title").focus();
    }
  });
  // A client's device is far from the address they confirmed at this join (docs/protocol.md).
  const watchLocationFlags = () => room._channel.addEventListener("location_flag", ({ detail }) => {
    const member = room.members.get(detail.participant_id) || room.lobby.find((w) => w.participant_id === detail.participant_id);
    const km = (detail.distance_m / 1000).toFixed(1);
    view.showBanner(`${member ? member.display_name : "A client"} may not be where they said: their device is about ${km} km `
      + "from the address they confirmed. Ask them where they are now.", "warning", 120000);
  });
  watchLocationFlags();
  // Moved into a private crisis room (crisis panel): a reload comes back to that room.
  room.addEventListener("moved", ({ detail }) => {
    saveHostCall({ session_id: detail.session_id, participant_token: detail.participant_token,
      participant: detail.participant }, detail.expires_in);
    watchLocationFlags();
  });
  // The signalling connection cannot be made or is refused: the call did not start; say so at once.
  room.addEventListener("unreachable", () => {
    const retry = el("button", { type: "button", class: "btn btn-small", onclick: () => room.retry() }, "Try again");
    const back = el("button", { type: "button", class: "btn btn-small", onclick: () => room.leave() }, "Back to sessions");
    view.showBanner("The call could not start: this page can't reach the Steadyline server. "
      + "Check your connection; we keep trying.", "error", 0, el("span", { class: "banner-actions" }, retry, back));
    announce("The call could not start. The server can't be reached.", { assertive: true });
  });
  room.addEventListener("reachable", () => view.showBanner("Connected.", "ok", 3000));
  room.addEventListener("ended", async ({ detail }) => {
    const didNotStart = room.unreachable;
    clearHostCall();
    view.destroy();
    panel.destroy();
    if (detail.reason === "replaced") announce("You opened this call in another window.");
    await dashboard();
    if (didNotStart) $("#sessions-error").textContent = "The call could not start because the server could not be reached. Try Start call again.";
    if (detail.reason === "ended") announce("The session has ended.");
  });
  room.start();
}

// ---- start --------------------------------------------------------------------------------------

async function main() {
  $("#signin-form").addEventListener("submit", signIn);
  $("#sign-out").addEventListener("click", () => signOut());
  $("#refresh").addEventListener("click", refresh);
  $("#create-form").addEventListener("submit", create);
  $("#create-form").addEventListener("change", (event) => {
    if (event.target.name === "kind") {
      const title = $("#title");
      if (!title.value || /^(Individual|Group) session$/.test(title.value)) resetCreateForm();
    }
  });
  $("#add-form").addEventListener("submit", addClient);
  $("#cofac-form").addEventListener("submit", addCoFacilitator);
  $("#copy-link").addEventListener("click", copyLink);
  $("#detail-start").addEventListener("click", () => startCall(selectedId));
  $("#detail-end").addEventListener("click", endSession);
  planEditor = new PlanEditor($("#plan-panel"), call);
  resetCreateForm();
  if (!staff) {
    showView("signin");
    return;
  }
  try {
    await requests.me();
  } catch {
    if (!staff) return; // signed out by the 401 handler
  }
  const saved = loadHostCall();
  showOpenCrises();
  if (saved) await enterCall(saved);
  else await dashboard({ focus: false });
}

main();

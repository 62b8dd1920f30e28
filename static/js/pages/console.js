// /console: sign in, today's sessions, create sessions, add clients and manage their links, and
// enter the call as its host (the same call view as clients, plus the host panel).
//
// This page wires the console's parts: console/state.js (who is signed in, the signed-in API client),
// console/sessions.js (the sessions and their details), console/host_call.js (the call), and the
// program's open crises and the safety-plan editor.

import { $, showView } from "../lib/dom.js";
import { loadHostCall, deviceTokenFor, rememberDeviceToken } from "../lib/storage.js";
import { OpenCrises } from "../crisis/open_crises.js";
import { PlanEditor } from "../plans/plan_editor.js";
import { signIn as requestSignIn } from "../console/requests.js";
import { state, call, requests, onSignInExpired, keepSignIn, forgetSignIn } from "../console/state.js";
import {
  refresh, create, addClient, addCoFacilitator, endSession, onStartCall,
} from "../console/sessions.js";
import { resetCreateForm, showSessionsError } from "../console/sessions_view.js";
import { takePagedLink, answerPagedLink } from "../console/paged.js";
import { startCall as startHostCall, enterCall as enterHostCall } from "../console/host_call.js";
import { Dashboard } from "../console/dashboard.js";

// ---- sign in / out ------------------------------------------------------------------------------

// every screen of the console shows the program's open crises
const openCrises = new OpenCrises({ call: (method, path) => call(method, path), onOpen: (id) => startCall(id) });

// "Needs attention": alerts and outreach tasks, live (console/dashboard.js)
const attention = new Dashboard({
  requests, staff: () => state.staff, onSignedOut: (message) => signOut(message),
  openClient: (clientId, name) => openClient(clientId, name),
});

// a client's safety plan and "Between sessions" (with their trend chart), opened from an alert or a task
async function openClient(clientId, name) {
  await state.planEditor.open(clientId, name);
  const between = document.getElementById("between-title");
  (between || state.planEditor.root).scrollIntoView({ block: "start" });
}

function signOut(message = "") {
  attention.stop();
  $("#attention").hidden = true;
  openCrises.stop();
  openCrises.root.hidden = true;
  forgetSignIn();
  $("#header-user").hidden = true;
  $("#signin-error").textContent = message;
  showView("signin");
}

onSignInExpired(signOut);

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
    keepSignIn(answer);
    form.password.value = "";
    await dashboard();
    await answerPagedLink(startCall, showSessionsError);
  } catch (e) {
    error.textContent = e.status === 401 || e.status === 403
      ? "That email and password don't match. Please try again." : e.message;
    form.password.focus();
  }
}

// ---- the sessions, and the call -----------------------------------------------------------------

// in a call the notice moves into the call's top bar (never over or beside the videos), and back after
function inCall(sessionId, slot) {
  openCrises.inCall(sessionId, slot);
}

function showOpenCrises() {
  if (openCrises.root.parentElement !== $("#open-crises-host")) inCall(null, $("#open-crises-host"));
  if (!openCrises.running) openCrises.start();
}

async function dashboard({ focus = true } = {}) {
  showOpenCrises();
  attention.start();
  $("#header-user").hidden = false;
  $("#staff-name").textContent = state.staff.staff.display_name;
  showView("sessions", { focus });
  await refresh();
}

function startCall(id, options = {}) {
  return startHostCall(id, dashboard, inCall, options);
}

// "Start call" checks the camera and microphone first; an open crisis's "Go to the session" goes straight in
onStartCall((id) => {
  const session = (state.sessions || []).find((s) => s.id === id);
  return startCall(id, { check: true, title: session ? session.title : "" });
});

// ---- start --------------------------------------------------------------------------------------

async function main() {
  takePagedLink();
  $("#signin-form").addEventListener("submit", signIn);
  $("#sign-out").addEventListener("click", async () => {
    try {
      await requests.signOut(); // the sign-in ends on the server too: its token, host calls and dashboard
    } catch {
      // already ended or the server is away: this browser forgets it all the same
    }
    signOut();
  });
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
  $("#detail-start").addEventListener("click", () => {
    const session = (state.sessions || []).find((s) => s.id === state.selectedId);
    startCall(state.selectedId, { check: true, title: session ? session.title : "" });
  });
  $("#detail-end").addEventListener("click", endSession);
  state.planEditor = new PlanEditor($("#plan-panel"), call);
  resetCreateForm();
  if (!state.staff) {
    showView("signin");
    return;
  }
  try {
    await requests.me();
  } catch {
    if (!state.staff) return; // signed out by the 401 handler
  }
  const saved = loadHostCall();
  showOpenCrises();
  if (saved) {
    await enterHostCall(saved, dashboard, inCall);
    return;
  }
  await dashboard({ focus: false });
  await answerPagedLink(startCall, showSessionsError);
}

main();

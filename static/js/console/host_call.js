// The therapist's call from the console: entering a session's call as its host (the same call view
// as clients, plus the host panel), coming back to it after a reload, and back to the sessions when
// it ends.

import { $, el, showView, announce } from "../lib/dom.js";
import { openLocalMedia, explainProblem, stopStream } from "../call/local_media.js";
import { checkDevices } from "./device_check.js";
import { Room } from "../call/room.js";
import { CallView } from "../call/call_view.js";
import { loadHostCall, saveHostCall, clearHostCall } from "../lib/storage.js";
import { HostPanel } from "./host_panel.js";
import { HelpAlert } from "../crisis/help_alert.js";
import { confirmAction } from "../lib/dialog.js";
import { call, requests } from "./state.js";
import { showDetailError, showSessionsError } from "./sessions_view.js";

// backToSessions(): shows the console's sessions again once the call has ended. onCall(sessionId, slot):
// told which session the call is in (again after a move to a private room) and where in the call bar the
// console's program notices may show. check: the camera and microphone check comes first (Start call);
// going to an open crisis skips it.
export async function startCall(id, backToSessions, onCall = () => {}, { check = false, title = "" } = {}) {
  let media = null;
  if (check) {
    media = await checkDevices({ title });
    if (!media) return; // cancelled: stay on the sessions
  }
  try {
    const answer = await requests.host(id);
    saveHostCall({ session_id: id, participant_token: answer.participant_token, participant: answer.participant },
      answer.expires_in);
    await enterCall(loadHostCall(), backToSessions, onCall, media);
  } catch (e) {
    if (media) stopStream(media.stream);
    showSessionsError(e.message);
    showDetailError(e.message);
  }
}

// saved: the host's call as lib/storage.js keeps it ({session_id, participant_token, participant});
// checked: the media of the device check, if there was one.
export async function enterCall(saved, backToSessions, onCall = () => {}, checked = null) {
  showView("call", { focus: false });
  const media = checked || await openLocalMedia();
  const room = new Room({ token: saved.participant_token, localStream: media.stream });
  const panel = new HostPanel(room, { call });
  const view = new CallView($("#call-host"), room, {
    selfName: `${saved.participant.display_name}`, hostPanel: panel, emergency: false,
    // leaving while a crisis is open is asked twice (the crisis stays open; on-call cover is paged)
    onLeave: () => (!panel.crisis.state.isOpen() ? true : confirmAction({
      title: "Leave while the crisis is open?",
      message: "The crisis stays open and the client stays in the call. If you don't come back shortly, "
        + "the on-call clinician is paged.",
      confirmLabel: "Leave the call",
    })),
  });
  const helpAlert = new HelpAlert(room, { view, panel });
  onCall(saved.session_id, view.notices);
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
    onCall(detail.session_id, view.notices);
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
    helpAlert.destroy();
    view.destroy();
    panel.destroy();
    if (detail.reason === "replaced") announce("You opened this call in another window.");
    await backToSessions();
    if (didNotStart) showSessionsError("The call could not start because the server could not be reached. Try Start call again.");
    if (detail.reason === "ended") announce("The session has ended.");
  });
  room.start();
}

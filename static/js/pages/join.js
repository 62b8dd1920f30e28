// /join#<token>: redeem the personal link, check camera and microphone, wait in the lobby, then
// the call. The participant token is kept for this tab (lib/storage.js) so a reload rejoins without the link.

import { $, showView, announce, formatDuration } from "../lib/dom.js";
import { redeemLink } from "../call/requests.js";
import { chime } from "../call/level_meter.js";
import { openLocalMedia, stopStream } from "../call/local_media.js";
import { DeviceCheck } from "../call/device_check.js";
import { Room, UNREACHABLE_AFTER_MS } from "../call/room.js";
import { CallView } from "../call/call_view.js";
import { HelpButton } from "../crisis/help_button.js";
import { LocationStep } from "../crisis/location_confirm.js";
import { PlanView } from "../plans/plan_view.js";
import { watchHelp } from "../home/help_progress.js";
import { confirmAction } from "../lib/dialog.js";
import {
  loadParticipant, saveParticipant, updateParticipant, forgetParticipant, loadDeviceChoices,
} from "../lib/storage.js";

async function redeem(token) {
  return saveParticipant(await redeemLink(token));
}

// ---- lobby and call -----------------------------------------------------------------------------

class Visit {
  constructor(participant, stream, choices) {
    this.participant = participant;
    this.room = new Room({
      token: participant.participant_token, localStream: stream,
      microphoneOn: choices.microphoneOn, cameraOn: choices.cameraOn,
    });
    this.call = null;
    this.waitingSince = Date.now();
    this._timer = setInterval(() => this.tick(), 1000);
    const on = (name, fn) => this.room.addEventListener(name, (event) => fn(event.detail));
    on("phase", ({ phase, previous }) => this.phase(phase, previous));
    on("state", ({ state }) => this.state(state));
    on("hostpresence", ({ present, state }) => this.host(present, state));
    on("notice", (notice) => this.notice(notice));
    on("ended", ({ reason, message }) => this.ended(reason, message));
    on("unreachable", () => this.unreachable());
    on("reachable", () => { if (document.body.dataset.screen === "unreachable") showView("loading"); });
    $("#lobby-video").srcObject = stream;
    $("#lobby-frame").dataset.video = stream.getVideoTracks().length && choices.cameraOn ? "on" : "off";
    $("#lobby-frame .preview-off").textContent = stream.getVideoTracks().length ? "Camera is off" : "Sound only";
    $("#lobby-leave").onclick = async () => { if (await this.mayLeave()) await this.room.leave(); };
    $("#lobby-lead").textContent = this.letsYouIn();
    if (participant.therapist_name) $("#host-name").textContent = participant.therapist_name;
    // one "I need help now" for the client: in the waiting room, then in the call
    this.help = isClient(participant) ? new HelpButton({ room: this.room }) : null;
    this.call = new CallView($("#call-host"), this.room, {
      selfName: participant.participant.display_name, helpButton: this.help, onLeave: () => this.mayLeave(),
    });
    watchHelp(this.room, participant);
    showView("loading", { focus: false });
    this.room.start();
  }

  // The first connection failed or was refused: say so, offer a retry (socket.io retries as well).
  unreachable() {
    $("#unreachable-status").textContent = "";
    $("#unreachable-retry").onclick = () => {
      $("#unreachable-status").textContent = "Trying again…";
      this.room.retry();
      setTimeout(() => {
        if (this.room.unreachable) $("#unreachable-status").textContent = "Still not connected. We keep trying by ourselves.";
      }, UNREACHABLE_AFTER_MS + 500);
    };
    showView("unreachable");
    announce("We can't connect you to your session right now. We keep trying.", { assertive: true });
  }

  phase(phase, previous) {
    if (this.help) (phase === "lobby" ? $("#lobby-help") : this.call.helpSlot).append(this.help.root);
    if (phase === "lobby") {
      if (previous !== "reconnecting" || document.body.dataset.screen !== "lobby") this.waitingSince = Date.now();
      showView("lobby", { focus: previous !== "reconnecting" });
      announce(`You're in the waiting room. ${this.letsYouIn()}`);
    } else if (phase === "call") {
      if (previous === "lobby" || previous === "connecting") {
        if (previous === "lobby") chime();
        showView("call");
        announce("You're in the session now.");
      }
    } else if (phase === "reconnecting" && document.body.dataset.screen === "lobby") {
      this.lobbyNote("Reconnecting… Your connection dropped. You'll keep your place if you come back within a short time.");
    }
    // A note explains the way into the lobby (sent back by the therapist): keep it there; clear it
    // once in the call, or once a reconnection it described is over.
    if (phase === "call" || previous === "reconnecting") this.lobbyNote(null);
  }

  // Leaving during an open crisis is asked twice: a slip of the finger must not cut the call.
  async mayLeave() {
    const crisis = this.room.crisis;
    if (!crisis || crisis.state === "closed") return true;
    const emergency = (this.room.state && this.room.state.emergency && this.room.state.emergency.emergency_number) || "911";
    return confirmAction({
      title: "Leave the call?",
      message: isClient(this.participant)
        ? `Your therapist is with you right now. If you leave, they may not be able to reach you. If you are in `
          + `danger, call ${emergency}.`
        : "The person you are here for is still in a crisis call with their care team.",
      confirmLabel: "Leave",
    });
  }

  // the waiting room names the therapist when the link said who they are
  letsYouIn() {
    const name = this.participant.therapist_name;
    return `${name || "Your therapist"} will let you in shortly.`;
  }

  state(state) {
    $("#lobby-session").textContent = state.title;
    const e = state.emergency;
    $("#em-emergency").textContent = e.emergency_number;
    $("#em-emergency").href = `tel:${e.emergency_number}`;
    $("#em-hotline").textContent = e.crisis_hotline;
    $("#em-hotline").href = `tel:${e.crisis_hotline}`;
    $("#em-line").textContent = e.crisis_line;
    $("#em-line").href = `tel:${e.crisis_line.replace(/[^+\d]/g, "")}`;
    $("#em-line-item").hidden = !e.crisis_line;
  }

  host(present) {
    $("#host-status").textContent = present ? "Here, and will let you in soon" : "Not here yet";
    $("#host-status").dataset.present = String(present);
  }

  lobbyNote(text) {
    const note = $("#lobby-note");
    note.hidden = !text;
    note.textContent = text || "";
  }

  notice(notice) {
    if (notice.kind === "returned_to_lobby") {
      this.lobbyNote("Your therapist moved you back to the waiting room. You'll be let in again shortly.");
    }
  }

  tick() {
    $("#wait-time").textContent = formatDuration((Date.now() - this.waitingSince) / 1000);
  }

  ended(reason, message) {
    clearInterval(this._timer);
    if (this.call) this.call.destroy();
    if (reason === "refused") {
      forgetParticipant();
      showView("invalid");
      return;
    }
    const words = {
      left: ["You've left the session", "You can rejoin while the session is still going.", "Rejoin the session"],
      ended: ["The session has ended", "Thank you for joining today. You can close this page.", null],
      denied: ["You weren't let in", "Your therapist couldn't let you in right now. If you think this is a mistake, contact your program.", null],
      // the server says why in plain words (a link withdrawn, a crisis call that has ended …)
      removed: ["You've left the session", message || "Your therapist removed you from this session. If you think this is a mistake, contact your program.", null],
      replaced: ["The session opened somewhere else", "You joined from another window or device, so this window was disconnected.", "Use this window instead"],
      disconnected: ["You were disconnected", "The connection to the session closed.", "Rejoin the session"],
    }[reason] || ["You've left the session", message || "", "Rejoin the session"];
    const [title, text, action] = words;
    if (!action) forgetParticipant();
    $("#ended-title").textContent = title;
    $("#ended-text").textContent = text;
    const button = $("#ended-action");
    button.hidden = !action;
    button.textContent = action || "";
    button.onclick = () => startFromSaved();
    showView("ended");
  }
}

// ---- start -----------------------------------------------------------------------------------

async function enter(participant, choices) {
  let media = await openLocalMedia({ cameraId: choices.cameraId, microphoneId: choices.microphoneId });
  if (media.camera === "missing" || media.microphone === "missing") {
    stopStream(media.stream);
    media = await openLocalMedia(); // a remembered device is gone: take the defaults
  }
  return new Visit(participant, media.stream, choices);
}

async function startFromSaved() {
  const participant = loadParticipant();
  if (!participant) {
    showView("invalid");
    return;
  }
  offerPlan(participant);
  const choices = loadDeviceChoices();
  if (choices && choices.session_id === participant.session_id) {
    showView("loading");
    await enter(participant, choices);
    return;
  }
  if (isSupport(participant) && !participant.understood) {
    // a support person first reads, in plain words, what this call is; then the device check
    showView("support");
    $("#support-join").onclick = () => {
      participant.understood = true;
      updateParticipant(participant);
      startFromSaved();
    };
    return;
  }
  showView("check");
  const check = new DeviceCheck(participant, async (stream, chosen) => {
    if (isClient(participant)) await new LocationStep(participant.participant_token).run();
    return new Visit(participant, stream, chosen);
  });
  await check.open();
}

function isClient(participant) {
  return participant.participant.role === "client";
}

function isSupport(participant) {
  return participant.participant.role === "support";
}

let planView = null;

function offerPlan(participant) {
  if (planView || !isClient(participant)) return;
  planView = new PlanView(participant.participant_token);
}

async function main() {
  const token = decodeURIComponent(location.hash.slice(1));
  if (token) {
    history.replaceState(null, "", location.pathname + location.search); // the link leaves the address bar
    showView("loading", { focus: false });
    try {
      forgetParticipant();
      await redeem(token);
    } catch (error) {
      if (error.status === 0 || error.status >= 500) {
        $("#error-text").textContent = error.message;
        $("#error-retry").onclick = () => { location.hash = token; location.reload(); };
        showView("error");
      } else {
        showView("invalid");
      }
      return;
    }
  } else if (!loadParticipant()) {
    showView("nolink");
    return;
  }
  await startFromSaved();
}

// A new link opened in this same tab only changes the fragment: start again with it.
window.addEventListener("hashchange", () => { if (location.hash.length > 1) location.reload(); });

main();

// The join page's device check: the person sees and hears themselves, picks a camera and a microphone,
// turns either off, and reads in plain words what does not work. Continuing remembers the choices for
// this tab (lib/storage.js), so a reload goes straight back into the session.

import { $, el } from "../lib/dom.js";
import { setIcon } from "../lib/icons.js";
import { saveDeviceChoices } from "../lib/storage.js";
import { LevelMeter } from "./level_meter.js";
import { openLocalMedia, listDevices, explainProblem, stopStream } from "./local_media.js";

function isSupport(participant) {
  return participant.participant.role === "support";
}

// participant: the saved participant (lib/storage.js); onContinue(stream, choices) once they go on.
export class DeviceCheck {
  constructor(participant, onContinue) {
    this.participant = participant;
    this.onContinue = onContinue;
    this.stream = null;
    this.meter = null;
    this.microphoneOn = true;
    this.cameraOn = true;
    this.problems = { camera: null, microphone: null };
    this.video = $("#preview-video");
    this.frame = $("#preview-frame");
    this.cameraSelect = $("#camera-select");
    this.microphoneSelect = $("#microphone-select");
    this.micButton = $("#preview-mic");
    this.cameraButton = $("#preview-camera");
    this.level = $("#mic-level");
    $("#check-greeting").textContent =
      `Hello ${participant.participant.display_name}. Let's make sure your camera and microphone work.`;
    this.cameraSelect.addEventListener("change", () => this.open());
    this.microphoneSelect.addEventListener("change", () => this.open());
    this.micButton.addEventListener("click", () => { this.microphoneOn = !this.microphoneOn; this.render(); });
    this.cameraButton.addEventListener("click", () => { this.cameraOn = !this.cameraOn; this.render(); });
    $("#continue").addEventListener("click", () => this.finish());
    $("#continue").disabled = true; // until the camera and microphone are open (a quick click found none)
  }

  async open() {
    this.stopPreview();
    const result = await openLocalMedia({
      cameraId: this.cameraSelect.value || null, microphoneId: this.microphoneSelect.value || null,
    });
    this.stream = result.stream;
    this.problems = { camera: result.camera, microphone: result.microphone };
    this.video.srcObject = this.stream;
    this.meter = new LevelMeter(this.stream, (level) => { this.level.value = level; });
    await this.fillPickers();
    this.render();
  }

  async fillPickers() {
    const { cameras, microphones } = await listDevices();
    const fill = (select, devices, track, noneText) => {
      const current = track ? track.getSettings().deviceId : select.value;
      select.replaceChildren(...(devices.length ? devices : [{ id: "", label: noneText }])
        .map((d) => el("option", { value: d.id, selected: d.id === current }, d.label)));
      select.disabled = devices.length === 0;
    };
    fill(this.cameraSelect, cameras, this.stream.getVideoTracks()[0], "No camera available");
    fill(this.microphoneSelect, microphones, this.stream.getAudioTracks()[0], "No microphone available");
  }

  render() {
    const hasCamera = this.stream.getVideoTracks().length > 0;
    const hasMic = this.stream.getAudioTracks().length > 0;
    this.stream.getVideoTracks().forEach((t) => { t.enabled = this.cameraOn; });
    this.stream.getAudioTracks().forEach((t) => { t.enabled = this.microphoneOn; });
    this.frame.dataset.video = hasCamera && this.cameraOn ? "on" : "off";
    $("#preview-off").textContent = hasCamera ? "Camera is off" : "No camera: you'll join with sound only";
    this.button(this.micButton, hasMic ? !this.microphoneOn : true, this.microphoneOn && hasMic ? "Mute" : "Unmute",
      this.microphoneOn && hasMic ? "mic" : "micOff", !hasMic);
    this.button(this.cameraButton, hasCamera ? !this.cameraOn : true, this.cameraOn && hasCamera ? "Stop video" : "Start video",
      this.cameraOn && hasCamera ? "camera" : "cameraOff", !hasCamera);
    const box = $("#device-problems");
    const messages = [explainProblem("camera", this.problems.camera), explainProblem("microphone", this.problems.microphone)]
      .filter(Boolean);
    box.replaceChildren(...messages.map((m) => el("p", {}, m)));
    box.hidden = messages.length === 0;
    const [next, soundOnly] = isSupport(this.participant)
      ? ["Join the call", "Join the call with sound only"]
      : ["Continue to the waiting room", "Continue with sound only"];
    $("#continue").textContent = hasCamera || !hasMic ? next : soundOnly;
    $("#continue").disabled = false;
  }

  button(button, pressed, label, iconName, disabled) {
    button.setAttribute("aria-pressed", String(pressed));
    button.querySelector(".ctl-label").textContent = label;
    setIcon(button, iconName);
    button.disabled = disabled;
  }

  stopPreview() {
    if (this.meter) this.meter.stop();
    stopStream(this.stream);
    this.stream = null;
  }

  finish() {
    if (this.meter) this.meter.stop();
    const choices = {
      session_id: this.participant.session_id,
      cameraId: this.stream.getVideoTracks()[0]?.getSettings().deviceId || null,
      microphoneId: this.stream.getAudioTracks()[0]?.getSettings().deviceId || null,
      cameraOn: this.cameraOn, microphoneOn: this.microphoneOn,
    };
    saveDeviceChoices(choices);
    this.onContinue(this.stream, choices);
  }
}

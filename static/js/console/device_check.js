// The therapist's camera and microphone check before entering a call from "Start call": they see
// themselves, watch the microphone level move, pick a camera and a microphone, and read in plain words
// what does not work — then enter, or cancel. (Going to an open crisis from a program notice skips it:
// there every second counts, and the call's own controls still work.)

import { el } from "../lib/dom.js";
import { LevelMeter } from "../call/level_meter.js";
import { openLocalMedia, listDevices, explainProblem, stopStream } from "../call/local_media.js";

function field(id, label, control) {
  return el("div", { class: "field" }, el("label", { for: id }, label), control);
}

// Resolves with what openLocalMedia answers ({stream, camera, microphone}) once they enter, or null.
export function checkDevices({ title = "" } = {}) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const video = el("video", { autoplay: true, playsinline: true, id: "host-check-video" });
    video.muted = true;
    const off = el("p", { class: "preview-off" }, "No camera: you'll enter with sound only");
    const frame = el("div", { class: "preview-frame small", dataset: { video: "off" } }, video, off);
    const camera = el("select", { id: "host-check-camera" });
    const microphone = el("select", { id: "host-check-microphone" });
    const level = el("meter", { id: "host-check-level", min: "0", max: "1", low: "0.25", high: "0.9", optimum: "0.5",
      value: "0", "aria-describedby": "host-check-level-hint" });
    const problems = el("div", { class: "notice notice-warning", role: "alert", hidden: true });
    const enter = el("button", { type: "button", class: "btn btn-primary", disabled: true }, "Enter the call");
    const cancel = el("button", { type: "button", class: "btn" }, "Cancel");
    const dialog = el("dialog", { class: "dialog host-check", "aria-labelledby": "host-check-title" },
      el("h2", { id: "host-check-title" }, "Check your camera and microphone"),
      title ? el("p", { class: "muted" }, `Before you enter: ${title}`) : null,
      frame, field("host-check-camera", "Camera", camera), field("host-check-microphone", "Microphone", microphone),
      field("host-check-level", "Microphone level", level),
      el("p", { class: "hint", id: "host-check-level-hint" }, "Say something: the bar should move."),
      problems, el("div", { class: "dialog-actions" }, cancel, enter));
    let media = null;
    let meter = null;

    const stop = () => {
      if (meter) meter.stop();
      meter = null;
    };
    const open = async () => {
      stop();
      if (media) stopStream(media.stream);
      enter.disabled = true;
      media = await openLocalMedia({ cameraId: camera.value || null, microphoneId: microphone.value || null });
      video.srcObject = media.stream;
      frame.dataset.video = media.stream.getVideoTracks().length ? "on" : "off";
      meter = new LevelMeter(media.stream, (value) => { level.value = value; });
      const { cameras, microphones } = await listDevices();
      const fill = (select, devices, track, none) => {
        const current = track ? track.getSettings().deviceId : select.value;
        select.replaceChildren(...(devices.length ? devices : [{ id: "", label: none }])
          .map((d) => el("option", { value: d.id, selected: d.id === current }, d.label)));
        select.disabled = devices.length === 0;
      };
      fill(camera, cameras, media.stream.getVideoTracks()[0], "No camera available");
      fill(microphone, microphones, media.stream.getAudioTracks()[0], "No microphone available");
      const said = [explainProblem("camera", media.camera), explainProblem("microphone", media.microphone)].filter(Boolean);
      problems.replaceChildren(...said.map((text) => el("p", {}, text)));
      problems.hidden = said.length === 0;
      enter.disabled = false;
      if (!dialog.dataset.ready) {
        dialog.dataset.ready = "true";
        enter.focus();
      }
    };
    const finish = (answer) => {
      stop();
      dialog.close();
      dialog.remove();
      if (!answer && media) stopStream(media.stream);
      if (opener && opener.focus) opener.focus();
      resolve(answer);
    };
    camera.addEventListener("change", open);
    microphone.addEventListener("change", open);
    enter.addEventListener("click", () => finish(media));
    cancel.addEventListener("click", () => finish(null));
    dialog.addEventListener("cancel", (event) => { event.preventDefault(); finish(null); });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
    open();
  });
}

// One person's tile in the call's grid (call/call_view.js): their video or initials, name, microphone
// off, whether they are speaking, the quality of their connection, and an overlay for notices.

import { el, initials } from "../lib/dom.js";
import { icon } from "../lib/icons.js";
import { LevelMeter } from "./level_meter.js";

const SPEAKING_LEVEL = 0.42;
const SPEAKING_HOLD_MS = 700;
const QUALITY_WORDS = { good: "Good connection", fair: "Unstable connection", poor: "Poor connection",
  connecting: "Connecting…", lost: "Connection lost" };

export class Tile {
  constructor({ pid, name, self, onSpotlight = null }) {
    this.pid = pid;
    this.self = self;
    // enlarge one person (for this viewer only): a button on every other person's tile
    this.enlarge = self || !onSpotlight ? null : el("button", { type: "button", class: "tile-enlarge",
      "aria-pressed": "false", "aria-label": `Enlarge ${name}`, title: "Enlarge", onclick: () => onSpotlight(pid) },
    "\u2922");
    this.video = el("video", { autoplay: true, playsinline: true, class: "tile-video" });
    this.video.muted = self; // never play our own microphone back
    this.avatar = el("div", { class: "tile-avatar", "aria-hidden": "true" }, initials(name));
    this.nameEl = el("span", { class: "tile-name" }, self ? "You" : name);
    this.micOff = el("span", { class: "tile-mic-off", hidden: true }, icon("micOff"),
      el("span", { class: "visually-hidden" }, "microphone off"));
    this.quality = el("span", { class: "tile-quality", dataset: { level: "connecting" }, role: "img",
      "aria-label": QUALITY_WORDS.connecting, title: QUALITY_WORDS.connecting },
    el("i"), el("i"), el("i"));
    this.overlay = el("div", { class: "tile-overlay", hidden: true });
    this.alert = el("span", { class: "tile-alert", hidden: true });
    this.root = el("li", { class: self ? "tile tile-self" : "tile", dataset: { pid, video: "off" } },
      this.video, this.avatar, this.overlay, this.alert, self ? null : this.quality,
      el("div", { class: "tile-label" }, this.micOff, this.nameEl,
        self ? el("span", { class: "visually-hidden" }, `, ${name}`) : null), this.enlarge);
    this._meter = null;
    this._speakingUntil = 0;
  }

  setSpotlit(on) {
    this.root.classList.toggle("tile-spotlit", on);
    if (this.enlarge) {
      this.enlarge.setAttribute("aria-pressed", String(on));
      this.enlarge.title = on ? "Back to the grid" : "Enlarge";
    }
  }

  setName(name) {
    if (!this.self) this.nameEl.textContent = name;
    this.avatar.textContent = initials(name);
  }

  attach(stream, onBlocked) {
    if (this.video.srcObject !== stream) this.video.srcObject = stream;
    const playing = this.video.play();
    if (playing) playing.catch((error) => { if (error.name === "NotAllowedError") onBlocked(); });
    if (!this._meter && stream.getAudioTracks().length) {
      this._meter = new LevelMeter(stream, (level) => this._level(level));
    }
  }

  _level(level) {
    const now = performance.now();
    if (level > SPEAKING_LEVEL && this.root.dataset.mic !== "off") this._speakingUntil = now + SPEAKING_HOLD_MS;
    const speaking = now < this._speakingUntil;
    if ((this.root.dataset.speaking === "true") !== speaking) this.root.dataset.speaking = String(speaking);
  }

  setMedia({ audio, video, hasVideo }) {
    this.root.dataset.video = video && hasVideo ? "on" : "off";
    this.root.dataset.mic = audio ? "on" : "off";
    this.micOff.hidden = audio;
  }

  setQuality(level) {
    this.quality.dataset.level = level;
    this.quality.setAttribute("aria-label", QUALITY_WORDS[level]);
    this.quality.title = QUALITY_WORDS[level];
  }

  // a mark that cannot be missed (a client pressed "I need help now"), or null
  setAlert(text) {
    this.alert.hidden = !text;
    this.alert.textContent = text || "";
    if (text) this.root.dataset.alert = "help";
    else delete this.root.dataset.alert;
  }

  setOverlay(text) {
    this.overlay.hidden = !text;
    this.overlay.textContent = text || "";
  }

  destroy() {
    if (this._meter) this._meter.stop();
    this.video.srcObject = null;
    this.root.remove();
  }
}

// The call: a grid of video tiles (1-12 people), names, speaking and connection indicators,
// own controls (microphone, camera, audio only, leave), and a banner for reconnecting and notices.

import { el, announce, formatDuration } from "../lib/dom.js";
import { icon, setIcon } from "../lib/icons.js";
import { Tile } from "./tile.js";
import { CrisisBanner } from "../crisis/banner.js";
import { ChatPanel } from "./chat.js";
import { DevicesPanel } from "./devices_panel.js";

function columnsFor(count) {
  if (count <= 1) return 1;
  if (count <= 4) return 2;
  if (count <= 9) return 3;
  return 4;
}

export class CallView {
  constructor(container, room, { selfName, hostPanel = null, emergency = true, onLeave = null, helpButton = null }) {
    this.room = room;
    this.container = container;
    this.tiles = new Map();
    this._onLeave = onLeave;
    this._started = null;
    this._helpButton = helpButton;
    this._build(selfName, hostPanel, emergency);
    this._listen();
    this._timer = setInterval(() => this._tick(), 1000);
  }

  _build(selfName, hostPanel, emergency) {
    this.title = el("h1", { class: "call-title" }, "Session");
    this.clock = el("span", { class: "call-clock", "aria-label": "Time in session" }, "0:00");
    this.banner = el("div", { class: "call-banner", role: "status", "aria-live": "polite", hidden: true });
    // the console's program-wide notices (open crises elsewhere) while in a call: one line, never over the call
    this.notices = el("div", { class: "call-notices" });
    this.grid = el("ul", { class: "grid", "aria-label": "People in the session", dataset: { count: "1", cols: "1" } });
    this.micButton = this._toggle("Mute", "mic", () => this.room.setMicrophone(!this.room.microphoneOn));
    this.cameraButton = this._toggle("Stop video", "camera", () => this.room.setCamera(!this.room.cameraOn));
    this.audioOnlyButton = this._toggle("Audio only", "speaker", () => this.room.setAudioOnly(!this.room.audioOnly));
    this.leaveButton = el("button", { type: "button", class: "ctl ctl-leave", onclick: () => this._leave() },
      icon("leave"), el("span", { class: "ctl-label" }, "Leave"));
    this.chat = new ChatPanel(this.room, { isHost: Boolean(hostPanel) });
    this.devices = new DevicesPanel(this.room, this.grid);
    // the therapist can show a worksheet: their screen in place of their camera
    this.shareButton = hostPanel && navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia
      ? this._toggle("Share screen", "screen", () => this._share()) : null;
    const controls = el("div", { class: "controls", role: "toolbar", "aria-label": "Call controls" },
      this.micButton, this.cameraButton, this.audioOnlyButton, this.devices.button, this.shareButton,
      this.chat.button, this.chat.handButton, this.leaveButton);
    controls.addEventListener("keydown", (event) => this._arrowKeys(event, controls));
    const main = el("div", { class: hostPanel ? "call-main with-panel" : "call-main" }, this.grid,
      hostPanel ? hostPanel.root : null);
    const help = emergency ? el("details", { class: "call-help" },
      el("summary", {}, "Need urgent help?"), el("p", { class: "call-help-text" })) : null;
    this.helpText = help ? help.querySelector("p") : null;
    // Clients (not the host, who has the crisis controls) are told calmly when a crisis starts or changes.
    this.crisisBanner = hostPanel ? null : new CrisisBanner(this.room);
    // where the client's "I need help now" sits in the call (join.js moves it to the waiting room and back)
    this.helpSlot = el("div", { class: "help-slot" }, this._helpButton ? this._helpButton.root : null);
    this.root = el("section", { class: hostPanel ? "call call-with-panel" : "call", "aria-labelledby": "call-title" },
      el("header", { class: "call-bar" }, this.title, this.clock, this.notices, this.banner),
      this.crisisBanner ? this.crisisBanner.root : null, this.helpSlot, main, this.chat.root, this.devices.root,
      controls, help);
    this.title.id = "call-title";
    this.container.replaceChildren(this.root);
    this.selfTile = this._tile(this.room.selfId || "self", selfName, true);
    this.selfTile.attach(this.room.localStream, () => {});
    this._refreshOwnMedia();
  }

  async _share() {
    try {
      if (this.room.sharing) await this.room.stopSharing();
      else await this.room.shareScreen();
    } catch (error) {
      if (error.name !== "NotAllowedError") {
        this.showBanner(`Your screen could not be shared (${error.name}).`, "warning", 8000);
      }
    }
  }

  _toggle(label, iconName, onclick) {
    return el("button", { type: "button", class: "ctl", "aria-pressed": "false", onclick },
      icon(iconName), el("span", { class: "ctl-label" }, label));
  }

  _arrowKeys(event, toolbar) {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const buttons = [...toolbar.querySelectorAll("button:not([disabled])")];
    const index = buttons.indexOf(document.activeElement);
    if (index < 0) return;
    const next = buttons[(index + (event.key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length];
    next.focus();
    event.preventDefault();
  }

  _listen() {
    const on = (name, handler) => this.room.addEventListener(name, (event) => handler(event.detail));
    on("state", ({ state }) => {
      this.title.textContent = state.title;
      if (this.helpText) {
        const e = state.emergency;
        this.helpText.textContent = `Tell your therapist now. If you are in danger, call ${e.emergency_number}. ` +
          `Call or text ${e.crisis_hotline} for the Suicide & Crisis Lifeline` +
          (e.crisis_line ? `, or call your program's crisis line at ${e.crisis_line}.` : ".");
      }
      this.selfTile.root.dataset.pid = state.you.participant_id;
    });
    on("phase", ({ phase, previous }) => this._phase(phase, previous));
    on("members", ({ members, changed, presence }) => this._members(members, changed, presence));
    on("stream", ({ pid, stream }) => {
      const tile = this.tiles.get(pid);
      if (!tile) return;
      tile.attach(stream, () => this._soundBlocked());
      this._refreshMember(pid);
      stream.addEventListener("removetrack", () => this._refreshMember(pid));
    });
    on("peerstate", ({ pid, state }) => {
      const tile = this.tiles.get(pid);
      if (!tile) return;
      if (state === "connected") tile.setOverlay(null);
      else if (state === "disconnected" || state === "failed") tile.setOverlay("Reconnecting…");
      if (state !== "connected") tile.setQuality(state === "failed" ? "lost" : "connecting");
    });
    on("quality", ({ pid, level }) => { const t = this.tiles.get(pid); if (t) t.setQuality(level); });
    on("sharing", ({ on: sharing }) => {
      if (!this.shareButton) return;
      this.shareButton.setAttribute("aria-pressed", String(sharing));
      this.shareButton.querySelector(".ctl-label").textContent = sharing ? "Stop sharing" : "Share screen";
      announce(sharing ? "You are sharing your screen." : "You stopped sharing your screen.");
    });
    on("hand", ({ participant_id: pid, raised }) => {
      const tile = this.tiles.get(pid);
      if (tile) tile.root.dataset.hand = raised ? "up" : "";
    });
    on("closed", ({ pid }) => { const t = this.tiles.get(pid); if (t) t.setOverlay("Connecting…"); });
    on("localmedia", () => this._refreshOwnMedia());
    on("notice", (notice) => this._notice(notice));
    on("moved", (moved) => this._moved(moved));
  }

  // Moved into another room (a private crisis room): say so plainly; the tiles follow the new room.
  _moved({ reason, by }) {
    this._movedReason = by === "therapist" ? (reason || "Your therapist moved you to a private room.") : null;
    const text = this._movedReason ? `${this._movedReason} Connecting you now…` : "Moving you to the private room…";
    this.showBanner(text, "info");
    announce(text, { assertive: true });
    this.root.dataset.moved = "true";
  }

  _tile(pid, name, self = false) {
    const tile = new Tile({ pid, name, self, onSpotlight: (who) => this._spotlight(who) });
    this.tiles.set(pid, tile);
    if (self) this.grid.append(tile.root);
    else this.grid.insertBefore(tile.root, this.selfTile ? this.selfTile.root : null);
    this._layout();
    return tile;
  }

  // one person enlarged for this viewer (again: back to the grid); a person who leaves takes it along
  _spotlight(pid) {
    const on = this.grid.dataset.spotlight !== pid && this.tiles.has(pid);
    if (on) this.grid.dataset.spotlight = pid;
    else delete this.grid.dataset.spotlight;
    for (const [who, tile] of this.tiles) tile.setSpotlit(on && who === pid);
  }

  _members(members, changed, presence) {
    const present = new Set(members.map((m) => m.participant_id));
    for (const [pid, tile] of this.tiles) {
      if (tile.self || present.has(pid)) continue;
      tile.destroy();
      this.tiles.delete(pid);
      if (this.grid.dataset.spotlight === pid) delete this.grid.dataset.spotlight;
      announce(`${tile.nameEl.textContent} left the session.`);
    }
    for (const member of members) {
      let tile = this.tiles.get(member.participant_id);
      if (!tile) {
        tile = this._tile(member.participant_id, member.display_name);
        if (this.room.phase === "call") announce(`${member.display_name} joined the session.`);
      }
      tile.setName(member.display_name);
      const peerState = this.room.mesh ? this.room.mesh.state(member.participant_id) : null;
      tile.setOverlay(!member.connected ? "Reconnecting…" : peerState === "connected" ? null : "Connecting…");
      this._refreshMember(member.participant_id);
      if (changed === member.participant_id && presence === "reconnecting") {
        announce(`${member.display_name} lost their connection. Waiting for them to come back.`);
      }
    }
    this._layout();
  }

  _refreshMember(pid) {
    const tile = this.tiles.get(pid);
    const member = this.room.members.get(pid);
    if (!tile || !member) return;
    const stream = tile.video.srcObject;
    const hasVideo = Boolean(stream && stream.getVideoTracks().some((t) => t.readyState === "live"));
    tile.setMedia({ audio: member.audio, video: member.video && !this.room.audioOnly, hasVideo });
  }

  _refreshOwnMedia() {
    const room = this.room;
    const { audio, video } = room.mediaState;
    this.selfTile.setMedia({ audio, video, hasVideo: room.hasCamera });
    this._setToggle(this.micButton, !audio, audio ? "Mute" : "Unmute", audio ? "mic" : "micOff", !room.hasMicrophone);
    this._setToggle(this.cameraButton, !(room.cameraOn && room.hasCamera), room.cameraOn && room.hasCamera ? "Stop video" : "Start video",
      room.cameraOn && room.hasCamera ? "camera" : "cameraOff", !room.hasCamera || room.audioOnly);
    this._setToggle(this.audioOnlyButton, room.audioOnly, "Audio only", "speaker", false);
    for (const pid of this.tiles.keys()) if (pid !== this.selfTile.pid) this._refreshMember(pid);
  }

  _setToggle(button, pressed, label, iconName, disabled) {
    button.setAttribute("aria-pressed", String(pressed));
    button.querySelector(".ctl-label").textContent = label;
    setIcon(button, iconName);
    button.disabled = disabled;
  }

  _layout() {
    const count = this.tiles.size;
    this.grid.dataset.count = String(count);
    this.grid.dataset.cols = String(columnsFor(count));
  }

  _phase(phase, previous) {
    if (phase === "call" && !this._started) this._started = Date.now();
    if (phase === "moving") {
      for (const tile of this.tiles.values()) if (!tile.self) tile.setOverlay("Connecting…");
    } else if (phase === "reconnecting") {
      this.showBanner("Reconnecting… Your connection dropped. We're trying to bring you back.", "warning");
      announce("Connection lost. Reconnecting.", { assertive: true });
    } else if (previous === "moving" && phase === "call") {
      const text = this._movedReason ? `${this._movedReason} You're in the private room now.`
        : "You're in the private room now.";
      this.showBanner(text, "ok", 15000);
      announce("You're in the private room now.");
    } else if (previous === "reconnecting" && phase === "call") {
      this.showBanner("You're back in the session.", "ok", 4000);
      announce("Reconnected.");
    }
    this.root.dataset.phase = phase;
  }

  _notice(notice) {
    if (notice.kind === "mute_requested") {
      const mute = el("button", { type: "button", class: "btn btn-small", text: "Mute now",
        onclick: () => { this.room.setMicrophone(false); this._hideBanner(); } });
      this.showBanner("Your therapist asked you to mute your microphone.", "info", 0, mute);
      announce("Your therapist asked you to mute your microphone.", { assertive: true });
    } else if (notice.kind === "error") {
      this.showBanner(notice.message || "Something went wrong.", "warning", 6000);
    }
  }

  _soundBlocked() {
    if (this._soundButtonShown) return;
    this._soundButtonShown = true;
    const button = el("button", { type: "button", class: "btn btn-small", text: "Turn on sound", onclick: () => {
      for (const tile of this.tiles.values()) tile.video.play().catch(() => {});
      this._soundButtonShown = false;
      this._hideBanner();
    } });
    this.showBanner("Your browser paused the sound.", "info", 0, button);
  }

  showBanner(text, tone, hideAfter = 0, action = null) {
    clearTimeout(this._bannerTimer);
    this.banner.replaceChildren(...[el("span", {}, text), action].filter(Boolean));
    this.banner.dataset.tone = tone;
    this.banner.hidden = false;
    if (hideAfter) this._bannerTimer = setTimeout(() => this._hideBanner(), hideAfter);
  }

  _hideBanner() {
    this.banner.hidden = true;
    this.banner.replaceChildren();
  }

  _tick() {
    if (this._started) this.clock.textContent = formatDuration((Date.now() - this._started) / 1000);
  }

  async _leave() {
    if (this._onLeave && !(await this._onLeave())) return;
    await this.room.leave();
  }

  destroy() {
    clearInterval(this._timer);
    for (const tile of this.tiles.values()) tile.destroy();
    this.tiles.clear();
    this.root.remove();
  }
}


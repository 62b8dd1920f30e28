// During the call: switch camera or microphone (a headset plugged in, the back camera of a phone) and
// turn the others' voices up or down, without leaving. The "Devices" control opens it.

import { el, announce } from "../lib/dom.js";
import { icon } from "../lib/icons.js";

const KINDS = { videoinput: "Camera", audioinput: "Microphone" };

export class DevicesPanel {
  constructor(room, grid) {
    this.room = room;
    this.grid = grid;
    this.selects = {};
    this.status = el("p", { class: "muted", role: "status" });
    this.volume = el("input", { id: "call-volume", type: "range", min: "0", max: "100", value: "100" });
    this.volume.addEventListener("input", () => this._setVolume());
    const rows = Object.entries(KINDS).map(([kind, label]) => {
      const select = el("select", { id: `call-${kind}` });
      select.addEventListener("change", () => this._switch(kind, select.value));
      this.selects[kind] = select;
      return el("div", { class: "field" }, el("label", { for: `call-${kind}` }, label), select);
    });
    this.root = el("section", { class: "devices-panel", "aria-label": "Camera, microphone and volume", hidden: true },
      el("div", { class: "chat-head" }, el("h2", {}, "Camera and sound"),
        el("button", { type: "button", class: "btn btn-small", onclick: () => this.toggle(false) }, "Close")),
      ...rows,
      el("div", { class: "field" }, el("label", { for: "call-volume" }, "Volume of the others"), this.volume),
      this.status);
    this.button = el("button", { type: "button", class: "ctl", "aria-pressed": "false", onclick: () => this.toggle() },
      icon("camera"), el("span", { class: "ctl-label" }, "Devices"));
    // a person who joins later starts at the chosen volume too
    new MutationObserver(() => this._setVolume()).observe(grid, { childList: true });
  }

  async toggle(open = this.root.hidden) {
    this.root.hidden = !open;
    this.button.setAttribute("aria-pressed", String(open));
    if (open) await this._list();
  }

  async _list() {
    let devices = [];
    try {
      devices = await navigator.mediaDevices.enumerateDevices();
    } catch {
      this.status.textContent = "This browser does not list its cameras and microphones.";
      return;
    }
    for (const [kind, select] of Object.entries(this.selects)) {
      const current = this.room.localStream.getTracks().find((t) => `${t.kind}input` === kind);
      const using = current ? current.getSettings().deviceId : null;
      const found = devices.filter((d) => d.kind === kind);
      select.replaceChildren(...found.map((d, i) => el("option", { value: d.deviceId, selected: d.deviceId === using },
        d.label || `${KINDS[kind]} ${i + 1}`)));
      select.disabled = found.length < 2;
    }
  }

  async _switch(kind, deviceId) {
    this.status.textContent = "Switching…";
    try {
      await this.room.switchDevice(kind, deviceId);
      this.status.textContent = `${KINDS[kind]} switched.`;
    } catch (error) {
      this.status.textContent = `That ${KINDS[kind].toLowerCase()} could not be used (${error.name || "error"}).`;
    }
    announce(this.status.textContent);
  }

  _setVolume() {
    const level = Number(this.volume.value) / 100;
    for (const video of this.grid.querySelectorAll(".tile:not(.tile-self) video")) video.volume = level;
  }
}

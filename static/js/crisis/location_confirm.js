// "Where are you right now?" — a step of the join page after the device check, before the waiting
// room. The client confirms their planned address or types another, and may share their device's
// position. It is kept private and used only if the care team has to send help.

import { $, el, showView, announce } from "../lib/dom.js";
import { confirmLocation } from "./requests.js";
import { participantSafetyPlan } from "../plans/requests.js";

const FIELDS = [
  ["house_number", "Number", "address-line1"], ["street", "Street", "address-line2"],
  ["street_suffix", "Street type (Street, Ave…)", "off"], ["unit", "Apartment or unit", "off"],
  ["city", "City", "address-level2"], ["region", "State", "address-level1"],
  ["postal_code", "ZIP code", "postal-code"], ["country", "Country code", "country"],
];

// How the device found its position, as a PIDF-LO method token. The Geolocation API does not say, so
// it is read from what the fix carries: only a satellite fix reports altitude; a network position
// within 100 m comes from nearby Wi-Fi, a coarser one from the cell network.
export function methodOf(coords) {
  if (coords.altitude !== null && coords.altitude !== undefined) return "GPS";
  return coords.accuracy <= 100 ? "802.11" : "Cell";
}

function position(timeout = 10000) {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy_m: p.coords.accuracy,
                       method: methodOf(p.coords) }),
      () => resolve(null), { enableHighAccuracy: true, timeout, maximumAge: 0 });
  });
}

export class LocationStep {
  constructor(token) {
    this.token = token;
    this.view = $("#location-form");
    this.error = $("#location-error");
  }

  async plannedAddress() {
    try {
      return (await participantSafetyPlan(this.token)).planned_address;
    } catch {
      return null;
    }
  }

  // Resolves when the client has confirmed (true) or skipped (false).
  async run() {
    const planned = await this.plannedAddress();
    const fields = $("#location-fields");
    fields.replaceChildren(...FIELDS.map(([name, label, auto]) => el("div", { class: "field" },
      el("label", { for: `loc-${name}` }, label),
      el("input", { id: `loc-${name}`, name, autocomplete: auto, value: name === "country" ? "US" : "",
        maxlength: name === "country" ? 2 : 150 }))));
    $("#loc-planned-text").textContent = planned || "";
    // no planned address: no choice to make, so no radio buttons — only the address to type
    $("#loc-choice").hidden = !planned;
    $(planned ? "#loc-planned" : "#loc-other").checked = true;
    const sync = () => { fields.hidden = !$("#loc-other").checked; };
    $("#loc-planned").onchange = sync;
    $("#loc-other").onchange = sync;
    sync();
    this.error.textContent = "";
    showView("location");
    return new Promise((resolve) => {
      $("#location-skip").onclick = () => resolve(false);
      this.view.onsubmit = async (event) => {
        event.preventDefault();
        if (await this.submit()) {
          announce("Thank you. Your location is confirmed.");
          resolve(true);
        }
      };
    });
  }

  address() {
    const value = {};
    for (const [name] of FIELDS) {
      const text = $(`#loc-${name}`).value.trim();
      if (text) value[name] = name === "country" ? text.toUpperCase() : text;
    }
    return value;
  }

  async submit() {
    const body = {};
    if ($("#loc-planned").checked) {
      body.at_planned_address = true;
    } else {
      const address = this.address();
      if (!address.street || !address.city) {
        this.error.textContent = "Please enter at least the street and the city.";
        $("#loc-street").focus();
        return false;
      }
      body.address = address;
    }
    if ($("#loc-share").checked) {
      $("#location-submit").disabled = true;
      const where = await position();
      $("#location-submit").disabled = false;
      if (where) body.geolocation = where;
    }
    try {
      await confirmLocation(this.token, body);
      return true;
    } catch (error) {
      this.error.textContent = error.message;
      return false;
    }
  }
}

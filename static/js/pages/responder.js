// The responder's page: reads the token from the link's fragment (never sent to any server by the
// browser), asks who is reading (name and agency: an emergency disclosure records who received it),
// posts both to /api/responder/open and shows the packet as text, with the 42 CFR Part 2 notice
// against redisclosure when it carries substance-use information. No map, no third party.

import { ApiError } from "../lib/api.js";
import { openResponderPacket, responderPacketPidf, joinAsResponder } from "../crisis/requests.js";
import { $, el, showView } from "../lib/dom.js";
import { saveParticipant, loadRecipient, saveRecipient } from "../lib/storage.js";

function fill(list, items) {
  list.replaceChildren(...items.map((item) => el("li", {}, item)));
}

function render(view, recipient) {
  const packet = view.packet;
  $("#received-by").textContent = `Received by ${recipient.recipient_name} (${recipient.recipient_agency}).`;
  $("#notice-box").hidden = !packet.redisclosure_notice;
  $("#redisclosure").textContent = packet.redisclosure_notice || "";
  // every time on this page is written one way, by the server (24-hour clock, the program's time zone)
  $("#packet-meta").textContent = `Shared at ${view.shared_at_text}. ` +
    `This link stops working at ${view.expires_at_text}. Do not pass it on.`;
  $("#person-name").hidden = !view.person_name;
  $("#person-name").textContent = view.person_name ? `Name: ${view.person_name}` : "";
  fill($("#location-lines"), view.location_lines);
  // numbers come formatted for the program's country, with their tel: link
  fill($("#callbacks"), view.callbacks.length ? view.callbacks.map(
    (c) => [`${c.label}: `, c.tel ? el("a", { href: c.tel }, c.number) : c.number]) : ["No callback numbers were shared."]);
  $("#situation").textContent = packet.situation || "No description was shared.";
  $("#means-box").hidden = !packet.lethal_means_notes.length;
  fill($("#means"), packet.lethal_means_notes);
  fill($("#resources"), view.resources.length ? view.resources.map((r) => [
    `${r.name} (${r.kind.replaceAll("_", " ")}${r.distance_m != null ? `, ${(r.distance_m / 1000).toFixed(1)} km` : ""}`
    + `${r.hours ? `, ${r.hours}` : ""}): `, el("a", { href: r.tel }, r.phone), r.address ? ` — ${r.address}` : ""])
    : ["No local resources are on file near this position."]);
  $("#join-box").hidden = !view.can_join;
  $("#basis").textContent = packet.basis.kind === "consent"
    ? "Shared with the client's recorded consent."
    : "Shared under an emergency override recorded by the clinician.";
  showView("packet");
}

async function downloadPidf(token, recipient) {
  const response = await responderPacketPidf(token, recipient);
  if (!response.ok) return showView("invalid");
  const url = URL.createObjectURL(await response.blob());
  const a = el("a", { href: url, download: "location.xml" });
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

// Joining: the join page picks up a participant token saved in this tab (as after a link redemption).
async function joinCall(token, recipient) {
  $("#join-error").textContent = "";
  try {
    const answer = await joinAsResponder(token, recipient);
    saveParticipant(answer);
    location.assign("/join");
  } catch (error) {
    $("#join-error").textContent = error instanceof ApiError && error.status === 410
      ? (error.code === "responder_join_expired" ? error.message : "The call has ended or this link has expired.")
      : error.message;
  }
}

function askWhoIsReading() {
  const form = $("#recipient-form");
  const saved = loadRecipient();
  $("#recipient-name").value = saved.recipient_name || "";
  $("#recipient-agency").value = saved.recipient_agency || "";
  showView("recipient");
  $("#recipient-name").focus();
  return new Promise((resolve) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const recipient = {
        recipient_name: $("#recipient-name").value.trim(), recipient_agency: $("#recipient-agency").value.trim(),
      };
      if (recipient.recipient_name.length < 2 || recipient.recipient_agency.length < 2) {
        $("#recipient-error").textContent = "Write your name and your agency or service.";
        return;
      }
      $("#recipient-error").textContent = "";
      saveRecipient(recipient);
      resolve(recipient);
    });
  });
}

async function main() {
  const token = location.hash.slice(1);
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return showView("invalid");
  const recipient = await askWhoIsReading();
  showView("loading");
  try {
    render(await openResponderPacket(token, recipient), recipient);
  } catch (error) {
    if (error instanceof ApiError && error.code === "network") {
      $("#invalid-reason").textContent = error.message;
    } else if (error instanceof ApiError && error.status === 429) {
      $("#invalid-reason").textContent = error.message;
    }
    showView("invalid");
    return;
  }
  $("#download-pidf").addEventListener("click", () => downloadPidf(token, recipient));
  $("#join-call").addEventListener("click", () => joinCall(token, recipient));
}

main();

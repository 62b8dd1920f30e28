// Every REST call of the crisis feature (docs/protocol.md, "Crises"), in one place.
//
// crisisRequests(call) takes the console's signed-in API client, call(method, path, body); the other
// functions are made with a participant token (the client in the call) or a responder link's token.

import { api } from "../lib/api.js";

export function crisisRequests(call) {
  return {
    // a therapist starts the crisis protocol in a session (body: {} or {client_id} in a group)
    start: (sessionId, body) => call("POST", `/api/sessions/${sessionId}/crisis`, body),
    // a group: the client moves to a private crisis room with the therapist
    moveToPrivateRoom: (sessionId, participantId) =>
      call("POST", `/api/sessions/${sessionId}/private-room`, { participant_id: participantId }),
    crisis: (crisisId) => call("GET", `/api/crises/${crisisId}`),
    // body: {action, expected_version, include_family_debrief?}
    transition: (crisisId, body) => call("POST", `/api/crises/${crisisId}/transitions`, body),
    // body: {contact_id, override_reason?}
    inviteSupportPerson: (crisisId, body) => call("POST", `/api/crises/${crisisId}/support-persons`, body),
    // body: {situation, override_reason?, client_phone?, therapist_phone?, allow_join?, substance_use?}
    relayToResponders: (crisisId, body) => call("POST", `/api/crises/${crisisId}/responder-packet`, body),
    // what to read out on a phone call to emergency services (address, device position, callback numbers)
    readOut: (crisisId) => call("GET", `/api/crises/${crisisId}/read-out`),
    responderLinks: (crisisId) => call("GET", `/api/crises/${crisisId}/responder-links`),
    revokeResponderLink: (crisisId, linkId) => call("POST", `/api/crises/${crisisId}/responder-links/${linkId}/revoke`),
    // the follow-up plan made when a crisis closed; a client's follow-up plans; ticking an item off
    followUp: (crisisId) => call("GET", `/api/crises/${crisisId}/follow-up`),
    followUps: (clientId) => call("GET", `/api/clients/${clientId}/follow-ups`),
    markFollowUpDone: (clientId, itemId) => call("POST", `/api/clients/${clientId}/follow-ups/${itemId}/done`),
    // show the client, on their own screen, a section of their plan ({section_key}) or the crisis lines
    shareWithClient: (crisisId, body) => call("POST", `/api/crises/${crisisId}/share-with-client`, body),
    // the program's open crises (every screen of the console)
    openCrises: () => call("GET", "/api/program/crises"),
  };
}

// ---- the client in the call (participant token) ---------------------------------------------------

// "I need help now"
export function requestHelp(participantToken) {
  return api("POST", "/api/participant/help", { token: participantToken });
}

// "Where are you right now?" (body: {at_planned_address} or {address}, and {geolocation?})
export function confirmLocation(participantToken, body) {
  return api("POST", "/api/participant/location", { token: participantToken, body });
}

// ---- the responder page (the token of a responder link, and who is reading) ------------------------

export function openResponderPacket(token, recipient) {
  return api("POST", "/api/responder/open", { body: { token, ...recipient } });
}

// The packet's location as a PIDF-LO file: the raw Response (the page saves its body as a download).
export function responderPacketPidf(token, recipient) {
  return fetch("/api/responder/open/pidf", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token, ...recipient }),
    cache: "no-store",
  });
}

export function joinAsResponder(token, recipient) {
  return api("POST", "/api/responder/join", { body: { token, ...recipient } });
}

// A paged on-call clinician's "I'm on it" (the token from their page link's fragment).
export function answerPage(token) {
  return api("POST", "/api/on-call/answer", { body: { token } });
}

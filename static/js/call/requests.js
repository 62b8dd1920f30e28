// Every REST call of the call itself, in one place (the rest of a call goes over Socket.IO,
// call/signaling.js): redeeming a personal link for a participant token.

import { api } from "../lib/api.js";

// answer: {participant_token, session_id, participant, expires_in}
export function redeemLink(token) {
  return api("POST", "/api/join", { body: { token } });
}

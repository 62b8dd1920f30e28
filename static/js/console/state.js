// What the console knows: who is signed in, today's sessions and the one whose details are open; and
// the console's signed-in API client, call(method, path, body), which every console request goes through
// (console/requests.js, and the crisis and plan requests made from the console).

import { api, ApiError } from "../lib/api.js";
import { loadStaff, saveStaff, clearStaff, clearHostCall } from "../lib/storage.js";
import { consoleRequests } from "./requests.js";

export const state = {
  staff: loadStaff(), // {access_token, staff, expires_at} while signed in, else null
  selectedId: null, // the session whose details are open
  sessions: [], // today's sessions, by start time
  planEditor: null, // the safety-plan editor of the session details (plans/plan_editor.js)
};

let whenExpired = () => {};
const ENDED_IN_WORDS = new Set(["signed_out", "idle_timeout"]);

// fn(message) runs when the server no longer accepts the sign-in (any 401 answer).
export function onSignInExpired(fn) {
  whenExpired = fn;
}

export async function call(method, path, body) {
  const token = state.staff && state.staff.access_token;
  try {
    return await api(method, path, { body, token });
  } catch (error) {
    // a 401 for a request made after this tab forgot the sign-in says nothing new: it has been said already
    if (error instanceof ApiError && error.status === 401 && token && state.staff) {
      // signed out elsewhere, or after a while idle: the server says which in words; anything else has expired
      whenExpired(ENDED_IN_WORDS.has(error.code) ? error.message : "Your sign-in has expired. Please sign in again.");
    }
    throw error;
  }
}

export const requests = consoleRequests(call);

// answer: POST /api/auth/login's {access_token, staff, expires_in}
export function keepSignIn(answer) {
  saveStaff({ access_token: answer.access_token, staff: answer.staff }, answer.expires_in);
  state.staff = loadStaff();
}

export function forgetSignIn() {
  state.staff = null;
  clearStaff();
  clearHostCall();
}

// Everything the browser client keeps in sessionStorage or localStorage, in one place. The keys and
// the shapes of their values are read by browsers that already hold them (and by the browser tests):
// change neither.
//
//   sessionStorage "steadyline.staff"        console sign-in: {access_token, staff, expires_at}
//   sessionStorage "steadyline.hostCall"     the console's call, for a reload: {session_id, participant_token,
//                                            participant, expires_at}
//   localStorage   "steadyline.devices"      this browser's device token per account: {email: device_token}
//   sessionStorage "steadyline.participant"  join page / responder join: {participant_token, session_id,
//                                            participant, expires_at, understood?}
//   sessionStorage "steadyline.devices"      the join page's camera/microphone choices: {session_id, cameraId,
//                                            microphoneId, cameraOn, microphoneOn}
//   sessionStorage "steadyline.responder.recipient"  who reads the responder page: {recipient_name, recipient_agency}
//   sessionStorage "steadyline.home"         the client's own page: {home_token, expires_at}
//   sessionStorage "steadyline.helpAlerts"   the console's help presses not acknowledged yet, kept over a reload:
//                                            {session_id: {participant_id: pressed at (ms)}}
//
// expires_at is in milliseconds since the epoch; an expired or unreadable value is removed and read as null.

const STAFF_KEY = "steadyline.staff";
const HOST_CALL_KEY = "steadyline.hostCall";
const DEVICE_TOKENS_KEY = "steadyline.devices"; // in localStorage (kept across visits)
const PARTICIPANT_KEY = "steadyline.participant";
const DEVICE_CHOICES_KEY = "steadyline.devices"; // in sessionStorage (this tab only)
const RECIPIENT_KEY = "steadyline.responder.recipient";
const HOME_KEY = "steadyline.home";
const HELP_ALERTS_KEY = "steadyline.helpAlerts";

function read(storage, key, fallback) {
  try {
    const value = JSON.parse(storage.getItem(key) || "null");
    return value === null ? fallback : value;
  } catch {
    return fallback;
  }
}

function write(storage, key, value) {
  storage.setItem(key, JSON.stringify(value));
}

function remove(storage, key) {
  try {
    storage.removeItem(key);
  } catch {
    // storage unavailable: nothing was kept
  }
}

function readUnexpired(key) {
  const value = read(sessionStorage, key, null);
  if (value && value.expires_at > Date.now()) return value;
  remove(sessionStorage, key);
  return null;
}

function writeExpiring(key, value, expiresIn) {
  write(sessionStorage, key, { ...value, expires_at: Date.now() + expiresIn * 1000 });
}

// ---- console: the staff sign-in and the host's call ---------------------------------------------

export function loadStaff() {
  return readUnexpired(STAFF_KEY);
}

export function saveStaff(value, expiresIn) {
  writeExpiring(STAFF_KEY, value, expiresIn);
}

export function clearStaff() {
  remove(sessionStorage, STAFF_KEY);
}

export function loadHostCall() {
  return readUnexpired(HOST_CALL_KEY);
}

export function saveHostCall(value, expiresIn) {
  writeExpiring(HOST_CALL_KEY, value, expiresIn);
}

export function clearHostCall() {
  remove(sessionStorage, HOST_CALL_KEY);
}

// This browser's device token per account (kept across visits): failed sign-ins made by someone else,
// even from the same network address, do not lock this browser out (docs/security.md).
export function deviceTokenFor(email) {
  return (read(localStorage, DEVICE_TOKENS_KEY, {}) || {})[email.toLowerCase()];
}

export function rememberDeviceToken(email, token) {
  if (!token) return;
  const tokens = read(localStorage, DEVICE_TOKENS_KEY, {}) || {};
  write(localStorage, DEVICE_TOKENS_KEY, { ...tokens, [email.toLowerCase()]: token });
}

// ---- join page: the participant token (a reload rejoins without the link) ------------------------

export function loadParticipant() {
  return readUnexpired(PARTICIPANT_KEY);
}

// From an answer carrying {participant_token, session_id, participant, expires_in} (a redeemed link, a
// responder joining, a move to another room); returns what was saved.
export function saveParticipant(answer) {
  const saved = {
    participant_token: answer.participant_token,
    session_id: answer.session_id,
    participant: answer.participant,
    therapist_name: answer.therapist_name || null,
    expires_at: Date.now() + answer.expires_in * 1000,
  };
  write(sessionStorage, PARTICIPANT_KEY, saved);
  return saved;
}

// A saved participant changed in place (a support person read what the call is: `understood`).
export function updateParticipant(saved) {
  write(sessionStorage, PARTICIPANT_KEY, saved);
}

// Moved into another room (a private crisis room): a reload of the join page goes to the new room.
// Only a tab that keeps a participant token (the join page, not the console) keeps the new one.
export function followParticipant(moved) {
  try {
    if (!sessionStorage.getItem(PARTICIPANT_KEY)) return;
    saveParticipant(moved);
  } catch {
    // storage unavailable: a reload asks for the link again
  }
}

// The participant token and the device choices made with it.
export function forgetParticipant() {
  remove(sessionStorage, PARTICIPANT_KEY);
  remove(sessionStorage, DEVICE_CHOICES_KEY);
}

// ---- join page: camera and microphone choices, for this tab only ---------------------------------

export function saveDeviceChoices(choices) {
  write(sessionStorage, DEVICE_CHOICES_KEY, choices);
}

export function loadDeviceChoices() {
  return read(sessionStorage, DEVICE_CHOICES_KEY, null);
}

// ---- responder page: who is reading -------------------------------------------------------------

export function loadRecipient() {
  return read(sessionStorage, RECIPIENT_KEY, {}) || {};
}

export function saveRecipient(recipient) {
  write(sessionStorage, RECIPIENT_KEY, recipient);
}

// ---- the client's own page ("my Steadyline") ------------------------------------------------------

export function loadHomeToken() {
  const saved = readUnexpired(HOME_KEY);
  return saved ? saved.home_token : null;
}

export function saveHomeToken(answer) {
  writeExpiring(HOME_KEY, { home_token: answer.home_token }, answer.expires_in);
}

export function forgetHomeToken() {
  remove(sessionStorage, HOME_KEY);
}

// The console's help presses that the therapist has not acknowledged yet (crisis/help_alert.js).
export function loadHelpAlerts(sessionId) {
  const all = read(sessionStorage, HELP_ALERTS_KEY, {});
  return (all && all[sessionId]) || {};
}

export function saveHelpAlerts(sessionId, pending) {
  try {
    const all = read(sessionStorage, HELP_ALERTS_KEY, {}) || {};
    if (Object.keys(pending).length) all[sessionId] = pending;
    else delete all[sessionId];
    write(sessionStorage, HELP_ALERTS_KEY, all);
  } catch {
    // storage unavailable: the alert still stays until acknowledged on this page
  }
}

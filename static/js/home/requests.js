// The REST calls of the client's own page ("my Steadyline"): the home token rides in Authorization.

import { api } from "../lib/api.js";

export const openHome = (token) => api("POST", "/api/home/open", { body: { token } });
export const loadHome = (token) => api("GET", "/api/home", { token });
export const askForHelp = (token) => api("POST", "/api/home/help", { token, body: {} });
export const helpStatus = (token) => api("GET", "/api/home/help", { token });
export const joinSession = (token, sessionId) =>
  api("POST", `/api/home/sessions/${encodeURIComponent(sessionId)}/join`, { token });
export const checkInStatus = (token) => api("GET", "/api/home/check-in", { token });
export const sendCheckIn = (token, body) => api("POST", "/api/home/check-ins", { token, body });
export const sendScreener = (token, key, answers) =>
  api("POST", `/api/home/screeners/${encodeURIComponent(key)}`, { token, body: { answers } });
// their messages with their care team (reading them marks the care team's read)
export const loadMessages = (token) => api("GET", "/api/home/messages", { token });
export const sendMessage = (token, body) => api("POST", "/api/home/messages", { token, body });

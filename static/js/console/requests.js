// Every REST call of the console, in one place: signing in, today's sessions, one session's people and
// links, entering a call as its host, and the dashboard's alerts and outreach tasks.
//
// consoleRequests(call) takes the console's signed-in API client, call(method, path, body).

import { api } from "../lib/api.js";

// body: {email, password, device_token?}
export function signIn(body) {
  return api("POST", "/api/auth/login", { body });
}

export function consoleRequests(call) {
  return {
    me: () => call("GET", "/api/me"),
    signOut: () => call("POST", "/api/auth/logout"),
    sessionsOn: (day) => call("GET", `/api/sessions?day=${day}`),
    // body: {kind, title, starts_at, ends_at}
    createSession: (body) => call("POST", "/api/sessions", body),
    session: (sessionId) => call("GET", `/api/sessions/${sessionId}`),
    endSession: (sessionId) => call("POST", `/api/sessions/${sessionId}/end`),
    therapists: () => call("GET", "/api/program/therapists"),
    addCoFacilitator: (sessionId, staffId) =>
      call("POST", `/api/sessions/${sessionId}/co-facilitators`, { staff_id: staffId }),
    addClient: (sessionId, displayName) =>
      call("POST", `/api/sessions/${sessionId}/participants`, { display_name: displayName }),
    newLink: (sessionId, participantId) => call("POST", `/api/sessions/${sessionId}/participants/${participantId}/link`),
    revokeLink: (sessionId, participantId) =>
      call("DELETE", `/api/sessions/${sessionId}/participants/${participantId}/link`),
    // body: {email?, phone?}: a new link, sent through the notifier (else to the client's saved contact)
    sendLink: (sessionId, participantId, body) =>
      call("POST", `/api/sessions/${sessionId}/participants/${participantId}/send-link`, body),
    // between sessions: a client's own therapist and contact, and their standing link "my Steadyline"
    client: (clientId) => call("GET", `/api/clients/${clientId}`),
    setClientProfile: (clientId, body) => call("PUT", `/api/clients/${clientId}/profile`, body),
    issueHomeLink: (clientId) => call("POST", `/api/clients/${clientId}/home-link`),
    revokeHomeLink: (clientId) => call("DELETE", `/api/clients/${clientId}/home-link`),
    // their daily check-ins: the schedule the care team asks for
    checkInSchedule: (clientId) => call("GET", `/api/clients/${clientId}/check-in-schedule`),
    scheduleCheckIns: (clientId, body) => call("POST", `/api/clients/${clientId}/check-in-schedule`, body),
    // their check-ins and questionnaire results, oldest first (the trend charts)
    checkIns: (clientId) => call("GET", `/api/clients/${clientId}/check-ins`),
    // their messages with the care team: reading the thread marks theirs read (their "Read" receipt)
    messages: (clientId) => call("GET", `/api/clients/${clientId}/messages`),
    unreadMessages: (clientId) => call("GET", `/api/clients/${clientId}/messages/unread`),
    sendMessage: (clientId, text) => call("POST", `/api/clients/${clientId}/messages`, { text }),
    // the live dashboard: alerts and outreach tasks you may see, newest first, and what you can do with them
    alerts: () => call("GET", "/api/alerts"),
    unreadThreads: () => call("GET", "/api/messages/unread"),
    acknowledgeAlert: (alertId, note) => call("POST", `/api/alerts/${alertId}/acknowledge`, note ? { note } : {}),
    // staffId: a colleague's id; none: take it yourself
    assignAlert: (alertId, staffId) => call("POST", `/api/alerts/${alertId}/assign`, staffId ? { staff_id: staffId } : {}),
    resolveAlert: (alertId, note) => call("POST", `/api/alerts/${alertId}/resolve`, { note }),
    outreach: () => call("GET", "/api/outreach?all=1"),
    assignOutreach: (taskId, staffId) =>
      call("POST", `/api/outreach/${taskId}/assign`, staffId ? { staff_id: staffId } : {}),
    resolveOutreach: (taskId, note) => call("POST", `/api/outreach/${taskId}/resolve`, { note }),
    // the host's participant token for the session's call
    host: (sessionId) => call("POST", `/api/sessions/${sessionId}/host`),
  };
}

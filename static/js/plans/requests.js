// Every REST call of the safety-plan feature, in one place: the program's plan template, a client's
// plan and its versions, consent to share, and the client's own read-only view of their plan.
//
// planRequests(call) takes the console's signed-in API client, call(method, path, body).

import { api } from "../lib/api.js";

export function planRequests(call) {
  return {
    template: () => call("GET", "/api/program/plan-template"),
    safetyPlan: (clientId) => call("GET", `/api/clients/${clientId}/safety-plan`),
    // every save is a new version (body: {sections, change_note, base_version, planned_location?})
    savePlan: (clientId, body) => call("PUT", `/api/clients/${clientId}/safety-plan`, body),
    planVersion: (clientId, number) => call("GET", `/api/clients/${clientId}/safety-plan/versions/${number}`),
    consents: (clientId) => call("GET", `/api/clients/${clientId}/consents`),
    // body: {party, scope, contact_id?, expires_at?}
    recordConsent: (clientId, body) => call("POST", `/api/clients/${clientId}/consents`, body),
    revokeConsent: (clientId, grantId) => call("POST", `/api/clients/${clientId}/consents/${grantId}/revoke`),
  };
}

// The client's own plan (participant token): its sections, crisis lines and planned address.
export function participantSafetyPlan(participantToken) {
  return api("GET", "/api/participant/safety-plan", { token: participantToken });
}

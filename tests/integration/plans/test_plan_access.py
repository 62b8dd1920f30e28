"""Who may touch safety plans, consent, alerts, templates and resources: every plan endpoint × role ×
own / other program. A client sees only their own plan; a support person sees none."""

from __future__ import annotations

import pytest

from server.app_keys import TOKENS
from server.db.tables import ParticipantRole, StaffRole
from tests.integration.plans.helpers import HOME, enrol, plan_body, write_plan
from tests.support.world import SEEN_SECRETS
from tests.support.access import unnamed

C = "/api/clients/{client_id}"
REASON = "Client is unreachable after saying they were in danger at home; responders must be sent now."
CSV = "resource_id,name,kind,phone,latitude,longitude\ned1,Example ED,emergency_department,+1 555 0100 120,40,-75\n"

# expected status by role (the client record belongs to "owner"'s program; "other_admin" is elsewhere)
PLAN_ENDPOINTS = {
    ("GET", C + "/safety-plan"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 404},
    ("PUT", C + "/safety-plan"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 404},
    ("GET", C + "/safety-plan/versions/{number}"): {"owner": 200, "colleague": 200, "admin": 200,
                                                    "other_admin": 404},
    ("GET", C + "/consents"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 404},
    ("POST", C + "/consents"): {"owner": 201, "colleague": 201, "admin": 201, "other_admin": 404},
    ("POST", C + "/consents/{grant_id}/revoke"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 404},
    ("POST", C + "/disclosure-overrides"): {"owner": 201, "colleague": 201, "admin": 201, "other_admin": 404},
    ("GET", "/api/program/plan-template"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 200},
    ("PUT", "/api/program/plan-template"): {"owner": 403, "colleague": 403, "admin": 200, "other_admin": 200},
    ("GET", "/api/program/resources"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 200},
    ("POST", "/api/program/resources/import"): {"owner": 403, "colleague": 403, "admin": 200, "other_admin": 200},
    ("GET", "/api/program/crises"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 200},
    ("GET", "/api/participant/safety-plan"): {"client": 200, "support": 403},
    ("POST", "/api/participant/location"): {"client": 201, "support": 403},
    ("POST", "/api/participant/help"): {"client": 201, "support": 403},
}
ROLES = ["anonymous", "owner", "colleague", "admin", "other_admin", "client", "support"]


def _body(method: str, template: str, contact_id: str) -> dict | None:
    if template.endswith("/safety-plan") and method == "PUT":
        return plan_body()
    if template.endswith("/consents"):
        return {"party": "support_person", "contact_id": contact_id, "scope": "phone"}
    if template.endswith("/disclosure-overrides"):
        return {"reason": REASON}
    if template.endswith("/plan-template"):
        return {"template": {"template_id": "t", "name": "T", "sections": [
            {"key": "warning_signs", "title": "Signs", "kind": "items"}]}}
    if template.endswith("/import"):
        return {"csv": CSV}
    if template.endswith("/location"):
        return {"address": HOME}
    return None


async def _support_token(world, session_id: str, client_id: str) -> str:
    support = await world.store.add_participant(session_id=session_id, role=ParticipantRole.SUPPORT,
                                                display_name="Sam Example", client_id=client_id)
    token = world.app[TOKENS].issue_participant(participant_id=support.id, session_id=session_id,
                                                program_id=(await world.store.get_session(session_id)).program_id,
                                                role="support", invite_id=None, ttl=600)
    SEEN_SECRETS.add(token)
    return token


@pytest.mark.parametrize("endpoint", sorted(PLAN_ENDPOINTS))
async def test_plan_endpoints_by_role(world, endpoint):
    method, template = endpoint
    owner = await world.therapist()
    cast = {"owner": owner, "colleague": await world.therapist(program_id=owner.program_id),
            "admin": await world.therapist(program_id=owner.program_id, role=StaffRole.ADMIN),
            "other_admin": await world.therapist(role=StaffRole.ADMIN)}
    client = await enrol(world, owner)
    tokens = {role: staff.access_token for role, staff in cast.items()}
    tokens.update(anonymous=None, client=client.token,
                  support=await _support_token(world, client.session["id"], client.client_id))
    plan = await write_plan(world, owner, client.client_id)
    contact_id = plan["version"]["sections"][3]["contacts"][0]["contact_id"]
    for role in ROLES:
        grant_id = "none"
        if "{grant_id}" in template:
            status, grant = await world.request("POST", f"/api/clients/{client.client_id}/consents", owner.access_token,
                                                json={"party": "emergency_services",
                                                      "scope": "share_location_and_situation"})
            grant_id = grant["grant_id"]
        path = template.format(client_id=client.client_id, number=1, grant_id=grant_id)
        status, body = await world.request(method, path, tokens[role], json=_body(method, template, contact_id))
        expected = PLAN_ENDPOINTS[endpoint].get(role, unnamed(role))
        assert status == expected, (role, method, path, status, body)


async def test_a_client_sees_only_their_own_plan(world):
    therapist = await world.therapist()
    first, second = await enrol(world, therapist, "Jordan Example"), await enrol(world, therapist, "Riley Sample")
    await write_plan(world, therapist, first.client_id)
    await write_plan(world, therapist, second.client_id, plan_body(
        {**plan_body()["sections"], "what_matters": "Riley's own reasons"}))
    status, own = await world.request("GET", "/api/participant/safety-plan", first.token)
    assert status == 200 and "Riley" not in str(own)
    status, own = await world.request("GET", "/api/participant/safety-plan", second.token)
    assert "Riley's own reasons" in str(own)
    for path in (f"/api/clients/{second.client_id}/safety-plan", f"/api/clients/{second.client_id}/consents"):
        status, _ = await world.request("GET", path, first.token)
        assert status == 403  # participant tokens never open staff endpoints (wrong kind: 403 staff_only)


async def test_a_therapist_sees_only_their_programs_plans(world):
    therapist, stranger = await world.therapist(), await world.therapist()
    client = await enrol(world, therapist)
    await write_plan(world, therapist, client.client_id)
    for method, path in (("GET", "/safety-plan"), ("GET", "/safety-plan/versions/1"), ("GET", "/consents")):
        status, body = await world.request(method, f"/api/clients/{client.client_id}{path}", stranger.access_token)
        assert (status, body["code"]) == (404, "not_found"), (path, body)
        assert body["title"] == "client not found"
    status, _ = await world.request("PUT", f"/api/clients/{client.client_id}/safety-plan", stranger.access_token,
                                    json=plan_body())
    assert status == 404
    status, _ = await world.request("GET", "/api/clients/no-such-client/safety-plan", therapist.access_token)
    assert status == 404

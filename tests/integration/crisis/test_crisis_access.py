"""Who may open and work a crisis: every crisis endpoint × role × own / other program. Only the
session's therapist opens one; its therapist and the program's admins work it; others get 403, another
program 404. Responder links are bearer links: whoever holds a valid one may read it."""

from __future__ import annotations

import pytest

from server.db.tables import StaffRole
from tests.integration.crisis.helpers import scene, start_crisis
from tests.support.world import SEEN_SECRETS
from tests.support.access import unnamed

S = "/api/sessions/{session_id}"
K = "/api/crises/{crisis_id}"
REASON = "Client is unreachable after saying she took pills at home; we cannot ask for consent right now."
CRISIS_ENDPOINTS = {
    ("POST", S + "/crisis"): {"owner": 201, "colleague": 403, "admin": 403, "other_admin": 404},
    ("GET", K): {"owner": 200, "colleague": 403, "admin": 200, "other_admin": 404},
    ("POST", K + "/transitions"): {"owner": 200, "colleague": 403, "admin": 200, "other_admin": 404},
    ("GET", K + "/timeline"): {"owner": 200, "colleague": 403, "admin": 200, "other_admin": 404},
    ("POST", K + "/support-persons"): {"owner": 201, "colleague": 403, "admin": 201, "other_admin": 404},
    ("POST", K + "/responder-packet"): {"owner": 201, "colleague": 403, "admin": 201, "other_admin": 404},
    ("GET", K + "/read-out"): {"owner": 200, "colleague": 403, "admin": 200, "other_admin": 404},
    ("GET", K + "/responder-links"): {"owner": 200, "colleague": 403, "admin": 200, "other_admin": 404},
    ("POST", K + "/responder-links/{link_id}/revoke"): {"owner": 200, "colleague": 403, "admin": 200,
                                                        "other_admin": 404},
    ("POST", K + "/share-with-client"): {"owner": 200, "colleague": 403, "admin": 200, "other_admin": 404},
}
RESPONDER_LINKS = {("GET", "/api/responder/packet"), ("GET", "/api/responder/pidf"),
                   ("POST", "/api/responder/open"), ("POST", "/api/responder/open/pidf"),
                   ("POST", "/api/responder/join")}
ROLES = ["anonymous", "owner", "colleague", "admin", "other_admin", "client"]


def _body(template: str, sam: str) -> dict | None:
    if template.endswith("/transitions"):
        return {"action": "stabilise", "expected_version": 1}
    if template.endswith("/support-persons"):
        return {"contact_id": sam, "override_reason": REASON}
    if template.endswith("/responder-packet"):
        return {"situation": "Synthetic situation for an access test.", "override_reason": REASON}
    if template.endswith("/share-with-client"):
        return {"crisis_lines": True}
    return None


@pytest.mark.parametrize("endpoint", sorted(CRISIS_ENDPOINTS))
async def test_crisis_endpoints_by_role(world, endpoint):
    method, template = endpoint
    owner = await world.therapist()
    cast = {"owner": owner, "colleague": await world.therapist(program_id=owner.program_id),
            "admin": await world.therapist(program_id=owner.program_id, role=StaffRole.ADMIN),
            "other_admin": await world.therapist(role=StaffRole.ADMIN)}
    for role in ROLES:
        s = await scene(world, owner)
        crisis_id = "none" if template.endswith("/crisis") else (await start_crisis(world, s))["crisis_id"]
        tokens = {name: staff.access_token for name, staff in cast.items()}
        tokens.update(anonymous=None, client=s.client.token)
        link_id = "none"
        if "{link_id}" in template:
            status, made = await world.request("POST", f"/api/crises/{crisis_id}/responder-packet", owner.access_token,
                                               json=_body("/responder-packet", ""))
            assert status == 201, made
            SEEN_SECRETS.add(made["token"])
            link_id = made["link_id"]
        path = template.format(session_id=s.session_id, crisis_id=crisis_id, link_id=link_id)
        status, body = await world.request(method, path, tokens[role], json=_body(template, s.contact("Sam Example")))
        if isinstance(body, dict) and "join_url" in body:
            SEEN_SECRETS.add(body["join_url"].split("#", 1)[1])
        if isinstance(body, dict) and "token" in body:
            SEEN_SECRETS.add(body["token"])
        assert status == CRISIS_ENDPOINTS[endpoint].get(role, unnamed(role)), (role, method, path, status, body)

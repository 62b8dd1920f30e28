"""Who may move a client into a private room and read or tick off follow-up plans: every such endpoint
× role × own / other program. Only the group's own therapist moves a client (admins cannot host a call);
the program's care team (therapists and admins) reads the plans; another program gets 404."""

from __future__ import annotations

import pytest

from server.db.tables import StaffRole
from tests.integration.crisis.helpers import scene, start_crisis, walk_to_closed
from tests.support.world import SEEN_SECRETS
from tests.support.access import unnamed

S = "/api/sessions/{session_id}"
K = "/api/crises/{crisis_id}"
C = "/api/clients/{client_id}"
ROOM_AND_FOLLOW_UP_ENDPOINTS = {
    ("POST", S + "/private-room"): {"owner": 201, "colleague": 403, "admin": 403, "other_admin": 404},
    ("GET", K + "/follow-up"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 404},
    ("GET", C + "/follow-ups"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 404},
    ("POST", C + "/follow-ups/{item_id}/done"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 404},
}
ROLES = ["anonymous", "owner", "colleague", "admin", "other_admin", "client"]


async def _private_room_case(world, owner) -> tuple[str, dict, str]:
    session = await world.session(owner, kind="group")
    link = await world.add_client(owner, session["id"], "Client A")
    redeemed = await world.redeem(link["join_url"])
    path = (S + "/private-room").format(session_id=session["id"])
    return path, {"participant_id": link["participant"]["id"]}, redeemed["participant_token"]


async def _follow_up_case(world, owner, template: str) -> tuple[str, None, str]:
    s = await scene(world, owner)
    crisis = await walk_to_closed(world, s, await start_crisis(world, s))
    status, plan = await world.request("GET", f"/api/crises/{crisis['crisis_id']}/follow-up", owner.access_token)
    assert status == 200, plan
    path = template.format(crisis_id=crisis["crisis_id"], client_id=s.client.client_id, item_id=plan["items"][0]["id"])
    return path, None, s.client.token


@pytest.mark.parametrize("endpoint", sorted(ROOM_AND_FOLLOW_UP_ENDPOINTS))
async def test_room_and_follow_up_endpoints_by_role(world, endpoint):
    method, template = endpoint
    owner = await world.therapist()
    cast = {"owner": owner, "colleague": await world.therapist(program_id=owner.program_id),
            "admin": await world.therapist(program_id=owner.program_id, role=StaffRole.ADMIN),
            "other_admin": await world.therapist(role=StaffRole.ADMIN)}
    for role in ROLES:
        if template.endswith("/private-room"):
            path, body, client_token = await _private_room_case(world, owner)
        else:
            path, body, client_token = await _follow_up_case(world, owner, template)
        tokens = {name: staff.access_token for name, staff in cast.items()}
        tokens.update(anonymous=None, client=client_token)
        status, answer = await world.request(method, path, tokens[role], json=body)
        if isinstance(answer, dict) and "participant_token" in answer:
            SEEN_SECRETS.add(answer["participant_token"])
        assert status == ROOM_AND_FOLLOW_UP_ENDPOINTS[endpoint].get(role, unnamed(role)), (role, method, path, status, answer)

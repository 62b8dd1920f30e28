"""Who may touch messages: every role × own / other program for the care team's endpoints (a colleague who is
not on the client's care team is 403 ``not_care_team``; another program's client 404), and the client's own
page for their own thread (a home token opens only those; any other token is the wrong kind there)."""

from __future__ import annotations

import pytest

from tests.integration.messaging.helpers import client_writes, enrolled
from tests.support.access import unnamed

from server.db.tables import StaffRole

C = "/api/clients/{client_id}"
MESSAGING_ENDPOINTS = {
    ("GET", C + "/messages"): {"owner": 200, "colleague": 403, "admin": 200, "other_admin": 404},
    ("POST", C + "/messages"): {"owner": 201, "colleague": 403, "admin": 201, "other_admin": 404},
    ("GET", C + "/messages/unread"): {"owner": 200, "colleague": 403, "admin": 200, "other_admin": 404},
    # a list: everyone on staff may ask, each sees only their own clients (test_messages.py checks which)
    ("GET", "/api/messages/unread"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 200},
}
MESSAGING_HOME_ENDPOINTS = {
    ("GET", "/api/home/messages"): 200,
    ("POST", "/api/home/messages"): 201,
}
ROLES = ["anonymous", "owner", "colleague", "admin", "other_admin", "client", "home"]


async def _scene(world):
    team = await enrolled(world)
    await client_writes(world, team.home, "synthetic hello from the client")
    other_admin = await world.therapist(role=StaffRole.ADMIN)
    session = await world.session(team.therapist)
    link = await world.add_client(team.therapist, session["id"], "Client B")
    tokens = {"owner": team.therapist.access_token, "colleague": team.colleague.access_token,
              "admin": team.admin.access_token, "other_admin": other_admin.access_token, "anonymous": None,
              "client": (await world.redeem(link["join_url"]))["participant_token"], "home": team.home}
    return tokens, team.client_id


@pytest.mark.parametrize("endpoint", sorted(MESSAGING_ENDPOINTS))
async def test_messaging_endpoints_by_role(world, endpoint):
    method, template = endpoint
    tokens, client_id = await _scene(world)
    for role in ROLES:
        status, answer = await world.request(method, template.format(client_id=client_id), tokens[role],
                                             json={"text": "synthetic reply"} if method == "POST" else None)
        expected = MESSAGING_ENDPOINTS[endpoint].get(role, 401 if role == "home" else unnamed(role))
        assert status == expected, (role, status, answer)


@pytest.mark.parametrize("endpoint", sorted(MESSAGING_HOME_ENDPOINTS))
async def test_messaging_home_endpoints_by_role(world, endpoint):
    method, path = endpoint
    tokens, _ = await _scene(world)
    for role in ROLES:
        status, answer = await world.request(method, path, tokens[role],
                                             json={"text": "synthetic note"} if method == "POST" else None)
        assert status == (MESSAGING_HOME_ENDPOINTS[endpoint] if role == "home" else 401), (role, status, answer)

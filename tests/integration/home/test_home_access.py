"""Who may touch a client's standing link and profile, the program's settings, and the client's own page:
every role × own / other program. A home token opens only its own client's page; staff and participant
tokens are the wrong kind of token there (401), and a home token is the wrong kind everywhere else."""

from __future__ import annotations

import pytest

from tests.integration.home.helpers import open_home, standing_link
from tests.support.access import unnamed

from server.db.tables import StaffRole

C = "/api/clients/{client_id}"
CLIENT_ENDPOINTS = {
    ("GET", "/api/program/settings"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 200},
    ("PUT", "/api/program/settings"): {"owner": 403, "colleague": 403, "admin": 200, "other_admin": 200},
    ("GET", C): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 404},
    ("PUT", C + "/profile"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 404},
    ("POST", C + "/home-link"): {"owner": 201, "colleague": 201, "admin": 201, "other_admin": 404},
    ("DELETE", C + "/home-link"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 404},
}
HOME_ENDPOINTS = {
    ("GET", "/api/home"): 200,
    ("POST", "/api/home/sessions/{session_id}/join"): 200,
    ("POST", "/api/home/help"): 201,
    ("GET", "/api/home/help"): 404,  # none open: the answer of the client's own page, not a refusal
}
HOME_OPEN = {("POST", "/api/home/open")}  # the standing link's own token is its only credential
ROLES = ["anonymous", "owner", "colleague", "admin", "other_admin", "client", "home"]


def _body(method: str, path: str) -> dict | None:
    if path == "/api/program/settings" and method == "PUT":
        return {"timezone": "America/Chicago", "office_hours": "Mon-Fri 09:00-17:00"}
    if path.endswith("/profile"):
        return {"email": "client.a@example.test"}
    if path == "/api/home/help":
        return {} if method == "POST" else None
    return None


async def _tokens(world) -> tuple[dict, str, dict]:
    """A session with a client, and every role's token: staff, the client's participant token, their home token."""
    owner = await world.therapist()
    cast = {"owner": owner, "colleague": await world.therapist(program_id=owner.program_id),
            "admin": await world.therapist(program_id=owner.program_id, role=StaffRole.ADMIN),
            "other_admin": await world.therapist(role=StaffRole.ADMIN)}
    session = await world.session(owner)
    link = await world.add_client(owner, session["id"], "Client A")
    client_id = link["participant"]["client_id"]
    redeemed = await world.redeem(link["join_url"])
    home = await open_home(world, await standing_link(world, owner, client_id))
    return session, client_id, {name: staff.access_token for name, staff in cast.items()} | {
        "anonymous": None, "client": redeemed["participant_token"], "home": home}


@pytest.mark.parametrize("endpoint", sorted(CLIENT_ENDPOINTS))
async def test_client_and_program_endpoints_by_role(world, endpoint):
    method, template = endpoint
    session, client_id, tokens = await _tokens(world)
    for role in ROLES:
        path = template.format(client_id=client_id)
        status, answer = await world.request(method, path, tokens[role], json=_body(method, template))
        expected = CLIENT_ENDPOINTS[endpoint].get(role, 401 if role == "home" else unnamed(role))
        assert status == expected, (role, status, answer)


@pytest.mark.parametrize("endpoint", sorted(HOME_ENDPOINTS))
async def test_home_endpoints_by_role(world, endpoint):
    method, template = endpoint
    session, client_id, tokens = await _tokens(world)
    for role in ROLES:
        path = template.format(session_id=session["id"])
        status, answer = await world.request(method, path, tokens[role], json=_body(method, template))
        assert status == (HOME_ENDPOINTS[endpoint] if role == "home" else 401), (role, status, answer)

"""Who may touch monitoring: every role × own / other program for the care team's endpoints (another
program's client or alert answers 404), and the client's own page for check-ins and screeners (a home
token opens only those; any other token is the wrong kind there, and a home token the wrong kind here)."""

from __future__ import annotations

import pytest

from tests.integration.home.helpers import open_home, standing_link
from tests.integration.monitoring.helpers import PHQ9_ZERO
from tests.support.access import unnamed

from server.db.tables import StaffRole

C = "/api/clients/{client_id}"
MONITORING_ENDPOINTS = {
    ("POST", C + "/check-in-schedule"): {"owner": 201, "colleague": 201, "admin": 201, "other_admin": 404},
    ("GET", C + "/check-in-schedule"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 404},
    ("GET", C + "/check-ins"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 404},
    ("GET", "/api/program/monitoring/vocabulary"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 200},
    ("PUT", "/api/program/monitoring/vocabulary"): {"owner": 403, "colleague": 403, "admin": 200, "other_admin": 200},
    ("GET", "/api/program/screeners"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 200},
    ("PUT", "/api/program/screeners/{key}"): {"owner": 403, "colleague": 403, "admin": 200, "other_admin": 200},
}
MONITORING_HOME_ENDPOINTS = {
    ("GET", "/api/home/check-in"): 200,
    ("POST", "/api/home/check-ins"): 201,
    ("POST", "/api/home/screeners/{key}"): 201,
}
ROLES = ["anonymous", "owner", "colleague", "admin", "other_admin", "client", "home"]
YES_NO = [{"label": "No", "points": 0}, {"label": "Yes", "points": 1}]


def _body(method: str, path: str) -> dict | None:
    if path.endswith("/check-in-schedule") and method == "POST":
        return {"days": 3, "time": "10:00"}
    if path.endswith("/vocabulary") and method == "PUT":
        return {"phrases": ["hurt myself"]}
    if path == "/api/program/screeners/{key}":
        return {"title": "Local", "items": [{"key": "a", "text": "A", "options": YES_NO}],
                "bands": [{"low": 0, "high": 1, "label": "any"}]}
    if path.endswith("/acknowledge"):
        return {"note": "seen"}
    if path == "/api/home/check-ins":
        return {"mood": 6, "sleep_quality": 2, "cravings": 1}
    if path == "/api/home/screeners/{key}":
        return {"answers": PHQ9_ZERO}
    return None


async def _scene(world):
    owner = await world.therapist()
    cast = {"owner": owner, "colleague": await world.therapist(program_id=owner.program_id),
            "admin": await world.therapist(program_id=owner.program_id, role=StaffRole.ADMIN),
            "other_admin": await world.therapist(role=StaffRole.ADMIN)}
    session = await world.session(owner)
    link = await world.add_client(owner, session["id"], "Client A")
    client_id = link["participant"]["client_id"]
    home = await open_home(world, await standing_link(world, owner, client_id))
    status, _ = await world.request("POST", "/api/home/check-ins", home,
                                    json={"mood": 5, "sleep_hours": 6, "cravings": 0, "note": "I want to die"})
    assert status == 201
    status, listed = await world.request("GET", "/api/alerts", owner.access_token)
    tokens = {name: staff.access_token for name, staff in cast.items()} | {
        "anonymous": None, "client": (await world.redeem(link["join_url"]))["participant_token"], "home": home}
    ids = {"client_id": client_id, "alert_id": listed["alerts"][0]["alert_id"]}
    return tokens, ids


@pytest.mark.parametrize("endpoint", sorted(MONITORING_ENDPOINTS))
async def test_monitoring_endpoints_by_role(world, endpoint):
    method, template = endpoint
    tokens, ids = await _scene(world)
    for role in ROLES:
        key = f"local_{role}" if role in ("admin", "other_admin") else "local"
        path = template.format(key=key, **ids)
        status, answer = await world.request(method, path, tokens[role], json=_body(method, template))
        expected = MONITORING_ENDPOINTS[endpoint].get(role, 401 if role == "home" else unnamed(role))
        assert status == expected, (role, status, answer)


@pytest.mark.parametrize("endpoint", sorted(MONITORING_HOME_ENDPOINTS))
async def test_monitoring_home_endpoints_by_role(world, endpoint):
    method, template = endpoint
    tokens, _ = await _scene(world)
    for role in ROLES:
        path = template.format(key="phq9")
        status, answer = await world.request(method, path, tokens[role], json=_body(method, template))
        assert status == (MONITORING_HOME_ENDPOINTS[endpoint] if role == "home" else 401), (role, status, answer)

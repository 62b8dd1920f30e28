"""Who may touch the alerts: every role × own program (the client's therapist, a colleague not on the
client's care team, an admin) / another program, for each alert endpoint; and who may open the live
dashboard's socket (/staff)."""

from __future__ import annotations

import pytest
import socketio

from tests.integration.dashboard.helpers import StaffSocket, scene, urgent_check_in
from tests.support.access import unnamed

A = "/api/alerts/{alert_id}"
# a colleague of the program who is not on the client's care team gets 404, as another program does
DASHBOARD_ENDPOINTS = {
    ("GET", "/api/alerts"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 200},
    ("POST", A + "/acknowledge"): {"owner": 200, "colleague": 404, "admin": 200, "other_admin": 404},
    ("POST", A + "/assign"): {"owner": 200, "colleague": 404, "admin": 200, "other_admin": 404},
    ("POST", A + "/resolve"): {"owner": 200, "colleague": 404, "admin": 200, "other_admin": 404},
}
# the socket namespace of the live dashboard: who may connect (clients send it no events)
DASHBOARD_SOCKET = {"owner": True, "colleague": True, "admin": True, "other_admin": True, "client": False,
                    "home": False, "anonymous": False}
ROLES = ["anonymous", "client", "home", "owner", "colleague", "admin", "other_admin"]


def _body(template: str) -> dict | None:
    if template.endswith("/resolve"):
        return {"note": "Called them; safe."}
    return {} if template.startswith(A) else None


async def _tokens(world):
    cast = await scene(world)
    await urgent_check_in(world, cast.home)
    status, listed = await world.request("GET", "/api/alerts", cast.therapist.access_token)
    link = await world.add_client(cast.therapist, (await world.session(cast.therapist))["id"], "Client B")
    tokens = {"owner": cast.therapist.access_token, "colleague": cast.colleague.access_token,
              "admin": cast.admin.access_token, "other_admin": cast.other_admin.access_token, "anonymous": None,
              "client": (await world.redeem(link["join_url"]))["participant_token"], "home": cast.home}
    return tokens, listed["alerts"][0]["alert_id"]


@pytest.mark.parametrize("endpoint", sorted(DASHBOARD_ENDPOINTS))
async def test_dashboard_endpoints_by_role(world, endpoint):
    method, template = endpoint
    tokens, alert_id = await _tokens(world)
    for role in ROLES:
        status, answer = await world.request(method, template.format(alert_id=alert_id), tokens[role],
                                             json=_body(template))
        expected = DASHBOARD_ENDPOINTS[endpoint].get(role, 401 if role == "home" else unnamed(role))
        assert status == expected, (role, status, answer)


async def test_dashboard_socket_by_role(world):
    tokens, _ = await _tokens(world)
    for role in ROLES:
        sock = StaffSocket(world.base_url)
        world.sockets.append(sock)
        if DASHBOARD_SOCKET[role]:
            await sock.connect(tokens[role])
            assert sock.sio.connected
            await sock.close()
        else:
            with pytest.raises(socketio.exceptions.ConnectionError):
                await sock.connect(tokens[role])
            assert sock.refusal["data"]["code"] in ("unauthorized", "invalid_token"), (role, sock.refusal)

"""Every endpoint and every socket event × every role × own / other program."""

from __future__ import annotations

import dataclasses

import pytest

from server.db.tables import StaffRole
from server.routes import API
from tests.integration.crisis.test_crisis_access import CRISIS_ENDPOINTS, RESPONDER_LINKS
from tests.integration.crisis.test_on_call import PAGE_ANSWER
from tests.integration.dashboard.test_dashboard_access import DASHBOARD_ENDPOINTS, DASHBOARD_SOCKET
from tests.integration.home.test_home_access import CLIENT_ENDPOINTS, HOME_ENDPOINTS, HOME_OPEN
from tests.integration.messaging.test_messaging_access import MESSAGING_ENDPOINTS, MESSAGING_HOME_ENDPOINTS
from tests.integration.outreach.test_missed_sessions import OUTREACH_ENDPOINTS
from tests.integration.monitoring.test_monitoring_access import MONITORING_ENDPOINTS, MONITORING_HOME_ENDPOINTS
from tests.integration.crisis.test_private_room_access import ROOM_AND_FOLLOW_UP_ENDPOINTS
from tests.integration.plans.test_plan_access import PLAN_ENDPOINTS
from tests.integration.server.test_on_call_api import ON_CALL_ENDPOINTS
from tests.support.access import unnamed

ROLES = ["anonymous", "owner", "colleague", "admin", "other_admin", "client"]


async def _cast(world) -> dict:
    owner = await world.therapist()
    return {"owner": owner, "colleague": await world.therapist(program_id=owner.program_id),
            "admin": await world.therapist(program_id=owner.program_id, role=StaffRole.ADMIN),
            "other_admin": await world.therapist(role=StaffRole.ADMIN)}


async def _scene(world, cast: dict, fresh_sign_ins: bool):
    """A fresh session with a client (a previous call may have ended the last one)."""
    if fresh_sign_ins:  # the previous call signed out
        for staff in cast.values():
            staff.access_token = await world.login(staff.email)
    tokens = {role: staff.access_token for role, staff in cast.items()}
    owner = dataclasses.replace(cast["owner"], access_token=tokens["owner"])
    session = await world.session(owner)
    link = await world.add_client(owner, session["id"], "Client A")
    tokens["client"] = (await world.redeem(link["join_url"]))["participant_token"]
    tokens["anonymous"] = None
    return tokens, session, link


# expected status per role for each staff endpoint on the owner's session (None: not applicable)
SESSION_ENDPOINTS = {
    ("GET", "/api/sessions/{session_id}"): {"owner": 200, "colleague": 403, "admin": 200, "other_admin": 404},
    ("POST", "/api/sessions/{session_id}/participants"): {"owner": 201, "colleague": 403, "admin": 201,
                                                          "other_admin": 404},
    ("POST", "/api/sessions/{session_id}/participants/{participant_id}/link"): {
        "owner": 200, "colleague": 403, "admin": 200, "other_admin": 404},
    ("DELETE", "/api/sessions/{session_id}/participants/{participant_id}/link"): {
        "owner": 200, "colleague": 403, "admin": 200, "other_admin": 404},
    ("POST", "/api/sessions/{session_id}/participants/{participant_id}/send-link"): {
        "owner": 200, "colleague": 403, "admin": 200, "other_admin": 404},
    ("POST", "/api/sessions/{session_id}/host"): {"owner": 200, "colleague": 403, "admin": 403, "other_admin": 404},
    ("POST", "/api/sessions/{session_id}/co-facilitators"): {"owner": 201, "colleague": 403, "admin": 201,
                                                             "other_admin": 404},
    ("GET", "/api/program/therapists"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 200},
    ("POST", "/api/sessions/{session_id}/end"): {"owner": 200, "colleague": 403, "admin": 200, "other_admin": 404},
    ("GET", "/api/audit"): {"owner": 403, "colleague": 403, "admin": 200, "other_admin": 404},
    ("GET", "/api/sessions"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 200},
    ("POST", "/api/sessions"): {"owner": 201, "colleague": 201, "admin": 201, "other_admin": 201},
    ("GET", "/api/me"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 200},
    ("POST", "/api/auth/logout"): {"owner": 200, "colleague": 200, "admin": 200, "other_admin": 200},
}
PUBLIC = {("POST", "/api/auth/login"), ("POST", "/api/join")}


def test_the_matrix_covers_every_endpoint():
    assert {(op.method, op.path) for op, _ in API} == (set(SESSION_ENDPOINTS) | PUBLIC | set(PLAN_ENDPOINTS)
                                                     | set(CRISIS_ENDPOINTS) | RESPONDER_LINKS | PAGE_ANSWER
                                                     | set(ON_CALL_ENDPOINTS)
                                                     | set(ROOM_AND_FOLLOW_UP_ENDPOINTS) | set(CLIENT_ENDPOINTS)
                                                     | set(HOME_ENDPOINTS) | HOME_OPEN | set(OUTREACH_ENDPOINTS)
                                                     | set(MONITORING_ENDPOINTS) | set(MONITORING_HOME_ENDPOINTS)
                                                     | set(MESSAGING_ENDPOINTS) | set(MESSAGING_HOME_ENDPOINTS)
                                                     | set(DASHBOARD_ENDPOINTS))


@pytest.mark.parametrize("endpoint", sorted(SESSION_ENDPOINTS))
async def test_staff_endpoints_by_role(world, endpoint):
    from datetime import timedelta

    from server.db.tables import utcnow
    method, template = endpoint
    cast = await _cast(world)
    for role in ROLES:
        tokens, session, link = await _scene(world, cast, fresh_sign_ins=template == "/api/auth/logout")
        path = template.format(session_id=session["id"], participant_id=link["participant"]["id"])
        if template == "/api/audit":
            path += f"?session_id={session['id']}"
        body = None
        if template.endswith("/participants"):
            body = {"display_name": "Client B"}
            await world.request("DELETE", f"/api/sessions/{session['id']}/participants/"
                                f"{link['participant']['id']}/link", tokens["owner"])
            await world.store.remove_participant(link["participant"]["id"])
        if template.endswith("/send-link"):
            body = {"email": "client-a@example.test"}
        if template.endswith("/co-facilitators"):
            body = {"staff_id": cast["colleague"].id}
        if template == "/api/sessions" and method == "POST":
            now = utcnow()
            body = {"kind": "group", "title": "T", "starts_at": now.isoformat(),
                    "ends_at": (now + timedelta(hours=1)).isoformat()}
        status, _ = await world.request(method, path, tokens[role], json=body)
        expected = SESSION_ENDPOINTS[endpoint].get(role, unnamed(role))
        assert status == expected, (role, method, path, status)


EVENTS = {
    "admit": {"participant_id": "x"}, "deny": {"participant_id": "x"}, "send_to_lobby": {"participant_id": "x"},
    "remove": {"participant_id": "x"}, "ask_mute": {"participant_id": "x"}, "lock": {"locked": False},
    "end_session": {}, "signal": {"to": "x", "description": {"type": "offer", "sdp": "v=0"}},
    "media_state": {"audio": True, "video": True}, "leave": {},
    "media_offer": {"sdp": "v=0"}, "media_answer": {"sdp": "v=0"}, "media_candidate": {"candidate": None},
    "chat": {"text": "hello"}, "raise_hand": {"raised": True}, "lower_hand": {"participant_id": "x"},
}
# permitted, but this target or session does not apply (never "not_permitted")
ALLOWED_BUT_NOT_APPLICABLE = {"unknown_participant", "not_waiting", "not_group_session"}
MODERATION = {"admit", "deny", "send_to_lobby", "remove", "ask_mute", "lock", "end_session", "lower_hand"}


def test_the_event_matrix_covers_every_event():
    from types import SimpleNamespace

    from signaling.namespace import RoomNamespace

    rooms = SimpleNamespace(admit=None, deny=None, send_to_lobby=None, remove=None, ask_mute=None)
    namespace = RoomNamespace(rooms, None, None, None, rate=1, burst=1)
    assert set(namespace._routes) == set(EVENTS) | {"join"}


def test_the_staff_namespace_takes_no_events_from_clients():
    """The live dashboard's namespace (/staff) only pushes: a client can connect and disconnect, nothing
    more (who may connect: ``DASHBOARD_SOCKET``, tested in tests/integration/dashboard)."""
    from server.dashboard.namespace import StaffNamespace

    handlers = {name for name in dir(StaffNamespace) if name.startswith("on_")}
    assert handlers == {"on_connect", "on_disconnect"}
    assert set(DASHBOARD_SOCKET) >= set(ROLES)


@pytest.mark.parametrize("event", sorted(EVENTS))
async def test_socket_events_by_role(world, event):
    owner = await world.therapist()
    session = await world.session(owner)
    host = await world.host_in_room(owner, session["id"])
    link = await world.add_client(owner, session["id"], "Client A")
    client, pid = await world.admitted_client(host, link["join_url"])
    ack = await client.call(event, EVENTS[event])
    if event in MODERATION:
        assert ack["error"]["code"] == "not_permitted"
    else:
        assert ack["ok"] or ack["error"]["code"] in ALLOWED_BUT_NOT_APPLICABLE, ack
    if event != "leave":
        ack = await host.call(event, EVENTS[event])
        assert ack["ok"] or ack["error"]["code"] in ALLOWED_BUT_NOT_APPLICABLE, ack


async def test_a_removed_participant_cannot_reconnect_with_the_same_token(world):
    owner = await world.therapist()
    session = await world.session(owner)
    host = await world.host_in_room(owner, session["id"])
    link = await world.add_client(owner, session["id"], "Client A")
    redeemed = await world.redeem(link["join_url"])
    client = await world.socket(redeemed["participant_token"])
    await client.call("join")
    pid = redeemed["participant"]["id"]
    await host.wait_for("lobby", lambda d: d["waiting"])
    assert (await host.call("remove", {"participant_id": pid}))["ok"]
    await client.wait_for("removed")
    import socketio
    again = world.socket_client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await again.connect(redeemed["participant_token"])
    assert again.refusal["data"]["code"] == "auth_failed"

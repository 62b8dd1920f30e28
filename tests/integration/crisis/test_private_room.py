"""Moving a client out of a group into a private crisis room (REST + Socket.IO, SQLite and PostgreSQL):
a new individual session with the client admitted, the crisis held open there (opened, or moved from
the group with a ``moved`` event), ``moved_to_room`` to the client only, the group left cleanly."""

from __future__ import annotations

import pytest

from server.app_keys import CRISES
from server.db.tables import StaffRole
from tests.conftest import make_settings
from tests.integration.crisis.group_helpers import group, move, moved_event


@pytest.fixture
def settings(database_url):
    return make_settings(database_url)


async def test_move_opens_the_crisis_in_a_private_room_and_the_client_walks_straight_in(world):
    g = await group(world)
    a, b = g.clients
    status, room = await move(world, g, a)
    assert status == 201, room
    private = room["session"]
    assert (private["kind"], private["program_id"], private["therapist_id"]) == (
        "individual", g.session["program_id"], g.therapist.id)
    assert private["id"] != g.session_id and room["from_session_id"] == g.session_id
    assert [p["client_id"] for p in private["participants"] if p["role"] == "client"] == [a.client_id]
    crisis = room["crisis"]
    assert (crisis["session_id"], crisis["client_id"], crisis["state"]) == (private["id"], a.client_id, "active")
    assert [e["kind"] for e in crisis["timeline"]] == ["state_changed", "moved"]
    moved = crisis["timeline"][-1]
    assert (moved["from_session_id"], moved["to_session_id"], moved["participant_id"]) == (
        g.session_id, private["id"], a.client_id)
    assert room["crisis_moved"] is False and room["client_notified"] is True

    event = await moved_event(a, private["id"])
    assert event["from_session_id"] == g.session_id and event["participant"]["client_id"] == a.client_id
    assert "private room" in event["reason"]
    assert not b.sock.events.get("moved_to_room") and not g.host.events.get("moved_to_room")

    # the client leaves the group (the others see it) and walks straight into the private room
    assert (await a.sock.call("leave"))["ok"]
    await b.sock.wait_for("presence", lambda p: p["participant_id"] == a.participant_id and p["state"] == "left")
    await a.sock.disconnect()
    therapist_there = await world.socket(room["participant_token"])
    joined = await therapist_there.call("join")
    assert joined["state"]["you"]["role"] == "therapist"
    assert joined["state"]["crisis"]["crisis_id"] == crisis["crisis_id"]
    client_there = await world.socket(event["participant_token"])
    joined = await client_there.call("join")
    assert joined["ok"] and joined["state"]["you"]["status"] == "admitted", joined  # no waiting room
    assert joined["state"]["kind"] == "individual"
    await therapist_there.wait_for("presence", lambda p: p["state"] == "joined" and p["role"] == "client")

    # the group goes on; the private room is held open by the crisis
    status, still = await world.request("GET", f"/api/sessions/{g.session_id}", g.therapist.access_token)
    assert still["status"] == "scheduled"
    status, refused = await world.request("POST", f"/api/sessions/{private['id']}/end", g.therapist.access_token)
    assert (status, refused["code"]) == (409, "crisis_active")

    admin = await world.therapist(program_id=g.therapist.program_id, role=StaffRole.ADMIN)
    status, trail = await world.request("GET", f"/api/audit?session_id={g.session_id}", admin.access_token)
    assert ("crisis.private_room", "success") in [(r["action"], r["outcome"]) for r in trail["records"]]
    status, trail = await world.request("GET", f"/api/audit?session_id={private['id']}", admin.access_token)
    assert ("crisis.start", crisis["crisis_id"]) in [(r["action"], r["target_id"]) for r in trail["records"]]


async def test_an_open_group_crisis_about_the_client_moves_with_them(world):
    g = await group(world)
    a, _ = g.clients
    status, opened = await world.request("POST", f"/api/sessions/{g.session_id}/crisis", g.therapist.access_token,
                                         json={"client_id": a.client_id})
    assert status == 201, opened
    status, room = await move(world, g, a)
    assert status == 201, room
    crisis = room["crisis"]
    assert room["crisis_moved"] is True and crisis["crisis_id"] == opened["crisis_id"]
    assert crisis["version"] == opened["version"] + 1 and crisis["timeline"][-1]["kind"] == "moved"
    assert await world.app[CRISES].session_of(crisis["crisis_id"]) == room["session"]["id"]
    notice = await g.host.wait_for("crisis", lambda d: d["event"]["kind"] == "moved")
    assert notice["session_id"] == room["session"]["id"]
    status, again = await move(world, g, a)  # their crisis is already held in the private room
    assert (status, again["code"]) == (409, "crisis_elsewhere")
    status, ended = await world.request("POST", f"/api/sessions/{g.session_id}/end", g.therapist.access_token)
    assert status == 200, ended  # nothing holds the group open any more


async def test_another_clients_group_crisis_stays_in_the_group(world):
    g = await group(world)
    a, b = g.clients
    status, opened = await world.request("POST", f"/api/sessions/{g.session_id}/crisis", g.therapist.access_token,
                                         json={"client_id": b.client_id})
    assert status == 201
    status, room = await move(world, g, a)
    assert status == 201 and room["crisis_moved"] is False and room["crisis"]["crisis_id"] != opened["crisis_id"]
    assert await world.app[CRISES].session_of(opened["crisis_id"]) == g.session_id


async def test_refusals(world):
    g = await group(world, names=("Client A",))
    a = g.clients[0]
    path = f"/api/sessions/{g.session_id}/private-room"
    token = g.therapist.access_token
    for body in ({}, {"participant_id": ""}, {"participant_id": "x" * 65}, {"participant_id": a.participant_id,
                                                                            "extra": 1}):
        status, problem = await world.request("POST", path, token, json=body)
        assert status == 422, (body, problem)
    for pid in ("no-such-participant", g.host_pid):
        status, problem = await world.request("POST", path, token, json={"participant_id": pid})
        assert status == 404, problem
    individual = await world.session(g.therapist)
    link = await world.add_client(g.therapist, individual["id"], "Client I")
    status, problem = await world.request("POST", f"/api/sessions/{individual['id']}/private-room", token,
                                          json={"participant_id": link["participant"]["id"]})
    assert (status, problem["code"]) == (409, "not_group_session")
    other = await world.session(g.therapist, kind="group")  # a client of another group is not in this one
    other_link = await world.add_client(g.therapist, other["id"], "Client O")
    status, _ = await world.request("POST", path, token, json={"participant_id": other_link["participant"]["id"]})
    assert status == 404
    await world.request("POST", f"/api/sessions/{g.session_id}/end", token)
    status, problem = await world.request("POST", path, token, json={"participant_id": a.participant_id})
    assert (status, problem["code"]) == (409, "session_ended")

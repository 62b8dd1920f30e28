"""The live dashboard: an alert raised by a client's check-in is pushed at once to the signed-in clinicians
who may see that client (their own therapist, an admin of the program) and to nobody else (a colleague not
on the client's care team, another program); acknowledging, assigning and resolving push it again, are
audited and scoped the same way in the REST lists; the socket refuses anyone not signed in as staff and
ends with the sign-in. On SQLite and PostgreSQL; across two nodes through Redis."""

from __future__ import annotations

import asyncio

import pytest
import socketio
from sqlalchemy import text

from server.app_keys import ENGINE
from tests.conftest import make_settings
from tests.integration.dashboard.helpers import StaffSocket, scene, staff_socket, urgent_check_in

QUIET = 0.5  # how long a socket that must not receive anything is watched after the others have


@pytest.fixture
def settings(database_url):
    return make_settings(database_url)


def _about(client_id: str):
    return lambda data: data["alert"]["client_id"] == client_id


async def test_an_alert_reaches_who_may_see_the_client_and_nobody_else(world):
    cast = await scene(world)
    own, colleague, admin, other = [await staff_socket(world, s.access_token) for s in
                                    (cast.therapist, cast.colleague, cast.admin, cast.other_admin)]
    await urgent_check_in(world, cast.home)
    for sock in (own, admin):
        pushed = (await sock.wait_for("alert", _about(cast.client_id), timeout=2))["alert"]
        assert pushed["rule"] == "self_harm_words" and pushed["urgency"] == "urgent"
        assert pushed["client_name"] == "Client A" and "die" not in pushed["subject"]
        assert pushed["acknowledged_at"] is None and pushed["resolved_at"] is None
    await asyncio.sleep(QUIET)
    assert colleague.events["alert"] == [] and other.events["alert"] == []

    # the REST lists agree: the colleague sees none of it, the therapist and the admin see it
    for staff, expected in ((cast.therapist, 1), (cast.admin, 1), (cast.colleague, 0)):
        status, listed = await world.request("GET", "/api/alerts", staff.access_token)
        assert status == 200 and len([a for a in listed["alerts"] if a["client_id"] == cast.client_id]) == expected


async def test_acknowledge_assign_and_resolve_are_pushed_audited_and_scoped(world):
    cast = await scene(world)
    await urgent_check_in(world, cast.home)
    status, listed = await world.request("GET", "/api/alerts", cast.therapist.access_token)
    alert_id = listed["alerts"][0]["alert_id"]
    admin, colleague = [await staff_socket(world, s.access_token) for s in (cast.admin, cast.colleague)]
    path = f"/api/alerts/{alert_id}"

    # a colleague not on the care team, and another program, cannot touch it (as if it did not exist)
    for staff in (cast.colleague, cast.other_admin):
        status, answer = await world.request("POST", path + "/acknowledge", staff.access_token, json={})
        assert (status, answer["code"]) == (404, "alert_not_found")

    status, acked = await world.request("POST", path + "/acknowledge", cast.therapist.access_token,
                                        json={"note": "Seen, calling now."})
    assert status == 200 and acked["acknowledged_by"] == cast.therapist.id
    pushed = await admin.wait_for("alert", lambda d: d["alert"]["acknowledged_at"] is not None, timeout=2)
    assert pushed["alert"]["acknowledged_note"] == "Seen, calling now."

    # the admin gives it to the colleague, who now receives it and may resolve it
    status, given = await world.request("POST", path + "/assign", cast.admin.access_token,
                                        json={"staff_id": cast.colleague.id})
    assert status == 200 and given["assigned_to"] == cast.colleague.id
    await colleague.wait_for("alert", lambda d: d["alert"]["assigned_to"] == cast.colleague.id, timeout=2)
    status, mine = await world.request("GET", "/api/alerts", cast.colleague.access_token)
    assert [a["alert_id"] for a in mine["alerts"]] == [alert_id]

    note = "Reached them: safe with their sister tonight, session booked tomorrow."
    status, done = await world.request("POST", path + "/resolve", cast.colleague.access_token, json={"note": note})
    assert status == 200 and done["resolved_by"] == cast.colleague.id and done["resolved_note"] == note
    for sock in (admin, colleague):
        await sock.wait_for("alert", lambda d: d["alert"]["resolved_note"] == note, timeout=2)
    status, open_ones = await world.request("GET", "/api/alerts?resolved=false", cast.admin.access_token)
    assert alert_id not in {a["alert_id"] for a in open_ones["alerts"]}
    status, done_ones = await world.request("GET", "/api/alerts?resolved=true", cast.admin.access_token)
    assert alert_id in {a["alert_id"] for a in done_ones["alerts"]}

    # assigning to someone outside the program is refused; a note is required to resolve
    status, answer = await world.request("POST", path + "/assign", cast.admin.access_token,
                                         json={"staff_id": cast.other_admin.id})
    assert (status, answer["code"]) == (422, "not_a_colleague")
    status, _ = await world.request("POST", path + "/resolve", cast.admin.access_token, json={"note": ""})
    assert status == 422

    async with world.app[ENGINE].connect() as conn:
        raw = (await conn.execute(text("SELECT resolved_note FROM alerts WHERE id = :id"), {"id": alert_id})).scalar()
        actions = set((await conn.execute(text("SELECT action FROM audit_records WHERE target_id = :id"),
                                          {"id": alert_id})).scalars())
    assert raw and "sister" not in raw  # encrypted at rest
    assert {"alert.acknowledge", "alert.assign", "alert.resolve"} <= actions


async def test_the_socket_is_for_signed_in_staff_only_and_ends_with_the_sign_in(world):
    cast = await scene(world)
    link = await world.add_client(cast.therapist, (await world.session(cast.therapist))["id"], "Client B")
    participant = (await world.redeem(link["join_url"]))["participant_token"]
    for token, code in ((None, "unauthorized"), ("not-a-token", "invalid_token"), (participant, "invalid_token"),
                        (cast.home, "invalid_token")):
        sock = StaffSocket(world.base_url)
        world.sockets.append(sock)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await sock.connect(token)
        assert sock.refusal["data"]["code"] == code, (token and token[:8], sock.refusal)

    open_socket = await staff_socket(world, cast.therapist.access_token)
    status, _ = await world.request("POST", "/api/auth/logout", cast.therapist.access_token)
    assert status == 200
    await open_socket.wait_for("signed_out", timeout=2)
    await open_socket.wait_disconnected(timeout=2)
    again = StaffSocket(world.base_url)
    world.sockets.append(again)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await again.connect(cast.therapist.access_token)
    assert again.refusal["data"]["code"] == "signed_out"


async def test_an_outreach_task_is_pushed_when_assigned_and_resolved(world):
    from server.app_keys import OUTREACH
    from server.db.tables import utcnow
    from server.outreach.store import MissedPlace
    cast = await scene(world)
    participant = (await world.request("GET", f"/api/sessions/{cast.session_id}", cast.therapist.access_token))[1]
    place_id = next(p["id"] for p in participant["participants"] if p.get("client_id") == cast.client_id)
    place = MissedPlace(participant_id=place_id, client_id=cast.client_id, session_id=cast.session_id,
                        program_id=cast.therapist.program_id, therapist_id=cast.therapist.id, starts_at=utcnow())
    task = await world.app[OUTREACH].add_missed(place, utcnow())
    own, colleague = [await staff_socket(world, s.access_token) for s in (cast.therapist, cast.colleague)]
    status, listed = await world.request("GET", "/api/outreach", cast.colleague.access_token)
    assert status == 200 and listed["tasks"] == []
    status, answer = await world.request("POST", f"/api/outreach/{task.id}/resolve", cast.colleague.access_token,
                                         json={"note": "x"})
    assert status == 404
    status, _ = await world.request("POST", f"/api/outreach/{task.id}/assign", cast.therapist.access_token, json={})
    assert status == 200
    pushed = await own.wait_for("outreach_task", lambda d: d["task"]["assigned_to"] == cast.therapist.id, timeout=2)
    assert pushed["task"]["client_name"] == "Client A"
    status, _ = await world.request("POST", f"/api/outreach/{task.id}/resolve", cast.therapist.access_token,
                                    json={"note": "Reached them."})
    assert status == 200
    await own.wait_for("outreach_task", lambda d: d["task"]["resolved_at"] is not None, timeout=2)
    await asyncio.sleep(QUIET)
    assert colleague.events["outreach_task"] == []

"""The client's "I need help now": it opens a crisis at once, the therapist in the room hears of it, an
urgent alert is left for the program, a second press is harmless, and a press racing the therapist's
"start crisis" still leaves exactly one open crisis."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from server.app_keys import ENGINE
from server.db.crisis_tables import CrisisRecord
from server.db.tables import StaffRole
from tests.integration.crisis.group_helpers import group
from tests.integration.crisis.helpers import scene, start_crisis, walk_to_closed
from tests.integration.plans.test_plan_access import _support_token

HELP = "/api/participant/help"


async def _open_crises(world, session_id: str) -> int:
    async with world.app[ENGINE].connect() as conn:
        query = select(func.count()).select_from(CrisisRecord).where(
            CrisisRecord.session_id == session_id, CrisisRecord.state != "closed")
        return (await conn.execute(query)).scalar_one()


async def test_help_now_opens_a_crisis_the_therapist_sees(world):
    s = await scene(world)
    host = await world.host_in_room(s.therapist, s.session_id)
    status, help_ = await world.request("POST", HELP, s.client.token)
    assert status == 201, help_
    assert help_["state"] == "active" and help_["already_open"] is False and help_["therapist_connected"] is True
    cid = help_["crisis_id"]
    requested = await host.wait_for("help_requested", lambda d: d["crisis_id"] == cid)
    assert requested["participant_id"] == s.client.participant_id
    notice = await host.wait_for("crisis", lambda d: d["crisis_id"] == cid)
    assert notice["event"]["actor_role"] == "client" and notice["event"]["action"] == "start"

    status, crisis = await world.request("GET", f"/api/crises/{cid}", s.therapist.access_token)
    assert status == 200 and crisis["client_id"] == s.client.client_id
    assert crisis["responsible_clinician_id"] == s.therapist.id  # the session's therapist leads it
    assert crisis["allowed_actions"] == ["dispatch_help", "stabilise"]

    status, again = await world.request("POST", HELP, s.client.token)
    assert status == 200 and again["crisis_id"] == cid and again["already_open"] is True

    status, alerts = await world.request("GET", "/api/alerts", s.therapist.access_token)
    urgent = [a for a in alerts["alerts"] if a["kind"] == "crisis.help_requested"]
    assert status == 200 and len(urgent) == 1 and urgent[0]["urgency"] == "urgent", alerts
    assert urgent[0]["client_id"] == s.client.client_id

    admin = await world.therapist(program_id=s.therapist.program_id, role=StaffRole.ADMIN)
    status, trail = await world.request("GET", f"/api/audit?session_id={s.session_id}", admin.access_token)
    assert [r["outcome"] for r in trail["records"] if r["action"] == "crisis.help_request"] == ["success", "success"]

    status, ended = await world.request("POST", f"/api/sessions/{s.session_id}/end", s.therapist.access_token)
    assert (status, ended["code"]) == (409, "crisis_active")  # the client's crisis holds the session open
    await walk_to_closed(world, s, crisis)
    status, fresh = await world.request("POST", HELP, s.client.token)
    assert status == 201 and fresh["crisis_id"] != cid  # a new crisis after the last one closed


async def test_help_without_a_connected_therapist_says_so(world):
    s = await scene(world)
    status, help_ = await world.request("POST", HELP, s.client.token)
    assert status == 201 and help_["therapist_connected"] is False
    status, alerts = await world.request("GET", "/api/alerts", s.therapist.access_token)
    assert any(a["kind"] == "crisis.help_requested" for a in alerts["alerts"])


async def test_help_pressed_while_the_therapist_starts_one_opens_exactly_one(world):
    for _ in range(3):
        s = await scene(world)
        start = world.request("POST", f"/api/sessions/{s.session_id}/crisis", s.therapist.access_token)
        press = world.request("POST", HELP, s.client.token)
        (start_status, started), (help_status, helped) = await asyncio.gather(start, press)
        assert await _open_crises(world, s.session_id) == 1
        assert help_status in (200, 201), helped
        if start_status == 201:
            assert helped["crisis_id"] == started["crisis_id"]
        else:
            assert start_status == 409, started


async def test_help_after_the_therapist_started_answers_with_that_crisis(world):
    s = await scene(world)
    crisis = await start_crisis(world, s)
    status, help_ = await world.request("POST", HELP, s.client.token)
    assert status == 200 and help_["crisis_id"] == crisis["crisis_id"] and help_["already_open"] is True


async def test_only_a_client_can_ask_for_help(world):
    s = await scene(world)
    support = await _support_token(world, s.session_id, s.client.client_id)
    assert (await world.request("POST", HELP, support))[0] == 403
    assert (await world.request("POST", HELP, None))[0] == 401
    assert (await world.request("POST", HELP, s.therapist.access_token))[0] == 401
    assert await _open_crises(world, s.session_id) == 0


async def test_a_client_still_in_the_waiting_room_can_ask_for_help_and_the_group_is_not_told(world):
    """A client may be in crisis before being let in (issue 18, item 3): the press works from the lobby,
    the therapists hear of it with the presser named, the presser gets their crisis, and the group's
    admitted clients get nothing of it."""
    g = await group(world, names=("Client A",))
    link = await world.add_client(g.therapist, g.session_id, "Client W")
    redeemed = await world.redeem(link["join_url"])
    waiting = await world.socket(redeemed["participant_token"])
    ack = await waiting.call("join")
    assert ack["state"]["you"]["status"] == "lobby", ack
    pid = redeemed["participant"]["id"]
    await g.host.wait_for("lobby", lambda d: any(w["participant_id"] == pid for w in d["waiting"]))

    status, help_ = await world.request("POST", HELP, redeemed["participant_token"])
    assert status == 201 and help_["state"] == "active" and help_["therapist_connected"] is True, help_
    requested = await g.host.wait_for("help_requested", lambda d: d["participant_id"] == pid)
    assert requested["crisis_id"] == help_["crisis_id"]
    await waiting.wait_for("crisis", lambda d: d["crisis_id"] == help_["crisis_id"])  # their own crisis
    await asyncio.sleep(0.3)  # anything for the group would have arrived by now
    bystander = g.clients[0].sock
    assert bystander.events["help_requested"] == [] and bystander.events["crisis"] == []

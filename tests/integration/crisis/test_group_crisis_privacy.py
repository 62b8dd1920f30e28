"""A client's crisis in a group is theirs and the staff's, nobody else's (issue 18, item 1).

At the protocol level: the ``crisis`` socket event and the room state's ``crisis`` summary reach the
session's staff and the client the crisis is about, never the other clients of the group. When the
therapist takes the client to a private room, the others get only the neutral ``host_stepped_out``
notice (who stepped out, and which of the group's hosts stays with them): no crisis id, client id,
state or timeline event."""

from __future__ import annotations

import json

from tests.integration.crisis.group_helpers import GroupMember, group, move, moved_event
from tests.support.world import SEEN_SECRETS

HELP = "/api/participant/help"


async def _client_with_token(world, g, name: str) -> tuple[GroupMember, str]:
    link = await world.add_client(g.therapist, g.session_id, name)
    redeemed = await world.redeem(link["join_url"])
    token = redeemed["participant_token"]
    SEEN_SECRETS.add(token)
    sock = await world.socket(token)
    assert (await sock.call("join"))["ok"]
    pid = redeemed["participant"]["id"]
    await g.host.wait_for("lobby", lambda d: any(w["participant_id"] == pid for w in d["waiting"]))
    assert (await g.host.call("admit", {"participant_id": pid}))["ok"]
    await sock.wait_for("admitted")
    member = GroupMember(name, pid, link["participant"]["client_id"], sock)
    g.clients.append(member)
    return member, token


async def _state(member: GroupMember) -> dict:
    """The room state as a (re)join gives it; the round trip also lets every earlier event arrive."""
    ack = await member.sock.call("join")
    assert ack["ok"], ack
    return ack["state"]


def _says_nothing_of(data: object, *secrets: str) -> None:
    text = json.dumps(data)
    for secret in secrets:
        assert secret not in text, (secret, data)


async def test_help_pressed_in_a_group_reaches_staff_and_that_client_only(world):
    g = await group(world, names=("Client B",))
    bystander = g.clients[0]
    asker, token = await _client_with_token(world, g, "Client A")

    status, help_ = await world.request("POST", HELP, token)
    assert status == 201, help_
    cid = help_["crisis_id"]
    await g.host.wait_for("crisis", lambda d: d["crisis_id"] == cid)  # staff see it as today
    await asker.sock.wait_for("crisis", lambda d: d["crisis_id"] == cid)  # and the client it is about

    state = await _state(bystander)
    assert not bystander.sock.events.get("crisis"), bystander.sock.events["crisis"]
    assert state.get("crisis") is None
    _says_nothing_of(bystander.sock.events, cid, asker.client_id)
    assert (await _state(asker))["crisis"]["crisis_id"] == cid
    host_state = (await g.host.call("join"))["state"]
    assert host_state["crisis"]["crisis_id"] == cid


async def test_a_crisis_the_therapist_starts_about_one_client_is_not_told_to_the_others(world):
    g = await group(world)
    a, b = g.clients
    status, opened = await world.request("POST", f"/api/sessions/{g.session_id}/crisis", g.therapist.access_token,
                                         json={"client_id": a.client_id})
    assert status == 201, opened
    cid = opened["crisis_id"]
    await a.sock.wait_for("crisis", lambda d: d["crisis_id"] == cid)
    status, _ = await world.request("POST", f"/api/crises/{cid}/transitions", g.therapist.access_token,
                                    json={"action": "dispatch_help", "expected_version": opened["version"]})
    assert status == 200
    await a.sock.wait_for("crisis", lambda d: d["state"] == "help_on_the_way")
    await g.host.wait_for("crisis", lambda d: d["state"] == "help_on_the_way")
    assert (await _state(b)).get("crisis") is None
    assert not b.sock.events.get("crisis")
    _says_nothing_of(b.sock.events, cid, a.client_id)


async def test_the_group_hears_only_that_the_therapist_stepped_out_when_a_client_is_moved(world):
    g = await group(world)
    a, b = g.clients
    status, opened = await world.request("POST", f"/api/sessions/{g.session_id}/crisis", g.therapist.access_token,
                                         json={"client_id": a.client_id})
    assert status == 201, opened
    status, room = await move(world, g, a)
    assert status == 201, room
    await moved_event(a, room["session"]["id"])
    await g.host.wait_for("crisis", lambda d: d["event"]["kind"] == "moved")  # staff: where it went

    notice = await b.sock.wait_for("host_stepped_out")
    assert notice == {"participant_id": g.host_pid, "display_name": notice["display_name"], "with_you": []}
    await _state(b)
    assert not b.sock.events.get("crisis")
    assert not a.sock.events.get("host_stepped_out")  # the client who moves is told where they go instead
    _says_nothing_of(b.sock.events, opened["crisis_id"], a.client_id, room["session"]["id"])


async def test_the_notice_names_the_co_facilitator_who_stays(world):
    g = await group(world)
    a, b = g.clients
    co = await world.therapist(program_id=g.therapist.program_id)
    status, place = await world.request("POST", f"/api/sessions/{g.session_id}/co-facilitators",
                                        g.therapist.access_token, json={"staff_id": co.id})
    assert status == 201, place
    co_sock = await world.host_in_room(co, g.session_id)
    joined = await b.sock.wait_for("presence", lambda p: p["role"] == "therapist" and p["state"] == "joined"
                                   and p["participant_id"] != g.host_pid)
    status, room = await move(world, g, a)
    assert status == 201, room
    notice = await b.sock.wait_for("host_stepped_out")
    assert notice["participant_id"] == g.host_pid
    assert notice["with_you"] == [joined["display_name"]]
    # the co-facilitator is staff: they are told where the crisis went, as the lead is
    await co_sock.wait_for("crisis", lambda d: d["event"]["kind"] == "moved")
    assert not b.sock.events.get("crisis")


async def test_another_client_who_needs_help_while_a_crisis_is_open_is_heard_and_told_nothing_of_it(world):
    g = await group(world, names=())
    a, _ = await _client_with_token(world, g, "Client A")
    b, b_token = await _client_with_token(world, g, "Client B")
    status, opened = await world.request("POST", f"/api/sessions/{g.session_id}/crisis", g.therapist.access_token,
                                         json={"client_id": a.client_id})
    assert status == 201, opened

    status, help_ = await world.request("POST", HELP, b_token)
    assert status in (200, 201), help_
    assert help_["therapist_connected"] is True
    _says_nothing_of(help_, opened["crisis_id"], a.client_id)
    # their own press still reaches the therapist at once, and leaves the program an urgent alert
    await g.host.wait_for("help_requested", lambda d: d["participant_id"] == b.participant_id)
    status, alerts = await world.request("GET", "/api/alerts", g.therapist.access_token)
    assert [x["client_id"] for x in alerts["alerts"] if x["kind"] == "crisis.help_requested"] == [b.client_id]

"""A support person invited during an open crisis comes straight into the call (no lobby); without an
open crisis their link is dead (tests/integration/crisis/test_crisis_guests.py). Their token cannot moderate the room nor read the
plan, the consents, the crisis, its timeline or the responder packet."""

from __future__ import annotations

import pytest

from tests.conftest import make_settings
from tests.integration.crisis.helpers import scene, start_crisis
from tests.integration.crisis.test_lost_contact import close_crisis
from tests.support.world import SEEN_SECRETS

MODERATION = {"admit": {"participant_id": "x"}, "deny": {"participant_id": "x"},
              "send_to_lobby": {"participant_id": "x"}, "remove": {"participant_id": "x"},
              "ask_mute": {"participant_id": "x"}, "lock": {"locked": True}, "end_session": {}}


@pytest.fixture
def settings(database_url):
    return make_settings(database_url)


async def _invite(world, s, crisis_id: str) -> dict:
    alex = s.contact("Alex Sample")
    status, grant = await world.request("POST", f"/api/clients/{s.client.client_id}/consents", s.therapist.access_token,
                                        json={"party": "support_person", "contact_id": alex, "scope": "invite_to_video"})
    assert status == 201, grant
    status, invited = await world.request("POST", f"/api/crises/{crisis_id}/support-persons", s.therapist.access_token,
                                          json={"contact_id": alex})
    assert status == 201, invited
    SEEN_SECRETS.add(invited["join_url"].split("#", 1)[1])
    return invited


async def test_a_support_person_joins_a_crisis_call_directly(world):
    s = await scene(world)
    host = await world.host_in_room(s.therapist, s.session_id)
    client, client_pid = await world.admitted_client(host, s.client.link["join_url"])
    crisis = await start_crisis(world, s)
    invited = await _invite(world, s, crisis["crisis_id"])

    redeemed = await world.redeem(invited["join_url"])
    assert redeemed["participant"]["role"] == "support"  # the join page explains the call from this
    support = await world.socket(redeemed["participant_token"])
    ack = await support.call("join")
    assert ack["ok"], ack
    assert ack["state"]["you"]["status"] == "admitted" and ack["state"]["you"]["role"] == "support"
    assert ack["state"]["crisis"]["crisis_id"] == crisis["crisis_id"]
    assert ack["state"].get("lobby") is None  # not a host: no lobby list
    pid = redeemed["participant"]["id"]
    await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "joined")
    await client.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "joined")
    assert not any(w["participant_id"] == pid for update in host.events["lobby"] for w in update["waiting"])

    status, timeline = await world.request("GET", f"/api/crises/{crisis['crisis_id']}/timeline",
                                           s.therapist.access_token)
    joined = [e for e in timeline["events"] if e["kind"] == "joined" and e["participant_id"] == pid]
    assert [e["actor_role"] for e in joined] == ["support_person"]

    # limited controls: no moderation by socket …
    for event, payload in MODERATION.items():
        answer = await support.call(event, payload)
        assert answer["error"]["code"] == "not_permitted", (event, answer)
    # … and nothing of the client's records or the crisis by REST
    token, cid = redeemed["participant_token"], crisis["crisis_id"]
    c = f"/api/clients/{s.client.client_id}"
    for method, path, body in [
        ("GET", c + "/safety-plan", None), ("GET", c + "/consents", None),
        ("POST", c + "/consents", {"party": "support_person", "contact_id": "x", "scope": "phone"}),
        ("GET", f"/api/crises/{cid}", None), ("GET", f"/api/crises/{cid}/timeline", None),
        ("POST", f"/api/crises/{cid}/transitions", {"action": "stabilise", "expected_version": 1}),
        ("POST", f"/api/crises/{cid}/responder-packet", {"situation": "Synthetic."}),
        ("POST", f"/api/crises/{cid}/support-persons", {"contact_id": "x"}),
        ("GET", "/api/alerts", None), ("GET", "/api/program/on-call", None),
    ]:
        status, answer = await world.request(method, path, token, json=body)
        assert (status, answer["code"]) == (403, "staff_only"), (method, path, status, answer)  # no staff sign-in
    status, answer = await world.request("GET", "/api/participant/safety-plan", token)
    assert status == 403, answer  # the participant endpoint knows who they are and refuses


async def test_a_support_link_not_used_before_the_crisis_closed_is_dead(world):
    s = await scene(world)
    await world.host_in_room(s.therapist, s.session_id)
    crisis = await start_crisis(world, s)
    invited = await _invite(world, s, crisis["crisis_id"])
    await close_crisis(world, s.therapist.access_token, crisis["crisis_id"])

    status, answer = await world.request("POST", "/api/join", json={"token": invited["join_url"].split("#", 1)[1]})
    assert (status, answer["code"]) == (410, "link_invalid")  # a crisis guest's place ends with the crisis

"""A crisis holds the session open past its scheduled end: the client's own link still brings them back
(and their place in the room is kept), while the crisis is open; once it is closed the link is over like
any other link of a past session. Without a crisis, a link stops working at the scheduled end."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from server.db.tables import utcnow
from tests.integration.crisis.helpers import Scene, start_crisis, walk_to_closed
from tests.integration.plans.helpers import Enrolled, write_plan
from tests.support.world import SEEN_SECRETS

SECONDS_LEFT = 2.5


async def _short_session(world) -> tuple:
    therapist = await world.therapist()
    ends_at = utcnow() + timedelta(seconds=SECONDS_LEFT)
    session = await world.session(therapist, ends_at=ends_at)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    redeemed = await world.redeem(link["join_url"])
    SEEN_SECRETS.add(redeemed["participant_token"])
    return therapist, session, link, redeemed, ends_at


async def _past(moment) -> None:
    await asyncio.sleep(max(0.0, (moment - utcnow()).total_seconds()) + 0.3)


async def test_the_clients_link_works_past_the_scheduled_end_while_a_crisis_is_open(world):
    therapist, session, link, redeemed, ends_at = await _short_session(world)
    client_id = link["participant"]["client_id"]
    plan = await write_plan(world, therapist, client_id)
    s = Scene(therapist=therapist, plan=plan, client=Enrolled(
        session=session, link=link, participant_id=redeemed["participant"]["id"], client_id=client_id,
        token=redeemed["participant_token"]))
    host = await world.host_in_room(therapist, session["id"])
    client, pid = await world.admitted_client(host, link["join_url"])
    crisis = await start_crisis(world, s)
    await client.disconnect()
    await _past(ends_at)

    again = await world.redeem(link["join_url"])  # past the scheduled end: still works
    assert again["participant"]["id"] == pid
    assert again["expires_in"] == world.settings.participant_token_ttl  # not cut short by the past schedule
    back = await world.socket(again["participant_token"])
    ack = await back.call("join")
    assert ack["ok"] and ack["state"]["you"]["status"] == "admitted", ack
    assert ack["state"]["crisis"]["crisis_id"] == crisis["crisis_id"]

    status, current = await world.request("GET", f"/api/crises/{crisis['crisis_id']}", therapist.access_token)
    # a support person invited now gets a link that lives its own ten minutes, not cut at the past end
    alex = s.contact("Alex Sample")
    status, grant = await world.request("POST", f"/api/clients/{client_id}/consents", therapist.access_token,
                                        json={"party": "support_person", "contact_id": alex, "scope": "invite_to_video"})
    assert status == 201, grant
    status, invited = await world.request("POST", f"/api/crises/{crisis['crisis_id']}/support-persons",
                                          therapist.access_token, json={"contact_id": alex})
    assert status == 201, invited
    SEEN_SECRETS.add(invited["join_url"].split("#", 1)[1])
    assert (datetime.fromisoformat(invited["expires_at"]) - utcnow()) > timedelta(minutes=9)
    support = await world.redeem(invited["join_url"])
    assert support["participant"]["role"] == "support"

    status, current = await world.request("GET", f"/api/crises/{crisis['crisis_id']}", therapist.access_token)
    await walk_to_closed(world, s, current)
    status, refused = await world.request("POST", "/api/join", json={"token": link["join_url"].split("#", 1)[1]})
    assert (status, refused["code"]) == (410, "link_invalid")


async def test_without_a_crisis_the_link_stops_at_the_scheduled_end(world):
    therapist, session, link, redeemed, ends_at = await _short_session(world)
    await _past(ends_at)
    status, refused = await world.request("POST", "/api/join", json={"token": link["join_url"].split("#", 1)[1]})
    assert (status, refused["code"]) == (410, "link_invalid")

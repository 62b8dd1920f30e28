"""One socket per person, and a socket that keeps flooding is disconnected (not only throttled)."""

from __future__ import annotations

import asyncio

from tests.conftest import make_settings
from tests.integration.signaling.test_revocation import closed
from tests.support.world import World


async def test_one_token_opens_one_socket_a_newer_one_replaces_the_older_at_once(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"])
    token = (await world.redeem(link["join_url"]))["participant_token"]

    first = await world.socket(token)
    second = await world.socket(token)  # neither has joined: the cap holds before the room is entered
    assert (await first.wait_for("replaced"))["reason"] == "replaced"
    await closed(first)
    third = await world.socket(token)
    await closed(second)
    assert third.connected and (await third.call("join"))["ok"]


async def test_a_socket_that_keeps_flooding_is_disconnected_and_others_are_untouched(sqlite_url):
    settings = make_settings(sqlite_url, message_rate=5, message_burst=10, message_flood_limit=20)
    async with World.start(settings) as world:
        therapist = await world.therapist()
        session = await world.session(therapist)
        host = await world.host_in_room(therapist, session["id"])
        link = await world.add_client(therapist, session["id"])
        flooder = await world.socket((await world.redeem(link["join_url"]))["participant_token"])
        assert (await flooder.call("join"))["ok"]

        calls = [asyncio.ensure_future(flooder.call("media_state", {"audio": True, "video": True}, timeout=5))
                 for _ in range(60)]
        notice = await flooder.wait_for("rate_limited")
        assert notice["reason"] == "rate_limited" and "too many messages" in notice["message"]
        await closed(flooder)
        await asyncio.gather(*calls, return_exceptions=True)  # unanswered once it was closed
        assert host.connected and (await host.call("lock", {"locked": False}))["ok"]

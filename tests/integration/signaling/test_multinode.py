"""Two nodes sharing PostgreSQL and a real Redis: a therapist on one node, a client on the other."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import fresh_postgres_url, make_settings
from tests.support.rtc_peer import RtcPeer
from tests.support.world import World

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
async def two_nodes(postgres_server, postgres_template, redis_server):
    url = await fresh_postgres_url(postgres_server, postgres_template)
    settings = make_settings(url, redis_url=redis_server.url)
    async with World.two_nodes(settings) as (first, second):
        await asyncio.sleep(0.5)  # let both nodes subscribe to the Redis channel
        yield first, second


async def test_lobby_admission_and_media_across_nodes(two_nodes):
    node_a, node_b = two_nodes
    therapist = await node_a.therapist()
    session = await node_a.session(therapist)
    link = await node_a.add_client(therapist, session["id"], "Client A")
    host = await node_a.host_in_room(therapist, session["id"])
    host_pid = (await host.call("join"))["state"]["you"]["participant_id"]

    client, client_pid = await node_b.admitted_client(host, link["join_url"])
    state = (await client.call("join"))["state"]
    assert {m["participant_id"] for m in state["members"]} == {host_pid, client_pid}

    host_peer, client_peer = RtcPeer(host, host_pid), RtcPeer(client, client_pid)
    try:
        await client_peer.offer_to(host_pid)
        await asyncio.gather(client_peer.wait_frames([host_pid]), host_peer.wait_frames([client_pid]))
    finally:
        await asyncio.gather(host_peer.close(), client_peer.close())

    # the same participant reconnecting on the other node replaces the older connection
    redeemed = await node_a.redeem(link["join_url"])
    moved = await node_a.socket(redeemed["participant_token"])
    assert (await moved.call("join"))["state"]["you"]["status"] == "admitted"
    await client.wait_for("replaced")
    assert (await host.call("remove", {"participant_id": client_pid}))["ok"]
    await moved.wait_for("removed")

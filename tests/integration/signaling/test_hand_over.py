"""A node that stops (SIGTERM, a rolling restart) hands its sockets over: each is told
``server_restarting`` and closed at once, so the person reconnects to another node straight away and
keeps their place (no lobby), instead of waiting for a ping timeout on a node that stopped listening."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.conftest import fresh_postgres_url, make_settings
from tests.support.world import World

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


async def test_a_stopping_node_hands_its_sockets_to_another(postgres_server, postgres_template, redis_server):
    url = await fresh_postgres_url(postgres_server, postgres_template)
    async with World.two_nodes(make_settings(url, redis_url=redis_server.url)) as (staying, stopping):
        await asyncio.sleep(0.5)  # let both nodes subscribe to the Redis channel
        therapist = await staying.therapist()
        session = await staying.session(therapist)
        link = await staying.add_client(therapist, session["id"], "Client R")
        host = await staying.host_in_room(therapist, session["id"])
        redeemed = await stopping.redeem(link["join_url"])
        token, pid = redeemed["participant_token"], redeemed["participant"]["id"]
        client = await stopping.socket(token)
        assert (await client.call("join"))["ok"]
        await host.wait_for("lobby", lambda d: any(w["participant_id"] == pid for w in d["waiting"]))
        assert (await host.call("admit", {"participant_id": pid}))["ok"]
        await client.wait_for("admitted")
        assert (await client.call("join"))["state"]["you"]["status"] == "admitted"

        started = time.monotonic()
        await stopping.stop()
        told = await client.wait_for("server_restarting", timeout=3)
        assert told["reason"] == "server_restarting" and told["message"]
        for _ in range(30):
            if not client.connected:
                break
            await asyncio.sleep(0.05)
        assert not client.connected
        await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "reconnecting")

        again = await staying.socket(token)  # what the browser does on server_restarting
        state = (await again.call("join"))["state"]
        back = time.monotonic() - started
        assert state["you"]["status"] == "admitted", state  # their place was kept: not sent to the lobby
        assert pid in {m["participant_id"] for m in state["members"]}
        assert back < 3, back
        await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "joined")

"""Redis lost and back, empty, under two real nodes — this test's in-process app (node A) and a real
``steadyline serve`` process (node B) sharing PostgreSQL and a Redis server the test stops and starts
again: both nodes tell their sockets ``live_state`` ``unavailable`` while it is away; within 5 s of its
return they have put back what they hold — the admitted are members again (on their old sockets too),
the waiting one is in the rebuilt lobby, the locked room is still locked (a new joiner waits and nobody
can be let in) — and cross-node delivery works again, in both directions, whatever the outage's length.

The outages are real wall-clock time against real processes: nothing here can run on a fake clock."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from tests.conftest import fresh_postgres_url, make_settings
from tests.support.services import RedisServer, free_port
from tests.support.steadyline_cli import serve
from tests.support.world import SocketClient, World

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

BACK_WITHIN = 5.0


@dataclass
class Nodes:
    a: World
    b_url: str
    redis: RedisServer
    b_sockets: list[SocketClient]

    async def on_b(self, token: str) -> SocketClient:
        client = SocketClient(self.b_url)
        self.b_sockets.append(client)
        await client.connect(token)
        return client


@contextlib.asynccontextmanager
async def two_real_nodes(tmp_path, postgres_server, postgres_template) -> AsyncIterator[Nodes]:
    redis = RedisServer()
    url = await fresh_postgres_url(postgres_server, postgres_template)
    port_b = free_port()
    process = await serve(tmp_path, url, redis.url, port_b, reconnect_window="30")
    nodes = Nodes(a=None, b_url=f"https://localhost:{port_b}", redis=redis, b_sockets=[])  # type: ignore[arg-type]
    try:
        async with World.start(make_settings(url, redis_url=redis.url, reconnect_window=30), port=free_port()) as a:
            nodes.a = a
            yield nodes
    finally:
        for client in nodes.b_sockets:
            await client.close()
        process.terminate()
        await process.wait()
        redis.stop()


async def _waiting_on_b(nodes: Nodes, host: SocketClient, join_url: str) -> tuple[SocketClient, str]:
    redeemed = await nodes.a.redeem(join_url)
    client = await nodes.on_b(redeemed["participant_token"])
    ack = await client.call("join")
    assert ack["ok"] and ack["state"]["you"]["status"] == "lobby", ack
    pid = redeemed["participant"]["id"]
    await host.wait_for("lobby", lambda d: any(w["participant_id"] == pid for w in d["waiting"]))
    return client, pid


async def _admitted_on_b(nodes: Nodes, host: SocketClient, join_url: str) -> tuple[SocketClient, str]:
    client, pid = await _waiting_on_b(nodes, host, join_url)
    assert (await host.call("admit", {"participant_id": pid}))["ok"]
    await client.wait_for("admitted")
    assert (await client.call("join"))["state"]["you"]["status"] == "admitted"
    return client, pid


def _told(state: str):
    return lambda notice: notice["state"] == state


async def _delivered(sender: SocketClient, receiver: SocketClient, to: str, within: float) -> None:
    """Send probe signals until one reaches ``receiver`` (across nodes) or ``within`` runs out."""
    deadline = time.monotonic() + within
    probe = 0
    while time.monotonic() < deadline:
        probe += 1
        name = f"probe-{to}-{probe}"
        await sender.call("signal", {"to": to, "candidate": {"candidate": name}})  # refused until places are back
        with contextlib.suppress(TimeoutError):
            await receiver.wait_for("signal", lambda d, name=name: d.get("candidate", {}).get("candidate") == name,
                                    timeout=0.2)
            return
    raise AssertionError(f"no signal reached the other node within {within} s")


async def _outage(nodes: Nodes, seconds: float, *sockets: SocketClient) -> float:
    """Stop Redis for ``seconds`` (every socket is told), start it again empty; returns when it was back."""
    nodes.redis.stop()
    for sock in sockets:
        await sock.wait_for("live_state", _told("unavailable"), timeout=5)
        sock.events["live_state"].clear()
    await asyncio.sleep(seconds)  # the outage itself: real time against real processes
    nodes.redis.start()
    return time.monotonic()


async def test_after_redis_comes_back_empty_everyone_is_where_they_were(tmp_path, postgres_server,
                                                                         postgres_template):
    async with two_real_nodes(tmp_path, postgres_server, postgres_template) as nodes:
        a = nodes.a
        therapist = await a.therapist()
        session = await a.session(therapist, kind="group")
        first = await a.add_client(therapist, session["id"], "Client One")
        second = await a.add_client(therapist, session["id"], "Client Two")
        third = await a.add_client(therapist, session["id"], "Client Three")
        host = await a.host_in_room(therapist, session["id"])
        host_pid = (await host.call("join"))["state"]["you"]["participant_id"]
        admitted, admitted_pid = await _admitted_on_b(nodes, host, first["join_url"])
        waiting, waiting_pid = await _waiting_on_b(nodes, host, second["join_url"])
        assert (await host.call("lock", {"locked": True}))["ok"]

        host.events["lobby"].clear()
        back = await _outage(nodes, 5, host, admitted, waiting)

        await asyncio.gather(*(sock.wait_for("live_state", _told("available"), timeout=BACK_WITHIN)
                               for sock in (host, admitted, waiting)))
        lobby = await host.wait_for("lobby", lambda d: [w["participant_id"] for w in d["waiting"]] == [waiting_pid],
                                    timeout=BACK_WITHIN)
        restored = time.monotonic() - back
        await _delivered(admitted, host, host_pid, within=BACK_WITHIN - restored)
        delivered = time.monotonic() - back
        print(f"Redis back (empty) after a 5 s outage: places put back and lobby at the host in {restored:.2f} s, "
              f"cross-node delivery in {delivered:.2f} s")
        assert lobby["waiting"][0]["participant_id"] == waiting_pid and delivered <= BACK_WITHIN

        state = (await host.call("join"))["state"]
        members = {m["participant_id"]: m for m in state["members"]}
        assert members[admitted_pid]["status"] == "admitted" and members[admitted_pid]["connected"]
        assert [w["participant_id"] for w in state["lobby"]] == [waiting_pid] and state["locked"] is True
        again = (await admitted.call("join"))["state"]  # the old socket joins again: the call, not the lobby
        assert again["you"]["status"] == "admitted" and host_pid in {m["participant_id"] for m in again["members"]}
        assert (await waiting.call("join"))["state"]["you"]["status"] == "lobby"

        refused = await host.call("admit", {"participant_id": waiting_pid})  # still locked
        assert refused["ok"] is False and refused["error"]["code"] == "room_locked", refused
        redeemed = await a.redeem(third["join_url"])
        newcomer = await a.socket(redeemed["participant_token"])
        joined = (await newcomer.call("join"))["state"]
        assert joined["you"]["status"] == "lobby" and joined["locked"] is True


async def test_cross_node_delivery_is_back_within_5_s_after_a_35_s_outage(tmp_path, postgres_server,
                                                                          postgres_template):
    async with two_real_nodes(tmp_path, postgres_server, postgres_template) as nodes:
        a = nodes.a
        therapist = await a.therapist()
        session = await a.session(therapist)
        link = await a.add_client(therapist, session["id"], "Client")
        host = await a.host_in_room(therapist, session["id"])
        host_pid = (await host.call("join"))["state"]["you"]["participant_id"]
        client, client_pid = await _admitted_on_b(nodes, host, link["join_url"])

        back = await _outage(nodes, 35, host, client)
        await asyncio.gather(client.wait_for("live_state", _told("available"), timeout=BACK_WITHIN),
                             host.wait_for("live_state", _told("available"), timeout=BACK_WITHIN))
        restored = time.monotonic() - back
        await _delivered(client, host, host_pid, within=BACK_WITHIN)  # node B to node A
        b_to_a = time.monotonic() - back
        await _delivered(host, client, client_pid, within=BACK_WITHIN)  # node A to node B
        a_to_b = time.monotonic() - back
        print(f"Redis back (empty) after a 35 s outage: places put back on both nodes in {restored:.2f} s; "
              f"cross-node delivery B->A in {b_to_a:.2f} s, A->B in {a_to_b:.2f} s")
        assert max(b_to_a, a_to_b) <= BACK_WITHIN
        state = (await client.call("join"))["state"]
        assert state["you"]["status"] == "admitted" and host_pid in {m["participant_id"] for m in state["members"]}

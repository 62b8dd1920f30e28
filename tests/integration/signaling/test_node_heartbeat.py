"""Node heartbeats against a real Redis: a node whose heartbeat lapsed has each socket it recorded
handed to ``on_dead`` by exactly one survivor (a lock), once, and its bookkeeping goes; a live node
is never swept; Redis being unreachable is not a dead node (the sweep is skipped); a node that finds
its own heartbeat lapsed asks its sockets to reconnect; the heartbeat tells when Redis goes and when it
is back (or has lost this node's records), until putting them back has worked."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.asyncio import Redis

from signaling.nodes import RedisNodes
from signaling.ports import Identity, SessionInfo
from tests.support.services import RedisServer, free_port

pytestmark = [pytest.mark.redis]

SESSION = SessionInfo(session_id="s1", program_id="p1", title="T", kind="individual")


def who(pid: str) -> Identity:
    return Identity(participant_id=pid, display_name=pid, role="client", session=SESSION, token_id="t")


@pytest.fixture
def prefix() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"  # these nodes see nobody else's


class Dropped:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    async def __call__(self, identity: Identity, sid: str) -> None:
        self.calls.append((identity.participant_id, sid))


async def test_one_survivor_drops_a_dead_node_s_sockets_once(redis_server, prefix):
    dead, live, survivor_a, survivor_b = (RedisNodes(redis_server.url, name, interval=0.1, ttl=0.3, prefix=prefix)
                                          for name in ("dead", "live", "a", "b"))
    try:
        for node in (dead, live):
            await node.beat()
        await dead.track("sid-1", who("c1"))
        await dead.track("sid-2", who("c2"))
        await dead.untrack("sid-2")  # disconnected normally: the normal drop path ran already
        await live.track("sid-3", who("c3"))
        dropped_a, dropped_b = Dropped(), Dropped()
        survivor_a._on_dead, survivor_b._on_dead = dropped_a, dropped_b
        assert await survivor_a.sweep() == [] and await survivor_b.sweep() == []  # both still beating

        await asyncio.sleep(0.4)  # "dead" stops beating (kill -9); "live" keeps on
        await live.beat()
        handled = await asyncio.gather(survivor_a.sweep(), survivor_b.sweep())
        assert sorted(handled) == [[], ["dead"]]  # one survivor handled it
        assert dropped_a.calls + dropped_b.calls == [("c1", "sid-1")]

        redis = Redis.from_url(redis_server.url, decode_responses=True)
        assert await redis.smembers(f"{prefix}:nodes") == {"live"}
        assert not await redis.exists(f"{prefix}:node:dead:sockets")
        assert await redis.hkeys(f"{prefix}:node:live:sockets") == ["sid-3"]
        await redis.aclose()
        await asyncio.sleep(0.4)
        await live.beat()
        assert await survivor_a.sweep() == [] and len(dropped_a.calls + dropped_b.calls) == 1  # never again
    finally:
        for node in (dead, live, survivor_a, survivor_b):
            await node.close()


async def test_after_an_outage_nobody_is_swept_until_every_node_could_beat_again(redis_server, prefix):
    other = RedisNodes(redis_server.url, "other", interval=0.1, ttl=0.3, prefix=prefix)
    survivor = RedisNodes(redis_server.url, "me", interval=0.1, ttl=0.3, prefix=prefix)
    dropped = Dropped()
    survivor._on_dead = dropped
    try:
        await other.beat()
        await other.track("sid-1", who("c1"))
        await survivor.beat()
        await asyncio.sleep(0.4)  # an outage shared by both: "other" could not beat either
        survivor._healthy_since = None  # what a Redis error does
        await survivor.beat()
        assert await survivor.sweep() == []  # "other" may not have beaten again yet: not dead
        await other.beat()
        await asyncio.sleep(0.2)
        await other.beat()
        await asyncio.sleep(0.2)
        assert await survivor.sweep() == [] and dropped.calls == []
    finally:
        await other.close()
        await survivor.close()


async def test_redis_unreachable_is_not_a_dead_node():
    nodes = RedisNodes(f"redis://127.0.0.1:{free_port()}/0", "n1", interval=0.1, ttl=0.3)
    dropped = Dropped()
    nodes._on_dead = dropped
    await nodes.beat()  # logged, not raised
    assert await nodes.sweep() == [] and dropped.calls == []
    await nodes.close()


async def test_a_node_whose_own_heartbeat_lapsed_asks_its_sockets_to_reconnect(redis_server, prefix):
    told = []

    async def hand_over() -> int:
        told.append(True)
        return 0

    nodes = RedisNodes(redis_server.url, "n1", interval=0.1, ttl=0.3, prefix=prefix)
    nodes._on_lapsed = hand_over
    try:
        await nodes.beat()
        await nodes.beat()
        assert told == []
        await asyncio.sleep(0.4)  # e.g. this node could not reach Redis for longer than the TTL …
        await nodes.beat()
        assert told == []  # … but nobody swept it: its sockets' places are as they were
        await asyncio.sleep(0.4)
        survivor = RedisNodes(redis_server.url, "n2", interval=0.1, ttl=0.3, prefix=prefix)
        survivor._on_dead = Dropped()
        await survivor.sweep()
        await asyncio.sleep(0.4)
        assert await survivor.sweep() == ["n1"]  # swept as dead
        await survivor.close()
        await nodes.beat()
        assert told == [True]  # its sockets are told to reconnect and rejoin
    finally:
        await nodes.close()


async def test_the_heartbeat_task_is_owned_and_closing_lets_survivors_sweep_at_once(redis_server, prefix):
    nodes = RedisNodes(redis_server.url, "n1", interval=0.05, ttl=0.3, prefix=prefix)
    survivor = RedisNodes(redis_server.url, "n2", interval=0.05, ttl=0.3, prefix=prefix)
    dropped = Dropped()
    try:
        nodes.start(Dropped())
        await nodes.track("sid-1", who("c1"))  # still recorded when it closes (not handed over)
        await asyncio.sleep(0.2)
        survivor._on_dead = dropped
        assert await survivor.sweep() == []
        await asyncio.sleep(0.4)  # the survivor trusts what it sees after a whole TTL of Redis answering
        assert await survivor.sweep() == []  # "n1" is beating
        await nodes.close()
        assert nodes._tasks == []
        assert await survivor.sweep() == ["n1"] and dropped.calls == [("c1", "sid-1")]
    finally:
        await survivor.close()


async def test_a_long_sweep_never_holds_up_the_sweeper_s_own_heartbeat(redis_server, prefix):
    dead = RedisNodes(redis_server.url, "dead", interval=0.05, ttl=0.3, prefix=prefix)
    survivor = RedisNodes(redis_server.url, "survivor", interval=0.05, ttl=0.3, prefix=prefix)
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_drop(identity: Identity, sid: str) -> None:
        started.set()
        await release.wait()  # e.g. a thousand sockets, each through the drop path

    redis = Redis.from_url(redis_server.url, decode_responses=True)
    try:
        await dead.beat()
        await dead.track("sid-1", who("c1"))
        survivor.start(slow_drop)
        await asyncio.wait_for(started.wait(), 5)
        await asyncio.sleep(0.6)  # twice the TTL into the sweep
        assert await redis.exists(f"{prefix}:node:survivor")  # still beating
        release.set()
    finally:
        await redis.aclose()
        await survivor.close()
        await dead.close()


class Outage:
    def __init__(self, failures: int = 0) -> None:
        self.calls: list[str] = []
        self._failures = failures

    async def lost(self) -> None:
        self.calls.append("lost")

    async def returned(self) -> None:
        self.calls.append("returned")
        if self._failures:
            self._failures -= 1
            raise RuntimeError("could not put everything back")


async def test_the_heartbeat_tells_when_redis_goes_and_comes_back_empty(prefix):
    redis = RedisServer()
    outage = Outage(failures=1)
    nodes = RedisNodes(redis.url, "n1", interval=0.1, ttl=0.3, prefix=prefix)
    nodes._outage = outage
    try:
        await nodes.beat()
        assert nodes.settled()
        redis.stop()
        await nodes.beat()
        await nodes.beat()
        assert outage.calls == ["lost"]  # once per outage
        assert not nodes.settled()  # who is connected is unknown: crisis steps wait
        redis.start()  # empty
        await nodes.beat()
        assert outage.calls == ["lost", "returned"]
        assert not nodes.settled()  # the other nodes may not have put back what they hold yet
        await nodes.beat()  # putting back failed: tried again
        await nodes.beat()
        assert outage.calls == ["lost", "returned", "returned"]
        assert await nodes._redis.sismember(f"{prefix}:nodes", "n1")
        await asyncio.sleep(0.35)  # a whole heartbeat TTL with Redis answering
        await nodes.beat()
        assert nodes.settled()
    finally:
        await nodes.close()
        redis.stop()


async def test_redis_emptied_between_two_beats_is_noticed_from_the_lost_registration(prefix):
    redis = RedisServer()
    outage = Outage()
    nodes = RedisNodes(redis.url, "n1", interval=0.1, ttl=5, prefix=prefix)
    nodes._outage = outage
    other = Redis.from_url(redis.url)
    try:
        await nodes.beat()
        await other.flushall()  # lost everything, and no beat failed meanwhile
        await nodes.beat()
        assert outage.calls == ["returned"]
        assert not nodes.settled()  # a TTL (5 s) before the live state is trusted again
        await nodes.beat()
        assert outage.calls == ["returned"]
    finally:
        await other.aclose()
        await nodes.close()
        redis.stop()

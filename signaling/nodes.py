"""A dead node is noticed: with Redis (several nodes) each node keeps a heartbeat in the live state
and records which sockets it holds; the survivors sweep, and every socket of a node whose heartbeat
lapsed (kill -9, power loss) goes through the normal drop path on one survivor — the room shows
``reconnecting``, presence goes on the crisis timeline, the reconnect window runs.

Keys (prefix ``steadyline``):

* ``node:<id>`` — the heartbeat, refreshed every ``interval`` seconds with a TTL of ``ttl`` seconds;
* ``nodes`` — the set of node ids that may hold sockets;
* ``node:<id>:sockets`` — hash sid -> the identity the socket was opened with (enough to run the
  drop path without the token);
* ``node:<id>:sweep`` — SET NX with a TTL: the one survivor handling that node's sockets.

Redis being unreachable is never taken for a dead node: the sweep is skipped (and logged), and a node
that got a Redis error judges no one dead until Redis has answered it for a whole TTL again (after an
outage shared by every node, each has beaten again by then). A node that finds its own heartbeat
lapsed and swept (it alone was cut off) tells its sockets to reconnect. In one process (no Redis)
there is nothing to notice: ``LocalNodes`` does nothing.

The heartbeat is also how a node sees Redis go and come back: its first failed beat calls
``Outage.lost``; the first good beat after failures — or one that finds this node's registration gone
without a sweep (Redis restarted empty between two beats) — calls ``Outage.returned``, which puts back
what this node holds (``recovery.Recovery``). If that fails it is tried again on the next beat."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Protocol

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from .ports import Identity, SessionInfo

log = structlog.get_logger(__name__)

OnDead = Callable[[Identity, str], Awaitable[None]]  # (identity, sid) of a socket held by a dead node
OnLapsed = Callable[[], Awaitable[object]]  # this node's own heartbeat had lapsed (it may have been swept)


class Outage(Protocol):
    """Told when this node's heartbeat finds Redis unreachable, and when it is back."""

    async def lost(self) -> object: ...

    async def returned(self) -> object: ...

HEARTBEAT_INTERVAL = 2.0
NODE_TTL = 8.0
SWEEP_LOCK_TTL = 30.0  # a survivor that dies mid-sweep: another one takes over after this


def identity_to_json(identity: Identity) -> str:
    return json.dumps(asdict(identity), separators=(",", ":"))


def identity_from_json(raw: str | bytes) -> Identity:
    data = json.loads(raw)
    return Identity(**{**data, "session": SessionInfo(**data["session"])})


def dead_nodes(registered: set[str], alive: dict[str, bool], me: str) -> list[str]:
    """The registered nodes (other than this one) whose heartbeat is gone."""
    return sorted(node for node in registered if node != me and not alive.get(node, False))


class Nodes(Protocol):
    node_id: str

    async def track(self, sid: str, identity: Identity) -> None:
        """This node holds ``sid`` (opened with ``identity``)."""

    async def untrack(self, sid: str) -> None:
        """This node no longer holds ``sid``."""

    def start(self, on_dead: OnDead, on_lapsed: OnLapsed | None = None, outage: Outage | None = None) -> None: ...

    async def alive(self, node_id: str) -> bool:
        """Whether ``node_id``'s heartbeat is live (this node always is). Redis unreachable: raises."""
        ...

    async def close(self) -> None: ...

    def settled(self) -> bool:
        """Whether the live state is whole: no outage since this node started, or Redis has answered
        for a whole heartbeat TTL since the last one (by then every node has put back what it holds)."""
        ...


class LocalNodes:
    """One process: no other node to notice."""

    def __init__(self, node_id: str = "local") -> None:
        self.node_id = node_id

    async def track(self, sid: str, identity: Identity) -> None:
        return None

    async def untrack(self, sid: str) -> None:
        return None

    def start(self, on_dead: OnDead, on_lapsed: OnLapsed | None = None, outage: Outage | None = None) -> None:
        return None

    def settled(self) -> bool:
        return True

    async def alive(self, node_id: str) -> bool:
        return True  # one process: the only node there is

    async def close(self) -> None:
        return None


class RedisNodes:
    def __init__(self, url: str, node_id: str, *, interval: float = HEARTBEAT_INTERVAL, ttl: float = NODE_TTL,
                 prefix: str = "steadyline") -> None:
        if ttl <= interval:
            raise ValueError("a node's heartbeat must live longer than the interval it is refreshed at")
        self._redis = Redis.from_url(url, decode_responses=True)
        self.node_id = node_id
        self._interval = interval
        self._ttl = ttl
        self._prefix = prefix
        self._tasks: list[asyncio.Task] = []
        self._closing = False
        self._on_dead: OnDead | None = None
        self._on_lapsed: OnLapsed | None = None
        self._beaten = False  # a heartbeat has been written (so a missing one later means it lapsed)
        self._healthy_since: float | None = None  # Redis has answered without an error since (monotonic)
        self._outage: Outage | None = None
        self._away = False  # Redis was unreachable (or lost our records): put them back on the next good beat
        self._outage_seen = False  # an outage happened since this node started

    # keys
    @property
    def _nodes_key(self) -> str:
        return f"{self._prefix}:nodes"

    def _heartbeat_key(self, node: str) -> str:
        return f"{self._prefix}:node:{node}"

    def _sockets_key(self, node: str) -> str:
        return f"{self._prefix}:node:{node}:sockets"

    def _sweep_key(self, node: str) -> str:
        return f"{self._prefix}:node:{node}:sweep"

    # this node's sockets
    async def track(self, sid: str, identity: Identity) -> None:
        await self._redis.hset(self._sockets_key(self.node_id), sid, identity_to_json(identity))

    async def untrack(self, sid: str) -> None:
        await self._redis.hdel(self._sockets_key(self.node_id), sid)

    async def alive(self, node_id: str) -> bool:
        return node_id == self.node_id or bool(await self._redis.exists(self._heartbeat_key(node_id)))

    # the heartbeat and the sweep
    def start(self, on_dead: OnDead, on_lapsed: OnLapsed | None = None, outage: Outage | None = None) -> None:
        self._on_dead = on_dead
        self._on_lapsed = on_lapsed
        self._outage = outage
        if not self._tasks:  # apart: a long sweep never holds up this node's own heartbeat
            self._tasks = [asyncio.create_task(self._every(self.beat), name="node-heartbeat"),
                           asyncio.create_task(self._every(self.sweep), name="node-sweep")]

    async def _every(self, step: Callable[[], Awaitable[object]]) -> None:
        while not self._closing:
            try:
                await step()
            except asyncio.CancelledError:
                raise
            except Exception:  # never let one bad tick end the heartbeat or the sweep
                log.exception("node_tick_failed", node=self.node_id)
            await asyncio.sleep(self._interval)

    async def beat(self) -> None:
        """Refresh this node's heartbeat (and its registration). If it had lapsed — this node could not
        reach Redis for longer than the TTL — and a survivor swept it (or is sweeping it), its sockets
        are told to reconnect (``on_lapsed``), so they rejoin instead of staying half-dropped."""
        try:
            previous = await self._redis.set(self._heartbeat_key(self.node_id), "1", px=int(self._ttl * 1000),
                                             get=True)
            listed = await self._redis.sismember(self._nodes_key, self.node_id)
            swept = await self._redis.exists(self._sweep_key(self.node_id))
            await self._redis.sadd(self._nodes_key, self.node_id)
        except (RedisError, OSError):
            self._healthy_since = None
            self._outage_seen = True
            log.warning("node_heartbeat_failed", node=self.node_id)
            if not self._away:
                self._away = True
                await self._tell("lost")
            return
        self._reachable()
        lapsed = self._beaten and previous is None
        self._beaten = True
        if lapsed and swept:
            log.warning("node_heartbeat_lapsed", node=self.node_id, swept=True)
            self._away = False  # its sockets reconnect: nothing to put back
            if self._on_lapsed is not None:
                try:
                    await self._on_lapsed()
                except Exception:
                    log.exception("node_lapse_handling_failed")
            return
        if lapsed:
            log.warning("node_heartbeat_lapsed", node=self.node_id, swept=False, listed=bool(listed))
            self._away = self._away or not listed  # not even listed: Redis lost this node's records
            if not listed:  # Redis came back empty between two beats: the others are putting back too
                self._outage_seen, self._healthy_since = True, time.monotonic()
        if self._away:
            self._away = not await self._tell("returned")

    async def _tell(self, what: str) -> bool:
        """Call ``Outage.lost`` or ``Outage.returned``; whether it went through."""
        if self._outage is None:
            return True
        try:
            await getattr(self._outage, what)()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("node_outage_handling_failed", step=what)
            return False
        return True

    def settled(self) -> bool:
        if not self._outage_seen:
            return True
        return self._healthy_since is not None and time.monotonic() - self._healthy_since >= self._ttl

    def _reachable(self) -> bool:
        """Record that Redis answered; whether it has answered long enough (a whole heartbeat TTL,
        with no error) that a missing heartbeat means a dead node — not one still catching up after
        an outage shared by every node."""
        now = time.monotonic()
        if self._healthy_since is None:
            self._healthy_since = now
        return now - self._healthy_since >= self._ttl

    async def sweep(self) -> list[str]:
        """Drop every socket of every node whose heartbeat is gone; returns the nodes handled here."""
        try:
            registered = set(await self._redis.smembers(self._nodes_key))
            if not self._reachable():
                return []  # just (re)connected: other nodes may not have beaten again yet
            others = sorted(registered - {self.node_id})
            alive = dict(zip(others, [bool(n) for n in await asyncio.gather(
                *(self._redis.exists(self._heartbeat_key(node)) for node in others))], strict=True))
            handled = []
            for node in dead_nodes(registered, alive, self.node_id):
                if await self._redis.set(self._sweep_key(node), self.node_id, nx=True,
                                         px=int(SWEEP_LOCK_TTL * 1000)):
                    if await self._redis.exists(self._heartbeat_key(node)):  # it beat again meanwhile
                        await self._redis.delete(self._sweep_key(node))
                        continue
                    await self._sweep_node(node)
                    handled.append(node)
            return handled
        except (RedisError, OSError):  # not a dead node: we cannot see; try again on the next tick
            self._healthy_since = None
            self._outage_seen = True
            log.warning("node_sweep_skipped", node=self.node_id)
            return []

    async def _sweep_node(self, node: str) -> None:
        sockets = await self._redis.hgetall(self._sockets_key(node))
        log.warning("node_dead", node=node, sockets=len(sockets), swept_by=self.node_id)
        for sid, raw in sockets.items():
            try:
                identity = identity_from_json(raw)
            except (ValueError, TypeError, KeyError):
                log.exception("node_socket_unreadable", node=node)
                continue
            try:
                if self._on_dead is not None:
                    await self._on_dead(identity, sid)
            except (RedisError, OSError):
                raise  # leave the bookkeeping: the sweep is retried once the lock runs out
            except Exception:
                log.exception("node_socket_drop_failed", node=node)
            await self._redis.pexpire(self._sweep_key(node), int(SWEEP_LOCK_TTL * 1000))  # still at it
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._sockets_key(node))
            pipe.srem(self._nodes_key, node)
            await pipe.execute()

    async def close(self) -> None:
        """Stop beating. The heartbeat key is deleted so any socket still recorded here (not handed
        over) is dropped by a survivor at once; the bookkeeping is cleaned up by that sweep."""
        self._closing = True
        tasks, self._tasks = self._tasks, []
        while tasks:  # a Redis command may swallow a cancellation (as a timeout): cancel until they end
            for task in tasks:
                task.cancel()
            _, pending = await asyncio.wait(tasks, timeout=0.5)
            tasks = list(pending)
        # a command cut off by the cancellation may leave its connection unusable: start afresh
        await self._redis.connection_pool.disconnect()
        with contextlib.suppress(RedisError, OSError, asyncio.TimeoutError):
            await asyncio.wait_for(self._redis.delete(self._heartbeat_key(self.node_id)), 2)
        await self._redis.aclose()

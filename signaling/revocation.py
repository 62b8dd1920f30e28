"""Ending a credential's connections on whichever node holds them.

When a person's access ends (their link is revoked, they are removed, a crisis that brought them in
is closed, or a host signs out), the server records it durably and then *publishes* a
:class:`Revocation`. Every node hears it and ends the sockets *it* holds for that person (their
peer connections with this node's SFU too), after checking the durable record through the
``Gatekeeper`` — so a revocation is a nudge, never the truth, and a person with a fresh credential
(a re-issued link) is not thrown out. In-process the bus calls back directly; with Redis it is a
pub/sub channel shared by every node. Redis pub/sub delivers at most once: the connection sweep
(``keepalive.ConnectionSweep``) re-checks every socket on a timer and catches anything missed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Protocol

import structlog
from redis.asyncio import Redis

log = structlog.get_logger(__name__)

CHANNEL = "steadyline:revocations"
POLL_SECONDS = 0.5  # how long one wait for a message lasts (a revocation is handled as soon as it arrives)

# What a person is told when their connection is ended, in plain words (shown by the join page).
ENDED_MESSAGES: dict[str, str] = {
    "crisis_closed": "The crisis call has ended, so your place in this session is closed. Thank you for being "
                     "there. If you are worried about someone's safety, call the program's crisis line or your "
                     "local emergency number.",
    "link_revoked": "Your link to this session was withdrawn by the therapist, so you have left the call.",
    "removed": "Your therapist removed you from this session. If you think this is a mistake, contact your "
               "program.",
    "session_ended": "The session has ended.",
    "signed_out": "You were signed out, so you have left the call.",
    "rate_limited": "This window sent too many messages too quickly, so it was disconnected. Reload the page "
                    "to rejoin.",
}


def ended_message(reason: str) -> str:
    return ENDED_MESSAGES.get(reason, "Your access to this session has ended.")


@dataclass(frozen=True)
class Revocation:
    """A person's access to a session ended for ``reason``. ``staff_session_id`` narrows it to the
    connections opened under one staff sign-in (sign-out); otherwise every credential of the person
    is gone, and so is their place in the room."""

    session_id: str
    participant_id: str
    reason: str
    staff_session_id: str | None = None

    def __post_init__(self) -> None:
        if not self.session_id or not self.participant_id or self.reason not in ENDED_MESSAGES:
            raise ValueError("a revocation names a session, a participant and a known reason")

    @property
    def ends_place(self) -> bool:
        """A signed-out host keeps their place for the reconnect window; anyone else's ends now."""
        return self.staff_session_id is None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Revocation:
        data = json.loads(raw)
        return cls(session_id=str(data["session_id"]), participant_id=str(data["participant_id"]),
                   reason=str(data["reason"]), staff_session_id=data.get("staff_session_id"))


Handler = Callable[[Revocation], Awaitable[None]]


class RevocationBus(Protocol):
    async def publish(self, revocation: Revocation) -> None: ...
    def start(self, handler: Handler) -> None: ...
    async def ready(self) -> None:
        """Wait until this node hears revocations."""
        ...
    async def close(self) -> None: ...


class LocalRevocationBus:
    """One process: a revocation is handled at once, before ``publish`` returns."""

    def __init__(self) -> None:
        self._handler: Handler | None = None

    async def publish(self, revocation: Revocation) -> None:
        if self._handler is not None:
            await self._handler(revocation)

    def start(self, handler: Handler) -> None:
        self._handler = handler

    async def ready(self) -> None:
        pass

    async def close(self) -> None:
        self._handler = None


class RedisRevocationBus:
    """Every node subscribes to one Redis channel; the publishing node handles its own sockets as the
    message comes back to it like to every other node."""

    def __init__(self, url: str) -> None:
        self._redis = Redis.from_url(url)
        self._task: asyncio.Task | None = None
        self._subscribed = asyncio.Event()
        self._closing = False

    async def publish(self, revocation: Revocation) -> None:
        await self._redis.publish(CHANNEL, revocation.to_json())

    def start(self, handler: Handler) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._listen(handler), name="revocations")

    async def ready(self) -> None:
        await self._subscribed.wait()

    async def _listen(self, handler: Handler) -> None:
        # Polls with a short timeout instead of blocking in ``pubsub.listen()``: redis-py can swallow a
        # cancellation that arrives while it reads, so closing asks the loop to stop instead.
        while not self._closing:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    self._subscribed.set()
                    while not self._closing:
                        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=POLL_SECONDS)
                        if message is not None and message.get("type") == "message":
                            await self._handle(handler, message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis went away: resubscribe (the sweep covers what was missed)
                log.warning("revocation_channel_lost")
                await asyncio.sleep(1.0)

    @staticmethod
    async def _handle(handler: Handler, raw: bytes) -> None:
        try:
            revocation = Revocation.from_json(raw)
        except (ValueError, KeyError, TypeError):
            log.warning("revocation_malformed")
            return
        try:
            await handler(revocation)
        except Exception:
            log.exception("revocation_failed")

    async def close(self) -> None:
        """Stop listening within a bound (staged shutdown), then close the connection pool."""
        self._closing = True
        if self._task is not None:
            done, _ = await asyncio.wait([self._task], timeout=POLL_SECONDS * 3)
            if not done:
                self._task.cancel()
                await asyncio.wait([self._task], timeout=POLL_SECONDS)
            self._task = None
        await self._redis.aclose()

"""Cross-node delivery: python-socketio's Redis pub/sub client manager, with a listener that comes
back promptly after a Redis outage of any length.

``socketio.AsyncRedisManager`` retries a lost subscription after 1, 2, 4 … up to 60 s: after a 35 s
outage cross-node delivery came back 28.6 s after Redis did. Here the wait between tries is capped
(``RETRY_CAP``) and ``wake()`` — called when this node's heartbeat sees Redis back — ends the wait at
once. The listener stays python-socketio's task (``manager.thread``), cancelled by ``Signaling.close``.
Relies on one internal of python-socketio (checked by ``tests/unit/signaling/test_redis_delivery.py``):
``AsyncRedisManager._listen`` reads its messages from ``_redis_listen_with_retries()``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import socketio
import structlog

log = structlog.get_logger(__name__)

RETRY_FIRST = 0.25
RETRY_CAP = 2.0


def retry_delays(first: float = RETRY_FIRST, cap: float = RETRY_CAP) -> Iterator[float]:
    """The waits between tries to subscribe again: doubling from ``first``, never above ``cap``."""
    if not 0 < first <= cap:
        raise ValueError("the first wait must be positive and within the cap")
    delay = first
    while True:
        yield delay
        delay = min(cap, delay * 2)


class RedisDelivery(socketio.AsyncRedisManager):
    def __init__(self, url: str, *, retry_cap: float = RETRY_CAP) -> None:
        super().__init__(url)
        self._retry_cap = retry_cap
        self._woken = asyncio.Event()

    def wake(self) -> None:
        """Redis is back (this node's heartbeat says so): subscribe again now, not after the wait."""
        self._woken.set()

    async def _redis_listen_with_retries(self) -> AsyncIterator[dict]:
        delays = retry_delays(cap=self._retry_cap)
        while True:
            try:
                await self._close_pubsub()
                self._redis_connect()
                await self.pubsub.subscribe(self.channel)
                delays = retry_delays(cap=self._retry_cap)
                async for message in self.pubsub.listen():
                    yield message
            except Exception as exc:  # noqa: BLE001 - Redis unreachable: wait (capped, or until woken), then again
                delay = next(delays)
                log.warning("redis_delivery_retrying", in_seconds=delay, error=str(exc))
                self._woken.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._woken.wait(), delay)

    async def _close_pubsub(self) -> None:
        """Release the connection of the subscription that failed (it is not reused)."""
        pubsub, self.pubsub = self.pubsub, None
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

"""Bridges keyframe needs of subscribers to a PLI sent to the publisher.

Subscribers' PLI/FIR reach their ``RTCRtpSender``, which cannot honour them
when it only packs pre-encoded frames. They, new subscribers and queue
overflows all call :meth:`KeyframeBridge.request`; the bridge sends one PLI
upstream per ``min_interval`` and coalesces the rest into a deferred one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from aiortc import RTCRtpSender

from . import aiortc_internals
from .keyframe_limiter import Decision, KeyframeRequestLimiter

logger = logging.getLogger(__name__)

SendPli = Callable[[], Awaitable[bool]]
Sleep = Callable[[float], Awaitable[None]]


def route_keyframe_requests(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Call ``callback`` when the subscriber behind ``sender`` sends PLI/FIR."""
    aiortc_internals.on_keyframe_request(sender, callback)


class KeyframeBridge:
    def __init__(self, send_pli: SendPli, min_interval: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        self._send_pli = send_pli
        self._limiter = KeyframeRequestLimiter(min_interval)
        self._clock = clock
        self._sleep = sleep  # the deferred PLI waits on this (``clock`` and ``sleep`` tell the same time)
        self._tasks: set[asyncio.Task[None]] = set()
        self._deferred: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def requests(self) -> int:
        return self._limiter.requests

    @property
    def sent(self) -> int:
        return self._limiter.sent

    def request(self, reason: str) -> None:
        if self._closed:
            return
        decision = self._limiter.request(self._clock())
        logger.debug("keyframe request (%s): %s", reason, decision.decision.value)
        if decision.decision is Decision.SEND_NOW:
            self._spawn(self._send())
        elif decision.decision is Decision.DEFER:
            self._deferred.add(self._spawn(self._send_later(decision.delay)))

    def keyframe_received(self) -> None:
        """Any keyframe serves every waiting subscriber: drop a deferred PLI."""
        if self._limiter.keyframe_received():
            for task in list(self._deferred):
                task.cancel()

    async def close(self) -> None:
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _spawn(self, coro: Awaitable[None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(self._deferred.discard)
        return task

    async def _send_later(self, delay: float) -> None:
        await self._sleep(delay)
        self._limiter.deferred_due(self._clock())
        await self._send()

    async def _send(self) -> None:
        try:
            await self._send_pli()
        except ConnectionError:
            logger.debug("PLI not sent: transport gone")

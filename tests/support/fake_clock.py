"""A clock the test drives: ``now()``, ``monotonic()`` and ``sleep()`` for the timers that take a
clock (the crisis watch, the reconnect windows, the keyframe bridge), and ``advance()`` to move it.

A sleeper never wakes before its time has come, sleepers wake in the order they are due (those due
at the same moment in the order they went to sleep), and each one's continuation gets a few turns
of the event loop before the next is woken, so what a timer does on waking happens in order too.
Time moves only in ``advance()``; real time passing changes nothing."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

SETTLE_PASSES = 10  # loop turns after each wake-up: enough for a continuation that awaits no I/O


@dataclass(order=True)
class _Sleeper:
    due: float
    order: int
    future: asyncio.Future = field(compare=False)


class FakeClock:
    def __init__(self, start: datetime | None = None, monotonic_start: float = 1000.0) -> None:
        self._start = start or datetime.now(timezone.utc)  # wall time as plausible as the real one
        self._monotonic_start = monotonic_start
        self._elapsed = 0.0
        self._sleepers: list[_Sleeper] = []
        self._order = itertools.count()
        self._changed: list[asyncio.Future] = []  # who waits in ``sleeping()``

    # what the code under test reads
    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        return self._monotonic_start + self._elapsed

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:  # as asyncio.sleep(0): yield once, no time passes
            await asyncio.sleep(0)
            return
        sleeper = _Sleeper(self._elapsed + seconds, next(self._order), asyncio.get_running_loop().create_future())
        heapq.heappush(self._sleepers, sleeper)
        self._notify()
        try:
            await sleeper.future
        finally:
            if not sleeper.future.done():  # cancelled by a timeout around it
                sleeper.future.cancel()
            self._drop_finished()

    # what the test does
    @property
    def elapsed(self) -> float:
        return self._elapsed

    @property
    def pending(self) -> list[float]:
        """When each sleeper is due, in seconds from the clock's start, soonest first."""
        return sorted(s.due for s in self._sleepers if not s.future.done())

    async def advance(self, seconds: float) -> None:
        """Move time on by ``seconds``, waking every sleeper due by then in due order (including
        those that go to sleep meanwhile and fall due within it), each at its own moment."""
        if seconds < 0:
            raise ValueError("time does not go back")
        until = self._elapsed + seconds
        await self.settle()  # what is ready runs first (a task just created reaches its sleep)
        while True:
            self._drop_finished()
            if not self._sleepers or self._sleepers[0].due > until:
                break
            sleeper = heapq.heappop(self._sleepers)
            self._elapsed = max(self._elapsed, sleeper.due)
            sleeper.future.set_result(None)
            await self.settle()
        self._elapsed = until
        await self.settle()

    async def settle(self, passes: int = SETTLE_PASSES) -> None:
        """Let the loop run what is ready (continuations that await no real I/O)."""
        for _ in range(passes):
            await asyncio.sleep(0)

    async def sleeping(self, count: int = 1, timeout: float = 10.0) -> list[float]:
        """Wait (in real time, at most ``timeout`` s) until at least ``count`` sleepers are asleep:
        the code under test reached its timers, so advancing now reaches them. Returns ``pending``."""
        async with asyncio.timeout(timeout):
            while len(self.pending) < count:
                changed = asyncio.get_running_loop().create_future()
                self._changed.append(changed)
                try:
                    await changed
                finally:
                    if changed in self._changed:
                        self._changed.remove(changed)
        return self.pending

    def _notify(self) -> None:
        waiting, self._changed = self._changed, []
        for changed in waiting:
            if not changed.done():
                changed.set_result(None)

    def _drop_finished(self) -> None:
        while self._sleepers and self._sleepers[0].future.done():
            heapq.heappop(self._sleepers)

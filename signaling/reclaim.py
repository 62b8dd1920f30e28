"""Reconnect windows: a dropped member keeps their place for a while; the timers are owned here
and all cancelled on shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger(__name__)
Sleep = Callable[[float], Awaitable[None]]


class ReclaimTimers:
    def __init__(self, window: float, sleep: Sleep = asyncio.sleep) -> None:
        self._window = window
        self._sleep = sleep
        self._tasks: dict[tuple[str, str], asyncio.Task] = {}
        self._expiries: dict[tuple[str, str], Callable[[], Awaitable[None]]] = {}

    def start(self, key: tuple[str, str], on_expiry: Callable[[], Awaitable[None]]) -> None:
        self.cancel(key)
        self._expiries[key] = on_expiry
        self._tasks[key] = asyncio.create_task(self._run(key, on_expiry), name=f"reclaim:{key[1]}")

    async def _run(self, key: tuple[str, str], on_expiry: Callable[[], Awaitable[None]]) -> None:
        try:
            await self._sleep(self._window)
            await on_expiry()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("reclaim_expiry_failed")
        finally:
            if self._tasks.get(key) is asyncio.current_task():
                del self._tasks[key]
                self._expiries.pop(key, None)

    async def expire_now(self, key: tuple[str, str]) -> bool:
        """End the window at once (the person's access ended while they were away); whether one ran."""
        on_expiry = self._expiries.get(key)
        if on_expiry is None:
            return False
        self.cancel(key)
        await on_expiry()
        return True

    def cancel(self, key: tuple[str, str]) -> None:
        self._expiries.pop(key, None)
        task = self._tasks.pop(key, None)
        if task is not None:
            task.cancel()

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        self._expiries.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

"""The dashboard sockets connected to *this* node, by staff sign-in, and the sweep that closes those
whose sign-in has ended (signed out, expired, idle, staff disabled) — on every node, even if the
sign-out's notice never reached it. An open dashboard is not activity: it never keeps a sign-in alive."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import socketio
import structlog

from server.dashboard.feed import NAMESPACE

log = structlog.get_logger(__name__)
SignInLive = Callable[[str, str], Awaitable[bool]]  # (staff sign-in id, staff id) -> still live?


class StaffSockets:
    def __init__(self, sio: socketio.AsyncServer, live: SignInLive, interval: float) -> None:
        self._sio = sio
        self._live = live
        self._interval = interval
        self._by_sid: dict[str, tuple[str, str]] = {}  # sid -> (staff sign-in id, staff id)
        self._task: asyncio.Task | None = None

    def add(self, sid: str, staff_session_id: str, staff_id: str) -> None:
        self._by_sid[sid] = (staff_session_id, staff_id)

    def remove(self, sid: str) -> None:
        self._by_sid.pop(sid, None)

    def __len__(self) -> int:
        return len(self._by_sid)

    async def end(self, staff_session_id: str) -> int:
        """Close this node's sockets of one sign-in (signed out here); returns how many."""
        sids = [sid for sid, (sign_in, _) in self._by_sid.items() if sign_in == staff_session_id]
        for sid in sids:
            await self._close(sid)
        return len(sids)

    async def sweep(self) -> int:
        """Close the sockets whose sign-in is no longer live; returns how many."""
        closed = 0
        for sid, (sign_in, staff_id) in list(self._by_sid.items()):
            try:
                live = await self._live(sign_in, staff_id)
            except Exception:  # the database is away for a moment: the next sweep looks again
                log.exception("dashboard_sweep_failed")
                return closed
            if not live:
                await self._close(sid)
                closed += 1
        return closed

    async def _close(self, sid: str) -> None:
        self.remove(sid)
        with contextlib.suppress(Exception):
            await self._sio.emit("signed_out", {"reason": "signed_out"}, to=sid, namespace=NAMESPACE)
            await self._sio.disconnect(sid, namespace=NAMESPACE)

    def start(self) -> None:
        if self._task is None and self._interval > 0:
            self._task = asyncio.create_task(self._run(), name="dashboard-sign-in-sweep")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self.sweep()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

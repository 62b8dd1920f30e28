"""While a host is connected, their staff sign-in counts as active (a live call never idles out);
a host whose sign-in has ended is disconnected."""

from __future__ import annotations

import asyncio
import contextlib

import socketio
import structlog

from .local_connections import LocalConnections
from .ports import Gatekeeper

log = structlog.get_logger(__name__)


class HostKeepalive:
    def __init__(self, sio: socketio.AsyncServer, gatekeeper: Gatekeeper, connections: LocalConnections,
                 interval: float) -> None:
        self._sio = sio
        self._gate = gatekeeper
        self._connections = connections
        self._interval = interval
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="host-keepalive")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self.tick()

    async def tick(self) -> None:
        for sid, identity in self._connections.hosts():
            try:
                alive = await self._gate.keep_alive(identity)
            except Exception:
                log.exception("host_keepalive_failed")
                continue
            if not alive:
                await self._sio.emit("signed_out", {"reason": "signed_out"}, to=sid)
                await self._sio.disconnect(sid)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

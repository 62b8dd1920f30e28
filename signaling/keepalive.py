"""The connection sweep. While a host is connected, their staff sign-in counts as active (a live call
never idles out); and every socket on this node has its credential checked again on a timer, so a
socket whose access ended is closed even if the revocation message never reached this node (Redis
pub/sub delivers at most once)."""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from .evictions import Evictions
from .local_connections import LocalConnections
from .ports import Gatekeeper
from .revocation import Revocation

log = structlog.get_logger(__name__)


class HostKeepalive:
    def __init__(self, evictions: Evictions, gatekeeper: Gatekeeper, connections: LocalConnections, interval: float) -> None:
        self._evictions = evictions
        self._gate = gatekeeper
        self._connections = connections
        self._interval = interval
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="connection-sweep")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self.tick()

    async def tick(self) -> None:
        for sid, identity in self._connections.all():
            try:
                if identity.staff_session_id is not None:
                    await self._gate.keep_alive(identity)  # a live call counts as activity
                reason = await self._gate.check(identity)
            except Exception:
                log.exception("connection_sweep_failed")
                continue
            if reason is not None:
                revocation = Revocation(session_id=identity.session_id, participant_id=identity.participant_id,
                                        reason=reason, staff_session_id=identity.staff_session_id
                                        if reason == "signed_out" else None)
                await self._evictions.evict(sid, identity, revocation)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

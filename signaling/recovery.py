"""Redis lost and back: what a node does for the sockets it holds.

While the node's heartbeat cannot reach Redis its sockets are told (``live_state`` ``unavailable``):
the call goes on peer to peer, but nothing in the room can change, and the browser shows
"reconnecting". When Redis answers again — possibly empty, after a restart — the node puts back
what it holds, from its own sockets and the durable records: each socket's claim and node record,
each joined socket's place in its room (admitted for hosts and anyone admitted earlier, the lobby
for the others; see ``RoomService.restore_place``), a fresh lobby for each room's hosts; it wakes the
cross-node delivery listener, and tells its sockets ``live_state`` ``available`` (the browser joins
again and gets the room as it is). Putting back is idempotent: after an outage in which Redis kept
everything, nothing changes."""

from __future__ import annotations

import time
from collections.abc import Callable

import socketio
import structlog

from .local_connections import LocalConnections
from .messages import LiveStateNotice
from .rooms import RoomService

log = structlog.get_logger(__name__)

UNAVAILABLE = "We have lost touch with part of our service. Your call goes on; we are reconnecting…"
AVAILABLE = "Reconnected."


class Recovery:
    def __init__(self, sio: socketio.AsyncServer, rooms: RoomService, connections: LocalConnections,
                 wake_delivery: Callable[[], None] = lambda: None) -> None:
        self._sio = sio
        self._rooms = rooms
        self._connections = connections
        self._wake_delivery = wake_delivery

    async def lost(self) -> None:
        log.warning("live_state_lost", sockets=len(self._connections))
        await self._tell(LiveStateNotice(state="unavailable", message=UNAVAILABLE))

    async def returned(self) -> int:
        """Put back what this node holds; returns how many places were put back. Raises if anything
        could not be (the heartbeat tries again on its next beat)."""
        started = time.monotonic()
        self._wake_delivery()
        sessions: set[str] = set()
        restored = failed = 0
        for sid, identity in self._connections.all():
            try:
                if not await self._rooms.restore_socket(identity, sid):
                    continue  # replaced by a newer socket of theirs (it is closing)
                if self._connections.has_joined(sid):
                    restored += await self._rooms.restore_place(identity, sid)
                    sessions.add(identity.session_id)
            except Exception:
                failed += 1
                log.exception("live_state_restore_failed", participant_id=identity.participant_id)
        for session_id in sorted(sessions):
            await self._rooms.refresh_lobby(session_id)
        if failed:
            raise RuntimeError(f"{failed} socket(s) could not be put back")
        await self._tell(LiveStateNotice(state="available", message=AVAILABLE))
        log.info("live_state_restored", sockets=len(self._connections), places=restored,
                 seconds=round(time.monotonic() - started, 3))
        return restored

    async def _tell(self, notice: LiveStateNotice) -> None:
        """Straight to this node's own sockets (not through Redis, which may be away)."""
        for sid, _ in self._connections.all():
            await self._sio.emit("live_state", notice.payload(), to=sid, ignore_queue=True)

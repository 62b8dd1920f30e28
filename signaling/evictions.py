"""What a node does when it hears a :class:`~signaling.revocation.Revocation`: end the sockets it
holds that the revoked credential opened (checked against the durable record first), and a place
whose reconnect window is running here."""

from __future__ import annotations

import structlog

from .local_connections import LocalConnections
from .ports import Gatekeeper, Identity
from .revocation import Revocation
from .rooms import RoomService

log = structlog.get_logger(__name__)


class Evictions:
    def __init__(self, rooms: RoomService, gatekeeper: Gatekeeper, connections: LocalConnections) -> None:
        self._rooms = rooms
        self._gate = gatekeeper
        self._connections = connections

    async def handle(self, revocation: Revocation) -> None:
        for sid, identity in self._connections.of_participant(revocation.participant_id):
            if identity.session_id != revocation.session_id:
                continue
            if revocation.staff_session_id is not None and identity.staff_session_id != revocation.staff_session_id:
                continue  # the same host signed in elsewhere keeps that call
            if await self._gate.check(identity) is None:
                continue  # this socket's credential still holds (e.g. a link issued after the revocation)
            await self.evict(sid, identity, revocation)
        if revocation.ends_place:
            await self._rooms.end_dropped_place(revocation.session_id, revocation.participant_id)

    async def evict(self, sid: str, identity: Identity, revocation: Revocation) -> None:
        self._connections.remove(sid)  # no further events from it while it closes
        await self._rooms.evict(identity, sid, revocation.reason, end_place=revocation.ends_place)


"""Prometheus metrics of the signalling layer, registered on the registry the app owns."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class SignalingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.connections = Gauge(
            "steadyline_socket_connections", "Open Socket.IO connections on this node", registry=registry
        )
        self.rooms = Gauge("steadyline_rooms", "Rooms with a connected member on this node", registry=registry)
        self.joins = Counter("steadyline_joins", "Members admitted into a room", registry=registry)
        self.messages = Counter(
            "steadyline_signaling_messages", "Socket events handled", ["event"], registry=registry
        )
        self._sockets_by_room: dict[str, set[str]] = {}
        self.errors = Counter(
            "steadyline_signaling_errors", "Socket events refused", ["code"], registry=registry
        )

    def socket_opened(self, room_id: str, sid: str) -> None:
        self.connections.inc()
        self._sockets_by_room.setdefault(room_id, set()).add(sid)
        self.rooms.set(len(self._sockets_by_room))

    def socket_closed(self, room_id: str, sid: str) -> None:
        self.connections.dec()
        sockets = self._sockets_by_room.get(room_id, set())
        sockets.discard(sid)
        if not sockets:
            self._sockets_by_room.pop(room_id, None)
        self.rooms.set(len(self._sockets_by_room))

"""Prometheus metrics of the signalling layer, registered on the registry the app owns."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

from .local_connections import LocalConnections


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
        self.errors = Counter(
            "steadyline_signaling_errors", "Socket events refused", ["code"], registry=registry
        )

    def observe(self, connections: LocalConnections) -> None:
        self.connections.set(len(connections))
        self.rooms.set(connections.room_count())

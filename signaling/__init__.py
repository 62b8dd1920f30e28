"""Signalling: who may talk to whom; the lobby; SDP/ICE relay; presence.

``create_signaling`` builds the Socket.IO server for the composition root; it imports nothing of
``server`` — durable records, tokens and policy come in through a ``Gatekeeper``."""

from __future__ import annotations

from dataclasses import dataclass

import socketio
from prometheus_client import CollectorRegistry

from .config import SignalingConfig
from .keepalive import HostKeepalive
from .live_state import LiveState, MemoryLiveState
from .local_connections import LocalConnections
from .media_rooms import MediaRooms
from .metrics import SignalingMetrics
from .namespace import RoomNamespace
from .origins import OriginPolicy
from .ports import Gatekeeper
from .redis_state import RedisLiveState
from .rooms import RoomService


@dataclass
class Signaling:
    sio: socketio.AsyncServer
    live: LiveState
    rooms: RoomService
    keepalive: HostKeepalive

    def start(self) -> None:
        self.keepalive.start()

    async def close_room(self, session_id: str) -> None:
        await self.rooms.close_room(session_id)

    async def disconnect_member(self, session_id: str, participant_id: str, reason: str) -> None:
        await self.rooms.disconnect_member(session_id, participant_id, reason)

    async def notify_hosts(self, session_id: str, event: str, payload: dict) -> int:
        return await self.rooms.notify_hosts(session_id, event, payload)

    async def notify_room(self, session_id: str, event: str, payload: dict) -> int:
        return await self.rooms.notify_room(session_id, event, payload)

    async def notify_member(self, session_id: str, participant_id: str, event: str, payload: dict) -> bool:
        return await self.rooms.notify_member(session_id, participant_id, event, payload)

    async def close(self) -> None:
        await self.keepalive.close()
        await self.rooms.close()
        await self.live.close()


def create_signaling(config: SignalingConfig, gatekeeper: Gatekeeper, registry: CollectorRegistry) -> Signaling:
    manager = socketio.AsyncRedisManager(config.redis_url) if config.redis_url else None
    sio = socketio.AsyncServer(
        async_mode="aiohttp", client_manager=manager, transports=["websocket"],
        ping_interval=config.ping_interval, ping_timeout=config.ping_timeout,
        max_http_buffer_size=config.max_message_bytes, logger=False, engineio_logger=False,
        cors_allowed_origins=OriginPolicy(config.allowed_origins, registry),
    )
    live: LiveState = RedisLiveState(config.redis_url) if config.redis_url else MemoryLiveState()
    metrics = SignalingMetrics(registry)
    rooms = RoomService(sio, live, gatekeeper, config, metrics, MediaRooms(sio, live))
    connections = LocalConnections()
    sio.register_namespace(
        RoomNamespace(rooms, gatekeeper, metrics, connections, config.message_rate, config.message_burst))
    keepalive = HostKeepalive(sio, gatekeeper, connections, config.keepalive_interval)
    return Signaling(sio=sio, live=live, rooms=rooms, keepalive=keepalive)


__all__ = ["Gatekeeper", "Signaling", "SignalingConfig", "create_signaling"]

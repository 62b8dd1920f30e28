"""Signalling: who may talk to whom; the lobby; SDP/ICE relay; presence.

``create_signaling`` builds the Socket.IO server for the composition root; it imports nothing of
``server`` — durable records, tokens and policy come in through a ``Gatekeeper``."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass

import socketio
import structlog
from prometheus_client import CollectorRegistry

from .chat import RoomChat
from .config import SignalingConfig
from .evictions import Evictions
from .keepalive import HostKeepalive
from .live_state import LiveState, MemoryLiveState
from .local_connections import LocalConnections
from .media_rooms import MediaRooms, process_name
from .media_workers import MediaWorkers
from .metrics import SignalingMetrics
from .namespace import RoomNamespace
from .nodes import LocalNodes, Nodes, RedisNodes
from .origins import OriginPolicy
from .ports import Gatekeeper
from .reclaim import Sleep
from .recovery import Recovery
from .redis_delivery import RedisDelivery
from .redis_state import RedisLiveState
from .revocation import LocalRevocationBus, RedisRevocationBus, Revocation, RevocationBus
from .rooms import RoomService

log = structlog.get_logger(__name__)
SERVER_RESTARTING = {"reason": "server_restarting",
                     "message": "This server is restarting. Reconnecting you now…"}


@dataclass
class Signaling:
    sio: socketio.AsyncServer
    live: LiveState
    rooms: RoomService
    keepalive: HostKeepalive
    revocations: RevocationBus
    evictions: Evictions
    connections: LocalConnections
    nodes: Nodes
    recovery: Recovery
    media: MediaRooms

    def start(self) -> None:
        self.media.start()
        self.revocations.start(self.evictions.handle)
        self.keepalive.start()
        self.nodes.start(self.rooms.dead_socket, self.hand_over, self.recovery)

    async def revoke(self, session_id: str, participant_id: str, reason: str) -> None:
        """The person's access to the session has ended (recorded durably already): every node ends
        the sockets and peer connections it holds for them, and their place in the room."""
        await self.revocations.publish(Revocation(session_id=session_id, participant_id=participant_id, reason=reason))

    async def sign_out(self, session_id: str, participant_id: str, staff_session_id: str) -> None:
        """A host's staff sign-in ended: every node ends the sockets opened under it (the host keeps
        their place for the reconnect window, as after any drop)."""
        await self.revocations.publish(Revocation(session_id=session_id, participant_id=participant_id,
                                                  reason="signed_out", staff_session_id=staff_session_id))

    async def close_room(self, session_id: str) -> None:
        await self.rooms.close_room(session_id)

    async def disconnect_member(self, session_id: str, participant_id: str, reason: str) -> None:
        await self.rooms.disconnect_member(session_id, participant_id, reason)

    async def notify_hosts(self, session_id: str, event: str, payload: dict) -> int:
        return await self.rooms.notify_hosts(session_id, event, payload)

    async def notify_crisis(self, session_id: str, event: str, payload: dict, *, about: Collection[str]) -> int:
        return await self.rooms.notify_crisis(session_id, event, payload, about=about)

    async def host_stepped_out(self, session_id: str, host_participant_id: str, *, skip: Collection[str]) -> int:
        return await self.rooms.host_stepped_out(session_id, host_participant_id, skip=skip)

    async def notify_member(self, session_id: str, participant_id: str, event: str, payload: dict) -> bool:
        return await self.rooms.notify_member(session_id, participant_id, event, payload)

    def live_state_settled(self) -> bool:
        """Whether the live state can be trusted to say who is connected (see ``Nodes.settled``)."""
        return self.nodes.settled()

    async def hand_over(self) -> int:
        """This node is stopping: tell every socket it holds to reconnect now (``server_restarting``; a
        load balancer sends them to another node) and close it, so nobody waits for a ping timeout. Their
        places are kept for the reconnect window, as after any drop. Returns how many were told."""
        sockets = self.connections.all()
        for sid, _ in sockets:
            try:
                await self.sio.emit("server_restarting", SERVER_RESTARTING, to=sid)
                await self.sio.disconnect(sid)
            except Exception:
                log.exception("hand_over_failed")
        return len(sockets)

    async def close(self) -> None:
        await self.nodes.close()
        await self.keepalive.close()
        await self.revocations.close()
        await self.rooms.close()
        await self.live.close()
        await self._stop_redis_listener()

    async def _stop_redis_listener(self) -> None:
        """python-socketio's Redis listener (several nodes) retries on any error, and redis-py can turn a
        cancellation into one (seen after a Redis restart): cancel it until it has really ended, so a
        stopping process never hangs on it."""
        task = getattr(self.sio.manager, "thread", None)
        for _ in range(50):
            if task is None or task.done():
                return
            task.cancel()
            await asyncio.wait({task}, timeout=0.1)
        log.warning("redis_listener_did_not_stop")


def create_signaling(config: SignalingConfig, gatekeeper: Gatekeeper, registry: CollectorRegistry,
                     sleep: Sleep = asyncio.sleep) -> Signaling:
    """``sleep`` is what the reconnect windows wait on (tests pass a fake clock's)."""
    manager = RedisDelivery(config.redis_url) if config.redis_url else None
    sio = socketio.AsyncServer(
        async_mode="aiohttp", client_manager=manager, transports=["websocket"],
        ping_interval=config.ping_interval, ping_timeout=config.ping_timeout,
        max_http_buffer_size=config.max_message_bytes, logger=False, engineio_logger=False,
        cors_allowed_origins=OriginPolicy(config.allowed_origins, registry),
    )
    live: LiveState = RedisLiveState(config.redis_url) if config.redis_url else MemoryLiveState()
    metrics = SignalingMetrics(registry)
    revocations: RevocationBus = RedisRevocationBus(config.redis_url) if config.redis_url else LocalRevocationBus()
    node_id = process_name()  # this process: its heartbeat, the sockets it holds, the SFU rooms it owns
    nodes: Nodes = (RedisNodes(config.redis_url, node_id, interval=config.node_heartbeat_interval,
                               ttl=config.node_ttl) if config.redis_url else LocalNodes(node_id))
    workers = MediaWorkers(config.media_workers) if config.media_workers else None
    media = MediaRooms(sio, live, owner=node_id, workers=workers,
                       alive=nodes.alive if config.redis_url else None, owner_watch=config.node_ttl + 2.0)
    rooms = RoomService(sio, live, gatekeeper, config, metrics, media, revocations, sleep, nodes)
    connections = LocalConnections()
    sio.register_namespace(RoomNamespace(rooms, gatekeeper, metrics, connections, config.message_rate,
                                         config.message_burst, config.message_flood_limit, RoomChat(sio, live)))
    evictions = Evictions(rooms, gatekeeper, connections)
    keepalive = HostKeepalive(evictions, gatekeeper, connections, config.keepalive_interval)
    recovery = Recovery(sio, rooms, connections, wake_delivery=manager.wake if manager else lambda: None)
    return Signaling(sio=sio, live=live, rooms=rooms, keepalive=keepalive, revocations=revocations,
                     evictions=evictions, connections=connections, nodes=nodes, recovery=recovery,
                     media=media)


__all__ = ["Gatekeeper", "Signaling", "SignalingConfig", "create_signaling"]

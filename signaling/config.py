"""Settings of the signalling layer, built by the composition root from the server settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from .ice import IceConfig
from .messages import Emergency


@dataclass(frozen=True)
class SignalingConfig:
    room_max_participants: int = 12
    max_message_bytes: int = 65536
    message_rate: float = 20.0
    message_burst: int = 60
    message_flood_limit: int = 60  # refused events (forgiven one a second) before a flooding socket is closed
    ping_interval: int = 5
    ping_timeout: int = 10
    reconnect_window: float = 30.0
    keepalive_interval: float = 60.0
    redis_url: str | None = None
    node_heartbeat_interval: float = 2.0  # several nodes: each refreshes its heartbeat (and sweeps) this often
    node_ttl: float = 8.0  # a node whose heartbeat is this old is dead: its sockets are dropped by a survivor
    media_workers: int = 0  # group rooms' media in this many worker processes; 0 = on the signalling loop
    allowed_origins: tuple[str, ...] = ("https://localhost:8443",)
    ice: IceConfig = field(default_factory=IceConfig)
    emergency: Emergency = field(
        default_factory=lambda: Emergency(crisis_line="", crisis_hotline="988", emergency_number="911")
    )

    def __post_init__(self) -> None:
        if self.room_max_participants < 2:
            raise ValueError("a room holds at least two people")
        if self.reconnect_window < 0:
            raise ValueError("reconnect_window must not be negative")
        if self.media_workers < 0:
            raise ValueError("media_workers must not be negative")
        if not 0 < self.node_heartbeat_interval < self.node_ttl:
            raise ValueError("node_ttl must be longer than node_heartbeat_interval")

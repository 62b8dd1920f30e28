"""Snapshots of what a room forwards, for dashboards and tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublicationStats:
    publisher_id: str
    kind: str
    codec: str
    frames_received: int
    keyframes_received: int
    bytes_received: int
    incomplete_frames: int
    keyframe_requests_sent: int
    paused: bool


@dataclass(frozen=True)
class SubscriptionStats:
    """One publisher's track as forwarded to one subscriber.

    ``dropped`` counts frames lost because this subscriber fell behind (queue
    overflow, then drop to the next keyframe); ``gated`` counts frames skipped
    while waiting for a keyframe at start, after a source switch or unpause.
    """

    subscriber_id: str
    publisher_id: str
    kind: str
    mid: str | None
    forwarded: int
    dropped: int
    gated: int
    overflows: int
    keyframe_requests: int


@dataclass(frozen=True)
class RoomStats:
    room_id: str
    participants: tuple[str, ...]
    publications: tuple[PublicationStats, ...]
    subscriptions: tuple[SubscriptionStats, ...]

    def for_subscriber(self, subscriber_id: str) -> tuple[SubscriptionStats, ...]:
        return tuple(s for s in self.subscriptions if s.subscriber_id == subscriber_id)

    @property
    def forwarded(self) -> int:
        return sum(s.forwarded for s in self.subscriptions)

    @property
    def dropped(self) -> int:
        return sum(s.dropped for s in self.subscriptions)

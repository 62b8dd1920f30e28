"""Live room state — who is in which room, waiting or admitted, connected where.

One interface, two implementations: in-process (single node, the default) and Redis
(``redis_state.RedisLiveState``, multi-node). Socket.IO rooms are never the source of truth."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, replace
from typing import Literal, Protocol

Status = Literal["lobby", "admitted"]


@dataclass(frozen=True)
class Member:
    participant_id: str
    display_name: str
    role: str
    status: Status
    sid: str | None
    waiting_since: float
    audio: bool = True
    video: bool = True
    hand: bool = False

    @property
    def connected(self) -> bool:
        return self.sid is not None

    def with_(self, **changes) -> Member:
        return replace(self, **changes)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Member:
        return cls(**json.loads(raw))


class LiveState(Protocol):
    async def get(self, session_id: str, participant_id: str) -> Member | None: ...
    async def put(self, session_id: str, member: Member) -> None: ...
    async def get_many(self, session_id: str, participant_ids: list[str]) -> list[Member | None]: ...
    async def delete(self, session_id: str, participant_id: str) -> None: ...
    async def members(self, session_id: str) -> list[Member]: ...
    async def clear(self, session_id: str) -> None: ...
    async def claim_media(self, session_id: str, owner: str, ttl: float) -> str:
        """Record ``owner`` (one server process) as holding the session's SFU room for ``ttl``
        seconds, unless another owner's record is still live; returns the owner on record.
        Claiming again as the owner on record extends it."""
        ...

    async def release_media(self, session_id: str, owner: str) -> None:
        """Forget the record if ``owner`` holds it."""
        ...

    async def media_owner(self, session_id: str) -> str | None:
        """The owner on record of the session's SFU room, if any."""
        ...

    async def swap_socket(self, participant_id: str, sid: str) -> str | None:
        """Record ``sid`` as the participant's one socket; returns the socket it replaces, if any."""
        ...

    async def release_socket(self, participant_id: str, sid: str) -> None:
        """Forget the participant's socket if it is still ``sid``."""
        ...

    async def restore_socket(self, participant_id: str, sid: str) -> str:
        """Record ``sid`` as the participant's one socket unless another one is on record (the live
        state lost the record, and the person may have opened a newer socket since); returns the
        socket on record."""
        ...

    async def ping(self) -> None:
        """Raise if the live state cannot be reached."""

    async def close(self) -> None: ...


class MemoryLiveState:
    """Single-process live state."""

    def __init__(self) -> None:
        self._rooms: dict[str, dict[str, Member]] = {}
        self._media: dict[str, tuple[str, float]] = {}  # session -> (owner, expires at, monotonic)
        self._sockets: dict[str, str] = {}  # participant -> their one socket

    async def get(self, session_id: str, participant_id: str) -> Member | None:
        return self._rooms.get(session_id, {}).get(participant_id)

    async def get_many(self, session_id: str, participant_ids: list[str]) -> list[Member | None]:
        room = self._rooms.get(session_id, {})
        return [room.get(pid) for pid in participant_ids]

    async def put(self, session_id: str, member: Member) -> None:
        self._rooms.setdefault(session_id, {})[member.participant_id] = member

    async def delete(self, session_id: str, participant_id: str) -> None:
        room = self._rooms.get(session_id, {})
        room.pop(participant_id, None)
        if not room:
            self._rooms.pop(session_id, None)

    async def members(self, session_id: str) -> list[Member]:
        return list(self._rooms.get(session_id, {}).values())

    async def clear(self, session_id: str) -> None:
        self._rooms.pop(session_id, None)
        self._media.pop(session_id, None)

    async def claim_media(self, session_id: str, owner: str, ttl: float) -> str:
        now = time.monotonic()
        current = self._media.get(session_id)
        if current is None or current[0] == owner or current[1] <= now:
            self._media[session_id] = (owner, now + ttl)
            return owner
        return current[0]

    async def release_media(self, session_id: str, owner: str) -> None:
        current = self._media.get(session_id)
        if current is not None and current[0] == owner:
            del self._media[session_id]

    async def media_owner(self, session_id: str) -> str | None:
        current = self._media.get(session_id)
        return current[0] if current is not None and current[1] > time.monotonic() else None

    async def swap_socket(self, participant_id: str, sid: str) -> str | None:
        previous = self._sockets.get(participant_id)
        self._sockets[participant_id] = sid
        return previous if previous != sid else None

    async def release_socket(self, participant_id: str, sid: str) -> None:
        if self._sockets.get(participant_id) == sid:
            del self._sockets[participant_id]

    async def restore_socket(self, participant_id: str, sid: str) -> str:
        return self._sockets.setdefault(participant_id, sid)

    async def ping(self) -> None:
        return None  # in this process: always there

    async def close(self) -> None:
        self._rooms.clear()
        self._sockets.clear()

"""What signalling needs from the rest of the system, as ports the composition root fills.

Signalling imports nothing of ``server``: token checks, policy, durable records and audit come in
through a ``Gatekeeper``."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol


class RoomAction(str, enum.Enum):
    MODERATE = "moderate"  # admit, deny, send back, remove, ask to mute, lock, end
    SIGNAL = "signal"  # relay SDP/ICE to another admitted member
    PRESENT = "present"  # own media state, leave


@dataclass(frozen=True)
class SessionInfo:
    session_id: str
    program_id: str
    title: str
    kind: str  # "individual" | "group"


@dataclass(frozen=True)
class Identity:
    """A verified participant token: one person in one session."""

    participant_id: str
    display_name: str
    role: str  # "therapist" | "client" | "support"
    session: SessionInfo
    token_id: str
    staff_session_id: str | None = None  # hosts: the staff sign-in behind this token
    admitted: bool = False  # durably admitted earlier in this session
    invite_id: str | None = None  # the personal link this token was redeemed from
    standing_link_id: str | None = None  # or the client's standing link whose page made it

    @property
    def session_id(self) -> str:
        return self.session.session_id

    @property
    def is_host(self) -> bool:
        return self.role == "therapist"


class PresenceEvent(str, enum.Enum):
    """What happened to an admitted member's place, for the durable record of a crisis."""

    JOINED = "joined"  # took their place (first time on this live state)
    RETURNED = "returned"  # back on a new connection while their place was kept
    DROPPED = "dropped"  # the socket went away without leaving: the reconnect window starts
    LEFT = "left"  # left on purpose
    EXPIRED = "expired"  # not back within the reconnect window


class Gatekeeper(Protocol):
    async def authenticate(self, token: str) -> Identity:
        """Verify a participant token against the durable records; raise ``AuthFailed``."""

    async def check(self, identity: Identity) -> str | None:
        """Why this verified token no longer holds (``session_ended``, ``removed``, ``link_revoked``,
        ``signed_out``), or None while it still does. Asked when a revocation is heard and by the
        connection sweep."""

    async def keep_alive(self, identity: Identity) -> bool:
        """A connected host keeps their staff sign-in alive; False once it has ended."""

    async def set_admitted(self, session_id: str, participant_id: str, admitted: bool) -> None:
        """Remember admission durably, so a restart or a failover does not send people back."""

    async def is_admitted(self, session_id: str, participant_id: str) -> bool:
        """Whether the durable record says the participant was admitted (and not since sent back or
        removed): a place is rebuilt from it when the live state has lost it."""

    async def set_locked(self, session_id: str, locked: bool) -> None:
        """Remember durably that the host locked (or unlocked) the room."""

    async def is_locked(self, session_id: str) -> bool:
        """Whether the room is locked (the durable record: it survives the loss of the live state)."""

    async def open_crisis(self, session_id: str) -> tuple[str, str, int] | None:
        """(crisis id, state, version) of the crisis holding the session open, if any."""

    async def crisis_concerns(self, identity: Identity, crisis_id: str) -> bool:
        """Whether this client is the one the crisis is about (only they, of the clients, are shown it)."""

    async def is_open(self, session_id: str) -> bool:
        """Whether the session may still be joined (it has not ended)."""

    def may(self, identity: Identity, action: RoomAction) -> bool:
        """Ask the access policy."""

    async def remove_participant(self, by: Identity, participant_id: str) -> None:
        """Record a removal: the person's links and tokens stop working."""

    async def end_session(self, by: Identity) -> None:
        """Record that the session has ended; raise a ``SignalingError`` (code ``crisis_active``)
        while a crisis holds the session open."""

    async def record(self, by: Identity, action: str, target: str | None = None) -> None:
        """Write an audit record of a room event."""

    async def presence(self, identity: Identity, event: PresenceEvent) -> None:
        """An admitted member joined, returned, dropped, left or ran out of reconnect time: recorded on
        an open crisis's timeline, and it may start or stop its escalation timers. Must not raise into
        signalling (the room logs and carries on if it does)."""

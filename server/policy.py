"""Access control in one place: which role may do which action, within which program.

Every HTTP handler and (through the signalling gatekeeper) every socket event asks here.
Resources of another program answer "not found", so their existence does not leak."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .errors import Forbidden, NotFound


class Role(str, enum.Enum):
    ADMIN = "admin"
    THERAPIST = "therapist"
    CLIENT = "client"
    SUPPORT = "support"
    RESPONDER = "responder"


class Action(str, enum.Enum):
    SESSION_CREATE = "session.create"
    SESSION_LIST = "session.list"
    SESSION_READ = "session.read"
    SESSION_MANAGE = "session.manage"  # add people, issue/revoke links, end
    SESSION_HOST = "session.host"  # enter the call as its host
    AUDIT_EXPORT = "audit.export"
    ROOM_MODERATE = "room.moderate"  # admit, deny, send back, remove, ask to mute, lock, end
    ROOM_SIGNAL = "room.signal"  # relay offers/answers/ICE to other admitted members
    ROOM_PRESENT = "room.present"  # publish own media state, leave


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.SESSION_CREATE: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.SESSION_LIST: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.SESSION_READ: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.SESSION_MANAGE: frozenset({Role.THERAPIST, Role.ADMIN}),
    Action.SESSION_HOST: frozenset({Role.THERAPIST}),
    Action.AUDIT_EXPORT: frozenset({Role.ADMIN}),
    Action.ROOM_MODERATE: frozenset({Role.THERAPIST}),
    Action.ROOM_SIGNAL: frozenset({Role.THERAPIST, Role.CLIENT, Role.SUPPORT}),
    Action.ROOM_PRESENT: frozenset({Role.THERAPIST, Role.CLIENT, Role.SUPPORT}),
}

# Actions on a session that a therapist may take only on sessions they lead; admins on any
# session of their program.
_OWNER_ONLY = frozenset({Action.SESSION_READ, Action.SESSION_MANAGE, Action.SESSION_HOST})


@dataclass(frozen=True)
class Principal:
    """Who is asking: a staff member (access token) or a participant of one session."""

    id: str
    role: Role
    program_id: str
    session_id: str | None = None
    staff_session_id: str | None = None  # the sign-in a staff principal acts under


@dataclass(frozen=True)
class SessionScope:
    """What is being touched: one session of one program, led by one therapist."""

    session_id: str
    program_id: str
    therapist_id: str


def is_allowed(principal: Principal, action: Action, scope: SessionScope | None = None) -> bool:
    if principal.role not in ALLOWED[action]:
        return False
    if scope is None:
        return True
    if principal.program_id != scope.program_id:
        return False
    if principal.session_id is not None and principal.session_id != scope.session_id:
        return False
    if action in _OWNER_ONLY and principal.role is Role.THERAPIST:
        return principal.id == scope.therapist_id
    return True


def authorize(principal: Principal, action: Action, scope: SessionScope | None = None) -> None:
    """Raise unless ``principal`` may take ``action`` on ``scope``."""
    if is_allowed(principal, action, scope):
        return
    if scope is not None and principal.program_id != scope.program_id:
        raise NotFound("session not found")
    raise Forbidden()

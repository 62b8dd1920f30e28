"""The crisis lifecycle as data: states, roles, actions and the table of allowed transitions.

Transitions (the table below is the single source of truth)::

    (none)          --start-->          active
    active          --dispatch_help-->  help_on_the_way
    stabilised      --dispatch_help-->  help_on_the_way
    help_on_the_way --help_arrived-->   help_arrived
    active | help_on_the_way | help_arrived  --stabilise-->   stabilised
    help_on_the_way | help_arrived | stabilised --reactivate--> active
    stabilised | help_arrived               --close-->       closed

Who may do what:

* the client may only start a crisis ("I need help now");
* therapists, on-call clinicians and admins may move an open crisis along;
* only a clinician (therapist or on-call clinician) may close one, and only once it is
  stabilised or help has arrived and taken over;
* support persons and responders may not change the state at all;
* nothing that is not an explicit action (a socket closing, a timer, a lost connection) can
  change the state: the table has no such entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .errors import CrisisClosed, IllegalTransition, RoleNotPermitted


class CrisisState(str, Enum):
    ACTIVE = "active"
    HELP_ON_THE_WAY = "help_on_the_way"
    HELP_ARRIVED = "help_arrived"
    STABILISED = "stabilised"
    CLOSED = "closed"


class Role(str, Enum):
    CLIENT = "client"
    THERAPIST = "therapist"
    ON_CALL_CLINICIAN = "on_call_clinician"
    ADMIN = "admin"
    SUPPORT_PERSON = "support_person"
    RESPONDER = "responder"
    SYSTEM = "system"  # timers and rules inside Steadyline: may record, never transition


class Action(str, Enum):
    START = "start"
    DISPATCH_HELP = "dispatch_help"
    HELP_ARRIVED = "help_arrived"
    STABILISE = "stabilise"
    REACTIVATE = "reactivate"
    CLOSE = "close"


CLINICIANS = frozenset({Role.THERAPIST, Role.ON_CALL_CLINICIAN})
STAFF = CLINICIANS | {Role.ADMIN}
OPENERS = CLINICIANS | {Role.CLIENT}


@dataclass(frozen=True)
class Transition:
    source: CrisisState | None  # None: no crisis yet
    action: Action
    target: CrisisState
    roles: frozenset[Role]


S = CrisisState
TRANSITIONS: tuple[Transition, ...] = (
    Transition(None, Action.START, S.ACTIVE, OPENERS),
    Transition(S.ACTIVE, Action.DISPATCH_HELP, S.HELP_ON_THE_WAY, STAFF),
    Transition(S.ACTIVE, Action.STABILISE, S.STABILISED, STAFF),
    Transition(S.HELP_ON_THE_WAY, Action.HELP_ARRIVED, S.HELP_ARRIVED, STAFF),
    Transition(S.HELP_ON_THE_WAY, Action.STABILISE, S.STABILISED, STAFF),
    Transition(S.HELP_ARRIVED, Action.STABILISE, S.STABILISED, STAFF),
    Transition(S.HELP_ON_THE_WAY, Action.REACTIVATE, S.ACTIVE, STAFF),
    Transition(S.HELP_ARRIVED, Action.REACTIVATE, S.ACTIVE, STAFF),
    Transition(S.STABILISED, Action.REACTIVATE, S.ACTIVE, STAFF),
    Transition(S.STABILISED, Action.DISPATCH_HELP, S.HELP_ON_THE_WAY, STAFF),
    Transition(S.STABILISED, Action.CLOSE, S.CLOSED, CLINICIANS),
    Transition(S.HELP_ARRIVED, Action.CLOSE, S.CLOSED, CLINICIANS),
)
del S

_TABLE: dict[tuple[CrisisState | None, Action], Transition] = {(t.source, t.action): t for t in TRANSITIONS}
assert len(_TABLE) == len(TRANSITIONS), "one row per (state, action)"


def roles_for(action: Action) -> frozenset[Role]:
    """Every role that may take ``action`` from some state."""
    return frozenset().union(*(t.roles for t in TRANSITIONS if t.action is action))


def allowed_actions(state: CrisisState | None, role: Role) -> tuple[Action, ...]:
    """What ``role`` may do from ``state``: what a UI should offer."""
    return tuple(t.action for t in TRANSITIONS if t.source == state and role in t.roles)


def plan_transition(state: CrisisState | None, action: Action, role: Role) -> Transition:
    """The table row for this step, or the named error saying why it is not allowed."""
    if state is CrisisState.CLOSED:
        raise CrisisClosed(details={"action": action.value})
    row = _TABLE.get((state, action))
    if row is not None and role in row.roles:
        return row
    details = {"state": state.value if state else None, "action": action.value, "role": role.value}
    if role not in roles_for(action) or row is not None:
        raise RoleNotPermitted(details=details)
    raise IllegalTransition(details=details)

"""A crisis session: its state, its timeline, and the one place that changes them.

A :class:`Crisis` is immutable. Every change appends one :class:`TimelineEvent` and bumps
``version`` by one (``version == len(timeline)``; an event's ``seq`` is the version it made), so
clients that reconnect can ask for the events after the last ``seq`` they saw.

The pure functions (:func:`start`, :func:`transition`, :func:`record_presence`,
:func:`record_disclosure`, :func:`record_assignment`, :func:`record_escalation`) decide; the async
:func:`open_crisis`, :func:`apply_transition` and :func:`append` run a decision against a
:class:`CrisisStore` with optimistic concurrency and hand the new event to ``on_event`` (audit
and broadcast are the edge's job). Disconnects are recorded as presence events and never change
the state: only :data:`~handoff.crisis_state.Action.CLOSE` by a clinician ends a crisis.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from typing import Protocol, runtime_checkable

from pydantic import Field, model_validator

from .consent import Basis, Categories, DisclosureCategory, Party
from .crisis_state import CLINICIANS, STAFF, Action, CrisisState, Role, plan_transition
from .errors import (
    CrisisAlreadyExists, CrisisClosed, CrisisNotFound, GuestNotKeepable, RoleNotPermitted, VersionConflict,
)
from .values import Clock, UtcDateTime, Value

log = logging.getLogger(__name__)


class Actor(Value):
    actor_id: str = Field(min_length=1)
    role: Role


SYSTEM_ACTOR = Actor(actor_id="steadyline", role=Role.SYSTEM)


class EventKind(str, Enum):
    STATE_CHANGED = "state_changed"
    JOINED = "joined"
    LEFT = "left"
    DISCLOSURE = "disclosure"
    ASSIGNED = "assigned"
    ESCALATION = "escalation"
    MOVED = "moved"  # the crisis (and its client) moved from one session to another, e.g. a private room


class TimelineEvent(Value):
    """One thing that happened. Never carries clinical content: a disclosure records *which
    categories* went to *whom* on *what basis*, not what was said."""

    crisis_id: str
    seq: int = Field(ge=1)
    at: UtcDateTime
    kind: EventKind
    actor_id: str
    actor_role: Role
    action: Action | None = None
    from_state: CrisisState | None = None
    to_state: CrisisState | None = None
    participant_id: str | None = None
    participant_role: Role | None = None
    recipient: Party | None = None
    categories: Categories = frozenset()
    basis_kind: str | None = None
    basis_ref: str | None = None
    step: str | None = Field(default=None, max_length=64)
    from_session_id: str | None = Field(default=None, max_length=64)
    to_session_id: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _shape(self) -> "TimelineEvent":
        needs = {
            EventKind.STATE_CHANGED: self.action is not None and self.to_state is not None,
            EventKind.JOINED: self.participant_id is not None,
            EventKind.LEFT: self.participant_id is not None,
            EventKind.DISCLOSURE: self.recipient is not None and bool(self.categories) and self.basis_ref is not None,
            EventKind.ASSIGNED: self.participant_id is not None,
            EventKind.ESCALATION: self.step is not None,
            EventKind.MOVED: (self.participant_id is not None and self.from_session_id is not None
                              and self.to_session_id is not None and self.from_session_id != self.to_session_id),
        }
        if not needs[self.kind]:
            raise ValueError(f"a {self.kind.value} event is missing its details")
        return self


class Crisis(Value):
    crisis_id: str
    client_id: str
    program_id: str
    state: CrisisState
    version: int = Field(ge=1)
    opened_at: UtcDateTime
    opened_by: Actor
    responsible_clinician_id: str | None = None
    closed_at: UtcDateTime | None = None
    closed_by: str | None = None
    timeline: tuple[TimelineEvent, ...]

    @model_validator(mode="after")
    def _consistent(self) -> "Crisis":
        if self.version != len(self.timeline) or [e.seq for e in self.timeline] != list(range(1, self.version + 1)):
            raise ValueError("version must equal the number of timeline events, numbered from 1")
        if (self.state is CrisisState.CLOSED) != (self.closed_at is not None):
            raise ValueError("closed_at is set exactly when the crisis is closed")
        return self

    @property
    def is_open(self) -> bool:
        return self.state is not CrisisState.CLOSED

    def events_after(self, seq: int) -> tuple[TimelineEvent, ...]:
        """What a reconnecting participant missed."""
        return self.timeline[max(seq, 0):]


Change = tuple[Crisis, TimelineEvent]


# --- pure decisions ---------------------------------------------------------------------------


def _check_version(crisis: Crisis, expected_version: int) -> None:
    if crisis.version != expected_version:
        raise VersionConflict(details={"crisis_id": crisis.crisis_id, "expected": expected_version, "current": crisis.version})


def _append(crisis: Crisis, expected_version: int, **event_fields) -> Change:
    """The only place a crisis changes: check it is open and unchanged, add one event."""
    _check_version(crisis, expected_version)
    if not crisis.is_open:
        raise CrisisClosed(details={"crisis_id": crisis.crisis_id})
    event = TimelineEvent(crisis_id=crisis.crisis_id, seq=crisis.version + 1, **event_fields)
    updates: dict = {"version": event.seq, "timeline": crisis.timeline + (event,)}
    if event.kind is EventKind.STATE_CHANGED:
        updates["state"] = event.to_state
        log.info("crisis %s: %s -> %s (%s by %s)", crisis.crisis_id, crisis.state.value,
                 event.to_state.value, event.action.value, event.actor_role.value)
        if event.to_state is CrisisState.CLOSED:
            updates.update(closed_at=event.at, closed_by=event.actor_id)
    if event.kind is EventKind.ASSIGNED:
        updates["responsible_clinician_id"] = event.participant_id
    new = Crisis.model_validate({**crisis.model_dump(), **updates})
    return new, event


def start(
    crisis_id: str, *, client_id: str, program_id: str, actor: Actor, at: datetime,
    responsible_clinician_id: str | None = None,
) -> Change:
    """Open a crisis ("I need help now" from the client, or a clinician opening one)."""
    row = plan_transition(None, Action.START, actor.role)
    if actor.role is Role.CLIENT and actor.actor_id != client_id:
        raise RoleNotPermitted("A client can only ask for help for themselves.")
    if responsible_clinician_id is None and actor.role in CLINICIANS:
        responsible_clinician_id = actor.actor_id
    event = TimelineEvent(
        crisis_id=crisis_id, seq=1, at=at, kind=EventKind.STATE_CHANGED, actor_id=actor.actor_id,
        actor_role=actor.role, action=Action.START, from_state=None, to_state=row.target,
    )
    log.info("crisis %s: (none) -> %s (start by %s)", crisis_id, row.target.value, actor.role.value)
    crisis = Crisis(
        crisis_id=crisis_id, client_id=client_id, program_id=program_id, state=row.target, version=1,
        opened_at=at, opened_by=actor, responsible_clinician_id=responsible_clinician_id, timeline=(event,),
    )
    return crisis, event


def transition(crisis: Crisis, action: Action, actor: Actor, at: datetime, *, expected_version: int) -> Change:
    """Move the crisis one step, if the table allows ``actor.role`` to take ``action`` now."""
    _check_version(crisis, expected_version)
    if action is Action.START:
        raise CrisisAlreadyExists(details={"crisis_id": crisis.crisis_id})
    row = plan_transition(crisis.state, action, actor.role)
    return _append(
        crisis, expected_version, at=at, kind=EventKind.STATE_CHANGED, actor_id=actor.actor_id,
        actor_role=actor.role, action=action, from_state=crisis.state, to_state=row.target,
    )


def record_presence(crisis: Crisis, participant: Actor, *, joined: bool, at: datetime, expected_version: int) -> Change:
    """Someone joined or left (including a dropped connection). Never changes the state."""
    return _append(
        crisis, expected_version, at=at, kind=EventKind.JOINED if joined else EventKind.LEFT,
        actor_id=participant.actor_id, actor_role=participant.role,
        participant_id=participant.actor_id, participant_role=participant.role,
    )


def record_disclosure(
    crisis: Crisis, actor: Actor, *, recipient: Party, categories: frozenset[DisclosureCategory],
    basis: Basis, at: datetime, expected_version: int,
) -> Change:
    """Record that ``categories`` were shared with ``recipient`` on ``basis`` (never the content).
    The categories must be covered by the basis and the basis must be for this recipient."""
    if actor.role not in STAFF:
        raise RoleNotPermitted("Only the care team can share information from a crisis session.")
    if basis.party != recipient or not all(basis.covers(c) for c in categories) or basis.client_id != crisis.client_id:
        raise RoleNotPermitted("That consent or override does not cover this disclosure.")
    ref = basis.grant_id if basis.kind == "consent" else basis.override_id
    return _append(
        crisis, expected_version, at=at, kind=EventKind.DISCLOSURE, actor_id=actor.actor_id,
        actor_role=actor.role, recipient=recipient, categories=frozenset(categories),
        basis_kind=basis.kind, basis_ref=ref,
    )


def record_assignment(crisis: Crisis, clinician_id: str, actor: Actor, *, at: datetime, expected_version: int) -> Change:
    """Make ``clinician_id`` responsible (e.g. the on-call clinician after the therapist dropped).
    Staff may assign; the system may too, when a roster rule picks the on-call clinician."""
    if actor.role not in STAFF | {Role.SYSTEM}:
        raise RoleNotPermitted()
    return _append(
        crisis, expected_version, at=at, kind=EventKind.ASSIGNED, actor_id=actor.actor_id,
        actor_role=actor.role, participant_id=clinician_id, participant_role=Role.ON_CALL_CLINICIAN,
    )


def record_escalation(crisis: Crisis, step: str, actor: Actor, *, at: datetime, expected_version: int) -> Change:
    """Record that an escalation step became due or was taken (see ``lost_contact``)."""
    if actor.role not in STAFF | {Role.SYSTEM}:
        raise RoleNotPermitted()
    return _append(
        crisis, expected_version, at=at, kind=EventKind.ESCALATION, actor_id=actor.actor_id,
        actor_role=actor.role, step=step,
    )


def record_move(crisis: Crisis, actor: Actor, *, from_session_id: str, to_session_id: str, at: datetime,
                expected_version: int) -> Change:
    """Record that the crisis and its client moved from one session to another (a clinician took the
    client out of a group into a private room). Never changes the state."""
    if actor.role not in CLINICIANS:
        raise RoleNotPermitted("Only a clinician can move a client into another room.")
    return _append(
        crisis, expected_version, at=at, kind=EventKind.MOVED, actor_id=actor.actor_id, actor_role=actor.role,
        participant_id=crisis.client_id, participant_role=Role.CLIENT, from_session_id=from_session_id,
        to_session_id=to_session_id,
    )


def guests_leaving(action: Action, guests: dict[str, Role], keep: frozenset[str] = frozenset()) -> frozenset[str]:
    """Whose place ends with this step: closing a crisis ends every crisis guest's place (support
    persons and responders, ``guests`` maps their ids to roles) at once, except the support persons
    the clinician chose to keep for the rest of the session. Keeping anyone else, or keeping on any
    other step, raises :class:`GuestNotKeepable`. Decided before the step is applied."""
    supporters = {pid for pid, role in guests.items() if role is Role.SUPPORT_PERSON}
    if keep and (action is not Action.CLOSE or not keep <= supporters):
        raise GuestNotKeepable(details={"participant_ids": sorted(keep - supporters)})
    if action is not Action.CLOSE:
        return frozenset()
    return frozenset(guests) - keep


# --- the store port and the async runner ------------------------------------------------------


@runtime_checkable
class CrisisStore(Protocol):
    """Where crises live. Implementations must make ``save_if_version`` atomic."""

    async def load(self, crisis_id: str) -> Crisis | None:
        """The crisis, or None if there is none with that id."""

    async def save_if_version(self, crisis: Crisis, expected_version: int) -> bool:
        """Store ``crisis`` only if the stored version is ``expected_version`` (0: none stored
        yet). Return False, storing nothing, if it is not."""


EventSink = Callable[[TimelineEvent, Crisis], Awaitable[None]]


async def _commit(store: CrisisStore, change: Change, expected_version: int, on_event: EventSink | None) -> Crisis:
    crisis, event = change
    if not await store.save_if_version(crisis, expected_version):
        raise VersionConflict(details={"crisis_id": crisis.crisis_id, "expected": expected_version})
    if on_event is not None:
        try:
            await on_event(event, crisis)
        except Exception:  # the change is saved; delivery is retried by replay from seq
            log.exception("crisis %s: on_event failed for seq %s", crisis.crisis_id, event.seq)
    return crisis


async def _load(store: CrisisStore, crisis_id: str) -> Crisis:
    crisis = await store.load(crisis_id)
    if crisis is None:
        raise CrisisNotFound(details={"crisis_id": crisis_id})
    return crisis


async def open_crisis(
    store: CrisisStore, crisis_id: str, *, client_id: str, program_id: str, actor: Actor, clock: Clock,
    on_event: EventSink | None = None, responsible_clinician_id: str | None = None,
) -> Crisis:
    """Start a crisis and save it; :class:`CrisisAlreadyExists` if the id is taken."""
    change = start(crisis_id, client_id=client_id, program_id=program_id, actor=actor, at=clock(),
                   responsible_clinician_id=responsible_clinician_id)
    if await store.load(crisis_id) is not None:
        raise CrisisAlreadyExists(details={"crisis_id": crisis_id})
    try:
        return await _commit(store, change, 0, on_event)
    except VersionConflict as exc:
        raise CrisisAlreadyExists(details={"crisis_id": crisis_id}) from exc


async def apply_transition(
    store: CrisisStore, crisis_id: str, action: Action, actor: Actor, *, expected_version: int,
    clock: Clock, on_event: EventSink | None = None,
) -> Crisis:
    """Load, check role + table + version, save with a version check, then report the event."""
    crisis = await _load(store, crisis_id)
    change = transition(crisis, action, actor, clock(), expected_version=expected_version)
    return await _commit(store, change, expected_version, on_event)


async def append(
    store: CrisisStore, crisis_id: str, decide: Callable[..., Change], *,
    expected_version: int, clock: Clock, on_event: EventSink | None = None,
) -> Crisis:
    """Run a ``record_*`` decision against the store. ``decide`` is called as
    ``decide(crisis, at=..., expected_version=...)``, so pass the other arguments with
    ``functools.partial``, e.g. ``partial(record_presence, participant=who, joined=False)``."""
    crisis = await _load(store, crisis_id)
    change = decide(crisis, at=clock(), expected_version=expected_version)
    return await _commit(store, change, expected_version, on_event)

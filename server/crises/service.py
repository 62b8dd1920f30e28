"""The one way a crisis changes: load, decide (``handoff.crisis``), save with a version check, audit,
tell the session. Request handlers, the crisis watch and escalation all change crises through
``CrisisService``; nothing else writes crisis rows.

The audit record and the ``crisis`` socket event are made by the ``on_event`` hook that ``handoff`` calls
right after the save, so every change is told in the same order: save → audit → tell. A failed
delivery is logged (clients catch up from the timeline by ``seq``); a failed audit record fails the
call after the save, as it always did."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import structlog

from handoff.crisis import (
    Actor,
    Change,
    Crisis,
    EventSink,
    TimelineEvent,
    append,
    apply_transition,
    open_crisis,
    record_move,
)
from handoff.crisis_state import Action as CrisisAction
from handoff.errors import CrisisAlreadyExists, CrisisClosed, HandoffError, RoleNotPermitted, VersionConflict
from handoff.values import new_id
from signaling import Signaling

from server.audit.chain import Outcome
from server.audit.log import AuditEvent, AuditLog
from server.crises.moves import SqlCrisisMoves
from server.crises.schemas import CrisisNotice
from server.crises.store import Also, SqlCrisisStore
from server.db.tables import utcnow
from server.errors import Conflict

log = structlog.get_logger(__name__)
SYSTEM_ATTEMPTS = 5  # the system's own records retry a version conflict this often


@dataclass(frozen=True)
class Caller:
    """Who changes a crisis: ``actor`` as the timeline names them, the rest as the audit trail does."""

    actor: Actor
    audit_id: str
    audit_role: str
    program_id: str | None
    remote_addr: str | None = None


@dataclass(frozen=True)
class Telling:
    """Where the change is told: the session's room (all but the clients the crisis is not about), or
    only its clinicians."""

    session_id: str
    room: bool = True


class CrisisService:
    def __init__(self, crises: SqlCrisisStore, moves: SqlCrisisMoves, audit: AuditLog, *,
                 now: Callable[[], datetime] = utcnow) -> None:
        self._crises = crises
        self._moves = moves
        self._audit = audit
        self._now = now
        self.signaling: Signaling | None = None  # attached once signalling exists (it needs our gatekeeper)

    async def start(self, session_id: str, caller: Caller, *, client_id: str, program_id: str,
                    responsible_clinician_id: str | None = None, audit_action: str = "crisis.start") -> Crisis:
        """Open a crisis in the session; :class:`CrisisAlreadyExists` if one is open there already."""
        return await self._changing(caller, audit_action, Telling(session_id), lambda on_event: open_crisis(
            self._crises.for_session(session_id), new_id("crisis"), client_id=client_id, program_id=program_id,
            actor=caller.actor, clock=self._now, on_event=on_event, responsible_clinician_id=responsible_clinician_id))

    async def start_or_existing(self, session_id: str, caller: Caller, *, client_id: str, program_id: str,
                                responsible_clinician_id: str | None, audit_action: str) -> tuple[Crisis, bool]:
        """The session's open crisis, opened now if there is none: ``(crisis, was_already_open)``. Two
        simultaneous starts open one crisis (the database allows one open crisis per session): the loser
        answers with the winner's. Either way the call is audited."""
        place = await self._crises.open_in_session(session_id)
        if place is None:
            try:
                return await self.start(session_id, caller, client_id=client_id, program_id=program_id,
                                        responsible_clinician_id=responsible_clinician_id,
                                        audit_action=audit_action), False
            except CrisisAlreadyExists:  # someone else opened one a moment ago
                place = await self._crises.open_in_session(session_id)
                if place is None:
                    raise
        crisis = await self._crises.load(place.crisis_id)
        assert crisis is not None
        await self._record_audit(caller, audit_action, crisis.crisis_id, session_id)
        return crisis, True

    async def transition(self, session_id: str, crisis_id: str, action: CrisisAction, caller: Caller, *,
                         expected_version: int) -> Crisis:
        """Take a step of the crisis's state machine; a refused step is audited as denied or failed."""
        audit_action = f"crisis.{action.value}"
        try:
            return await self._changing(caller, audit_action, Telling(session_id), lambda on_event: apply_transition(
                self._crises.for_session(session_id), crisis_id, action, caller.actor,
                expected_version=expected_version, clock=self._now, on_event=on_event))
        except HandoffError as exc:
            outcome = Outcome.DENIED if isinstance(exc, RoleNotPermitted) else Outcome.FAILED
            await self._record_audit(caller, audit_action, crisis_id, session_id, outcome=outcome)
            raise

    async def append(self, session_id: str, crisis: Crisis, decide: Callable[..., Change], caller: Caller, *,
                     audit_action: str, room: bool = True, attempts: int = 3) -> Crisis:
        """Record one ``record_*`` decision by a person; a concurrent change is retried on the new version."""
        version = crisis.version
        for _ in range(attempts):
            try:
                return await self._changing(caller, audit_action, Telling(session_id, room), lambda on_event: append(
                    self._crises.for_session(session_id), crisis.crisis_id, decide, expected_version=version,
                    clock=self._now, on_event=on_event))
            except VersionConflict:
                version = (await self._crises.load(crisis.crisis_id)).version
        raise Conflict("The crisis keeps changing; try again.", code=VersionConflict.code)

    async def record(self, crisis_id: str, session_id: str, decide: Callable[..., Change], *,
                     room: bool = False, also: Also | None = None) -> Crisis | None:
        """Record one of the system's own decisions (presence, escalation steps), retrying on a version
        conflict; None when the crisis is closed or gone. Told to the session, not audited (the step that
        caused it audits what it did). ``also`` writes more in the same transaction (the steps it arms)."""
        for _ in range(SYSTEM_ATTEMPTS):
            crisis = await self._crises.load(crisis_id)
            if crisis is None or not crisis.is_open:
                return None
            try:
                return await append(self._crises.for_session(session_id, also=also), crisis_id, decide,
                                    expected_version=crisis.version, clock=self._now,
                                    on_event=self._teller(Telling(session_id, room)))
            except VersionConflict:
                await asyncio.sleep(0.01)
            except CrisisClosed:
                return None  # closed between our read and our write: nothing left to record
        log.warning("crisis_record_gave_up", crisis_id=crisis_id)
        return None

    async def hold_in_private_room(self, caller: Caller, *, group_id: str, private_id: str, program_id: str,
                                   client_id: str, moving: Crisis | None) -> Crisis:
        """Hold the client's crisis in their private room: the group's crisis moves there with them (one
        transaction), or a new one opens there. Audited in both sessions; the group is told where the
        crisis went (ids and the move only)."""
        decide = partial(record_move, actor=caller.actor, from_session_id=group_id, to_session_id=private_id)
        if moving is not None:
            crisis = await append(self._moves.port(group_id, private_id), moving.crisis_id, decide,
                                  expected_version=moving.version, clock=self._now)
        else:
            port = self._crises.for_session(private_id)
            opened = await open_crisis(port, new_id("crisis"), client_id=client_id, program_id=program_id,
                                       actor=caller.actor, clock=self._now)
            crisis = await append(port, opened.crisis_id, decide, expected_version=opened.version, clock=self._now)
        await self._record_audit(caller, "crisis.private_room", crisis.crisis_id, group_id)
        await self._record_audit(caller, "crisis.move" if moving else "crisis.start", crisis.crisis_id, private_id)
        await self.tell(crisis, Telling(group_id), about_session_id=private_id)
        return crisis

    async def tell(self, crisis: Crisis, telling: Telling, *, about_session_id: str | None = None) -> None:
        """Send the crisis's latest timeline event as the ``crisis`` socket event. The change is saved
        already: a failed delivery is logged, and clients catch up from the timeline by ``seq``."""
        if self.signaling is None:
            return
        notice = CrisisNotice(crisis_id=crisis.crisis_id, session_id=about_session_id or telling.session_id,
                              state=crisis.state.value, version=crisis.version,
                              event=crisis.timeline[-1]).model_dump(mode="json")
        try:
            if telling.room:  # staff, crisis guests and the client it is about; never the group's other clients
                about = await self._crises.client_places(telling.session_id, crisis.client_id)
                await self.signaling.notify_crisis(telling.session_id, "crisis", notice, about=about)
            else:
                await self.signaling.notify_hosts(telling.session_id, "crisis", notice)
        except Exception:
            log.exception("crisis_broadcast_failed", crisis_id=crisis.crisis_id, seq=crisis.version)

    # the on_event hooks
    def _teller(self, telling: Telling) -> EventSink:
        async def on_event(event: TimelineEvent, crisis: Crisis) -> None:
            await self.tell(crisis, telling)
        return on_event

    async def _changing(self, caller: Caller, audit_action: str, telling: Telling,
                        change: Callable[[EventSink], Awaitable[Crisis]]) -> Crisis:
        failed: list[Exception] = []

        async def on_event(event: TimelineEvent, crisis: Crisis) -> None:
            try:
                await self._record_audit(caller, audit_action, crisis.crisis_id, telling.session_id)
            except Exception as exc:  # handoff logs it and keeps the saved change; we fail the call after
                failed.append(exc)
                raise
            await self.tell(crisis, telling)

        crisis = await change(on_event)
        if failed:
            raise failed[0]
        return crisis

    async def _record_audit(self, caller: Caller, action: str, crisis_id: str, session_id: str, *,
                            outcome: Outcome = Outcome.SUCCESS) -> None:
        await self._audit.record(AuditEvent(
            actor_id=caller.audit_id, actor_role=caller.audit_role, action=action, outcome=outcome,
            target_type="crisis", target_id=crisis_id, program_id=caller.program_id, session_id=session_id,
            remote_addr=caller.remote_addr))

"""Watching who is in a crisis session: every join, drop, return and leave of an admitted member is
recorded on the open crisis's timeline, and the durable escalation steps (``server.crises.steps``)
are armed and cancelled in the same transaction as that record.

* The client drops (or leaves): the lost-contact steps of ``handoff.lost_contact`` are armed from the
  moment they were last seen; their return cancels what is still pending.
* The crisis's clinician drops (or leaves): the on-call page is armed for ``STEADYLINE_ON_CALL_GRACE``
  later; their return cancels it. A page arms its acknowledgement deadline
  (``STEADYLINE_ON_CALL_ACK_TIMEOUT``): unacknowledged, the backup is paged, then the clinical lead is
  alerted. The paged clinician joining (or pressing "I'm on it") acknowledges and cancels the chain.

A step runs where the step queue (``server.crises.step_queues``) hands it over: ``run_step`` claims it
(so it is done once), re-reads the crisis (closed meanwhile: nothing to do) and who is connected, carries
it out and keeps the outcome on the step. A step that cannot be carried out now (the live state is
unreachable) is given back and tried again."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from functools import partial

import structlog
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.crisis import Actor, Crisis, record_presence
from handoff.crisis_state import Role as CrisisRole
from handoff.lost_contact import ReconnectPolicy, lost_contact_schedule
from signaling.errors import OUTAGES

from server.crises.escalation import Escalation
from server.crises.step_queues import StepQueue
from server.crises.steps import LOST_CONTACT, Arming, Step, StepKind, StepState, StepStore
from server.crises.store import Also, SqlCrisisStore
from server.db.step_tables import CrisisStepRecord
from server.db.tables import Participant, utcnow
from server.errors import LiveStateUnavailable, NotFound
from server.sessions.store import Store
from server.settings import Settings

log = structlog.get_logger(__name__)
ROLES = {"client": CrisisRole.CLIENT, "therapist": CrisisRole.THERAPIST, "support": CrisisRole.SUPPORT_PERSON,
         "responder": CrisisRole.RESPONDER}
ARRIVALS = frozenset({"joined", "returned"})
DEPARTURES = frozenset({"dropped", "left"})


def reconnect_policy(settings: Settings) -> ReconnectPolicy:
    """The lost-contact delays from the settings, kept in order (window <= notify <= prompt)."""
    window = max(settings.reconnect_window, 0.001)
    notify = max(settings.lost_contact_notify_support_after, window)
    prompt = max(settings.lost_contact_prompt_emergency_after, notify)
    return ReconnectPolicy(reclaim_window=timedelta(seconds=window), notify_support_after=timedelta(seconds=notify),
                           prompt_emergency_after=timedelta(seconds=prompt))


TRANSIENT = (*OUTAGES, LiveStateUnavailable, OSError, OperationalError)  # the step is tried again once these are back
ABSENCE = frozenset({*LOST_CONTACT, StepKind.PAGE_ON_CALL})  # steps a person's absence arms
MOOT_ON_RETURN = ABSENCE | {StepKind.PAGE_UNANSWERED}  # a paged clinician arriving acknowledges the page
PAGES = frozenset({StepKind.PAGE_ON_CALL, StepKind.PAGE_UNANSWERED})
URGENT_MESSAGE = "urgent_message"  # why a help page went out: the client's urgent message after hours


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class CrisisWatch:
    def __init__(self, settings: Settings, store: Store, crises: SqlCrisisStore, escalation: Escalation,
                 steps: StepStore, queue: StepQueue, *, now: Callable[[], datetime] = utcnow) -> None:
        self._settings = settings
        self._now = now  # the steps' clock: tests pass a fake one
        self._store = store
        self._crises = crises
        self.escalation = escalation
        self.steps = steps
        self._queue = queue
        self._runner = runner_name()
        self._locks: dict[str, list] = {}  # session id -> [lock, how many callers use it]

    async def start(self) -> None:
        await self._queue.start(self.run_step)

    async def close(self) -> None:
        await self._queue.close()

    # presence (from the signalling gatekeeper)
    async def presence(self, session_id: str, participant_id: str, role: str, event: str) -> None:
        entry = self._locks.setdefault(session_id, [asyncio.Lock(), 0])
        entry[1] += 1  # callers using this session's lock; the lock is dropped when none is left
        try:
            async with entry[0]:  # one member's drop and return are handled in the order they happened
                await self._presence(session_id, participant_id, role, event)
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del self._locks[session_id]

    async def _presence(self, session_id: str, participant_id: str, role: str, event: str) -> None:
        since = self._now()  # when they were last seen, for a departure
        if event not in ARRIVALS | DEPARTURES:
            return  # "expired": the drop is on the timeline already; its steps stay armed
        place = await self._crises.open_in_session(session_id)
        if place is None:
            return
        try:
            participant = await self._store.get_participant(participant_id)
        except NotFound:
            participant = None
        actor = Actor(actor_id=participant_id, role=ROLES.get(role, CrisisRole.SUPPORT_PERSON))
        acknowledged = False

        async def steps(db: AsyncSession, crisis: Crisis) -> None:
            nonlocal acknowledged
            if event in ARRIVALS:  # back: their absence's steps are moot; a paged clinician here acknowledges
                cancelled = await self._cancel(db, crisis.crisis_id, participant_id, MOOT_ON_RETURN)
                acknowledged = any(row.kind == StepKind.PAGE_UNANSWERED.value for row in cancelled)
            elif participant is not None and not await self.steps.pending_in(db, crisis.crisis_id, participant_id,
                                                                             kinds=ABSENCE):
                # armed once per absence: a second departure (a drop seen by two nodes) changes nothing
                await self._arm(db, crisis, session_id, self._absence(crisis, participant, role, since))

        crisis = await self.escalation.record(place.crisis_id, session_id, partial(
            record_presence, participant=actor, joined=event in ARRIVALS), also=steps)
        if crisis is None:
            return
        self._queue.committed()
        if acknowledged:
            await self.escalation.acknowledged(crisis, session_id, participant_id, via="joined")

    async def answer_page(self, crisis_id: str, participant_id: str) -> bool:
        """The paged clinician pressed "I'm on it": their page's deadline is cancelled (nobody else is
        paged) and the answer goes on the timeline. False when there was nothing left to answer (already
        answered, the deadline passed, or the crisis closed)."""
        crisis = await self._crises.load(crisis_id)
        session_id = await self._crises.session_of(crisis_id)
        if crisis is None or not crisis.is_open or session_id is None:
            return False
        async with self.steps.transaction() as db:
            pages = await self._cancel(db, crisis_id, participant_id, {StepKind.PAGE_UNANSWERED})
        self._queue.committed()
        if pages:
            await self.escalation.acknowledged(crisis, session_id, participant_id, via="answered")
        return bool(pages)

    def _absence(self, crisis: Crisis, participant: Participant, role: str, since: datetime) -> list[Arming]:
        """The steps a member's absence makes due: lost contact for the crisis's client, the on-call
        page for its clinician."""
        if role == "client" and participant.client_id == crisis.client_id:
            return [Arming(StepKind(due.step.value), participant.id, since, due.due_at)
                    for due in lost_contact_schedule(since, policy=reconnect_policy(self._settings))]
        if role == "therapist" and self._responsible(crisis, participant.staff_id):
            grace = timedelta(seconds=self._settings.on_call_grace)
            return [Arming(StepKind.PAGE_ON_CALL, participant.id, since, since + grace,
                           {"staff_id": participant.staff_id})]
        return []

    async def _arm(self, db: AsyncSession, crisis: Crisis, session_id: str, armings: list[Arming]) -> None:
        if armings:
            rows = await self.steps.arm(db, crisis.crisis_id, session_id, armings, self._now())
            await self._queue.armed(db, rows)
            log.info("crisis_steps_armed", crisis_id=crisis.crisis_id, steps=[a.kind.value for a in armings])

    async def _cancel(self, db: AsyncSession, crisis_id: str, participant_id: str,
                      kinds: Collection[StepKind]) -> list[CrisisStepRecord]:
        rows = await self.steps.cancel(db, crisis_id, kinds=kinds, participant_id=participant_id)
        await self._queue.cancelled(db, rows)
        return rows

    @staticmethod
    def _responsible(crisis: Crisis, staff_id: str | None) -> bool:
        if staff_id is None:
            return False
        return crisis.responsible_clinician_id in (None, staff_id)

    async def pending(self, session_id: str, participant_id: str) -> bool:
        """Whether steps about this member of the session are still to be carried out."""
        return bool(await self.steps.pending_about(session_id, participant_id))

    def handling(self) -> frozenset[str]:
        """Sessions whose presence events are being recorded right now (nothing is kept after)."""
        return frozenset(self._locks)

    # carrying out a step (from the step queue)
    async def run_step(self, step_id: str) -> bool:
        """Claim and carry out the step; False if it could not be done now (it is pending again)."""
        try:
            step = await self.steps.claim(step_id, self._runner, self._now())
        except TRANSIENT:
            log.warning("crisis_step_claim_failed", step_id=step_id)
            return False
        if step is None:  # done or cancelled: nothing to do; claimed by a runner that may be alive: later
            return await self.steps.state_of(step_id) is not StepState.RUNNING
        try:
            outcome = await self._carry_out(step)
        except TRANSIENT:
            log.warning("crisis_step_not_now", step_id=step_id, kind=step.kind.value)
            await self.steps.release(step_id)
            return False
        except Exception:
            log.exception("crisis_step_failed", step_id=step_id, kind=step.kind.value)
            outcome = "failed"
        await self.steps.finish(step_id, outcome, self._now())
        log.info("crisis_step_done", step_id=step_id, kind=step.kind.value, outcome=outcome,
                 late_s=round((self._now() - step.due_at).total_seconds(), 3))
        return True

    async def arm_reminders(self, crisis: Crisis, session_id: str, armings: list[Arming]) -> None:
        """Check-in reminders after the crisis closed (each one a durable step of its own)."""
        async with self.steps.transaction() as db:
            await self._arm(db, crisis, session_id, armings)
        self._queue.committed()

    async def _carry_out(self, step: Step) -> str:
        if step.kind is StepKind.CHECK_IN_REMINDER:  # the crisis is closed by then: that is the point
            return await self.escalation.remind_check_in(step.crisis_id, step.participant_id)
        signaling = self.escalation.signaling
        if signaling is not None and not signaling.live_state_settled():
            raise LiveStateUnavailable()  # after an outage: not before every node has put back who is here
        crisis = await self._crises.load(step.crisis_id)
        if crisis is None or not crisis.is_open:
            return "crisis_closed"
        session_id = step.session_id
        if step.kind in LOST_CONTACT:
            if await self._connected(session_id, lambda m: m.participant_id == step.participant_id):
                return "client_back"  # a return racing the drop's record
            if step.kind is StepKind.NOTIFY_SUPPORT:
                told = await self.escalation.notify_support_persons(crisis, session_id, step.since)
                return f"notified:{told}"
            await self.escalation.prompt_emergency_call(crisis, session_id, step.since)
            return "prompted"
        dropped, help_call = step.data.get("staff_id"), bool(step.data.get("help"))
        if step.kind is StepKind.PAGE_ON_CALL and not help_call and not self._responsible(crisis, dropped):
            return "reassigned"
        if await self._connected(session_id, lambda m: m.role == "therapist"):
            return "clinician_here"  # they are back, another clinician is here, or the paged one joined
        tried = frozenset(step.data.get("tried", ()))
        paged = await self.escalation.page_on_call(crisis, session_id, dropped or "", step.since, tried=tried,
                                                   arm=partial(self._arm_unanswered, crisis, step, tried),
                                                   first=step.data.get("first"), help_call=help_call,
                                                   urgent_message=step.data.get("reason") == URGENT_MESSAGE)
        return f"paged:{paged}" if paged else "lead_alerted"

    def _arm_unanswered(self, crisis: Crisis, step: Step, tried: frozenset[str], place_id: str,
                        staff_id: str) -> Also:
        """What a page arms with it: its acknowledgement deadline, which pages the next one."""
        async def arm(db: AsyncSession, _crisis: Crisis) -> None:
            due_at = self._now() + timedelta(seconds=self._settings.on_call_ack_timeout)
            await self._arm(db, crisis, step.session_id, [Arming(
                StepKind.PAGE_UNANSWERED, place_id, step.since, due_at,
                {**step.data, "tried": sorted(tried | {staff_id})})])
        return arm

    async def call_for_help(self, crisis: Crisis, session_id: str, place_id: str, *, first: str | None,
                            reason: str | None = None) -> bool:
        """A client's help press outside a session: page now, ``first`` (their own therapist, in office
        hours) before the roster, with the same acknowledgement chain. ``place_id`` is the room's
        clinician place: its arrival makes the page moot. ``reason`` ``URGENT_MESSAGE``: the client sent an
        urgent message after hours (the page says so). Armed once per crisis (False if it already was)."""
        async with self.steps.transaction() as db:
            if await self.steps.ever_armed(db, crisis.crisis_id, PAGES):
                return False
            now = self._now()
            await self._arm(db, crisis, session_id, [Arming(StepKind.PAGE_ON_CALL, place_id, now, now,
                                                            {"staff_id": None, "first": first, "help": True,
                                                             "reason": reason})])
        self._queue.committed()
        return True

    async def _connected(self, session_id: str, which) -> bool:
        """Whether a connected member of the session matches ``which`` (the live state decides)."""
        signaling = self.escalation.signaling
        if signaling is None:
            return False
        return any(m.connected and which(m) for m in await signaling.live.members(session_id))

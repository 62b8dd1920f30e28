"""Watching who is in a crisis session: every join, drop, return and leave of an admitted member is
recorded on the open crisis's timeline, and the escalation timers start and stop with them.

* The client drops (or leaves) and is not back: the lost-contact schedule of ``handoff.lost_contact``
  runs from the moment they were last seen; their return cancels what is still pending.
* The crisis's clinician drops (or leaves) and is not back within ``STEADYLINE_ON_CALL_GRACE``: the
  on-call clinician is paged; their return within the grace cancels it.

Every timer is an asyncio task owned here (one per person per session), cancelled when its reason
goes away and all cancelled by ``close()`` on shutdown. A timer re-reads the crisis when it fires:
a crisis closed meanwhile stops it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial

import structlog

from handoff.crisis import Actor, Crisis, record_presence
from handoff.crisis_state import Role as CrisisRole
from handoff.lost_contact import LostContactStep, ReconnectPolicy, lost_contact_status

from server.crises.escalation import Escalation
from server.crises.store import SqlCrisisStore
from server.db.tables import Participant, utcnow
from server.errors import NotFound
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


class CrisisWatch:
    def __init__(self, settings: Settings, store: Store, crises: SqlCrisisStore, escalation: Escalation, *,
                 now: Callable[[], datetime] = utcnow,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._settings = settings
        self._now = now  # the timers' clock: tests pass a fake one
        self._sleep = sleep
        self._store = store
        self._crises = crises
        self.escalation = escalation
        self._timers: dict[tuple[str, str], asyncio.Task] = {}
        self._closed = False
        self._locks: dict[str, list] = {}  # session id -> [lock, how many callers use it]

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
        place = await self._crises.open_in_session(session_id)
        if place is None:
            return
        key = (session_id, participant_id)
        if event in ARRIVALS:
            self._cancel(key)
        if event not in ARRIVALS | DEPARTURES:
            return  # "expired": the drop is on the timeline already; its timers keep running
        actor = Actor(actor_id=participant_id, role=ROLES.get(role, CrisisRole.SUPPORT_PERSON))
        crisis = await self.escalation.record(place.crisis_id, session_id, partial(
            record_presence, participant=actor, joined=event in ARRIVALS))
        if crisis is None or event not in DEPARTURES:
            return
        try:
            participant = await self._store.get_participant(participant_id)
        except NotFound:
            return
        if role == "client" and participant.client_id == crisis.client_id:
            self._start(key, self._lost_contact(session_id, participant_id, crisis.crisis_id, since), "lost_contact")
        elif role == "therapist" and self._responsible(crisis, participant):
            self._start(key, self._cover(session_id, crisis.crisis_id, participant, since), "on_call")

    @staticmethod
    def _responsible(crisis: Crisis, participant: Participant) -> bool:
        if participant.staff_id is None:
            return False
        return crisis.responsible_clinician_id in (None, participant.staff_id)

    # timers
    def _start(self, key: tuple[str, str], work, name: str) -> None:
        self._cancel(key)
        if self._closed:
            work.close()
            return
        task = asyncio.create_task(self._run(key, work), name=f"crisis_watch:{name}")
        self._timers[key] = task
        log.info("crisis_timer_started", timer=name)

    async def _run(self, key: tuple[str, str], work) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("crisis_timer_failed")
        finally:
            if self._timers.get(key) is asyncio.current_task():
                del self._timers[key]

    def _cancel(self, key: tuple[str, str]) -> None:
        task = self._timers.pop(key, None)
        if task is not None:
            task.cancel()
            log.info("crisis_timer_cancelled")

    def handling(self) -> frozenset[str]:
        """Sessions whose presence events are being recorded right now (nothing is kept after)."""
        return frozenset(self._locks)

    def pending(self, session_id: str, participant_id: str) -> bool:
        return (session_id, participant_id) in self._timers

    async def close(self) -> None:
        self._closed = True
        tasks = list(self._timers.values())
        self._timers.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _sleep_until(self, at: datetime) -> None:
        await self._sleep(max(0.0, (at - self._now()).total_seconds()))

    async def _lost_contact(self, session_id: str, participant_id: str, crisis_id: str, since: datetime) -> None:
        policy, done = reconnect_policy(self._settings), set()
        while True:
            crisis = await self._crises.load(crisis_id)
            if crisis is None or not crisis.is_open:
                return
            if await self._connected(session_id, lambda m: m.participant_id == participant_id):
                return  # back (a return racing the drop's record is caught here)
            status = lost_contact_status(crisis.state, since, self._now(), policy=policy, done=done)
            for due in status.due:
                if due.step is LostContactStep.NOTIFY_SUPPORT_PERSON:
                    await self.escalation.notify_support_persons(crisis, session_id, since)
                else:
                    await self.escalation.prompt_emergency_call(crisis, session_id, since)
                done.add(due.step)
            if status.next_due_at is None:
                return
            await self._sleep_until(status.next_due_at)

    async def _cover(self, session_id: str, crisis_id: str, participant: Participant, since: datetime) -> None:
        await self._sleep_until(since + timedelta(seconds=self._settings.on_call_grace))
        crisis = await self._crises.load(crisis_id)
        if crisis is None or not crisis.is_open or not self._responsible(crisis, participant):
            return
        if await self._connected(session_id, lambda m: m.role == "therapist"):
            log.info("on_call_not_needed", crisis_id=crisis_id)  # they are back, or another clinician is here
            return
        await self.escalation.page_on_call(crisis, session_id, participant.staff_id, since)

    async def _connected(self, session_id: str, which) -> bool:
        """Whether a connected member of the session matches ``which`` (the live state decides)."""
        signaling = self.escalation.signaling
        if signaling is None:
            return False
        return any(m.connected and which(m) for m in await signaling.live.members(session_id))

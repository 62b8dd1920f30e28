"""Finding missed sessions: an owned task on the app's clock looks, every
``STEADYLINE_OUTREACH_SWEEP_INTERVAL`` seconds, for clients not let into a session
``STEADYLINE_MISSED_SESSION_AFTER`` seconds after it started (and not waiting in its lobby now). Each
becomes an outreach task and an alert for the session's therapist; a client who missed
``STEADYLINE_MISSED_SESSION_ESCALATE`` sessions within ``STEADYLINE_MISSED_SESSION_WINDOW_DAYS`` days
is escalated to the clinical lead. Every node sweeps; the task's unique key makes each miss count once.
No health information leaves in an alert's subject."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import structlog

from signaling import Signaling

from server.audit.log import AuditEvent, AuditLog
from server.outreach.desk import OutreachDesk
from server.outreach.store import MissedPlace, OutreachStore
from server.plans.store import PlanStore
from server.settings import Settings

log = structlog.get_logger(__name__)
LOOKBACK = timedelta(hours=12)  # sessions that started longer ago were looked at by an earlier sweep
SYSTEM = "system"


class MissedSessions:
    def __init__(self, settings: Settings, outreach: OutreachStore, plans: PlanStore, audit: AuditLog, *,
                 now: Callable[[], datetime], sleep: Callable[[float], Awaitable[None]]) -> None:
        self._settings = settings
        self._outreach = outreach
        self._plans = plans
        self._audit = audit
        self._now = now
        self._sleep = sleep
        self.signaling: Signaling | None = None
        self.desk: OutreachDesk | None = None  # pushes each new task to the live dashboard
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None and self._settings.outreach_sweep_interval > 0:
            self._task = asyncio.create_task(self._run(), name="missed-sessions")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await self._sleep(self._settings.outreach_sweep_interval)
            try:
                await self.sweep()
            except Exception:  # a database or Redis hiccup: the next sweep tries again
                log.exception("missed_sessions_sweep_failed")

    async def sweep(self) -> int:
        """Record the misses due now; returns how many new ones this node recorded."""
        now = self._now()
        due = now - timedelta(seconds=self._settings.missed_session_after)
        found = 0
        for place in await self._outreach.not_come(started_before=due, started_after=due - LOOKBACK):
            if await self._waiting(place):
                continue  # in the lobby right now: the therapist has yet to let them in
            task = await self._outreach.add_missed(place, now)
            if task is None:
                continue
            found += 1
            if self.desk is not None:
                await self.desk.push(task)
            await self._told(place, task.id, now)
        return found

    async def _waiting(self, place: MissedPlace) -> bool:
        if self.signaling is None:
            return False
        return any(m.participant_id == place.participant_id and m.connected
                   for m in await self.signaling.live.members(place.session_id))

    async def _told(self, place: MissedPlace, task_id: str, now: datetime) -> None:
        await self._plans.add_alert(
            program_id=place.program_id, kind="outreach.missed_session", urgency="normal", client_id=place.client_id,
            recipient_id=place.therapist_id, at=now, subject="A client missed a session: please reach out",
            body=f"Outreach task {task_id}: the client was not in session {place.session_id}, which started "
                 f"{place.starts_at:%Y-%m-%d %H:%M} UTC.")
        await self._audit.record(AuditEvent(actor_id=SYSTEM, actor_role=SYSTEM, action="outreach.missed_session",
                                            target_type="client", target_id=place.client_id,
                                            program_id=place.program_id, session_id=place.session_id))
        window = now - timedelta(days=self._settings.missed_session_window_days)
        misses = await self._outreach.misses_since(place.client_id, window)
        log.info("missed_session", task_id=task_id, misses=misses)
        if misses >= self._settings.missed_session_escalate:
            lead = await self._plans.clinical_lead(place.program_id)
            await self._plans.add_alert(
                program_id=place.program_id, kind="outreach.missed_repeatedly", urgency="high",
                client_id=place.client_id, recipient_id=lead, at=now,
                subject="A client has missed several sessions: the clinical lead is asked to follow up",
                body=f"The client has missed {misses} sessions in the last "
                     f"{self._settings.missed_session_window_days} days (latest: outreach task {task_id}).")

"""The one place monitoring state changes: a check-in or screener is saved, the risk rules run on it, and
each rule that fires leaves an alert naming it (subject without health information, detail encrypted) for
the client's own therapist, else the program's clinicians. Nothing else is done automatically."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from handoff.crisis import SYSTEM_ACTOR

from server.audit.log import AuditEvent, AuditLog
from server.db.tables import Client, utcnow
from server.monitoring.risk_rules import MISSED_GRACE, Fired, check_in_rules, missed_rule, screener_rules
from server.monitoring.schemas import SubmitCheckIn, instrument_from
from server.monitoring.screeners import BUILT_IN, Instrument, ScreenerError, ScreenerResult, score
from server.monitoring.store import MonitoringStore
from server.monitoring.vocabulary import DEFAULT_PHRASES
from server.notify.notifier import CheckInReminder, Notifier
from server.plans.store import PlanStore
from server.sessions.store import Store

log = structlog.get_logger(__name__)
ALERT_KIND = "monitoring"
FOLLOW_UP_WINDOW = timedelta(days=60)


@dataclass(frozen=True)
class Raised:
    """A submission kept, and the alerts its rules raised."""

    record_id: str
    fired: list[Fired]
    alert_ids: list[str]

    @property
    def urgent(self) -> bool:
        return any(f.urgency == "urgent" for f in self.fired)


class Monitoring:
    def __init__(self, store: MonitoringStore, plans: PlanStore, records: Store, *, notifier: Notifier,
                 audit: AuditLog, now: Callable[[], datetime] = utcnow,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.store, self._plans, self._records = store, plans, records
        self._notifier, self._audit = notifier, audit
        self._now, self._sleep = now, sleep

    async def phrases(self, program_id: str) -> list[str]:
        own = await self.store.vocabulary(program_id)
        return list(DEFAULT_PHRASES) if own is None else own

    async def instruments(self, program_id: str) -> dict[str, Instrument]:
        """PHQ-9 and GAD-7, then the program's own (a definition that no longer loads is left out)."""
        found = dict(BUILT_IN)
        for key, definition in (await self.store.instruments(program_id)).items():
            try:
                found.setdefault(key, instrument_from(key, definition))
            except ScreenerError:
                log.warning("program_instrument_unusable", program_id=program_id, key=key)
        return found

    async def submit_check_in(self, client: Client, body: SubmitCheckIn, at: datetime) -> Raised:
        previous = await self.store.check_ins(client.id, limit=7)
        answers = {"mood": body.mood, "sleep_hours": body.sleep_hours, "sleep_quality": body.sleep_quality,
                   "cravings": body.cravings}
        record_id = await self.store.add_check_in(client_id=client.id, program_id=client.program_id, at=at,
                                                  answers=answers, note=body.note or None)
        fired = check_in_rules(body.mood, body.note, [c.answers["mood"] for c in previous],
                               await self.phrases(client.program_id))
        return Raised(record_id, fired, await self._raise(client, fired, at))

    async def submit_screener(self, client: Client, instrument: Instrument, answers: dict[str, int],
                              at: datetime) -> tuple[Raised, ScreenerResult]:
        result = score(instrument, answers)  # ScreenerError: the handler answers 422
        record_id = await self.store.add_screener(
            client_id=client.id, program_id=client.program_id, instrument=instrument.key, at=at, answers=answers,
            result={"total": result.total, "band": result.band, "severe": result.severe,
                    "urgent_items": list(result.urgent_items)})
        fired = screener_rules(result)
        return Raised(record_id, fired, await self._raise(client, fired, at)), result

    async def sweep_missed(self, client: Client, now: datetime) -> list[str]:
        """The due-time check: two asked check-ins in a row passed without one (one alert per run of misses)."""
        dues = await self.store.due_check_ins(client.id)
        if not dues:
            return []
        submitted = [c.submitted_at for c in await self.store.check_ins(client.id)]
        fired = missed_rule(dues, submitted, now)
        return await self._raise(client, [fired], now) if fired is not None else []

    async def sweep(self, now: datetime, program_id: str | None = None) -> list[str]:
        """Run the missed-check-in rule for every client asked for check-ins (of one program, or all)."""
        raised = []
        recent = now - FOLLOW_UP_WINDOW  # older crises' check-ins are long past: history, not news
        for client_id in await self.store.clients_with_schedules(program_id, since=recent):
            client = await self._records.get_client(client_id)
            raised += await self.sweep_missed(client, now)
        return raised

    async def remind(self, now: datetime) -> int:
        """Remind each client whose scheduled check-in time has come (within ``MISSED_GRACE`` of it, so a
        node that was down does not send stale reminders) and who has not checked in since; each reminder is
        claimed by its row first, so it goes out once whichever node sweeps. No health information, no link."""
        sent = 0
        for client_id, schedule in await self.store.active_schedules():
            for due in schedule.due:
                if not due <= now < due + MISSED_GRACE:
                    continue
                done = [c.submitted_at for c in await self.store.check_ins(client_id, limit=1)]
                if done and done[-1] >= due - MISSED_GRACE:
                    continue
                claim = await self.store.claim_reminder(schedule.id, due, now)
                if claim is None:
                    continue
                await self.store.reminder_sent(claim, await self._send_reminder(client_id))
                sent += 1
        return sent

    async def _send_reminder(self, client_id: str) -> str:
        client = await self._records.get_client(client_id)
        if not client.email and not client.phone:
            return "no_contact"
        outcomes = await self._notifier.send(CheckInReminder(crisis_id=None, client_id=client.id, email=client.email,
                                                             phone=client.phone), self._now())
        await self._audit.record(AuditEvent(
            actor_id=SYSTEM_ACTOR.actor_id, actor_role=SYSTEM_ACTOR.role.value, action="check_in.reminder",
            target_type="client", target_id=client.id, program_id=client.program_id))
        return "reminded:" + ",".join(f"{k}={v.value}" for k, v in sorted(outcomes.items()))

    async def sweep_periodically(self, interval: float) -> None:
        """The due-time check, every ``interval`` seconds: reminders, then missed check-ins; owned by the app's
        cleanup context, which cancels it."""
        while True:
            await self._sleep(interval)
            try:
                await self.remind(self._now())
                await self.sweep(self._now())
            except Exception:
                log.exception("check_in_sweep_failed")

    async def _raise(self, client: Client, fired: list[Fired], at: datetime) -> list[str]:
        ids = []
        for rule in fired:
            alert_id = await self._plans.add_alert(
                program_id=client.program_id, kind=ALERT_KIND, urgency=rule.urgency, subject=rule.subject,
                body=rule.detail, at=at, client_id=client.id, recipient_id=client.therapist_id,
                rule=rule.rule.value, dedupe_key=f"{client.id}:{rule.key}" if rule.key else None)
            if alert_id is not None:
                ids.append(alert_id)
                log.info("monitoring_alert", rule=rule.rule.value, urgency=rule.urgency, alert_id=alert_id)
        return ids

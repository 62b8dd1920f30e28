"""SQL of monitoring: check-ins, screener results, check-in schedules, a program's word list and its own
instruments. Answers and notes are encrypted at rest by the field-encryption events (``db.encrypted_fields``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.db.follow_up_tables import FollowUpItemRecord, FollowUpPlanRecord
from server.db.monitoring_tables import (
    CheckInRecord,
    CheckInReminderRecord,
    CheckInScheduleRecord,
    MonitoringVocabularyRecord,
    ProgramInstrumentRecord,
    ScreenerResultRecord,
)
from server.db.tables import new_id
from server.monitoring.schedule import due_times

CHECK_IN_KIND = "check_in"  # follow-up items of this kind (after a crisis) are due check-ins too


@dataclass(frozen=True)
class CheckIn:
    id: str
    submitted_at: datetime
    answers: dict
    note: str | None


@dataclass(frozen=True)
class ScreenerRecord:
    id: str
    instrument: str
    submitted_at: datetime
    answers: dict
    result: dict


@dataclass(frozen=True)
class Schedule:
    id: str
    first_day: date
    days: int
    at: time
    timezone: str
    created_by: str
    created_at: datetime

    @property
    def due(self) -> list[datetime]:
        return due_times(self.first_day, self.days, self.at, self.timezone)


def _schedule(row: CheckInScheduleRecord) -> Schedule:
    return Schedule(id=row.id, first_day=date.fromisoformat(row.first_day), days=row.days,
                    at=time.fromisoformat(row.at), timezone=row.timezone, created_by=row.created_by,
                    created_at=row.created_at)


class MonitoringStore:
    def __init__(self, sessionmaker: async_sessionmaker) -> None:
        self._sm = sessionmaker

    async def add_check_in(self, *, client_id: str, program_id: str, at: datetime, answers: dict,
                           note: str | None) -> str:
        record_id = new_id()
        async with self._sm() as db, db.begin():
            db.add(CheckInRecord(id=record_id, client_id=client_id, program_id=program_id, submitted_at=at,
                                 answers=json.dumps(answers), note=note))
        return record_id

    async def check_ins(self, client_id: str, limit: int = 60) -> list[CheckIn]:
        """The client's latest check-ins, oldest first."""
        query = (select(CheckInRecord).where(CheckInRecord.client_id == client_id)
                 .order_by(CheckInRecord.submitted_at.desc()).limit(limit))
        async with self._sm() as db:
            rows = list((await db.execute(query)).scalars())
        return [CheckIn(id=r.id, submitted_at=r.submitted_at, answers=json.loads(r.answers), note=r.note)
                for r in reversed(rows)]

    async def add_screener(self, *, client_id: str, program_id: str, instrument: str, at: datetime, answers: dict,
                           result: dict) -> str:
        record_id = new_id()
        async with self._sm() as db, db.begin():
            db.add(ScreenerResultRecord(id=record_id, client_id=client_id, program_id=program_id,
                                        instrument=instrument, submitted_at=at, answers=json.dumps(answers),
                                        result=json.dumps(result)))
        return record_id

    async def screeners(self, client_id: str, limit: int = 60) -> list[ScreenerRecord]:
        query = (select(ScreenerResultRecord).where(ScreenerResultRecord.client_id == client_id)
                 .order_by(ScreenerResultRecord.submitted_at.desc()).limit(limit))
        async with self._sm() as db:
            rows = list((await db.execute(query)).scalars())
        return [ScreenerRecord(id=r.id, instrument=r.instrument, submitted_at=r.submitted_at,
                               answers=json.loads(r.answers), result=json.loads(r.result)) for r in reversed(rows)]

    async def submissions_since(self, client_id: str, since: datetime) -> int:
        """How many check-ins and screeners the client sent since then."""
        async with self._sm() as db:
            total = 0
            for model in (CheckInRecord, ScreenerResultRecord):
                query = select(func.count()).select_from(model).where(model.client_id == client_id,
                                                                      model.submitted_at >= since)
                total += (await db.execute(query)).scalar_one()
        return total

    # the care team's schedule
    async def set_schedule(self, *, client_id: str, program_id: str, first_day: date, days: int, at: time,
                           timezone: str, by: str, now: datetime) -> Schedule:
        """Replace the client's schedule (the one before ends now)."""
        async with self._sm() as db, db.begin():
            current = select(CheckInScheduleRecord).where(CheckInScheduleRecord.client_id == client_id,
                                                          CheckInScheduleRecord.replaced_at.is_(None))
            for row in (await db.execute(current)).scalars():
                row.replaced_at = now
            row = CheckInScheduleRecord(id=new_id(), client_id=client_id, program_id=program_id,
                                        first_day=first_day.isoformat(), days=days, at=at.strftime("%H:%M"),
                                        timezone=timezone, created_by=by, created_at=now)
            db.add(row)
        return _schedule(row)

    async def schedule(self, client_id: str) -> Schedule | None:
        query = select(CheckInScheduleRecord).where(CheckInScheduleRecord.client_id == client_id,
                                                    CheckInScheduleRecord.replaced_at.is_(None))
        async with self._sm() as db:
            row = (await db.execute(query)).scalars().first()
        return _schedule(row) if row is not None else None

    async def active_schedules(self) -> list[tuple[str, Schedule]]:
        """Every schedule in force, with its client id."""
        query = select(CheckInScheduleRecord).where(CheckInScheduleRecord.replaced_at.is_(None))
        async with self._sm() as db:
            return [(row.client_id, _schedule(row)) for row in (await db.execute(query)).scalars()]

    async def claim_reminder(self, schedule_id: str, due_at: datetime, now: datetime) -> str | None:
        """Claim the reminder of one scheduled check-in (None: already claimed, here or by another node)."""
        record_id = new_id()
        try:
            async with self._sm() as db, db.begin():
                db.add(CheckInReminderRecord(id=record_id, schedule_id=schedule_id, due_at=due_at, claimed_at=now))
        except IntegrityError:
            return None
        return record_id

    async def reminder_sent(self, record_id: str, outcome: str) -> None:
        async with self._sm() as db, db.begin():
            row = await db.get(CheckInReminderRecord, record_id)
            if row is not None:
                row.outcome = outcome[:64]

    async def due_check_ins(self, client_id: str) -> list[datetime]:
        """Every check-in asked of the client: the care team's schedule and the follow-ups of closed crises."""
        schedule = await self.schedule(client_id)
        query = (select(FollowUpItemRecord.due_at).join(FollowUpPlanRecord,
                                                        FollowUpPlanRecord.crisis_id == FollowUpItemRecord.crisis_id)
                 .where(FollowUpPlanRecord.client_id == client_id, FollowUpItemRecord.kind == CHECK_IN_KIND))
        async with self._sm() as db:
            follow_ups = list((await db.execute(query)).scalars())
        return sorted(set(follow_ups) | set(schedule.due if schedule else []))

    async def clients_with_schedules(self, program_id: str | None = None, *,
                                     since: datetime | None = None) -> list[str]:
        """Clients asked for check-ins (by the care team, or after a crisis closed ``since`` then), of one
        program or of all."""
        query = select(CheckInScheduleRecord.client_id).where(CheckInScheduleRecord.replaced_at.is_(None))
        follow = select(FollowUpPlanRecord.client_id)
        if since is not None:
            follow = follow.where(FollowUpPlanRecord.created_at >= since)
        if program_id is not None:
            query = query.where(CheckInScheduleRecord.program_id == program_id)
            follow = follow.where(FollowUpPlanRecord.program_id == program_id)
        async with self._sm() as db:
            return sorted(set((await db.execute(query)).scalars()) | set((await db.execute(follow)).scalars()))

    # the program's own word list and instruments
    async def vocabulary(self, program_id: str) -> list[str] | None:
        async with self._sm() as db:
            row = await db.get(MonitoringVocabularyRecord, program_id)
        return json.loads(row.phrases) if row is not None else None

    async def set_vocabulary(self, program_id: str, phrases: list[str], by: str, at: datetime) -> None:
        async with self._sm() as db, db.begin():
            row = await db.get(MonitoringVocabularyRecord, program_id)
            if row is None:
                db.add(MonitoringVocabularyRecord(program_id=program_id, phrases=json.dumps(phrases), updated_by=by,
                                                  updated_at=at))
            else:
                row.phrases, row.updated_by, row.updated_at = json.dumps(phrases), by, at

    async def instruments(self, program_id: str) -> dict[str, dict]:
        query = select(ProgramInstrumentRecord).where(ProgramInstrumentRecord.program_id == program_id)
        async with self._sm() as db:
            return {r.key: json.loads(r.definition) for r in (await db.execute(query)).scalars()}

    async def set_instrument(self, program_id: str, key: str, definition: dict, by: str, at: datetime) -> None:
        async with self._sm() as db, db.begin():
            row = await db.get(ProgramInstrumentRecord, (program_id, key))
            if row is None:
                db.add(ProgramInstrumentRecord(program_id=program_id, key=key, definition=json.dumps(definition),
                                               updated_by=by, updated_at=at))
            else:
                row.definition, row.updated_by, row.updated_at = json.dumps(definition), by, at

"""The durable on-call roster of each program (rows in, ``handoff.roster.Roster`` out)."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from handoff.roster import Coverage, Roster, Shift

from server.db.on_call_tables import OnCallRosterRecord, OnCallShiftRecord
from server.db.tables import Program

DEFAULT_TIMEZONE = "UTC"


def _shift(row: OnCallShiftRecord) -> Shift:
    return Shift(clinician_id=row.clinician_id, weekday=row.weekday, start=time.fromisoformat(row.start),
                 end=time.fromisoformat(row.end), coverage=Coverage(row.coverage))


class OnCallStore:
    def __init__(self, sessionmaker: async_sessionmaker) -> None:
        self._sm = sessionmaker

    async def roster(self, program_id: str) -> Roster:
        """The program's roster; an empty one on the program's clock if none was ever saved."""
        async with self._sm() as db:
            header = await db.get(OnCallRosterRecord, program_id)
            rows = (await db.execute(select(OnCallShiftRecord).where(OnCallShiftRecord.program_id == program_id)
                                     .order_by(OnCallShiftRecord.position))).scalars()
            shifts = tuple(_shift(r) for r in rows)
            zone = header.timezone if header else await self.program_timezone(db, program_id)
        return Roster(program_id=program_id, timezone=zone, shifts=shifts)

    @staticmethod
    async def program_timezone(db, program_id: str) -> str:
        zone = (await db.execute(select(Program.timezone).where(Program.id == program_id))).scalar()
        return zone or DEFAULT_TIMEZONE

    async def default_timezone(self, program_id: str) -> str:
        """The program's own time zone: a roster saved without one is read on it."""
        async with self._sm() as db:
            return await self.program_timezone(db, program_id)

    async def replace(self, roster: Roster, *, by: str, at: datetime) -> None:
        """Replace the whole roster of ``roster.program_id`` in one transaction."""
        async with self._sm() as db, db.begin():
            await db.execute(delete(OnCallShiftRecord).where(OnCallShiftRecord.program_id == roster.program_id))
            header = await db.get(OnCallRosterRecord, roster.program_id)
            if header is None:
                db.add(OnCallRosterRecord(program_id=roster.program_id, timezone=roster.timezone, updated_by=by,
                                          updated_at=at))
                await db.flush()
            else:
                header.timezone, header.updated_by, header.updated_at = roster.timezone, by, at
            for position, shift in enumerate(roster.shifts):
                db.add(OnCallShiftRecord(
                    program_id=roster.program_id, position=position, clinician_id=shift.clinician_id,
                    weekday=shift.weekday, start=shift.start.replace(microsecond=0).isoformat(),
                    end=shift.end.replace(microsecond=0).isoformat(), coverage=shift.coverage.value))

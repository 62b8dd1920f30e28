"""The durable on-call roster of each program (rows in, ``handoff.roster.Roster`` out), and the
host place an on-call clinician gets in a crisis session they are paged into."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from handoff.roster import Coverage, Roster, Shift

from . import encrypted_fields  # noqa: F401  (declares the encrypted columns' ORM events)
from .models import Participant, ParticipantRole, Staff, StaffRole
from .on_call_models import OnCallRosterRecord, OnCallShiftRecord

DEFAULT_TIMEZONE = "UTC"


def _shift(row: OnCallShiftRecord) -> Shift:
    return Shift(clinician_id=row.clinician_id, weekday=row.weekday, start=time.fromisoformat(row.start),
                 end=time.fromisoformat(row.end), coverage=Coverage(row.coverage))


class OnCallStore:
    def __init__(self, sessionmaker: async_sessionmaker) -> None:
        self._sm = sessionmaker

    async def roster(self, program_id: str) -> Roster:
        """The program's roster; an empty one in UTC if none was ever saved."""
        async with self._sm() as db:
            header = await db.get(OnCallRosterRecord, program_id)
            rows = (await db.execute(select(OnCallShiftRecord).where(OnCallShiftRecord.program_id == program_id)
                                     .order_by(OnCallShiftRecord.position))).scalars()
            shifts = tuple(_shift(r) for r in rows)
        return Roster(program_id=program_id, timezone=header.timezone if header else DEFAULT_TIMEZONE, shifts=shifts)

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

    async def clinicians(self, program_id: str) -> set[str]:
        """Ids of the program's active therapists: the only people who may be rostered."""
        query = select(Staff.id).where(Staff.program_id == program_id, Staff.role == StaffRole.THERAPIST,
                                       Staff.disabled.is_(False))
        async with self._sm() as db:
            return set((await db.execute(query)).scalars())

    async def staff(self, staff_id: str) -> Staff | None:
        async with self._sm() as db:
            return await db.get(Staff, staff_id)

    async def host_place(self, *, session_id: str, staff_id: str, display_name: str) -> Participant:
        """A therapist place for the on-call clinician in this session (reused if they already have one)."""
        async with self._sm() as db, db.begin():
            found = (await db.execute(select(Participant).where(
                Participant.session_id == session_id, Participant.staff_id == staff_id,
                Participant.role == ParticipantRole.THERAPIST, Participant.removed_at.is_(None)))).scalar()
            if found is not None:
                return found
            place = Participant(session_id=session_id, role=ParticipantRole.THERAPIST, staff_id=staff_id,
                                display_name=display_name)
            db.add(place)
        return place

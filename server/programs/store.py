"""Reading and setting a program's time zone, office hours and crisis line."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import async_sessionmaker

from handoff.office_hours import OfficeHours

from server.db.tables import Program
from server.errors import NotFound


@dataclass(frozen=True)
class ProgramProfile:
    program_id: str
    name: str
    timezone: str
    office_hours: OfficeHours
    crisis_line: str | None  # None: the deployment's STEADYLINE_CRISIS_LINE


def _profile(row: Program) -> ProgramProfile:
    return ProgramProfile(program_id=row.id, name=row.name, timezone=row.timezone,
                          office_hours=OfficeHours.parse(row.office_hours), crisis_line=row.crisis_line)


class ProgramStore:
    def __init__(self, sessionmaker: async_sessionmaker) -> None:
        self._sm = sessionmaker

    async def profile(self, program_id: str) -> ProgramProfile:
        async with self._sm() as db:
            row = await db.get(Program, program_id)
            if row is None:
                raise NotFound("program not found")
            return _profile(row)

    async def update(self, program_id: str, *, timezone: str, office_hours: OfficeHours,
                     crisis_line: str | None) -> ProgramProfile:
        async with self._sm() as db, db.begin():
            row = await db.get(Program, program_id)
            if row is None:
                raise NotFound("program not found")
            row.timezone, row.office_hours, row.crisis_line = timezone, office_hours.text(), crisis_line
            return _profile(row)

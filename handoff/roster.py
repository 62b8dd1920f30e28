"""On-call roster: who covers which hours of the week, with backups.

Shifts are weekly wall-clock times in the program's time zone (so "Monday 18:00-08:00" stays
right across daylight-saving changes). A shift whose end is not after its start runs past
midnight into the next day; equal start and end means the whole 24 hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from .errors import NoOnCallCoverage
from .values import Value, as_utc


class Coverage(str, Enum):
    PRIMARY = "primary"
    BACKUP = "backup"


class Shift(Value):
    clinician_id: str = Field(min_length=1)
    weekday: int = Field(ge=0, le=6)  # 0 = Monday, as datetime.weekday()
    start: time
    end: time
    coverage: Coverage = Coverage.PRIMARY

    def covers(self, local: datetime) -> bool:
        """Whether this shift covers the local wall-clock moment ``local``."""
        clock = local.time().replace(tzinfo=None)
        day = local.weekday()
        next_day = (self.weekday + 1) % 7
        if self.start < self.end:
            return day == self.weekday and self.start <= clock < self.end
        if day == self.weekday:
            return clock >= self.start
        return day == next_day and clock < self.end


class OnCallPick(Value):
    clinician_id: str
    coverage: Coverage
    shift: Shift


class Roster(Value):
    program_id: str
    timezone: str
    shifts: tuple[Shift, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def local(self, at: datetime) -> datetime:
        return as_utc(at).astimezone(ZoneInfo(self.timezone))

    def candidates(self, at: datetime, *, exclude: Iterable[str] = ()) -> list[OnCallPick]:
        """Everyone covering ``at``: primaries first, then backups, in roster order; nobody in
        ``exclude`` (the clinician who dropped, people already tried)."""
        skip = set(exclude)
        local = self.local(at)
        picks = [
            OnCallPick(clinician_id=s.clinician_id, coverage=s.coverage, shift=s)
            for s in self.shifts
            if s.covers(local) and s.clinician_id not in skip
        ]
        order = {Coverage.PRIMARY: 0, Coverage.BACKUP: 1}
        unique: dict[str, OnCallPick] = {}
        for pick in sorted(picks, key=lambda p: order[p.coverage]):
            unique.setdefault(pick.clinician_id, pick)
        return list(unique.values())

    def on_call(self, at: datetime, *, exclude: Iterable[str] = ()) -> OnCallPick:
        """The clinician to call at ``at``, or :class:`NoOnCallCoverage`."""
        found = self.candidates(at, exclude=exclude)
        if not found:
            raise NoOnCallCoverage(details={"program_id": self.program_id, "at": as_utc(at).isoformat()})
        return found[0]

    def gaps(self, week_start: datetime, *, step: timedelta = timedelta(minutes=30)) -> list[datetime]:
        """Moments in the week from ``week_start`` (sampled every ``step``) with no cover at all:
        for an admin screen that warns about holes in the roster."""
        moments = (week_start + i * step for i in range(int(timedelta(days=7) / step)))
        return [m for m in moments if not self.candidates(m)]

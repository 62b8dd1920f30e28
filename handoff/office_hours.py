"""A program's office hours: the weekdays and the wall-clock hours its care team works, in the
program's time zone. In office hours a client's help press pages their own therapist first; after
hours it goes straight to the on-call roster.

Written and read as text such as ``"Mon-Fri 09:00-17:00"`` (days as a range or a comma list)."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator

from .values import Value, as_utc

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TEXT = re.compile(r"^\s*(?P<days>[a-z,\- ]+?)\s+(?P<open>\d{1,2}:\d{2})\s*-\s*(?P<close>\d{1,2}:\d{2})\s*$", re.I)


class OfficeHours(Value):
    days: tuple[int, ...] = Field(default=(0, 1, 2, 3, 4), description="0 = Monday.")
    open: time = time(9, 0)
    close: time = time(17, 0)

    @model_validator(mode="after")
    def _sane(self) -> OfficeHours:
        if not self.days or any(d < 0 or d > 6 for d in self.days):
            raise ValueError("office days are weekdays 0 (Monday) to 6 (Sunday), at least one")
        if self.open >= self.close:
            raise ValueError("office hours close after they open, on the same day")
        return self

    def is_open(self, at: datetime, timezone: str) -> bool:
        """Whether ``at`` falls in office hours, read on the wall clock of ``timezone``."""
        local = as_utc(at).astimezone(ZoneInfo(timezone))
        return local.weekday() in self.days and self.open <= local.time().replace(tzinfo=None) < self.close

    def text(self) -> str:
        days = sorted(set(self.days))
        if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
            named = f"{DAY_NAMES[days[0]].title()}-{DAY_NAMES[days[-1]].title()}"
        else:
            named = ",".join(DAY_NAMES[d].title() for d in days)
        return f"{named} {self.open.strftime('%H:%M')}-{self.close.strftime('%H:%M')}"

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """``"Mon-Fri 09:00-17:00"``, ``"Mon,Wed,Fri 08:30-12:00"``; ValueError on anything else."""
        match = _TEXT.match(text)
        if match is None:
            raise ValueError('office hours look like "Mon-Fri 09:00-17:00"')
        days: set[int] = set()
        for part in match["days"].replace(" ", "").lower().split(","):
            ends = part.split("-")
            if len(ends) > 2 or any(e[:3] not in DAY_NAMES or len(e) < 3 for e in ends):
                raise ValueError(f"unknown day {part!r}: use Mon, Tue, Wed, Thu, Fri, Sat, Sun")
            first, last = (DAY_NAMES.index(e[:3]) for e in (ends[0], ends[-1]))
            days.update(range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)])
        try:
            opening, closing = time.fromisoformat(match["open"].zfill(5)), time.fromisoformat(match["close"].zfill(5))
        except ValueError as exc:
            raise ValueError("times are HH:MM on a 24-hour clock") from exc
        return cls(days=tuple(sorted(days)), open=opening, close=closing)

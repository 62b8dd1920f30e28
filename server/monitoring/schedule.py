"""A check-in schedule set by the care team: daily at one wall-clock time on the program's clock, for a
number of days from a first day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 90


def due_times(first_day: date, days: int, at: time, zone: str) -> list[datetime]:
    """Each day's check-in time in UTC (a wall-clock time a DST change skips is read as after it)."""
    tz = ZoneInfo(zone)
    return [datetime.combine(first_day + timedelta(days=n), at, tzinfo=tz).astimezone(UTC)
            for n in range(days)]

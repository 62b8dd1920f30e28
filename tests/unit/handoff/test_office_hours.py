"""Office hours: written as people write them, read on the program's wall clock (DST included)."""

from __future__ import annotations

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handoff.office_hours import OfficeHours

ZONE = "America/Chicago"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(ZONE))


def test_weekdays_nine_to_five_by_default():
    hours = OfficeHours()
    assert hours.text() == "Mon-Fri 09:00-17:00"
    assert hours.is_open(local(2026, 12, 7, 9, 0), ZONE)  # a Monday, opening minute
    assert not hours.is_open(local(2026, 12, 7, 17, 0), ZONE)  # closing minute is after hours
    assert not hours.is_open(local(2026, 12, 4, 23, 55), ZONE)  # Friday night
    assert not hours.is_open(local(2026, 12, 5, 11, 0), ZONE)  # Saturday


def test_read_on_the_programs_clock_across_daylight_saving():
    hours = OfficeHours.parse("Mon-Fri 09:00-17:00")
    summer = datetime(2026, 7, 6, 14, 30, tzinfo=timezone.utc)  # 09:30 CDT (UTC-5)
    winter = datetime(2026, 12, 7, 14, 30, tzinfo=timezone.utc)  # 08:30 CST (UTC-6)
    assert hours.is_open(summer, ZONE)
    assert not hours.is_open(winter, ZONE)


@pytest.mark.parametrize("text, days, opening, closing", [
    ("Mon-Fri 09:00-17:00", (0, 1, 2, 3, 4), time(9), time(17)),
    ("mon,wed,fri 8:30-12:00", (0, 2, 4), time(8, 30), time(12)),
    ("Sat-Mon 10:00-14:00", (0, 5, 6), time(10), time(14)),
    ("Tuesday 07:00-19:30", (1,), time(7), time(19, 30)),
])
def test_parse(text, days, opening, closing):
    hours = OfficeHours.parse(text)
    assert (hours.days, hours.open, hours.close) == (days, opening, closing)


@pytest.mark.parametrize("text", ["", "always", "Mon-Fri", "Mon-Fri 17:00-09:00", "Funday 09:00-17:00",
                                  "Mon-Fri 25:00-26:00", "Mon-Fri 09:00-09:00"])
def test_nonsense_is_refused(text):
    with pytest.raises(ValueError):
        OfficeHours.parse(text)


@given(days=st.sets(st.integers(0, 6), min_size=1), start=st.integers(0, 23 * 60 - 1),
       length=st.integers(1, 60 * 24))
def test_text_reads_back_as_the_same_hours(days, start, length):
    end = min(start + length, 23 * 60 + 59)
    if end <= start:
        return
    hours = OfficeHours(days=tuple(sorted(days)), open=time(start // 60, start % 60), close=time(end // 60, end % 60))
    assert OfficeHours.parse(hours.text()) == hours

from __future__ import annotations

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from handoff.errors import NoOnCallCoverage
from handoff.roster import Coverage, Roster, Shift

NY = ZoneInfo("America/New_York")


def roster() -> Roster:
    return Roster(program_id="prog_1", timezone="America/New_York", shifts=(
        Shift(clinician_id="day_a", weekday=0, start=time(8), end=time(18)),
        Shift(clinician_id="night_b", weekday=0, start=time(18), end=time(8)),  # runs into Tuesday
        Shift(clinician_id="backup_c", weekday=0, start=time(0), end=time(0), coverage=Coverage.BACKUP),  # all Monday
        Shift(clinician_id="weekend_d", weekday=5, start=time(0), end=time(0)),
    ))


def local(y, mo, d, h, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=NY)


def test_primary_covers_its_hours_with_backup_behind():
    r = roster()
    monday_noon = local(2026, 3, 2, 12)
    assert r.on_call(monday_noon).clinician_id == "day_a"
    assert [p.clinician_id for p in r.candidates(monday_noon)] == ["day_a", "backup_c"]
    assert r.on_call(monday_noon, exclude={"day_a"}).clinician_id == "backup_c"
    assert r.on_call(monday_noon, exclude={"day_a"}).coverage is Coverage.BACKUP


def test_overnight_shift_crosses_midnight():
    r = roster()
    assert r.on_call(local(2026, 3, 2, 23, 30)).clinician_id == "night_b"
    assert r.on_call(local(2026, 3, 3, 7, 59)).clinician_id == "night_b"  # Tuesday morning
    with pytest.raises(NoOnCallCoverage) as caught:
        r.on_call(local(2026, 3, 3, 8, 0))
    assert caught.value.code == "no_on_call_coverage"


def test_times_are_read_in_the_programs_zone_from_utc():
    r = roster()
    # 13:00 UTC on Monday 2 March 2026 is 08:00 in New York (EST, UTC-5)
    assert r.on_call(datetime(2026, 3, 2, 13, 0, tzinfo=timezone.utc)).clinician_id == "day_a"
    assert r.on_call(datetime(2026, 3, 2, 12, 59, tzinfo=timezone.utc)).clinician_id == "backup_c"


def test_whole_day_shift_and_gaps():
    r = roster()
    assert r.on_call(local(2026, 3, 7, 3)).clinician_id == "weekend_d"  # Saturday
    gaps = r.gaps(local(2026, 3, 2, 0))
    assert gaps and all(g.astimezone(NY).weekday() not in (0, 5) for g in gaps)


def test_unknown_time_zone_is_refused():
    with pytest.raises(ValidationError, match="unknown time zone"):
        Roster(program_id="p", timezone="Mars/Olympus")

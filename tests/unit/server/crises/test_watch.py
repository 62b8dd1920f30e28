"""Pure parts of the crisis watch and the on-call API: the lost-contact delays kept in order, and
roster gaps merged into ranges."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from handoff.roster import Roster, Shift
from tests.conftest import make_settings

from server.crises.watch import reconnect_policy
from server.on_call.api import gap_ranges, week_start

MONDAY = datetime(2026, 11, 23, 0, 0, tzinfo=timezone.utc)


def test_the_lost_contact_delays_come_from_the_settings():
    policy = reconnect_policy(make_settings("sqlite+aiosqlite:///x.db", reconnect_window=5,
                                            lost_contact_notify_support_after=30,
                                            lost_contact_prompt_emergency_after=90))
    assert (policy.reclaim_window, policy.notify_support_after, policy.prompt_emergency_after) == (
        timedelta(seconds=5), timedelta(seconds=30), timedelta(seconds=90))


def test_delays_out_of_order_are_kept_in_order():
    policy = reconnect_policy(make_settings("sqlite+aiosqlite:///x.db", reconnect_window=0,
                                            lost_contact_notify_support_after=10,
                                            lost_contact_prompt_emergency_after=3))
    assert timedelta(0) < policy.reclaim_window <= policy.notify_support_after == policy.prompt_emergency_after
    policy = reconnect_policy(make_settings("sqlite+aiosqlite:///x.db", reconnect_window=60,
                                            lost_contact_notify_support_after=10,
                                            lost_contact_prompt_emergency_after=30))
    assert policy.notify_support_after == policy.prompt_emergency_after == timedelta(seconds=60)


def test_gaps_are_merged_into_ranges():
    office = tuple(Shift(clinician_id="a", weekday=d, start=time(9), end=time(17)) for d in range(5))
    gaps = gap_ranges(Roster(program_id="p", timezone="UTC", shifts=office), MONDAY)
    assert gaps[0].starts_at == MONDAY and gaps[0].ends_at == MONDAY + timedelta(hours=9)
    assert gaps[1].starts_at == MONDAY + timedelta(hours=17)
    assert gaps[1].ends_at == MONDAY + timedelta(days=1, hours=9)
    assert gaps[-1].starts_at == MONDAY + timedelta(days=4, hours=17)
    assert gaps[-1].ends_at == MONDAY + timedelta(days=7)
    assert len(gaps) == 6
    covered = tuple(Shift(clinician_id="a", weekday=d, start=time(0), end=time(0)) for d in range(7))
    assert gap_ranges(Roster(program_id="p", timezone="UTC", shifts=covered), MONDAY) == []


def test_the_week_starts_at_the_last_half_hour():
    assert week_start(datetime(2026, 11, 23, 10, 47, 12, 5, tzinfo=timezone.utc)) == datetime(
        2026, 11, 23, 10, 30, tzinfo=timezone.utc)

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from handoff.crisis import Actor, start, transition
from handoff.crisis_state import Action, Role
from handoff.errors import IllegalTransition
from handoff.follow_up import FollowUpKind, FollowUpPolicy, plan_follow_up

THERAPIST = Actor(actor_id="therapist_1", role=Role.THERAPIST)
# Friday 6 March 2026, 23:30 in Chicago (CST, UTC-6) = Saturday 05:30 UTC
CLOSED_AT = datetime(2026, 3, 7, 5, 30, tzinfo=timezone.utc)
CHICAGO = ZoneInfo("America/Chicago")


def closed_crisis():
    crisis, _ = start("c1", client_id="client_1", program_id="p", actor=THERAPIST, at=CLOSED_AT - timedelta(hours=1))
    crisis, _ = transition(crisis, Action.STABILISE, THERAPIST, CLOSED_AT - timedelta(minutes=5), expected_version=1)
    crisis, _ = transition(crisis, Action.CLOSE, THERAPIST, CLOSED_AT, expected_version=2)
    return crisis


def test_follow_up_counts_days_in_program_time():
    plan = plan_follow_up(closed_crisis(), timezone="America/Chicago", include_family_debrief=True)
    check_ins = plan.of_kind(FollowUpKind.CHECK_IN)
    assert [c.due_at.astimezone(CHICAGO).day for c in check_ins] == [7, 8, 9, 11, 13]
    assert check_ins[0].due_at.astimezone(CHICAGO).hour == 10
    session = plan.of_kind(FollowUpKind.INDIVIDUAL_SESSION)[0]
    assert session.due_at.astimezone(CHICAGO).date().isoformat() == "2026-03-07"
    debrief = plan.of_kind(FollowUpKind.FAMILY_DEBRIEF)[0]
    assert debrief.due_at.astimezone(CHICAGO).date().isoformat() == "2026-03-09"
    assert [i.due_at for i in plan.items] == sorted(i.due_at for i in plan.items)
    assert plan.responsible_clinician_id == "therapist_1" and plan.created_at == CLOSED_AT
    assert all(i.due_at.tzinfo == timezone.utc for i in plan.items)


def test_family_debrief_is_optional_and_sessions_can_skip_weekends():
    plan = plan_follow_up(closed_crisis(), timezone="America/Chicago", include_family_debrief=False,
                          policy=FollowUpPolicy(skip_weekends_for_session=True))
    assert not plan.of_kind(FollowUpKind.FAMILY_DEBRIEF)
    session = plan.of_kind(FollowUpKind.INDIVIDUAL_SESSION)[0]
    assert session.due_at.astimezone(CHICAGO).date().isoformat() == "2026-03-09"  # Monday


def test_only_closed_crises_get_a_follow_up_plan():
    crisis, _ = start("c1", client_id="client_1", program_id="p", actor=THERAPIST, at=CLOSED_AT)
    with pytest.raises(IllegalTransition):
        plan_follow_up(crisis, timezone="UTC", include_family_debrief=False)

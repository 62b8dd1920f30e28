from __future__ import annotations

from datetime import time, timedelta

import pytest
from pydantic import ValidationError

from handoff.crisis_state import CrisisState
from handoff.errors import NoOnCallCoverage
from handoff.lost_contact import (
    LostContactStep, ReconnectPolicy, TherapistDropPolicy, lost_contact_status, therapist_dropped,
)
from handoff.roster import Coverage, Roster, Shift

from .fakes import T0

POLICY = ReconnectPolicy(reclaim_window=timedelta(seconds=45), notify_support_after=timedelta(minutes=2),
                         prompt_emergency_after=timedelta(minutes=5))


def status(after: timedelta, **kw):
    return lost_contact_status(CrisisState.ACTIVE, T0, T0 + after, policy=POLICY, **kw)


def test_within_reclaim_window_nothing_is_due():
    s = status(timedelta(seconds=30))
    assert s.within_reclaim_window and s.due == ()
    assert s.next_due_at == T0 + timedelta(minutes=2)


def test_steps_fall_due_in_order():
    s = status(timedelta(minutes=2))
    assert not s.within_reclaim_window
    assert [d.step for d in s.due] == [LostContactStep.NOTIFY_SUPPORT_PERSON]
    assert s.next_due_at == T0 + timedelta(minutes=5)
    s = status(timedelta(minutes=6))
    assert [d.step for d in s.due] == [LostContactStep.NOTIFY_SUPPORT_PERSON, LostContactStep.PROMPT_EMERGENCY_CALL]
    assert s.due[1].due_at == T0 + timedelta(minutes=5) and s.next_due_at is None


def test_done_steps_are_not_repeated_and_closed_crises_have_none():
    s = status(timedelta(minutes=6), done={LostContactStep.NOTIFY_SUPPORT_PERSON})
    assert [d.step for d in s.due] == [LostContactStep.PROMPT_EMERGENCY_CALL]
    closed = lost_contact_status(CrisisState.CLOSED, T0, T0 + timedelta(hours=1), policy=POLICY)
    assert closed.due == () and closed.next_due_at is None


def test_policy_delays_must_be_in_order():
    with pytest.raises(ValidationError):
        ReconnectPolicy(reclaim_window=timedelta(minutes=3), notify_support_after=timedelta(minutes=2))


def on_call_roster(*shifts: Shift) -> Roster:
    return Roster(program_id="p", timezone="UTC", shifts=shifts)


def test_therapist_dropped_pages_the_on_call_clinician_after_grace():
    roster = on_call_roster(
        Shift(clinician_id="therapist_1", weekday=0, start=time(0), end=time(0)),
        Shift(clinician_id="oncall_1", weekday=0, start=time(9), end=time(17)),
        Shift(clinician_id="backup_1", weekday=0, start=time(0), end=time(0), coverage=Coverage.BACKUP),
    )
    grace = TherapistDropPolicy(grace=timedelta(seconds=60))
    assert therapist_dropped(CrisisState.ACTIVE, "therapist_1", T0, T0 + timedelta(seconds=59), roster, policy=grace) is None
    request = therapist_dropped(CrisisState.ACTIVE, "therapist_1", T0, T0 + timedelta(seconds=60), roster, policy=grace)
    assert request.clinician_id == "oncall_1" and request.dropped_clinician_id == "therapist_1"
    again = therapist_dropped(CrisisState.ACTIVE, "therapist_1", T0, T0 + timedelta(minutes=3), roster,
                              policy=grace, already_tried={"oncall_1"})
    assert again.clinician_id == "backup_1" and again.pick.coverage is Coverage.BACKUP
    assert therapist_dropped(CrisisState.CLOSED, "therapist_1", T0, T0 + timedelta(hours=1), roster) is None


def test_therapist_dropped_with_nobody_rostered_is_a_named_error():
    roster = on_call_roster(Shift(clinician_id="therapist_1", weekday=0, start=time(0), end=time(0)))
    with pytest.raises(NoOnCallCoverage):
        therapist_dropped(CrisisState.ACTIVE, "therapist_1", T0, T0 + timedelta(minutes=5), roster)

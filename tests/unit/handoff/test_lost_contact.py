from __future__ import annotations

from datetime import time, timedelta

import pytest
from pydantic import ValidationError

from handoff.crisis_state import CrisisState
from handoff.errors import NoOnCallCoverage
from handoff.lost_contact import (
    LostContactStep,
    ReconnectPolicy,
    TherapistDropPolicy,
    lost_contact_schedule,
    therapist_dropped,
)
from handoff.roster import Coverage, Roster, Shift

from .fakes import T0

POLICY = ReconnectPolicy(reclaim_window=timedelta(seconds=45), notify_support_after=timedelta(minutes=2),
                         prompt_emergency_after=timedelta(minutes=5))


def test_the_steps_fall_due_in_order_from_when_the_client_was_last_seen():
    steps = lost_contact_schedule(T0, policy=POLICY)
    assert [(d.step, d.due_at) for d in steps] == [
        (LostContactStep.NOTIFY_SUPPORT_PERSON, T0 + timedelta(minutes=2)),
        (LostContactStep.PROMPT_EMERGENCY_CALL, T0 + timedelta(minutes=5))]


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

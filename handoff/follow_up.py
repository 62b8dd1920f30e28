"""The follow-up plan made when a crisis is closed.

Closing a crisis is not the end of care: the days after are when extra contact matters most.
The plan lists extra check-ins over the next days, an individual session the next day and,
if the client wants it, a debrief with family or support persons. Times are set in the
program's time zone and stored in UTC; scheduling and reminders are the edge's job.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from .crisis import Crisis
from .crisis_state import CrisisState
from .errors import IllegalTransition
from .values import UtcDateTime, Value


class FollowUpKind(str, Enum):
    CHECK_IN = "check_in"
    INDIVIDUAL_SESSION = "individual_session"
    FAMILY_DEBRIEF = "family_debrief"


class FollowUpPolicy(Value):
    check_in_days: tuple[int, ...] = (1, 2, 3, 5, 7)  # days after closing
    check_in_time: time = time(10, 0)
    session_time: time = time(11, 0)
    debrief_day: int = Field(default=3, ge=1, le=14)
    debrief_time: time = time(17, 30)
    skip_weekends_for_session: bool = False

    @field_validator("check_in_days")
    @classmethod
    def _days(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if not days or any(d < 1 or d > 30 for d in days):
            raise ValueError("check-in days must be between 1 and 30 days after closing")
        return tuple(sorted(set(days)))


class FollowUpItem(Value):
    kind: FollowUpKind
    due_at: UtcDateTime
    description: str


class FollowUpPlan(Value):
    crisis_id: str
    client_id: str
    responsible_clinician_id: str | None
    created_at: UtcDateTime
    items: tuple[FollowUpItem, ...]

    def of_kind(self, kind: FollowUpKind) -> tuple[FollowUpItem, ...]:
        return tuple(i for i in self.items if i.kind is kind)


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)


def _next_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def plan_follow_up(
    crisis: Crisis, *, timezone: str, include_family_debrief: bool,
    policy: FollowUpPolicy = FollowUpPolicy(),
) -> FollowUpPlan:
    """The follow-up plan for a closed crisis, counted from the day it closed (program time)."""
    if crisis.state is not CrisisState.CLOSED or crisis.closed_at is None:
        raise IllegalTransition("A follow-up plan is made when the crisis is closed.")
    zone = ZoneInfo(timezone)
    closed_day = crisis.closed_at.astimezone(zone).date()
    items = [
        FollowUpItem(
            kind=FollowUpKind.CHECK_IN, due_at=_at(closed_day + timedelta(days=d), policy.check_in_time, zone),
            description=f"Check in with the client (day {d} after the crisis).",
        )
        for d in policy.check_in_days
    ]
    session_day = closed_day + timedelta(days=1)
    if policy.skip_weekends_for_session:
        session_day = _next_weekday(session_day)
    items.append(FollowUpItem(
        kind=FollowUpKind.INDIVIDUAL_SESSION, due_at=_at(session_day, policy.session_time, zone),
        description="Individual session to review the crisis and update the safety plan.",
    ))
    if include_family_debrief:
        items.append(FollowUpItem(
            kind=FollowUpKind.FAMILY_DEBRIEF,
            due_at=_at(closed_day + timedelta(days=policy.debrief_day), policy.debrief_time, zone),
            description="Debrief with the family or support persons the client chose.",
        ))
    items.sort(key=lambda i: i.due_at)
    return FollowUpPlan(
        crisis_id=crisis.crisis_id, client_id=crisis.client_id,
        responsible_clinician_id=crisis.responsible_clinician_id, created_at=crisis.closed_at,
        items=tuple(items),
    )

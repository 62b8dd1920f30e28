"""Rules for when people drop out of a crisis session.

The client's connection dropping starts a reclaim window; it never ends the crisis. If the
client is not back in time, steps fall due in order: notify a (consented) support person, then
prompt the clinician to call emergency services. These functions only say *what falls due when*;
the edge arms them as durable steps, checks consent, sends messages and records them on the timeline.

If the therapist drops, the on-call clinician covering that moment is paged after a short grace
period (primary first, then backup; never the clinician who dropped).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import Enum

from pydantic import Field, model_validator

from .crisis_state import CrisisState
from .roster import OnCallPick, Roster
from .values import UtcDateTime, Value, as_utc


class LostContactStep(str, Enum):
    NOTIFY_SUPPORT_PERSON = "notify_support_person"
    PROMPT_EMERGENCY_CALL = "prompt_emergency_call"


class ReconnectPolicy(Value):
    """Delays measured from the moment the client was last seen."""

    reclaim_window: timedelta = timedelta(seconds=60)
    notify_support_after: timedelta = timedelta(minutes=2)
    prompt_emergency_after: timedelta = timedelta(minutes=5)

    @model_validator(mode="after")
    def _ordered(self) -> "ReconnectPolicy":
        if not (timedelta(0) < self.reclaim_window <= self.notify_support_after <= self.prompt_emergency_after):
            raise ValueError("expected 0 < reclaim window <= notify support <= prompt emergency call")
        return self

    def schedule(self) -> tuple[tuple[LostContactStep, timedelta], ...]:
        return (
            (LostContactStep.NOTIFY_SUPPORT_PERSON, self.notify_support_after),
            (LostContactStep.PROMPT_EMERGENCY_CALL, self.prompt_emergency_after),
        )


class DueStep(Value):
    step: LostContactStep
    due_at: UtcDateTime


def lost_contact_schedule(last_seen: datetime, *, policy: ReconnectPolicy = ReconnectPolicy()) -> tuple[DueStep, ...]:
    """The lost-contact steps of a client last seen at ``last_seen``, in the order they fall due (the
    edge arms them as durable steps when the client drops, and cancels them if they come back)."""
    last_seen = as_utc(last_seen)
    return tuple(DueStep(step=step, due_at=last_seen + delay) for step, delay in policy.schedule())


class TherapistDropPolicy(Value):
    grace: timedelta = Field(default=timedelta(seconds=60))


class CoverRequest(Value):
    """Page this on-call clinician to take over the crisis."""

    clinician_id: str
    pick: OnCallPick
    dropped_clinician_id: str
    due_at: UtcDateTime


def therapist_dropped(
    state: CrisisState, therapist_id: str, therapist_last_seen: datetime, now: datetime, roster: Roster, *,
    policy: TherapistDropPolicy = TherapistDropPolicy(), already_tried: Iterable[str] = (),
) -> CoverRequest | None:
    """None while the therapist may still come back (or the crisis is closed); after the grace
    period, the on-call clinician to page. Raises ``NoOnCallCoverage`` when nobody is rostered:
    the edge must then alert the clinical lead."""
    if state is CrisisState.CLOSED:
        return None
    due_at = as_utc(therapist_last_seen) + policy.grace
    if as_utc(now) < due_at:
        return None
    pick = roster.on_call(now, exclude={therapist_id, *already_tried})
    return CoverRequest(clinician_id=pick.clinician_id, pick=pick, dropped_clinician_id=therapist_id, due_at=due_at)

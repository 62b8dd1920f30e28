"""The program's on-call roster (admins): read it, replace it. Every clinician on it must be an
active therapist of the program; the answer shows the gaps in cover over the coming week."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError, field_validator

from handoff.roster import Coverage, Roster, Shift

from server.access.identity import staff_principal
from server.access.policy import Action, authorize
from server.app_keys import ON_CALL, STORE
from server.audit.requests import audit
from server.db.tables import utcnow
from server.errors import InvalidInput
from server.http.bodies import read_body
from server.http.responses import json_response
from server.http.schemas import Body

GAP_STEP = timedelta(minutes=30)


class ShiftBody(Body):
    clinician_id: str = Field(min_length=1, max_length=64, description="A therapist of the program (staff id).")
    weekday: int = Field(ge=0, le=6, description="0 = Monday.")
    start: time = Field(description="Local wall-clock start (HH:MM) in the roster's time zone.")
    end: time = Field(description="Local end; not after the start = runs past midnight; equal = 24 hours.")
    coverage: Literal["primary", "backup"] = "primary"

    @field_validator("start", "end")
    @classmethod
    def _wall_clock(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("a wall-clock time in the roster's time zone, without an offset")
        return value


class SetOnCallRoster(Body):
    timezone: str | None = Field(default=None, min_length=1, max_length=64,
                                 description="IANA time zone, e.g. America/New_York; default: the program's own.")
    shifts: list[ShiftBody] = Field(default_factory=list, max_length=500)


class CoverGap(BaseModel):
    starts_at: datetime
    ends_at: datetime


class OnCallRosterView(BaseModel):
    program_id: str
    timezone: str
    shifts: list[ShiftBody]
    gaps: list[CoverGap] = Field(description="Stretches of the coming week (from now, in 30-minute steps) "
                                 "nobody covers.")


def week_start(now: datetime) -> datetime:
    return now.replace(minute=(now.minute // 30) * 30, second=0, microsecond=0)


def gap_ranges(roster: Roster, start: datetime, step: timedelta = GAP_STEP) -> list[CoverGap]:
    """The roster's uncovered moments of the week from ``start``, merged into ranges."""
    ranges: list[CoverGap] = []
    for moment in roster.gaps(start, step=step):
        if ranges and ranges[-1].ends_at == moment:
            ranges[-1] = CoverGap(starts_at=ranges[-1].starts_at, ends_at=moment + step)
        else:
            ranges.append(CoverGap(starts_at=moment, ends_at=moment + step))
    return ranges


def roster_view(roster: Roster, now: datetime) -> OnCallRosterView:
    shifts = [ShiftBody(clinician_id=s.clinician_id, weekday=s.weekday, start=s.start, end=s.end,
                        coverage=s.coverage.value) for s in roster.shifts]
    return OnCallRosterView(program_id=roster.program_id, timezone=roster.timezone, shifts=shifts,
                            gaps=gap_ranges(roster, week_start(now)))


async def get_roster(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.ON_CALL_MANAGE)
    roster = await request.app[ON_CALL].roster(principal.program_id)
    await audit(request, "on_call.read", principal, target_type="program", target_id=principal.program_id)
    return json_response(roster_view(roster, utcnow()))


async def put_roster(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.ON_CALL_MANAGE)
    body = await read_body(request, SetOnCallRoster)
    store = request.app[ON_CALL]
    known = {t.id for t in await request.app[STORE].therapists(principal.program_id)}
    unknown = [i for i, s in enumerate(body.shifts) if s.clinician_id not in known]
    if unknown:
        raise InvalidInput("Every clinician on the roster must be an active therapist of this program.", errors=[
            {"field": f"shifts.{i}.clinician_id", "message": "not a therapist of this program"} for i in unknown])
    try:
        zone = body.timezone or await store.default_timezone(principal.program_id)
        roster = Roster(program_id=principal.program_id, timezone=zone, shifts=tuple(
            Shift(clinician_id=s.clinician_id, weekday=s.weekday, start=s.start, end=s.end, coverage=Coverage(s.coverage)) for s in body.shifts))
    except ValidationError:
        raise InvalidInput("Unknown time zone.",
                           errors=[{"field": "timezone", "message": "unknown time zone"}]) from None
    now = utcnow()
    await store.replace(roster, by=principal.id, at=now)
    await audit(request, "on_call.update", principal, target_type="program", target_id=principal.program_id)
    return json_response(roster_view(await store.roster(principal.program_id), now))

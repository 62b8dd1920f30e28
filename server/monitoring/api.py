"""The care team's side of monitoring: ask a client for daily check-ins, read their check-ins and screener
results, the program's self-harm word list and its own screeners (admins)."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from aiohttp import web

from server.access.client_scope import client_for
from server.access.identity import staff_principal
from server.access.policy import Action, authorize
from server.app_keys import MONITORING, PROGRAMS
from server.audit.requests import audit
from server.db.tables import utcnow
from server.errors import InvalidInput
from server.http.bodies import read_body
from server.http.responses import json_response
from server.monitoring.errors import BuiltInInstrument, InstrumentInvalid
from server.monitoring.risk_rules import baseline
from server.monitoring.schedule import MAX_DAYS
from server.monitoring.schemas import (
    CheckInView,
    InstrumentBody,
    InstrumentList,
    MonitoringHistory,
    ScheduleAnswer,
    ScheduleCheckIns,
    ScheduleView,
    ScreenerView,
    Vocabulary,
    VocabularyView,
    instrument_view,
)
from server.monitoring.screeners import BUILT_IN, ScreenerError
from server.monitoring.store import Schedule


def _schedule_view(schedule: Schedule | None) -> ScheduleAnswer:
    if schedule is None:
        return ScheduleAnswer(schedule=None)
    return ScheduleAnswer(schedule=ScheduleView(
        schedule_id=schedule.id, first_day=schedule.first_day, days=schedule.days, time=schedule.at.strftime("%H:%M"),
        timezone=schedule.timezone, due=schedule.due, created_by=schedule.created_by, created_at=schedule.created_at))


async def schedule_check_ins(request: web.Request) -> web.Response:
    """Daily check-ins for ``days`` days at ``time`` on the program's clock; replaces the schedule before."""
    principal, client = await client_for(request, Action.CHECK_IN_SCHEDULE)
    body = await read_body(request, ScheduleCheckIns)
    profile = await request.app[PROGRAMS].profile(client.program_id)
    now = utcnow()
    today = now.astimezone(ZoneInfo(profile.timezone)).date()
    first_day = body.first_day or today
    if abs((first_day - today).days) > MAX_DAYS:
        raise InvalidInput("Start the check-ins within 90 days of today.",
                           errors=[{"field": "first_day", "message": "more than 90 days from today"}])
    schedule = await request.app[MONITORING].store.set_schedule(
        client_id=client.id, program_id=client.program_id, first_day=first_day, days=body.days,
        at=time.fromisoformat(body.time), timezone=profile.timezone, by=principal.id, now=now)
    await audit(request, "check_in.schedule", principal, target_type="client", target_id=client.id)
    return json_response(_schedule_view(schedule), status=201)


async def get_schedule(request: web.Request) -> web.Response:
    principal, client = await client_for(request, Action.MONITORING_READ)
    schedule = await request.app[MONITORING].store.schedule(client.id)
    await audit(request, "check_in.schedule_read", principal, target_type="client", target_id=client.id)
    return json_response(_schedule_view(schedule))


async def history(request: web.Request) -> web.Response:
    """The client's check-ins and screener results, oldest first (what a trend chart draws)."""
    principal, client = await client_for(request, Action.MONITORING_READ)
    store = request.app[MONITORING].store
    check_ins = await store.check_ins(client.id)
    screeners = await store.screeners(client.id)
    await audit(request, "check_in.read", principal, target_type="client", target_id=client.id)
    return json_response(MonitoringHistory(
        check_ins=[CheckInView(id=c.id, submitted_at=c.submitted_at, mood=c.answers["mood"],
                               sleep_hours=c.answers.get("sleep_hours"), sleep_quality=c.answers.get("sleep_quality"),
                               cravings=c.answers["cravings"], note=c.note) for c in check_ins],
        screeners=[ScreenerView(id=s.id, instrument=s.instrument, submitted_at=s.submitted_at, answers=s.answers,
                                total=s.result["total"], band=s.result["band"]) for s in screeners],
        baseline_mood=baseline([c.answers["mood"] for c in check_ins])))


async def get_vocabulary(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.MONITORING_READ)
    own = await request.app[MONITORING].store.vocabulary(principal.program_id)
    phrases = await request.app[MONITORING].phrases(principal.program_id)
    await audit(request, "vocabulary.read", principal, target_type="program", target_id=principal.program_id)
    return json_response(VocabularyView(phrases=phrases, default=own is None))


async def put_vocabulary(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.VOCABULARY_MANAGE)
    body = await read_body(request, Vocabulary)
    phrases = sorted({p.strip() for p in body.phrases})
    await request.app[MONITORING].store.set_vocabulary(principal.program_id, phrases, principal.id, utcnow())
    await audit(request, "vocabulary.update", principal, target_type="program", target_id=principal.program_id)
    return json_response(VocabularyView(phrases=phrases, default=False))


async def list_instruments(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.MONITORING_READ)
    found = await request.app[MONITORING].instruments(principal.program_id)
    await audit(request, "screener.list", principal, target_type="program", target_id=principal.program_id)
    return json_response(InstrumentList(instruments=[instrument_view(i) for i in found.values()]))


async def put_instrument(request: web.Request) -> web.Response:
    """Load a screener the program holds the licence for (its own text): scored by the same engine."""
    principal = await staff_principal(request)
    authorize(principal, Action.SCREENER_MANAGE)
    key = request.match_info["key"]
    if key in BUILT_IN:
        raise BuiltInInstrument()
    body = await read_body(request, InstrumentBody)
    try:
        instrument = body.instrument(key)
    except ScreenerError as error:
        raise InstrumentInvalid(errors=[{"field": "bands", "message": str(error)}]) from None
    await request.app[MONITORING].store.set_instrument(principal.program_id, key, body.model_dump(), principal.id,
                                                       utcnow())
    await audit(request, "screener.load", principal, target_type="program", target_id=principal.program_id)
    return json_response(instrument_view(instrument))

"""The client's own check-ins and screeners, from their page "my Steadyline" (a home token). What the
client is told is calm and the same whatever the rules found, but for one thing: when a rule marked the
answer urgent, the page shows the help button and the numbers to call (a person reviews the alert)."""

from __future__ import annotations

from datetime import datetime, timedelta

from aiohttp import web

from server.access.policy import Action
from server.app_keys import MONITORING
from server.audit.requests import audit
from server.db.tables import utcnow
from server.home.access import home_context
from server.http.bodies import read_body
from server.http.responses import json_response
from server.monitoring.errors import ScreenerIncomplete, ScreenerNotFound, TooManySubmissions
from server.monitoring.risk_rules import MISSED_GRACE
from server.monitoring.schemas import (
    CheckInStatus,
    SubmissionReceived,
    SubmitCheckIn,
    SubmitScreener,
    instrument_view,
)
from server.monitoring.screeners import ScreenerError
from server.monitoring.service import Raised

THANKS = "Thank you. Your care team will see this."
URGENT = ("Thank you for telling us. Your care team will see this soon. If you are in danger or might act on "
          "these thoughts, press \u201cI need help now\u201d or call 988 now.")


MAX_PER_DAY = 30  # check-ins and screeners a client may send in 24 hours (each may raise alerts)


async def _within_limit(request: web.Request, client_id: str, at: datetime) -> None:
    if await request.app[MONITORING].store.submissions_since(client_id, at - timedelta(days=1)) >= MAX_PER_DAY:
        raise TooManySubmissions()


def _received(raised: Raised, at: datetime) -> SubmissionReceived:
    return SubmissionReceived(id=raised.record_id, submitted_at=at, message=URGENT if raised.urgent else THANKS,
                              show_help=raised.urgent)


async def check_in_status(request: web.Request) -> web.Response:
    context = await home_context(request, Action.CHECK_IN_SUBMIT)
    monitoring, now = request.app[MONITORING], utcnow()
    dues = await monitoring.store.due_check_ins(context.client.id)
    done = [c.submitted_at for c in await monitoring.store.check_ins(context.client.id, limit=1)]
    last = done[-1] if done else None
    open_now = [d for d in dues if abs(d - now) <= MISSED_GRACE]
    due_today = bool(open_now) and (last is None or all(abs(last - d) > MISSED_GRACE for d in open_now))
    upcoming = [d for d in dues if d > now]
    instruments = await monitoring.instruments(context.client.program_id)
    await audit(request, "check_in.status", context.principal, target_type="client", target_id=context.client.id)
    return json_response(CheckInStatus(due_today=due_today, last_submitted_at=last,
                                       next_due_at=upcoming[0] if upcoming else None,
                                       instruments=[instrument_view(i) for i in instruments.values()]))


async def submit_check_in(request: web.Request) -> web.Response:
    context = await home_context(request, Action.CHECK_IN_SUBMIT)
    body = await read_body(request, SubmitCheckIn)
    at = utcnow()
    await _within_limit(request, context.client.id, at)
    raised = await request.app[MONITORING].submit_check_in(context.client, body, at)
    await audit(request, "check_in.submit", context.principal, target_type="check_in", target_id=raised.record_id)
    for alert_id in raised.alert_ids:
        await audit(request, "alert.raise", context.principal, target_type="alert", target_id=alert_id)
    return json_response(_received(raised, at), status=201)


async def submit_screener(request: web.Request) -> web.Response:
    context = await home_context(request, Action.CHECK_IN_SUBMIT)
    monitoring = request.app[MONITORING]
    instrument = (await monitoring.instruments(context.client.program_id)).get(request.match_info["key"])
    if instrument is None:
        raise ScreenerNotFound()
    body = await read_body(request, SubmitScreener)
    at = utcnow()
    await _within_limit(request, context.client.id, at)
    try:
        raised, _ = await monitoring.submit_screener(context.client, instrument, body.answers, at)
    except ScreenerError as error:
        raise ScreenerIncomplete(errors=[{"field": "answers", "message": str(error)}]) from None
    await audit(request, "screener.submit", context.principal, target_type="screener_result",
                target_id=raised.record_id)
    for alert_id in raised.alert_ids:
        await audit(request, "alert.raise", context.principal, target_type="alert", target_id=alert_id)
    return json_response(_received(raised, at), status=201)



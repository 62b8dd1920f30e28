"""Alerts of the program for its care team: list them (a therapist sees those of the clients whose care
team they are on, program-wide ones and those addressed or assigned to them; admins all), acknowledge,
take or give one, resolve it with a note. Each change is audited and pushed to the live dashboard.
An alert you may not see answers ``404 alert_not_found``, as another program's does."""

from __future__ import annotations

from aiohttp import web

from server.access.identity import staff_principal
from server.access.policy import Action, authorize
from server.app_keys import ALERT_DESK
from server.audit.requests import audit
from server.dashboard.alert_desk import AlertFilters
from server.dashboard.schemas import AcknowledgeAlert, AssignAlert, ResolveAlert
from server.db.tables import utcnow
from server.errors import InvalidInput
from server.http.bodies import read_body
from server.http.responses import json_response
from server.plans.schemas import AlertList

FILTERS = ("urgency", "rule", "client_id", "open", "resolved")  # open=true: not acknowledged yet


def _flag(request: web.Request, name: str) -> bool | None:
    value = request.query.get(name)
    if value not in (None, "true", "false"):
        raise InvalidInput(f"{name} is true or false.", errors=[{"field": name, "message": "true or false"}])
    return None if value is None else value == "true"


async def list_alerts(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.ALERT_LIST)
    filters = AlertFilters(urgency=request.query.get("urgency"), rule=request.query.get("rule"),
                           client_id=request.query.get("client_id"), open_only=_flag(request, "open"),
                           resolved=_flag(request, "resolved"))
    views = await request.app[ALERT_DESK].list(principal, filters)
    await audit(request, "alert.list", principal, target_type="program", target_id=principal.program_id)
    return json_response(AlertList(alerts=views))


async def acknowledge_alert(request: web.Request) -> web.Response:
    """Say a person has seen the alert (the first acknowledgement is kept, with its note, audited)."""
    principal = await staff_principal(request)
    authorize(principal, Action.ALERT_ACKNOWLEDGE)
    body = await read_body(request, AcknowledgeAlert)
    desk = request.app[ALERT_DESK]
    row = await desk.acknowledge(principal, request.match_info["alert_id"], body.note, utcnow())
    await audit(request, "alert.acknowledge", principal, target_type="alert", target_id=row.id)
    await desk.push(row)
    return json_response(await desk.view(row))


async def assign_alert(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.ALERT_MANAGE)
    body = await read_body(request, AssignAlert)
    desk = request.app[ALERT_DESK]
    row = await desk.assign(principal, request.match_info["alert_id"], body.staff_id)
    await audit(request, "alert.assign", principal, target_type="alert", target_id=row.id)
    await desk.push(row)
    return json_response(await desk.view(row))


async def resolve_alert(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.ALERT_MANAGE)
    body = await read_body(request, ResolveAlert)
    desk = request.app[ALERT_DESK]
    row = await desk.resolve(principal, request.match_info["alert_id"], body.note, utcnow())
    await audit(request, "alert.resolve", principal, target_type="alert", target_id=row.id)
    await desk.push(row)
    return json_response(await desk.view(row))

"""Alerts for the program's staff (the clinical lead first): e.g. an emergency consent override, a risk
rule on a client's check-in. Filter by ``urgency``, ``rule``, ``client_id`` and ``open`` (not yet
acknowledged)."""

from __future__ import annotations

from aiohttp import web

from server.access.identity import staff_principal
from server.access.policy import Action, authorize
from server.app_keys import PLAN_STORE
from server.audit.requests import audit
from server.errors import InvalidInput
from server.http.responses import json_response
from server.plans.schemas import AlertList, AlertView


FILTERS = ("urgency", "rule", "client_id", "open")  # open=true: not acknowledged yet


async def list_alerts(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.ALERT_LIST)
    wanted = {name: request.query.get(name) for name in FILTERS}
    if wanted["open"] not in (None, "true", "false"):
        raise InvalidInput("open is true or false.", errors=[{"field": "open", "message": "true or false"}])
    rows = await request.app[PLAN_STORE].alerts(
        principal.program_id, urgency=wanted["urgency"], rule=wanted["rule"], client_id=wanted["client_id"],
        open_only=None if wanted["open"] is None else wanted["open"] == "true")
    await audit(request, "alert.list", principal, target_type="program", target_id=principal.program_id)
    return json_response(AlertList(alerts=[AlertView(
        alert_id=r.id, kind=r.kind, urgency=r.urgency, recipient_id=r.recipient_id, client_id=r.client_id,
        subject=r.subject, body=r.body, created_at=r.created_at, rule=r.rule, acknowledged_at=r.acknowledged_at,
        acknowledged_by=r.acknowledged_by, acknowledged_note=r.acknowledged_note) for r in rows]))

"""Which crises are open in my program: what the console shows every clinician, so that a crisis is never
only on one therapist's screen. Minimum necessary: ids, state, times and who leads it — no client name,
no session title, nothing said in the session. Staff open the crisis itself through the crisis API,
which checks that it is theirs to work."""

from __future__ import annotations

from aiohttp import web

from server.access.identity import staff_principal
from server.access.policy import Action, authorize
from server.app_keys import CRISES
from server.audit.requests import audit
from server.crises.schemas import OpenCrisisList, OpenCrisisView
from server.http.responses import json_response


async def open_crises(request: web.Request) -> web.Response:
    """``GET /api/program/crises``: the program's open crises, oldest first."""
    principal = await staff_principal(request)
    authorize(principal, Action.CRISIS_LIST)
    rows = await request.app[CRISES].open_in_program(principal.program_id)
    views = [OpenCrisisView(**vars(row), yours=principal.id in (row.session_therapist_id, row.responsible_clinician_id))
             for row in rows]
    await audit(request, "crisis.list", principal, target_type="program", target_id=principal.program_id)
    return json_response(OpenCrisisList(crises=views))

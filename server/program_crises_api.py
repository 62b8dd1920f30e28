"""Which crises are open in my program: what the console shows every clinician, so that a crisis is never
only on one therapist's screen. Minimum necessary: ids, state, times and who leads it — no client name,
no session title, nothing said in the session. Staff open the crisis itself through the crisis API,
which checks that it is theirs to work."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from pydantic import BaseModel

from .app_keys import CRISES
from .auth_api import staff_principal
from .client_scope import json_response
from .policy import Action, authorize
from .request_audit import audit


class OpenCrisisView(BaseModel):
    crisis_id: str
    session_id: str
    state: str
    opened_at: datetime
    opened_by_role: str  # "client": the client pressed "I need help now"
    responsible_clinician_id: str | None
    responsible_clinician_name: str | None
    session_therapist_id: str
    yours: bool  # you lead it, or lead its session


class OpenCrisisList(BaseModel):
    crises: list[OpenCrisisView]


async def open_crises(request: web.Request) -> web.Response:
    """``GET /api/program/crises``: the program's open crises, oldest first."""
    principal = await staff_principal(request)
    authorize(principal, Action.CRISIS_LIST)
    rows = await request.app[CRISES].open_in_program(principal.program_id)
    views = [OpenCrisisView(**vars(row), yours=principal.id in (row.session_therapist_id, row.responsible_clinician_id))
             for row in rows]
    await audit(request, "crisis.list", principal, target_type="program", target_id=principal.program_id)
    return json_response(OpenCrisisList(crises=views))

"""Outreach tasks for the care team: list the program's (open ones by default), take one or give it to a
colleague, resolve it with a note (encrypted at rest). Another program's task answers 404."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from pydantic import BaseModel, Field

from server.access.identity import staff_principal
from server.access.policy import Action, Principal, authorize
from server.app_keys import OUTREACH, STORE
from server.audit.requests import audit
from server.db.outreach_tables import OutreachTaskRecord
from server.db.tables import StaffRole, utcnow
from server.errors import InvalidInput, NotFound
from server.http.bodies import read_body
from server.http.responses import json_response
from server.http.schemas import Body


class OutreachTaskView(BaseModel):
    task_id: str
    kind: str
    client_id: str
    session_id: str
    therapist_id: str | None
    created_at: datetime
    assigned_to: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    note: str | None


class OutreachList(BaseModel):
    tasks: list[OutreachTaskView]


class AssignOutreach(Body):
    staff_id: str | None = Field(default=None, max_length=64, description="A therapist of the program; "
                                 "default: you.")


class ResolveOutreach(Body):
    note: str = Field(min_length=1, max_length=1000, description="What was done (reached, left a message, …).")


def _view(row: OutreachTaskRecord) -> OutreachTaskView:
    return OutreachTaskView(task_id=row.id, kind=row.kind, client_id=row.client_id, session_id=row.session_id,
                            therapist_id=row.therapist_id, created_at=row.created_at, assigned_to=row.assigned_to,
                            resolved_at=row.resolved_at, resolved_by=row.resolved_by, note=row.note)


async def _task(request: web.Request, action: Action) -> tuple[Principal, OutreachTaskRecord]:
    principal = await staff_principal(request)
    authorize(principal, action)
    task_id = request.match_info["task_id"]
    task = await request.app[OUTREACH].get(task_id) if len(task_id) <= 64 else None
    if task is None or task.program_id != principal.program_id:
        raise NotFound("outreach task not found")
    return principal, task


async def list_tasks(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.OUTREACH_LIST)
    rows = await request.app[OUTREACH].of_program(principal.program_id,
                                                  open_only=request.query.get("all") not in ("1", "true"))
    await audit(request, "outreach.list", principal, target_type="program", target_id=principal.program_id)
    return json_response(OutreachList(tasks=[_view(r) for r in rows]))


async def assign(request: web.Request) -> web.Response:
    principal, task = await _task(request, Action.OUTREACH_MANAGE)
    body = await read_body(request, AssignOutreach)
    staff_id = body.staff_id or principal.id
    staff = await request.app[STORE].get_staff_or_none(staff_id)
    if staff is None or staff.disabled or staff.program_id != principal.program_id or staff.role is not \
            StaffRole.THERAPIST:
        raise InvalidInput("Give the task to an active therapist of this program.",
                           errors=[{"field": "staff_id", "message": "not a therapist of this program"}])
    row = await request.app[OUTREACH].assign(task.id, staff_id)
    await audit(request, "outreach.assign", principal, target_type="outreach_task", target_id=task.id)
    return json_response(_view(row))


async def resolve(request: web.Request) -> web.Response:
    principal, task = await _task(request, Action.OUTREACH_MANAGE)
    body = await read_body(request, ResolveOutreach)
    row = await request.app[OUTREACH].resolve(task.id, by=principal.id, at=utcnow(), note=body.note)
    await audit(request, "outreach.resolve", principal, target_type="outreach_task", target_id=task.id)
    return json_response(_view(row))

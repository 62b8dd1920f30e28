"""Outreach tasks for the care team: list those you may see (open ones by default), take one or give it to
a colleague, resolve it with a note (encrypted at rest). Each change is audited and pushed to the live
dashboard. A task you may not see answers 404, as another program's does."""

from __future__ import annotations

from aiohttp import web
from pydantic import Field

from server.access.identity import staff_principal
from server.access.policy import Action, Principal, authorize
from server.app_keys import OUTREACH_DESK, STORE
from server.audit.requests import audit
from server.db.outreach_tables import OutreachTaskRecord
from server.db.tables import StaffRole, utcnow
from server.errors import InvalidInput
from server.http.bodies import read_body
from server.http.responses import json_response
from server.http.schemas import Body
from server.outreach.views import OutreachList, OutreachTaskView

__all__ = ["OutreachList", "OutreachTaskView", "AssignOutreach", "ResolveOutreach"]


class AssignOutreach(Body):
    staff_id: str | None = Field(default=None, max_length=64, description="A therapist of the program; "
                                 "default: you.")


class ResolveOutreach(Body):
    note: str = Field(min_length=1, max_length=1000, description="What was done (reached, left a message, …).")


async def _task(request: web.Request, action: Action) -> tuple[Principal, OutreachTaskRecord]:
    principal = await staff_principal(request)
    authorize(principal, action)
    return principal, await request.app[OUTREACH_DESK].visible(principal, request.match_info["task_id"])


async def list_tasks(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.OUTREACH_LIST)
    views = await request.app[OUTREACH_DESK].list(principal, open_only=request.query.get("all") not in ("1", "true"))
    await audit(request, "outreach.list", principal, target_type="program", target_id=principal.program_id)
    return json_response(OutreachList(tasks=views))


async def assign(request: web.Request) -> web.Response:
    principal, task = await _task(request, Action.OUTREACH_MANAGE)
    body = await read_body(request, AssignOutreach)
    staff_id = body.staff_id or principal.id
    staff = await request.app[STORE].get_staff_or_none(staff_id)
    if staff is None or staff.disabled or staff.program_id != principal.program_id or staff.role is not \
            StaffRole.THERAPIST:
        raise InvalidInput("Give the task to an active therapist of this program.",
                           errors=[{"field": "staff_id", "message": "not a therapist of this program"}])
    desk = request.app[OUTREACH_DESK]
    row = await desk.store.assign(task.id, staff_id)
    await audit(request, "outreach.assign", principal, target_type="outreach_task", target_id=task.id)
    await desk.push(row)
    return json_response(await desk.view(row))


async def resolve(request: web.Request) -> web.Response:
    principal, task = await _task(request, Action.OUTREACH_MANAGE)
    body = await read_body(request, ResolveOutreach)
    desk = request.app[OUTREACH_DESK]
    row = await desk.store.resolve(task.id, by=principal.id, at=utcnow(), note=body.note)
    await audit(request, "outreach.resolve", principal, target_type="outreach_task", target_id=task.id)
    await desk.push(row)
    return json_response(await desk.view(row))

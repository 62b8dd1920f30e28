"""Follow-up plans after a crisis: made when the crisis closes (``plan_after_close``), read by the care
team per crisis or per client, items marked done. Access is the client's: therapists and admins of the
client's program (``PLAN_READ`` / ``PLAN_WRITE``); another program's crisis or client answers 404."""

from __future__ import annotations

import structlog
from aiohttp import web

from server.access.client_scope import client_for
from server.access.identity import staff_principal
from server.access.policy import Action, ClientScope, Principal, authorize
from server.app_keys import CRISES, FOLLOW_UPS, STORE
from server.audit.requests import audit
from server.db.tables import utcnow
from server.errors import CrisisNotFound, NotFound
from server.follow_ups.schemas import FollowUpList, FollowUpPlanView
from server.follow_ups.story import crisis_story
from server.http.responses import json_response

log = structlog.get_logger(__name__)


async def _crisis_client(request: web.Request, action: Action) -> tuple[Principal, str, str | None]:
    """(principal, crisis id, its session) once the principal may touch the crisis's client."""
    principal = await staff_principal(request)
    authorize(principal, action)
    crisis = await request.app[CRISES].load(request.match_info["crisis_id"])
    if crisis is None:
        raise CrisisNotFound()
    try:
        authorize(principal, action, ClientScope(client_id=crisis.client_id, program_id=crisis.program_id))
    except NotFound:
        raise CrisisNotFound() from None
    return principal, crisis.crisis_id, await request.app[CRISES].session_of(crisis.crisis_id)


async def crisis_follow_up(request: web.Request) -> web.Response:
    principal, crisis_id, session_id = await _crisis_client(request, Action.PLAN_READ)
    plan = await request.app[FOLLOW_UPS].of_crisis(crisis_id)
    if plan is None:
        raise NotFound("This crisis has no follow-up plan yet: one is made when it closes.", code="no_follow_up")
    await audit(request, "follow_up.read", principal, target_type="crisis", target_id=crisis_id, session_id=session_id)
    return json_response(await _with_story(request, plan))


async def _with_story(request: web.Request, plan: FollowUpPlanView) -> FollowUpPlanView:
    crisis = await request.app[CRISES].load(plan.crisis_id)
    return plan if crisis is None else plan.model_copy(update={"story": await crisis_story(crisis, request.app[STORE])})


async def client_follow_ups(request: web.Request) -> web.Response:
    principal, client = await client_for(request, Action.PLAN_READ)
    plans = [await _with_story(request, plan) for plan in await request.app[FOLLOW_UPS].of_client(client.id)]
    await audit(request, "follow_up.read", principal, target_type="client", target_id=client.id)
    return json_response(FollowUpList(plans=plans))


async def mark_done(request: web.Request) -> web.Response:
    principal, client = await client_for(request, Action.PLAN_WRITE)
    follow_ups, item_id = request.app[FOLLOW_UPS], request.match_info["item_id"]
    crisis_id = await follow_ups.item_crisis(item_id) if len(item_id) <= 64 else None
    plan = await follow_ups.of_crisis(crisis_id) if crisis_id else None
    if plan is None or plan.client_id != client.id:
        raise NotFound("follow-up item not found")
    await follow_ups.mark_done(item_id, by=principal.id, at=utcnow())
    await audit(request, "follow_up.done", principal, target_type="follow_up_item", target_id=item_id)
    return json_response(await follow_ups.of_crisis(crisis_id))

"""Making the follow-up plan of a crisis that has just closed."""

from __future__ import annotations

import structlog
from aiohttp import web

from handoff.crisis import Crisis
from handoff.follow_up import plan_follow_up

from server.access.policy import Principal
from server.app_keys import FOLLOW_UPS, SETTINGS
from server.audit.requests import audit
from server.follow_ups.schemas import FollowUpPlanView

log = structlog.get_logger(__name__)


async def plan_after_close(request: web.Request, principal: Principal, crisis: Crisis, session_id: str,
                           include_family_debrief: bool) -> FollowUpPlanView:
    """Make and keep the follow-up plan of a crisis that has just closed (program time zone)."""
    timezone = request.app[SETTINGS].program_timezone
    plan = plan_follow_up(crisis, timezone=timezone, include_family_debrief=include_family_debrief)
    view = await request.app[FOLLOW_UPS].save(plan, program_id=crisis.program_id, timezone=timezone,
                                              include_family_debrief=include_family_debrief, created_by=principal.id)
    await audit(request, "follow_up.create", principal, target_type="crisis", target_id=crisis.crisis_id,
                session_id=session_id)
    log.info("follow_up_planned", crisis_id=crisis.crisis_id, items=len(view.items))
    return view

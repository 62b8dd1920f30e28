"""Making the follow-up plan of a crisis that has just closed."""

from __future__ import annotations

import structlog
from aiohttp import web

from handoff.crisis import Crisis
from handoff.follow_up import FollowUpPolicy, plan_follow_up

from server.access.policy import Principal
from server.app_keys import FOLLOW_UPS, PROGRAMS, SETTINGS
from server.audit.requests import audit
from server.db.tables import Session
from server.follow_ups.booking import book_after_help
from server.follow_ups.schemas import FollowUpPlanView

log = structlog.get_logger(__name__)


async def plan_after_close(request: web.Request, principal: Principal, crisis: Crisis, session: Session,
                           include_family_debrief: bool, book: bool | None = None) -> FollowUpPlanView:
    """Make and keep the follow-up plan of a crisis that has just closed (on the program's clock). After
    a help press outside a session (``book`` defaults to true there), the check-ins are daily and the
    next-day session is booked, its link sent and the check-in reminders armed."""
    timezone = (await request.app[PROGRAMS].profile(crisis.program_id)).timezone
    booking = session.on_demand if book is None else book
    policy = FollowUpPolicy()
    if booking:
        days = request.app[SETTINGS].after_hours_check_in_days
        policy = FollowUpPolicy(check_in_days=tuple(range(1, days + 1)))
    plan = plan_follow_up(crisis, timezone=timezone, include_family_debrief=include_family_debrief, policy=policy)
    view = await request.app[FOLLOW_UPS].save(plan, program_id=crisis.program_id, timezone=timezone,
                                              include_family_debrief=include_family_debrief, created_by=principal.id)
    await audit(request, "follow_up.create", principal, target_type="crisis", target_id=crisis.crisis_id,
                session_id=session.id)
    if booking:
        booked = await book_after_help(request, crisis, session, plan, timezone)
        if booked.session_id is not None:
            await request.app[FOLLOW_UPS].note_booking(crisis.crisis_id, booked.session_id, booked.when or "",
                                                       link_sent=booked.link_sent)
            view = await request.app[FOLLOW_UPS].of_crisis(crisis.crisis_id) or view
        await audit(request, "follow_up.book", principal, target_type="crisis", target_id=crisis.crisis_id,
                    session_id=booked.session_id)
    log.info("follow_up_planned", crisis_id=crisis.crisis_id, items=len(view.items), booked=booking)
    return view

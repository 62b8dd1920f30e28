"""The days after a crisis, made when it closes: the follow-up plan (on the program's clock) and, after a
help press outside a session (an on-demand room), its booking: the next-day individual session with the
client's own therapist (else the clinician who took the crisis), the client's personal join link sent to
them by the notifier, and a reminder armed for each daily check-in (durable crisis steps, so a restart
loses none)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import structlog
from aiohttp import web

from handoff.crisis import Crisis
from handoff.follow_up import FollowUpKind, FollowUpPlan, FollowUpPolicy, plan_follow_up

from server.access.links import new_link
from server.access.policy import Principal
from server.app_keys import CRISIS_WATCH, FOLLOW_UPS, NOTIFIER, PROGRAMS, SETTINGS, STORE
from server.audit.requests import audit
from server.crises.steps import Arming, StepKind
from server.db.tables import ParticipantRole, Session, SessionKind, utcnow
from server.notify.notifier import SessionInvitation

log = structlog.get_logger(__name__)
SESSION_MINUTES = 50
TITLE = "Follow-up session"


@dataclass(frozen=True)
class Booking:
    session_id: str | None
    when: str | None  # the start, written out on the program's clock
    link_sent: bool
    reminders: int


def written(at: datetime, timezone: str) -> str:
    local = at.astimezone(ZoneInfo(timezone))
    return f"{local:%A %d %B, %H:%M} ({timezone})"


async def _book(request: web.Request, crisis: Crisis, room: Session, plan: FollowUpPlan,
                          timezone: str) -> Booking:
    store, settings = request.app[STORE], request.app[SETTINGS]
    client = await store.get_client(crisis.client_id)
    places = [p for p in await store.list_participants(room.id)
              if p.client_id == client.id and p.role is ParticipantRole.CLIENT]
    session_item = next(iter(plan.of_kind(FollowUpKind.INDIVIDUAL_SESSION)), None)
    booked, when, sent = None, None, False
    therapist = None
    for staff_id in (client.therapist_id, crisis.responsible_clinician_id, room.therapist_id):
        staff = await store.get_staff_or_none(staff_id) if staff_id else None
        if staff is not None and not staff.disabled and staff.program_id == client.program_id:
            therapist = staff
            break
    if session_item is not None and therapist is not None:
        booked = await store.create_session(therapist=therapist, kind=SessionKind.INDIVIDUAL, title=TITLE,
                                            starts_at=session_item.due_at,
                                            ends_at=session_item.due_at + timedelta(minutes=SESSION_MINUTES))
        place = await store.add_participant(session_id=booked.id, role=ParticipantRole.CLIENT,
                                            display_name=client.display_name, client_id=client.id)
        link = new_link()
        await store.create_invite(participant_id=place.id, token_hash=link.token_hash, expires_at=booked.ends_at)
        when = written(booked.starts_at, timezone)
        if client.email or client.phone:
            outcomes = await request.app[NOTIFIER].send(SessionInvitation(
                crisis_id=crisis.crisis_id, participant_id=place.id, join_url=link.url(settings.public_url),
                expires_at=booked.ends_at, email=client.email, phone=client.phone, when=when), utcnow())
            sent = any(o.value == "sent" for o in outcomes.values())
    reminders = 0
    if places:
        checks = plan.of_kind(FollowUpKind.CHECK_IN)
        await request.app[CRISIS_WATCH].arm_reminders(crisis, room.id, [
            Arming(StepKind.CHECK_IN_REMINDER, places[0].id, item.due_at, item.due_at) for item in checks])
        reminders = len(checks)
    log.info("follow_up_booked", crisis_id=crisis.crisis_id, session=booked is not None, link_sent=sent,
             reminders=reminders)
    return Booking(session_id=booked.id if booked else None, when=when, link_sent=sent, reminders=reminders)


async def plan_after_close(request: web.Request, principal: Principal, crisis: Crisis, session: Session,
                           include_family_debrief: bool, book: bool | None = None) -> None:
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
        booked = await _book(request, crisis, session, plan, timezone)
        if booked.session_id is not None:
            await request.app[FOLLOW_UPS].note_booking(crisis.crisis_id, booked.session_id, booked.when or "",
                                                       link_sent=booked.link_sent)
        await audit(request, "follow_up.book", principal, target_type="crisis", target_id=crisis.crisis_id,
                    session_id=booked.session_id)
    log.info("follow_up_planned", crisis_id=crisis.crisis_id, items=len(view.items), booked=booking)

"""The client's own page ("my Steadyline"), from their standing link at any hour.

``POST /api/home/open`` exchanges the link's token (kept only as a hash) for a page token; every other
call carries that token and is checked against the link again, so a revoked link stops the page at
once. A page token is not a session token: joining a session mints a participant token for the
client's own place in that session only, and the help button opens their own help room only."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from server.access.abuse import Locked
from server.access.links import hash_token
from server.access.policy import Action, Role
from server.app_keys import ABUSE, CLIENTS, HELP_DESK, PLAN_STORE, SETTINGS, STORE, TOKENS
from server.audit.chain import Outcome
from server.audit.requests import audit, request_address
from server.crises.service import Caller
from server.db.tables import ParticipantRole, SessionStatus, utcnow
from server.errors import LinkInvalid, NotFound, SessionEnded
from server.home.access import home_context
from server.home.errors import SessionNotOpen
from server.home.help_desk import client_actor
from server.home.schemas import AskForHelp, HomeToken, HomeView, OpenHome, UpcomingSession
from server.home.views import coping_first, help_view, program_lines
from server.http.bodies import read_body
from server.http.middleware import client_address
from server.http.responses import json_response
from server.plans.views import nearest_resources, own_plan_view
from server.sessions.schemas import ParticipantToken
from server.sessions.views import participant_view

UPCOMING_DAYS = 14
COPING_KEYS = ("coping", "grounding", "calm")  # a plan's own coping sections come first on the page


async def open_home(request: web.Request) -> web.Response:
    """Failed opens count against the address like failed join links (``server.access.abuse``)."""
    guard, address = request.app[ABUSE], client_address(request)
    locked = await guard.redeem_locked_for(address) > 0
    body = await read_body(request, OpenHome)
    link = await request.app[CLIENTS].open_link(hash_token(body.token), utcnow())
    if link is None:
        now_locked = await guard.redeem_failed(address)
        if locked:
            raise Locked(now_locked) from None
        await audit(request, "home_link.open", outcome=Outcome.FAILED)
        raise LinkInvalid()
    ttl = request.app[SETTINGS].home_token_ttl
    token = request.app[TOKENS].issue_home(client_id=link.client_id, program_id=link.program_id, link_id=link.id,
                                           ttl=ttl)
    await audit(request, "home_link.open", actor_id=link.client_id, actor_role=Role.CLIENT.value,
                program_id=link.program_id, target_type="client", target_id=link.client_id)
    return json_response(HomeToken(home_token=token, expires_in=ttl))


async def home(request: web.Request) -> web.Response:
    context = await home_context(request, Action.HOME_READ)
    client, program = context.client, context.program
    plans, store, settings = request.app[PLAN_STORE], request.app[STORE], request.app[SETTINGS]
    stored = await plans.plan(client.id)
    plan = own_plan_view(stored, await plans.program_templates(program.program_id), settings)
    lines = program_lines(request, program)
    resources = (await nearest_resources(plans, stored, settings.phone_region))[0] if stored is not None else []
    now, upcoming = utcnow(), []
    for place in await store.participants_of_client(client.id):
        if place.role is not ParticipantRole.CLIENT or place.removed_at is not None:
            continue
        session = await store.get_session(place.session_id)
        if (session.status is SessionStatus.ENDED or session.on_demand or session.ends_at <= now
                or session.starts_at > now + timedelta(days=UPCOMING_DAYS)):
            continue
        therapist = await store.get_staff_or_none(session.therapist_id)
        upcoming.append(UpcomingSession(
            session_id=session.id, title=session.title, kind=session.kind.value, starts_at=session.starts_at,
            ends_at=session.ends_at, therapist_name=therapist.display_name if therapist else "",
            join_opens_at=session.starts_at - timedelta(seconds=settings.link_grace)))
    upcoming.sort(key=lambda s: s.starts_at)
    desk = request.app[HELP_DESK]
    room = await desk.open_room(client.id)
    await audit(request, "home.read", context.principal, target_type="client", target_id=client.id)
    return json_response(HomeView(
        client_name=client.display_name, program_name=program.name, timezone=program.timezone,
        plan=coping_first(plan.model_copy(update={"crisis_lines": lines})), crisis_lines=lines,
        resources=resources, upcoming=upcoming,
        help=await help_view(request, desk, room, lines) if room is not None else None))


async def join_session(request: web.Request) -> web.Response:
    """A participant token for the client's own place in one of their sessions (their help room too)."""
    context = await home_context(request, Action.HOME_READ)
    store, settings, now = request.app[STORE], request.app[SETTINGS], utcnow()
    session_id = request.match_info["session_id"]
    places = [p for p in await store.participants_of_client(context.client.id)
              if p.session_id == session_id and p.role is ParticipantRole.CLIENT and p.removed_at is None]
    if not places:
        raise NotFound("session not found")  # not theirs: as if it did not exist
    session = await store.get_session(session_id)
    held = await store.session_held_open(session.id)
    if session.status is SessionStatus.ENDED or (session.ends_at <= now and not held):
        raise SessionEnded("This session has ended.")
    if session.starts_at - timedelta(seconds=settings.link_grace) > now:
        raise SessionNotOpen(f"This session has not opened yet: you can join from {settings.link_grace // 60} "
                             "minutes before it starts.")
    remaining = settings.participant_token_ttl if held else int((session.ends_at - now).total_seconds())
    ttl = max(60, min(settings.participant_token_ttl, remaining))
    place = places[0]
    token = request.app[TOKENS].issue_participant(
        participant_id=place.id, session_id=session.id, program_id=session.program_id, role=place.role.value,
        invite_id=None, ttl=ttl, standing_link_id=context.link_id)
    await audit(request, "home.join", context.principal, target_type="participant", target_id=place.id,
                session_id=session.id)
    return json_response(ParticipantToken(participant_token=token, expires_in=ttl, session_id=session.id,
                                          participant=participant_view(place)))


async def ask_for_help(request: web.Request) -> web.Response:
    """``POST /api/home/help``: open (or find) the client's help room; the answer says where it stands
    and carries the session to join (``POST /api/home/sessions/{id}/join``)."""
    context = await home_context(request, Action.HOME_HELP)
    await read_body(request, AskForHelp)
    client = context.client
    caller = Caller(actor=client_actor(client.id), audit_id=client.id, audit_role=Role.CLIENT.value,
                    program_id=client.program_id, remote_addr=request_address(request))
    desk = request.app[HELP_DESK]
    room = await desk.ask(client, context.program, caller)
    view = await help_view(request, desk, room, program_lines(request, context.program))
    return json_response(view, status=200 if room.already_open else 201)


async def help_status(request: web.Request) -> web.Response:
    context = await home_context(request, Action.HOME_READ)
    desk = request.app[HELP_DESK]
    room = await desk.open_room(context.client.id)
    if room is None:
        raise NotFound("no call for help is open")
    await desk.ensure_paged(room, context.client, context.program)
    return json_response(await help_view(request, desk, room, program_lines(request, context.program)))

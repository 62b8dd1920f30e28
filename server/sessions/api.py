"""Therapist API: sessions, the people in them, and their personal join links."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from aiohttp import web

from server.access.identity import staff_principal
from server.access.policy import Action, authorize
from server.app_keys import SESSION_HOLD, SETTINGS, SIGNALING, STORE, TOKENS
from server.audit.chain import Outcome
from server.audit.requests import audit
from server.db.tables import ParticipantRole, SessionKind
from server.errors import Conflict, InvalidInput, NotFound
from server.http.bodies import read_body
from server.http.responses import json_response
from server.sessions.access import ensure_live, scope_of, session_for
from server.sessions.links import issue_link as _issue_link
from server.sessions.links import participant_in as _participant_in
from server.sessions.schemas import AddParticipant, CreateSession, ParticipantToken, Revoked, SessionList
from server.sessions.views import participant_view, session_view


def _day_window(request: web.Request) -> tuple[datetime, datetime]:
    raw = request.query.get("day")
    try:
        day = date.fromisoformat(raw) if raw else datetime.now(timezone.utc).date()
        start = datetime.combine(day, time.min, tzinfo=timezone.utc) - timedelta(hours=14)
        return start, start + timedelta(hours=14 + 24 + 12)
    except (ValueError, OverflowError):
        raise InvalidInput("day must be a date like 2026-01-31") from None


async def list_sessions(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.SESSION_LIST)
    since, until = _day_window(request)
    therapist_id = None if principal.role.value == "admin" else principal.id
    sessions = await request.app[STORE].list_sessions(
        program_id=principal.program_id, therapist_id=therapist_id, since=since, until=until
    )
    return json_response(SessionList(sessions=[session_view(s) for s in sessions]))


async def create_session(request: web.Request) -> web.Response:
    principal = await staff_principal(request)
    authorize(principal, Action.SESSION_CREATE)
    body = await read_body(request, CreateSession)
    store = request.app[STORE]
    therapist = await store.get_staff(principal.id)
    session = await store.create_session(
        therapist=therapist, kind=SessionKind(body.kind), title=body.title,
        starts_at=body.starts_at, ends_at=body.ends_at,
    )
    participants = await store.list_participants(session.id)
    await audit(request, "session.create", principal, target_type="session", target_id=session.id, session_id=session.id)
    return json_response(session_view(session, participants), status=201)


async def get_session(request: web.Request) -> web.Response:
    principal, session = await session_for(request, Action.SESSION_READ)
    participants = await request.app[STORE].list_participants(session.id)
    await audit(request, "session.read", principal, target_type="session", target_id=session.id, session_id=session.id)
    return json_response(session_view(session, participants))


async def add_participant(request: web.Request) -> web.Response:
    principal, session = await session_for(request, Action.SESSION_MANAGE)
    ensure_live(session)
    body = await read_body(request, AddParticipant)
    store = request.app[STORE]
    if body.client_id is not None:
        client = await store.get_client(body.client_id)
        if client.program_id != principal.program_id:
            raise NotFound("client not found")
    else:
        client = await store.create_client(program_id=principal.program_id, display_name=body.display_name)
    existing = await store.list_participants(session.id)
    clients = [p for p in existing if p.role is ParticipantRole.CLIENT and p.removed_at is None]
    if session.kind is SessionKind.INDIVIDUAL and clients:
        raise Conflict("An individual session has one client. Create a group session for more.")
    if any(p.client_id == client.id for p in clients):
        raise Conflict("This client is already in the session.")
    if len(clients) + 1 >= request.app[SETTINGS].room_max_participants:
        raise Conflict("The session is full.")
    participant = await store.add_participant(
        session_id=session.id, role=ParticipantRole.CLIENT, display_name=body.display_name, client_id=client.id
    )
    link = await _issue_link(request, session, participant)
    await audit(request, "participant.add", principal, target_type="participant", target_id=participant.id,
                session_id=session.id)
    return json_response(link, status=201)


async def reissue_link(request: web.Request) -> web.Response:
    principal, session = await session_for(request, Action.SESSION_MANAGE)
    ensure_live(session)
    participant = await _participant_in(request, session)
    if participant.removed_at is not None or participant.role is ParticipantRole.THERAPIST:
        raise Conflict("No link can be issued for this person.")
    link = await _issue_link(request, session, participant)
    await audit(request, "link.issue", principal, target_type="participant", target_id=participant.id,
                session_id=session.id)
    return json_response(link)


async def revoke_link(request: web.Request) -> web.Response:
    principal, session = await session_for(request, Action.SESSION_MANAGE)
    participant = await _participant_in(request, session)
    revoked = await request.app[STORE].revoke_invites(participant.id)
    await audit(request, "link.revoke", principal, target_type="participant", target_id=participant.id,
                session_id=session.id)
    await request.app[SIGNALING].revoke(session.id, participant.id, "link_revoked")  # sockets it opened end now
    return json_response(Revoked(revoked=revoked))


async def host_token(request: web.Request) -> web.Response:
    """The session's therapist gets a participant token to enter the call as its host."""
    principal, session = await session_for(request, Action.SESSION_HOST)
    ensure_live(session)
    store, settings = request.app[STORE], request.app[SETTINGS]
    participant = await store.therapist_participant(session.id, principal.id)
    token = request.app[TOKENS].issue_participant(
        participant_id=participant.id, session_id=session.id, program_id=session.program_id,
        role=participant.role.value, invite_id=None, ttl=settings.participant_token_ttl,
        staff_session_id=principal.staff_session_id,
    )
    return json_response(ParticipantToken(
        participant_token=token, expires_in=settings.participant_token_ttl, session_id=session.id,
        participant=participant_view(participant),
    ))


async def end_session(request: web.Request) -> web.Response:
    """``POST /api/sessions/{id}/end``: only the session's own therapist or an admin; refused with 409
    ``crisis_active`` while a crisis holds the session open (asked after access, so the answer reveals
    nothing to others)."""
    principal = await staff_principal(request)
    try:
        session = await request.app[STORE].get_session(request.match_info["session_id"])
    except NotFound:
        raise NotFound("session not found") from None
    authorize(principal, Action.SESSION_MANAGE, scope_of(session))
    try:
        await request.app[SESSION_HOLD].ensure_can_end(session.id)
    except Conflict:
        await audit(request, "session.end", principal, outcome=Outcome.DENIED, target_type="session",
                    target_id=session.id, session_id=session.id)
        raise
    ended = await request.app[STORE].end_session(session.id)
    await audit(request, "session.end", principal, target_type="session", target_id=session.id, session_id=session.id)
    await request.app[SIGNALING].close_room(session.id)
    return json_response(session_view(ended))

"""Crisis API: open a crisis from a live session, move it along, read it and export its timeline.

Every change goes through ``CrisisService`` (``crises/service.py``): persisted first (a compare-and-set on the
crisis version), then audited, then told to the session's room as a ``crisis`` socket event."""

from __future__ import annotations

import structlog
from aiohttp import web

from handoff.crisis import guests_leaving
from handoff.crisis_state import Action as CrisisAction

from server.access.policy import Action
from server.app_keys import CRISES, CRISIS_SERVICE, STORE
from server.audit.requests import audit
from server.crises.access import caller_of, crisis_for
from server.crises.follow_up import plan_after_close
from server.crises.guests import guests_of, release_guests
from server.crises.schemas import StartCrisis, TimelineExport, TransitionRequest
from server.crises.views import crisis_view
from server.db.tables import ParticipantRole, Session, SessionStatus, utcnow
from server.errors import Conflict, InvalidInput, NotFound, SessionEnded
from server.http.bodies import read_body
from server.http.responses import json_response
from server.sessions.access import session_for

log = structlog.get_logger(__name__)


async def _client_of(request: web.Request, session: Session, client_id: str | None) -> str:
    clients = [p.client_id for p in await request.app[STORE].list_participants(session.id)
               if p.role is ParticipantRole.CLIENT and p.removed_at is None and p.client_id]
    if client_id is not None:
        if client_id not in clients:
            raise NotFound("client not found")
        return client_id
    if len(clients) != 1:
        raise InvalidInput("Name the client this crisis is about (client_id).")
    return clients[0]


async def start_crisis(request: web.Request) -> web.Response:
    principal, session = await session_for(request, Action.CRISIS_START)
    body = await read_body(request, StartCrisis)
    if session.status is SessionStatus.ENDED:
        raise SessionEnded()
    client_id = await _client_of(request, session, body.client_id)
    crises = request.app[CRISES]
    if await crises.open_in_session(session.id) is not None:
        raise Conflict("A crisis is already open in this session.", code="crisis_already_open")
    crisis = await request.app[CRISIS_SERVICE].start(session.id, caller_of(request, principal), client_id=client_id,
                                                     program_id=session.program_id)
    return json_response(crisis_view(crisis, session.id, principal), status=201)


async def transition(request: web.Request) -> web.Response:
    ctx = await crisis_for(request, Action.CRISIS_MANAGE)
    body = await read_body(request, TransitionRequest)
    action = CrisisAction(body.action)
    kept = frozenset(body.keep_support_persons)
    # who leaves is decided first: a choice that cannot be kept changes nothing
    leaving = guests_leaving(action, await guests_of(request.app[STORE], ctx.session.id), kept)
    crisis = await request.app[CRISIS_SERVICE].transition(ctx.session.id, ctx.crisis.crisis_id, action,
                                                          caller_of(request, ctx.principal),
                                                          expected_version=body.expected_version)
    if action is CrisisAction.CLOSE:  # crisis guests leave now; the days after: check-ins, next-day session
        await release_guests(request, ctx.principal, ctx.session.id, crisis.crisis_id, leaving, kept)
        await plan_after_close(request, ctx.principal, crisis, ctx.session, body.include_family_debrief,
                               body.book_follow_up)
    return json_response(crisis_view(crisis, ctx.session.id, ctx.principal))


async def get_crisis(request: web.Request) -> web.Response:
    ctx = await crisis_for(request, Action.CRISIS_MANAGE)
    await audit(request, "crisis.read", ctx.principal, target_type="crisis", target_id=ctx.crisis.crisis_id,
                session_id=ctx.session.id)
    return json_response(crisis_view(ctx.crisis, ctx.session.id, ctx.principal))


async def export_timeline(request: web.Request) -> web.Response:
    """The timeline as a JSON document; ``?after=seq`` gives only the events a client missed."""
    ctx = await crisis_for(request, Action.CRISIS_MANAGE)
    raw = request.query.get("after", "0")
    if not raw.isdigit() or len(raw) > 9:
        raise InvalidInput("after must be a sequence number (0 or more).")
    crisis = ctx.crisis
    export = TimelineExport(crisis_id=crisis.crisis_id, session_id=ctx.session.id, state=crisis.state.value,
                            version=crisis.version, exported_at=utcnow(), events=list(crisis.events_after(int(raw))))
    await audit(request, "crisis.export", ctx.principal, target_type="crisis", target_id=crisis.crisis_id,
                session_id=ctx.session.id)
    response = json_response(export)
    response.headers["Content-Disposition"] = f'attachment; filename="{crisis.crisis_id}-timeline.json"'
    return response

"""Crisis API: open a crisis from a live session, move it along, read it and export its timeline.

Every change is persisted first (a compare-and-set on the crisis version), then audited, then
broadcast to the session's room as a ``crisis`` socket event."""

from __future__ import annotations

from dataclasses import dataclass, replace

import structlog
from aiohttp import web

from handoff.crisis import Actor, Crisis, apply_transition, guests_leaving, open_crisis
from handoff.crisis_state import Action as CrisisAction
from handoff.crisis_state import Role as CrisisRole
from handoff.crisis_state import allowed_actions
from handoff.errors import HandoffError, RoleNotPermitted
from handoff.values import new_id

from .app_keys import CRISES, SIGNALING, STORE
from .audit_chain import Outcome
from .auth_api import staff_principal
from .bodies import read_body
from .client_scope import json_response
from .crisis_api_models import CrisisView, StartCrisis, TimelineExport, TransitionRequest
from .crisis_errors import crisis_errors
from .crisis_guests import guests_of, release_guests
from .crisis_notices import announce_to
from .errors import Conflict, CrisisNotFound, InvalidInput, NotFound, SessionEnded
from .follow_up_api import plan_after_close
from .models import ParticipantRole, Session, SessionStatus, utcnow
from .policy import Action, Principal, Role, authorize
from .request_audit import audit
from .sessions_api import session_for, session_scope

log = structlog.get_logger(__name__)
_ROLES = {Role.THERAPIST: CrisisRole.THERAPIST, Role.ADMIN: CrisisRole.ADMIN}


@dataclass(frozen=True)
class CrisisContext:
    principal: Principal
    session: Session
    crisis: Crisis

    @property
    def actor(self) -> Actor:
        return actor_of(self.principal)


def actor_of(principal: Principal) -> Actor:
    return Actor(actor_id=principal.id, role=_ROLES[principal.role])


async def crisis_for(request: web.Request, action: Action) -> CrisisContext:
    """Signed in, allowed, and the crisis's session is theirs. Another program's crisis gets the very
    answer an unknown id gets (``crisis_not_found``): the answer says nothing about which ids exist."""
    principal = await staff_principal(request)
    authorize(principal, action)
    crises, crisis_id = request.app[CRISES], request.match_info["crisis_id"]
    session_id = await crises.session_of(crisis_id)
    crisis = await crises.load(crisis_id) if session_id else None
    if crisis is None or crisis.program_id != principal.program_id:
        raise CrisisNotFound()
    session = await request.app[STORE].get_session(session_id)
    scope = await session_scope(request, session)
    if principal.role is Role.THERAPIST and crisis.responsible_clinician_id == principal.id:
        # the clinician responsible for the crisis (e.g. the on-call clinician who took it over)
        # manages it like the session's own therapist
        scope = replace(scope, therapist_id=principal.id)
    try:
        authorize(principal, action, scope)
    except NotFound:
        raise CrisisNotFound() from None
    return CrisisContext(principal=principal, session=session, crisis=crisis)


async def announce(request: web.Request, crisis: Crisis, session_id: str, *, room: bool = True) -> None:
    """Tell the room (or only its therapists) about the crisis's latest event (see ``announce_to``,
    which timers use without a request)."""
    await announce_to(request.app[SIGNALING], crisis, session_id, room=room)


def crisis_view(crisis: Crisis, session_id: str, principal: Principal) -> CrisisView:
    """The crisis as this principal sees it: with the steps they may take now."""
    return CrisisView.of(crisis, session_id, allowed_actions(crisis.state, _ROLES[principal.role]))


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
    with crisis_errors():
        crisis = await open_crisis(crises.for_session(session.id), new_id("crisis"), client_id=client_id,
                                   program_id=session.program_id, actor=actor_of(principal), clock=utcnow)
    await audit(request, "crisis.start", principal, target_type="crisis", target_id=crisis.crisis_id,
                session_id=session.id)
    await announce(request, crisis, session.id)
    return json_response(crisis_view(crisis, session.id, principal), status=201)


async def transition(request: web.Request) -> web.Response:
    ctx = await crisis_for(request, Action.CRISIS_MANAGE)
    body = await read_body(request, TransitionRequest)
    action = CrisisAction(body.action)
    kept = frozenset(body.keep_support_persons)
    with crisis_errors():  # who leaves is decided first: a choice that cannot be kept changes nothing
        leaving = guests_leaving(action, await guests_of(request.app[STORE], ctx.session.id), kept)
    with crisis_errors():
        try:
            crisis = await apply_transition(
                request.app[CRISES].for_session(ctx.session.id), ctx.crisis.crisis_id, action, ctx.actor,
                expected_version=body.expected_version, clock=utcnow)
        except HandoffError as exc:
            outcome = Outcome.DENIED if isinstance(exc, RoleNotPermitted) else Outcome.FAILED
            await audit(request, f"crisis.{action.value}", ctx.principal, outcome=outcome, target_type="crisis",
                        target_id=ctx.crisis.crisis_id, session_id=ctx.session.id)
            raise
    await audit(request, f"crisis.{action.value}", ctx.principal, target_type="crisis", target_id=crisis.crisis_id,
                session_id=ctx.session.id)
    if action is CrisisAction.CLOSE:  # crisis guests leave now; the days after: check-ins, next-day session
        await release_guests(request, ctx.principal, ctx.session.id, crisis.crisis_id, leaving, kept)
        await plan_after_close(request, ctx.principal, crisis, ctx.session.id, body.include_family_debrief)
    await announce(request, crisis, ctx.session.id)
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

"""Who may touch a crisis: the crisis behind a request, checked against the principal, and the
``Caller`` that the crisis service records them as."""

from __future__ import annotations

from dataclasses import dataclass, replace

from aiohttp import web

from handoff.crisis import Actor, Crisis
from handoff.crisis_state import Role as CrisisRole

from server.access.identity import staff_principal
from server.access.policy import Action, Principal, Role, authorize
from server.app_keys import CRISES, STORE
from server.audit.requests import request_address
from server.crises.service import Caller
from server.db.tables import Session
from server.errors import CrisisNotFound, NotFound
from server.sessions.access import session_scope

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


def caller_of(request: web.Request, principal: Principal, actor: Actor | None = None) -> Caller:
    """The principal as the crisis service records them (``actor``: as the timeline names them, by default
    the staff member in their crisis role)."""
    return Caller(actor=actor or actor_of(principal), audit_id=principal.id, audit_role=principal.role.value,
                  program_id=principal.program_id, remote_addr=request_address(request))

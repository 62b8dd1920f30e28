"""Who may touch a session: the session behind a request, checked against the signed-in staff member
(co-facilitators included where the policy says so)."""

from __future__ import annotations

from dataclasses import replace

from aiohttp import web

from server.access.identity import staff_principal
from server.access.policy import Action, Principal, SessionScope, authorize
from server.app_keys import STORE
from server.db.tables import Session, SessionStatus
from server.errors import NotFound, SessionEnded


def scope_of(session: Session) -> SessionScope:
    return SessionScope(session_id=session.id, program_id=session.program_id, therapist_id=session.therapist_id)


async def session_scope(request: web.Request, session: Session) -> SessionScope:
    """The session as the policy sees it, with its co-facilitators."""
    return replace(scope_of(session), co_host_ids=await request.app[STORE].co_host_ids(session))


async def session_for(request: web.Request, action: Action) -> tuple[Principal, Session]:
    principal = await staff_principal(request)
    try:
        session = await request.app[STORE].get_session(request.match_info["session_id"])
    except NotFound:
        raise NotFound("session not found") from None
    authorize(principal, action, await session_scope(request, session))
    return principal, session


def ensure_live(session: Session) -> None:
    if session.status is SessionStatus.ENDED:
        raise SessionEnded()

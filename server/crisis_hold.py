"""A crisis holds its session open: while one is open (any state but closed) the session cannot be
ended — not by REST, not by the socket ``end_session`` — only after a clinician has closed it.

``SessionHold`` is the one check; the gatekeeper (socket path) and ``end_session`` below (REST path,
which checks access first so the answer reveals nothing to others) both ask it."""

from __future__ import annotations

from aiohttp import web

from . import sessions_api
from .app_keys import CRISES, STORE
from .audit_chain import Outcome
from .auth_api import staff_principal
from .crisis_errors import CrisisActive
from .crisis_store import SqlCrisisStore
from .errors import NotFound
from .policy import Action, authorize
from .request_audit import audit


class SessionHold:
    def __init__(self, crises: SqlCrisisStore) -> None:
        self._crises = crises

    async def open_crisis(self, session_id: str) -> tuple[str, str, int] | None:
        place = await self._crises.open_in_session(session_id)
        crisis = await self._crises.load(place.crisis_id) if place else None
        return None if crisis is None else (crisis.crisis_id, crisis.state.value, crisis.version)

    async def ensure_can_end(self, session_id: str) -> None:
        """Raise ``CrisisActive`` while a crisis holds ``session_id`` open."""
        if await self._crises.open_in_session(session_id) is not None:
            raise CrisisActive()


async def end_session(request: web.Request) -> web.Response:
    """``POST /api/sessions/{id}/end``: refused with 409 ``crisis_active`` while a crisis is open."""
    principal = await staff_principal(request)
    try:
        session = await request.app[STORE].get_session(request.match_info["session_id"])
    except NotFound:
        raise NotFound("session not found") from None
    authorize(principal, Action.SESSION_MANAGE, sessions_api.scope_of(session))
    try:
        await SessionHold(request.app[CRISES]).ensure_can_end(session.id)
    except CrisisActive:
        await audit(request, "session.end", principal, outcome=Outcome.DENIED, target_type="session",
                    target_id=session.id, session_id=session.id)
        raise
    return await sessions_api.end_session(request)

"""A crisis holds its session open: while one is open (any state but closed) the session cannot be
ended — not by REST, not by the socket ``end_session`` — only after a clinician has closed it.

``SessionHold`` is the one check; the gatekeeper (socket path) and the sessions API's ``end_session``
(REST path, which checks access first so the answer reveals nothing to others) both ask it."""

from __future__ import annotations

from server.crises.errors import CrisisActive
from server.crises.store import SqlCrisisStore


class SessionHold:
    def __init__(self, crises: SqlCrisisStore) -> None:
        self._crises = crises

    async def open_crisis(self, session_id: str) -> tuple[str, str, int] | None:
        place = await self._crises.open_in_session(session_id)
        crisis = await self._crises.load(place.crisis_id) if place else None
        return None if crisis is None else (crisis.crisis_id, crisis.state.value, crisis.version)

    async def client_of(self, crisis_id: str) -> str | None:
        """The client the crisis is about."""
        return await self._crises.client_of(crisis_id)

    async def ensure_can_end(self, session_id: str) -> None:
        """Raise ``CrisisActive`` while a crisis holds ``session_id`` open."""
        if await self._crises.open_in_session(session_id) is not None:
            raise CrisisActive()

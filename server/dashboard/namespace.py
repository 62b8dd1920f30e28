"""The live dashboard's Socket.IO namespace, ``/staff``: a signed-in therapist's or admin's console
connects with its staff access token and is sent ``alert`` and ``outreach_task`` as they change (see
``feed.DashboardFeed``). Clients send no events on it: it only listens.

Refused (``connect_error`` with ``{code}``) without a token, with a participant or home token, or with a
sign-in that has ended (signed out, expired, idle). The socket joins the room of its sign-in,
``signin:<id>``: signing out ends it (``StaffSockets``)."""

from __future__ import annotations

import socketio
import structlog

from server.access.policy import Action, Principal, Role, is_allowed
from server.access.tokens import InvalidToken, TokenService
from server.dashboard.feed import NAMESPACE, sign_in_room
from server.dashboard.staff_sockets import StaffSockets
from server.errors import LiveStateUnavailable, SteadylineError, Unauthorized
from server.sessions.store import Store
from server.staff.staff_sessions import StaffSessions

log = structlog.get_logger(__name__)


def _refusal(error: SteadylineError) -> socketio.exceptions.ConnectionRefusedError:
    """The client's ``connect_error`` gets ``{message, data: {code}}``."""
    return socketio.exceptions.ConnectionRefusedError(error.message, {"code": error.code})


class StaffNamespace(socketio.AsyncNamespace):
    def __init__(self, tokens: TokenService, staff_sessions: StaffSessions, store: Store,
                 sockets: StaffSockets) -> None:
        super().__init__(NAMESPACE)
        self._tokens = tokens
        self._staff_sessions = staff_sessions
        self._store = store
        self._sockets = sockets

    async def on_connect(self, sid: str, environ: dict, auth: object = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not token or len(token) > 4096:
            raise _refusal(Unauthorized())
        try:
            principal = await self._principal(token)
        except SteadylineError as exc:
            raise _refusal(exc) from None
        except Exception:  # the database is away for a moment: the console's socket.io tries again
            log.exception("dashboard_connect_failed")
            raise _refusal(LiveStateUnavailable()) from None
        await self.save_session(sid, {"staff_id": principal.id, "staff_session_id": principal.staff_session_id,
                                      "program_id": principal.program_id})
        await self.enter_room(sid, sign_in_room(principal.staff_session_id or ""))
        self._sockets.add(sid, principal.staff_session_id or "", principal.id)
        log.info("dashboard_connected", staff_id=principal.id)

    async def _principal(self, token: str) -> Principal:
        claims = self._tokens.verify_access(token)  # InvalidToken (401) for any other kind of token
        await self._staff_sessions.check(claims.staff_session_id, claims.staff_id)
        staff = await self._store.get_staff_or_none(claims.staff_id)
        if staff is None or staff.disabled or staff.program_id != claims.program_id:
            raise InvalidToken()
        principal = Principal(id=staff.id, role=Role(staff.role.value), program_id=staff.program_id,
                              staff_session_id=claims.staff_session_id)
        if not is_allowed(principal, Action.DASHBOARD_WATCH):
            raise Unauthorized()
        return principal

    async def on_disconnect(self, sid: str, reason: object = None) -> None:
        self._sockets.remove(sid)

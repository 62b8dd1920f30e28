"""The server's side of the signalling ``Gatekeeper`` port: tokens, records and policy."""

from __future__ import annotations

from signaling.errors import AuthFailed, NotPermitted
from signaling.ports import Identity, PresenceEvent, RoomAction, SessionInfo

from server.access.policy import Action, Principal, Role, is_allowed
from server.access.tokens import TokenService
from server.audit.chain import Outcome
from server.audit.log import AuditEvent, AuditLog
from server.clients.store import ClientStore
from server.crises.errors import CrisisActive
from server.crises.guests import is_crisis_guest
from server.crises.hold import SessionHold
from server.crises.watch import CrisisWatch
from server.db.tables import SessionStatus, utcnow
from server.errors import NotFound, Unauthorized
from server.sessions.store import Store
from server.staff.staff_sessions import StaffSessions

ROOM_ACTIONS = {
    RoomAction.MODERATE: Action.ROOM_MODERATE,
    RoomAction.SIGNAL: Action.ROOM_SIGNAL,
    RoomAction.PRESENT: Action.ROOM_PRESENT,
}


class StoreGatekeeper:
    def __init__(self, store: Store, tokens: TokenService, audit: AuditLog, staff_sessions: StaffSessions,
                 hold: SessionHold, watch: CrisisWatch | None = None, clients: ClientStore | None = None) -> None:
        self._hold = hold
        self._clients = clients
        self._watch = watch
        self._store = store
        self._tokens = tokens
        self._audit = audit
        self._staff_sessions = staff_sessions

    async def authenticate(self, token: str) -> Identity:
        try:
            claims = self._tokens.verify_participant(token)
            participant = await self._store.get_participant(claims.participant_id)
            session = await self._store.get_session(claims.session_id)
        except (Unauthorized, NotFound):
            raise AuthFailed() from None
        if participant.session_id != session.id or session.program_id != claims.program_id:
            raise AuthFailed()
        if await self._ended(participant, session, claims.invite_id, claims.staff_session_id,
                             standing_link_id=claims.standing_link_id) is not None:
            raise AuthFailed()
        info = SessionInfo(session_id=session.id, program_id=session.program_id, title=session.title,
                           kind=session.kind.value)
        return Identity(participant_id=participant.id, display_name=participant.display_name,
                        role=participant.role.value, session=info, token_id=claims.token_id,
                        staff_session_id=claims.staff_session_id, admitted=participant.admitted_at is not None,
                        invite_id=claims.invite_id, standing_link_id=claims.standing_link_id)

    async def check(self, identity: Identity) -> str | None:
        try:
            participant = await self._store.get_participant(identity.participant_id)
            session = await self._store.get_session(identity.session_id)
        except NotFound:
            return "removed"
        return await self._ended(participant, session, identity.invite_id, identity.staff_session_id, touch=False,
                                 standing_link_id=identity.standing_link_id)

    async def _ended(self, participant, session, invite_id: str | None, staff_session_id: str | None, *,
                     touch: bool = True, standing_link_id: str | None = None) -> str | None:
        """Why a token with these claims no longer holds, or None: the one rule for connecting and
        for re-checking a connection later."""
        if session.status is SessionStatus.ENDED:
            return "session_ended"
        if participant.removed_at is not None:
            return "removed"
        if is_crisis_guest(participant) and await self._hold.open_crisis(session.id) is None:
            return "crisis_closed"  # a support person or responder: only while a crisis holds the session
        if invite_id is not None:
            try:
                invite = await self._store.get_invite(invite_id)
            except NotFound:
                return "link_revoked"
            if invite.revoked_at is not None or invite.participant_id != participant.id:
                return "link_revoked"
        if standing_link_id is not None and (self._clients is None
                                             or not await self._clients.link_works(standing_link_id, utcnow())):
            return "link_revoked"  # made from the client's own page: their standing link was switched off
        if staff_session_id is not None:
            alive = (await self._staff_sessions.keep_alive(staff_session_id) if touch
                     else await self._staff_sessions.is_live(staff_session_id))
            if not alive:
                return "signed_out"  # the host has signed out or their sign-in expired
        return None

    async def set_admitted(self, session_id: str, participant_id: str, admitted: bool) -> None:
        participant = await self._store.get_participant(participant_id)
        if participant.session_id == session_id:
            await self._store.set_admitted(participant_id, admitted)

    async def is_admitted(self, session_id: str, participant_id: str) -> bool:
        participant = await self._store.get_participant(participant_id)
        return (participant.session_id == session_id and participant.removed_at is None
                and participant.admitted_at is not None)

    async def set_locked(self, session_id: str, locked: bool) -> None:
        await self._store.set_locked(session_id, locked)

    async def is_locked(self, session_id: str) -> bool:
        return await self._store.is_locked(session_id)

    async def keep_alive(self, identity: Identity) -> bool:
        if identity.staff_session_id is None:
            return True
        return await self._staff_sessions.keep_alive(identity.staff_session_id)

    async def open_crisis(self, session_id: str) -> tuple[str, str, int] | None:
        return await self._hold.open_crisis(session_id)

    async def crisis_concerns(self, identity: Identity, crisis_id: str) -> bool:
        try:
            participant = await self._store.get_participant(identity.participant_id)
        except NotFound:
            return False
        client_id = await self._hold.client_of(crisis_id)
        return participant.client_id is not None and participant.client_id == client_id

    async def is_open(self, session_id: str) -> bool:
        session = await self._store.get_session(session_id)
        return session.status is not SessionStatus.ENDED

    def may(self, identity: Identity, action: RoomAction) -> bool:
        principal = Principal(id=identity.participant_id, role=Role(identity.role),
                              program_id=identity.session.program_id, session_id=identity.session_id)
        return is_allowed(principal, ROOM_ACTIONS[action])

    async def remove_participant(self, by: Identity, participant_id: str) -> None:
        participant = await self._store.get_participant(participant_id)
        if participant.session_id != by.session_id or participant.role.value == "therapist":
            raise NotPermitted()
        await self._store.remove_participant(participant_id)
        await self.record(by, "room.remove", participant_id)

    async def end_session(self, by: Identity) -> None:
        try:
            await self._hold.ensure_can_end(by.session_id)
        except CrisisActive:
            await self.record(by, "session.end", outcome=Outcome.DENIED)
            raise
        await self._store.end_session(by.session_id)
        await self.record(by, "session.end")

    async def presence(self, identity: Identity, event: PresenceEvent) -> None:
        """Presence during a crisis: recorded on its timeline; may start or stop escalation timers."""
        if self._watch is not None:
            await self._watch.presence(identity.session_id, identity.participant_id, identity.role, event.value)

    async def record(self, by: Identity, action: str, target: str | None = None, *,
                     outcome: Outcome = Outcome.SUCCESS) -> None:
        await self._audit.record(AuditEvent(
            actor_id=by.participant_id, actor_role=by.role, action=action, outcome=outcome,
            target_type="participant" if target else "session", target_id=target or by.session_id,
            program_id=by.session.program_id, session_id=by.session_id,
        ))

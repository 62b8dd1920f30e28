"""The check every participant endpoint starts with: a valid participant token (the one from a
redeemed personal link) of a person still in a session that has not ended."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from server.access.identity import bearer_token
from server.access.policy import Principal, Role
from server.access.tokens import InvalidToken
from server.app_keys import CLIENTS, STORE, TOKENS
from server.db.tables import Participant, Session, SessionStatus, utcnow
from server.errors import NotFound, Unauthorized


@dataclass(frozen=True)
class ParticipantContext:
    principal: Principal
    participant: Participant
    session: Session


async def participant_context(request: web.Request) -> ParticipantContext:
    claims = request.app[TOKENS].verify_participant(bearer_token(request))
    store = request.app[STORE]
    try:
        participant = await store.get_participant(claims.participant_id)
        session = await store.get_session(claims.session_id)
        invite = await store.get_invite(claims.invite_id) if claims.invite_id else None
    except NotFound:
        raise InvalidToken() from None
    valid = (
        participant.session_id == session.id and session.program_id == claims.program_id
        and participant.removed_at is None and session.status is not SessionStatus.ENDED
        and (invite is None or (invite.revoked_at is None and invite.participant_id == participant.id))
    )
    if not valid or (claims.standing_link_id is not None
                     and not await request.app[CLIENTS].link_works(claims.standing_link_id, utcnow())):
        raise Unauthorized()
    principal = Principal(id=participant.id, role=Role(participant.role.value), program_id=session.program_id,
                          session_id=session.id, client_id=participant.client_id)
    return ParticipantContext(principal=principal, participant=participant, session=session)

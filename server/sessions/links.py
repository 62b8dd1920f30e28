"""A person's personal join link: who in a session it is for, and issuing a new one (the old one stops
working). Used by the sessions API and by the console's "send the link" (server/clients/send_link_api.py)."""

from __future__ import annotations

from aiohttp import web

from server.access.links import new_link
from server.app_keys import SETTINGS, STORE
from server.db.tables import Participant, Session
from server.errors import NotFound
from server.sessions.schemas import JoinLink
from server.sessions.views import participant_view


async def participant_in(request: web.Request, session: Session) -> Participant:
    try:
        participant = await request.app[STORE].get_participant(request.match_info["participant_id"])
    except NotFound:
        participant = None
    if participant is None or participant.session_id != session.id:
        raise NotFound("participant not found")
    return participant


async def issue_link(request: web.Request, session: Session, participant: Participant) -> JoinLink:
    link = new_link()
    await request.app[STORE].create_invite(
        participant_id=participant.id, token_hash=link.token_hash, expires_at=session.ends_at
    )
    return JoinLink(
        participant=participant_view(participant), join_url=link.url(request.app[SETTINGS].public_url),
        expires_at=session.ends_at,
    )

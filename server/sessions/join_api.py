"""Redeeming a personal join link into a participant token (carried later in the Socket.IO auth)."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from server.access.abuse import Locked
from server.access.links import hash_token
from server.app_keys import ABUSE, SETTINGS, STORE, TOKENS
from server.audit.chain import Outcome
from server.audit.requests import audit
from server.db.tables import utcnow
from server.errors import LinkInvalid
from server.http.bodies import read_body
from server.http.middleware import client_address
from server.http.responses import json_response
from server.sessions.schemas import ParticipantToken, RedeemRequest
from server.sessions.views import participant_view


async def _therapist_name(request: web.Request, staff_id: str) -> str | None:
    staff = await request.app[STORE].get_staff_or_none(staff_id)
    return staff.display_name if staff is not None else None


async def redeem(request: web.Request) -> web.Response:
    """Failed redemptions lock the address out progressively, but a valid personal link always
    redeems: a client behind the same address as a link guesser still gets in (``server/abuse.py``)."""
    guard, address = request.app[ABUSE], client_address(request)
    locked = await guard.redeem_locked_for(address) > 0
    body = await read_body(request, RedeemRequest)
    settings = request.app[SETTINGS]
    try:
        found = await request.app[STORE].redeem_invite(
            hash_token(body.token), now=utcnow(), grace=timedelta(seconds=settings.link_grace)
        )
    except LinkInvalid:
        now_locked = await guard.redeem_failed(address)
        if locked:
            raise Locked(now_locked) from None  # already held back: no audit record per flooded guess
        await audit(request, "link.redeem", outcome=Outcome.FAILED)
        raise
    await audit(request, "link.redeem", actor_id=found.participant.id, actor_role=found.participant.role.value,
                program_id=found.session.program_id, session_id=found.session.id,
                target_type="participant", target_id=found.participant.id)
    remaining = int((found.session.ends_at - utcnow()).total_seconds())
    if await request.app[STORE].session_held_open(found.session.id):
        remaining = settings.participant_token_ttl  # a crisis holds the session open past its scheduled end
    ttl = max(60, min(settings.participant_token_ttl, remaining))
    token = request.app[TOKENS].issue_participant(
        participant_id=found.participant.id, session_id=found.session.id,
        program_id=found.session.program_id, role=found.participant.role.value,
        invite_id=found.invite.id, ttl=ttl,
    )
    response = ParticipantToken(
        participant_token=token, expires_in=ttl, session_id=found.session.id,
        participant=participant_view(found.participant),
        therapist_name=await _therapist_name(request, found.session.therapist_id),
    )
    return json_response(response)

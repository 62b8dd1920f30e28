"""The console sends a client their personal session link through the notifier (e-mail; a text message
through the signed webhook, which carries the phone number): a new link is issued (the one before stops
working), sent to the address or number given, or else to the client's saved contact, audited, and
returned, so the clinician sees it and what was sent. The message names no reason for the session."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, Field

from handoff.values import EmailAddress, PhoneNumber

from server.access.policy import Action
from server.app_keys import NOTIFIER, PROGRAMS, STORE
from server.audit.requests import audit
from server.db.tables import ParticipantRole, utcnow
from server.errors import Conflict, InvalidInput
from server.http.bodies import read_body
from server.http.responses import json_response
from server.http.schemas import Body
from server.notify.notifier import Outcome, SessionLink
from server.sessions.access import ensure_live, session_for
from server.sessions.links import issue_link, participant_in
from server.sessions.schemas import JoinLink


class SendLink(Body):
    email: EmailAddress | None = Field(default=None, max_length=320, description="Where to e-mail it (else the "
                                       "client's saved e-mail address).")
    phone: PhoneNumber | None = Field(default=None, max_length=40, description="Where to text it (else the "
                                      "client's saved phone number).")


class LinkSent(BaseModel):
    link: JoinLink = Field(description="The new link (the one before no longer works), shown once.")
    email: str | None = Field(description="The address it was sent to, if any.")
    phone: str | None = Field(description="The number it was sent to, if any.")
    outcomes: dict[str, str] = Field(description="Per channel (email, webhook): sent, failed or skipped.")
    sent: bool = Field(description="Whether any channel sent it.")


def _written(at: datetime, timezone: str) -> str:
    local = at.astimezone(ZoneInfo(timezone))
    return f"{local:%A %d %B, %H:%M} ({timezone})"


async def send_link(request: web.Request) -> web.Response:
    principal, session = await session_for(request, Action.SESSION_MANAGE)
    ensure_live(session)
    participant = await participant_in(request, session)
    if participant.removed_at is not None or participant.role is not ParticipantRole.CLIENT:
        raise Conflict("No link can be sent to this person.")
    body = await read_body(request, SendLink)
    email, phone = body.email, body.phone
    if email is None and phone is None and participant.client_id:
        client = await request.app[STORE].get_client(participant.client_id)
        email, phone = client.email, client.phone
    if not email and not phone:
        raise InvalidInput("Give an e-mail address or a phone number: the client has none saved.",
                           errors=[{"field": "email", "message": "an e-mail address or a phone number is needed"}])
    link = await issue_link(request, session, participant)
    timezone = (await request.app[PROGRAMS].profile(session.program_id)).timezone
    outcomes = await request.app[NOTIFIER].send(SessionLink(
        session_id=session.id, participant_id=participant.id, join_url=link.join_url, email=email, phone=phone,
        when=_written(session.starts_at, timezone)), utcnow())
    await audit(request, "link.send", principal, target_type="participant", target_id=participant.id,
                session_id=session.id)
    return json_response(LinkSent(link=link, email=email, phone=phone,
                                  outcomes={channel: o.value for channel, o in outcomes.items()},
                                  sent=any(o is Outcome.SENT for o in outcomes.values())))

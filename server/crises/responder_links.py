"""Serving a responder link: the token from the Authorization header or the page, the recipient who
receives the packet (42 CFR 2.51), misses counted and limited per address, every use audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import unquote

from aiohttp import web

from handoff.pidf_lo import ProvidedBy

from server.access.links import hash_token
from server.app_keys import ABUSE, CRISES, SETTINGS
from server.audit.chain import Outcome
from server.audit.requests import audit
from server.crises.errors import RecipientRequired, ResponderLinkInvalid, ResponderTokenRequired
from server.crises.schemas import AGENCY_HEADER, NAME_HEADER, RECIPIENT_MAX_CHARS
from server.crises.store import ResponderLink, ResponderReceipt
from server.db.tables import utcnow
from server.errors import RateLimited
from server.http.middleware import client_address

PIDF_MEDIA_TYPE = "application/pidf+xml"
PROVIDED_BY = ProvidedBy(name="Steadyline")
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class Recipient:
    """Who receives a responder packet (42 CFR 2.51): a person and the agency they are with."""

    name: str
    agency: str


async def served_link(request: web.Request, token: str | None, what: str, recipient: Recipient | None) -> ResponderLink:
    """The live responder link behind ``token``; its use is audited (``responder.<what>``) in its
    session's trail and ``recipient`` recorded. An address that missed too often lately gets 429 before
    any lookup; an unknown, expired, revoked or ended link answers 410, counted against the address and
    audited only as the first miss from that address in a minute."""
    guard, address = request.app[ABUSE], client_address(request)
    if not await guard.responder_link_allowed(address):
        if await guard.record_responder_miss(address, "limited"):
            await audit(request, "responder.rate_limited", outcome=Outcome.DENIED)
        raise RateLimited()
    crises, now = request.app[CRISES], utcnow()
    link = await crises.responder_link(hash_token(token)) if token else None
    if link is None or not link.live(now, timedelta(seconds=request.app[SETTINGS].responder_link_grace)):
        await guard.responder_link_missed(address)
        if await guard.record_responder_miss(address, "miss"):
            await audit(request, f"responder.{what}", outcome=Outcome.FAILED)
        raise ResponderLinkInvalid()
    if recipient is not None:
        await crises.add_responder_receipt(link, ResponderReceipt(
            link_id=link.link_id, at=now, via=what, recipient_name=recipient.name, recipient_agency=recipient.agency))
    await audit(request, f"responder.{what}", actor_role="responder", program_id=link.program_id,
                target_type="crisis", target_id=link.crisis_id, session_id=await crises.session_of(link.crisis_id))
    return link


def _header_text(request: web.Request, name: str) -> str:
    text = " ".join(unquote(request.headers.get(name, ""), errors="strict").split())
    if not 2 <= len(text) <= RECIPIENT_MAX_CHARS:
        raise RecipientRequired()
    return text


def _bearer(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ResponderTokenRequired()
    token = token.strip()
    return token if TOKEN_PATTERN.fullmatch(token) else None


async def _served(request: web.Request, what: str) -> ResponderLink:
    """A system's request: the token in the Authorization header, the recipient in two headers."""
    token = _bearer(request)
    try:
        recipient = Recipient(name=_header_text(request, NAME_HEADER), agency=_header_text(request, AGENCY_HEADER))
    except UnicodeDecodeError:
        raise RecipientRequired() from None
    return await served_link(request, token, what, recipient)

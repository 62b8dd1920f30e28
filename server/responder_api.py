"""Relaying a crisis to emergency responders: the minimum-necessary packet, and the time-limited
link that serves it as JSON and as PIDF-LO.

Building a packet needs the client's consent to share with emergency services, or an emergency
override with a written reason (audited, alerts the clinical lead). What was shared (categories,
never content), with whom and on which basis is recorded in the crisis timeline and the audit log.
The link's token (256 bits) is shown once and stored only as its SHA-256. Systems present it in the
``Authorization`` header (never in a URL, which proxies log) with the recipient's name and agency in
``Steadyline-Recipient-Name`` / ``Steadyline-Recipient-Agency`` (42 CFR 2.51: an emergency disclosure
records who received it). A link stops at its expiry, when a clinician revokes it, or
``STEADYLINE_RESPONDER_LINK_GRACE`` seconds after its crisis is closed; unknown, expired, revoked and
ended links all answer the same 410. Misses are limited per address (then 429) and audited once per
address and minute, so guessing tokens can neither succeed nor flood the audit trail."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from urllib.parse import unquote

from aiohttp import web

from handoff.consent import Party, Scope
from handoff.crisis import append, record_disclosure
from handoff.errors import ConsentRequired, VersionConflict
from handoff.location import check_mismatch
from handoff.pidf_lo import ProvidedBy, to_pidf_lo
from handoff.responder_packet import build_responder_packet

from .app_keys import ABUSE, CRISES, DISCLOSURES, PLAN_STORE, SETTINGS, SIGNALING, STORE
from .audit_chain import Outcome
from .bodies import read_body
from .client_scope import json_response
from .crisis_api import CrisisContext, announce, crisis_for
from .crisis_api_models import (
    ResponderLinkList, ResponderLinkView, ResponderPacketRequest, ResponderPacketView, ResponderReceiptView,
)
from .crisis_errors import crisis_errors
from .crisis_store import ResponderLink, ResponderReceipt
from .errors import Conflict, InvalidInput, LinkInvalid, NotFound, RateLimited, Unauthorized
from .links import hash_token, new_link
from .middleware import client_address
from .models import utcnow
from .policy import Action
from .request_audit import audit

PIDF_MEDIA_TYPE = "application/pidf+xml"
EMS = Party.emergency_services()
PROVIDED_BY = ProvidedBy(name="Steadyline")
NAME_HEADER = "Steadyline-Recipient-Name"
AGENCY_HEADER = "Steadyline-Recipient-Agency"
RECIPIENT_MAX_CHARS = 120
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


class ResponderLinkInvalid(LinkInvalid):
    code = "responder_link_invalid"
    message = "This responder link has expired or is not valid. Ask the program's crisis line for a new one."


async def _basis(request: web.Request, ctx: CrisisContext, reason: str | None, now):
    disclosures = request.app[DISCLOSURES]
    try:
        return await disclosures.check_disclosure(ctx.crisis.client_id, EMS, Scope.SHARE_LOCATION_AND_SITUATION, now)
    except ConsentRequired:
        if reason is None:
            await audit(request, "crisis.disclosure", ctx.principal, outcome=Outcome.DENIED, target_type="crisis",
                        target_id=ctx.crisis.crisis_id, session_id=ctx.session.id)
            raise
    decision = await disclosures.override(
        client_id=ctx.crisis.client_id, program_id=ctx.session.program_id, clinician_id=ctx.principal.id,
        reason=reason, at=now, party=EMS, crisis_id=ctx.crisis.crisis_id)
    await audit(request, "disclosure.override", ctx.principal, target_type="client", target_id=ctx.crisis.client_id,
                session_id=ctx.session.id)
    return decision.basis


async def _lethal_means_notes(request: web.Request, ctx: CrisisContext) -> tuple[str, ...]:
    plans = request.app[PLAN_STORE]
    stored = await plans.plan(ctx.crisis.client_id)
    if stored is None:
        return ()
    template = (await plans.program_templates(ctx.session.program_id)).get(stored.plan.latest.template_id)
    return stored.plan.lethal_means_notes(template) if template is not None else ()


async def _packet(request: web.Request, ctx: CrisisContext, body: ResponderPacketRequest, basis, now):
    settings = request.app[SETTINGS]
    where = await request.app[DISCLOSURES].latest_location(ctx.crisis.client_id)
    confirmed = where.confirmed if where else None
    geolocation = where.geolocation if where else None
    mismatch = None
    if confirmed is not None and geolocation is not None:
        mismatch = check_mismatch(confirmed, geolocation, threshold_m=settings.location_mismatch_m)
    notes = await _lethal_means_notes(request, ctx) if body.include_lethal_means else ()
    return build_responder_packet(
        basis, crisis_id=ctx.crisis.crisis_id, client_id=ctx.crisis.client_id, at=now, confirmed=confirmed,
        geolocation=geolocation, program_line=settings.crisis_line, situation=body.situation,
        client_phone=body.client_phone, therapist_phone=body.therapist_phone,
        lethal_means_notes=notes, mismatch=mismatch, substance_use=body.substance_use or settings.substance_use_program,
    )


async def _record(request: web.Request, ctx: CrisisContext, packet, basis):
    """Append the disclosure to the timeline; a concurrent change is retried on the new version."""
    crises = request.app[CRISES]
    decide = partial(record_disclosure, actor=ctx.actor, recipient=EMS, categories=packet.included, basis=basis)
    version = ctx.crisis.version
    for _ in range(3):
        try:
            return await append(crises.for_session(ctx.session.id), ctx.crisis.crisis_id, decide,
                                expected_version=version, clock=utcnow)
        except VersionConflict:
            version = (await crises.load(ctx.crisis.crisis_id)).version
    raise Conflict("The crisis keeps changing; try again.", code=VersionConflict.code)


async def create_packet(request: web.Request) -> web.Response:
    ctx = await crisis_for(request, Action.CRISIS_MANAGE)
    body = await read_body(request, ResponderPacketRequest)
    now, settings = utcnow(), request.app[SETTINGS]
    with crisis_errors():
        if not ctx.crisis.is_open:
            raise Conflict("This crisis is closed.", code="crisis_closed")
        basis = await _basis(request, ctx, body.override_reason, now)
        packet = await _packet(request, ctx, body, basis, now)
        crisis = await _record(request, ctx, packet, basis)
    link = new_link()
    expires_at = min(now + timedelta(seconds=settings.responder_link_ttl), packet.retention_expiry)
    link_id = await request.app[CRISES].add_responder_link(token_hash=link.token_hash, packet=packet,
                                                 program_id=ctx.session.program_id, created_by=ctx.principal.id,
                                                 expires_at=expires_at, allow_join=body.allow_join)
    await audit(request, "crisis.disclosure", ctx.principal, target_type="crisis", target_id=crisis.crisis_id,
                session_id=ctx.session.id)
    await announce(request, crisis, ctx.session.id, room=False)
    api = f"{settings.public_url}/api/responder"
    return json_response(ResponderPacketView(packet=packet, link_id=link_id, token=link.token,
                                             page_url=f"{settings.public_url}/responder#{link.token}",
                                             responder_url=f"{api}/packet", pidf_url=f"{api}/pidf",
                                             expires_at=expires_at), status=201)


class ResponderTokenRequired(Unauthorized):
    code = "responder_token_required"
    message = "Send the responder link's token as Authorization: Bearer <token>."


class RecipientRequired(InvalidInput):
    code = "recipient_required"
    message = (f"Say who receives this: your name in {NAME_HEADER} and your agency in {AGENCY_HEADER} "
               "(percent-encoded UTF-8 if needed).")


class ResponderLinkNotFound(NotFound):
    code = "responder_link_not_found"
    message = "This crisis has no such responder link."


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


async def packet_json(request: web.Request) -> web.Response:
    link = await _served(request, "json")
    return web.Response(text=link.packet.to_json(), content_type="application/json")


async def packet_pidf(request: web.Request) -> web.Response:
    link = await _served(request, "pidf")
    return web.Response(body=to_pidf_lo(link.packet, provided_by=PROVIDED_BY), content_type=PIDF_MEDIA_TYPE,
                        charset="utf-8")


def _link_view(link: ResponderLink, receipts: list[ResponderReceipt], now, grace: timedelta) -> ResponderLinkView:
    return ResponderLinkView(
        link_id=link.link_id, created_at=link.created_at, expires_at=link.expires_at, ends_at=link.ends_at(grace),
        revoked_at=link.revoked_at, live=link.live(now, grace), allow_join=link.allow_join,
        joined=link.participant_id is not None,
        receipts=[ResponderReceiptView(at=r.at, via=r.via, recipient_name=r.recipient_name,
                                       recipient_agency=r.recipient_agency) for r in receipts if r.link_id == link.link_id],
    )


async def list_links(request: web.Request) -> web.Response:
    """``GET /api/crises/{crisis_id}/responder-links``: the crisis's responder links, whether each still
    works, and who received each packet."""
    ctx = await crisis_for(request, Action.CRISIS_MANAGE)
    crises, grace = request.app[CRISES], timedelta(seconds=request.app[SETTINGS].responder_link_grace)
    links = await crises.responder_links(ctx.crisis.crisis_id)
    receipts, now = await crises.responder_receipts(ctx.crisis.crisis_id), utcnow()
    await audit(request, "responder.links_read", ctx.principal, target_type="crisis", target_id=ctx.crisis.crisis_id,
                session_id=ctx.session.id)
    return json_response(ResponderLinkList(links=[_link_view(link, receipts, now, grace) for link in links]))


async def revoke_link(request: web.Request) -> web.Response:
    """``POST /api/crises/{crisis_id}/responder-links/{link_id}/revoke``: the link stops at once (410
    like any ended link) and a responder who joined the call from it loses their place."""
    ctx = await crisis_for(request, Action.CRISIS_MANAGE)
    crises, now = request.app[CRISES], utcnow()
    link = await crises.revoke_responder_link(ctx.crisis.crisis_id, request.match_info["link_id"],
                                              by=ctx.principal.id, at=now)
    if link is None:
        raise ResponderLinkNotFound()
    if link.participant_id is not None:
        store = request.app[STORE]
        place = await store.get_participant(link.participant_id)
        await store.remove_participant(place.id)
        await request.app[SIGNALING].disconnect_member(place.session_id, place.id, reason="removed")
    await audit(request, "responder.revoke", ctx.principal, target_type="crisis", target_id=ctx.crisis.crisis_id,
                session_id=ctx.session.id)
    grace = timedelta(seconds=request.app[SETTINGS].responder_link_grace)
    return json_response(_link_view(link, await crises.responder_receipts(ctx.crisis.crisis_id), now, grace))

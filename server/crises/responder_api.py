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

from datetime import timedelta
from functools import partial

from aiohttp import web

from handoff.consent import Party, Scope
from handoff.crisis import record_disclosure
from handoff.errors import ConsentRequired
from handoff.location import check_mismatch
from handoff.pidf_lo import to_pidf_lo
from handoff.responder_packet import build_responder_packet

from server.access.links import new_link
from server.access.policy import Action
from server.app_keys import CRISES, CRISIS_SERVICE, DISCLOSURES, PLAN_STORE, SETTINGS, SIGNALING, STORE
from server.audit.chain import Outcome
from server.audit.requests import audit
from server.crises.access import CrisisContext, caller_of, crisis_for
from server.crises.errors import ResponderLinkNotFound
from server.crises.responder_links import PIDF_MEDIA_TYPE, PROVIDED_BY, _served
from server.crises.schemas import (
    ResponderLinkList,
    ResponderLinkView,
    ResponderPacketRequest,
    ResponderPacketView,
    ResponderReceiptView,
)
from server.crises.store import ResponderLink, ResponderReceipt
from server.db.tables import utcnow
from server.errors import Conflict
from server.http.bodies import read_body
from server.http.responses import json_response

EMS = Party.emergency_services()


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
    decide = partial(record_disclosure, actor=ctx.actor, recipient=EMS, categories=packet.included, basis=basis)
    return await request.app[CRISIS_SERVICE].append(ctx.session.id, ctx.crisis, decide, caller_of(request, ctx.principal),
                                                    audit_action="crisis.disclosure", room=False)


async def create_packet(request: web.Request) -> web.Response:
    ctx = await crisis_for(request, Action.CRISIS_MANAGE)
    body = await read_body(request, ResponderPacketRequest)
    now, settings = utcnow(), request.app[SETTINGS]
    if not ctx.crisis.is_open:
        raise Conflict("This crisis is closed.", code="crisis_closed")
    basis = await _basis(request, ctx, body.override_reason, now)
    packet = await _packet(request, ctx, body, basis, now)
    await _record(request, ctx, packet, basis)
    link = new_link()
    expires_at = min(now + timedelta(seconds=settings.responder_link_ttl), packet.retention_expiry)
    link_id = await request.app[CRISES].add_responder_link(token_hash=link.token_hash, packet=packet,
                                                 program_id=ctx.session.program_id, created_by=ctx.principal.id,
                                                 expires_at=expires_at, allow_join=body.allow_join)
    api = f"{settings.public_url}/api/responder"
    return json_response(ResponderPacketView(packet=packet, link_id=link_id, token=link.token,
                                             page_url=f"{settings.public_url}/responder#{link.token}",
                                             responder_url=f"{api}/packet", pidf_url=f"{api}/pidf",
                                             expires_at=expires_at), status=201)


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

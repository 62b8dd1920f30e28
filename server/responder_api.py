"""Relaying a crisis to emergency responders: the minimum-necessary packet, and the time-limited
link that serves it as JSON and as PIDF-LO.

Building a packet needs the client's consent to share with emergency services, or an emergency
override with a written reason (audited, alerts the clinical lead). What was shared (categories,
never content), with whom and on which basis is recorded in the crisis timeline and the audit log.
The link's token (256 bits) is shown once and stored only as its SHA-256; an expired link answers
410 and an unknown one the same."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from aiohttp import web

from handoff.consent import Party, Scope
from handoff.crisis import append, record_disclosure
from handoff.errors import ConsentRequired, VersionConflict
from handoff.location import check_mismatch
from handoff.pidf_lo import ProvidedBy, to_pidf_lo
from handoff.responder_packet import build_responder_packet

from .app_keys import CRISES, DISCLOSURES, PLAN_STORE, SETTINGS
from .audit_chain import Outcome
from .bodies import read_body
from .client_scope import json_response
from .crisis_api import CrisisContext, announce, crisis_for
from .crisis_api_models import ResponderPacketRequest, ResponderPacketView
from .crisis_errors import crisis_errors
from .errors import Conflict, LinkInvalid
from .crisis_store import ResponderLink
from .links import hash_token, new_link
from .models import utcnow
from .policy import Action
from .request_audit import audit

PIDF_MEDIA_TYPE = "application/pidf+xml"
EMS = Party.emergency_services()
PROVIDED_BY = ProvidedBy(name="Steadyline")


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
        lethal_means_notes=notes, mismatch=mismatch,
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
    await request.app[CRISES].add_responder_link(token_hash=link.token_hash, packet=packet,
                                                 program_id=ctx.session.program_id, created_by=ctx.principal.id,
                                                 expires_at=expires_at, allow_join=body.allow_join)
    await audit(request, "crisis.disclosure", ctx.principal, target_type="crisis", target_id=crisis.crisis_id,
                session_id=ctx.session.id)
    await announce(request, crisis, ctx.session.id, room=False)
    url = f"{settings.public_url}/api/responder/{link.token}"
    return json_response(ResponderPacketView(packet=packet, page_url=f"{settings.public_url}/responder#{link.token}",
                                             responder_url=url, pidf_url=url + "/pidf", expires_at=expires_at),
                         status=201)


async def served_link(request: web.Request, token: str, what: str) -> ResponderLink:
    """The live responder link behind ``token``, its use audited (``responder.<what>``) in its
    session's trail; an unknown or expired one is audited as failed and answers 410."""
    crises = request.app[CRISES]
    link = await crises.responder_link(hash_token(token))
    if link is None or link.expires_at <= utcnow():
        await audit(request, f"responder.{what}", outcome=Outcome.FAILED)
        raise ResponderLinkInvalid()
    await audit(request, f"responder.{what}", actor_role="responder", program_id=link.program_id,
                target_type="crisis", target_id=link.crisis_id, session_id=await crises.session_of(link.crisis_id))
    return link


async def _served(request: web.Request, what: str) -> ResponderLink:
    return await served_link(request, request.match_info["token"], what)


async def packet_json(request: web.Request) -> web.Response:
    link = await _served(request, "packet")
    return web.Response(text=link.packet.to_json(), content_type="application/json")


async def packet_pidf(request: web.Request) -> web.Response:
    link = await _served(request, "pidf")
    return web.Response(body=to_pidf_lo(link.packet, provided_by=PROVIDED_BY), content_type=PIDF_MEDIA_TYPE,
                        charset="utf-8")

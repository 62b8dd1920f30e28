"""Bringing a support person into a crisis: only with the client's consent to invite them to video
(or an emergency override with a written reason). They get their own participant place (role
``support``) and a personal single-use link that expires after ``STEADYLINE_SUPPORT_LINK_TTL``
seconds, sent by email and/or the signed webhook. While the crisis is open they come straight into the
call when they join (no lobby; see ``signaling.rooms``); their token cannot moderate the room nor read
the plan, consents, timeline or responder packet. Their place ends when the crisis closes, unless the
clinician keeps them for the rest of the session (``crisis_guests``)."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from handoff.consent import Party, Scope
from handoff.errors import ConsentRequired

from server.access.links import new_link
from server.access.policy import Action
from server.app_keys import DISCLOSURES, NOTIFIER, PLAN_STORE, SETTINGS, STORE
from server.audit.chain import Outcome
from server.audit.requests import audit
from server.crises.access import crisis_for
from server.crises.schemas import AddSupportPerson, SupportInviteView
from server.db.tables import ParticipantRole, SessionStatus, utcnow
from server.errors import InvalidInput, SessionEnded
from server.http.bodies import read_body
from server.http.responses import json_response
from server.notify.notifier import SupportInvitation
from server.sessions.views import participant_view


async def _basis_kind(request: web.Request, ctx, party: Party, reason: str | None, now) -> str:
    """``consent`` if the client agreed to this invitation now; else an override with a reason."""
    disclosures = request.app[DISCLOSURES]
    try:
        await disclosures.check_disclosure(ctx.crisis.client_id, party, Scope.INVITE_TO_VIDEO, now)
        return "consent"
    except ConsentRequired:
        if reason is None:
            await audit(request, "crisis.support_invite", ctx.principal, outcome=Outcome.DENIED,
                        target_type="crisis", target_id=ctx.crisis.crisis_id, session_id=ctx.session.id)
            raise
    await disclosures.override(
        client_id=ctx.crisis.client_id, program_id=ctx.session.program_id, clinician_id=ctx.principal.id,
        reason=reason, at=now, party=party, scopes=frozenset({Scope.INVITE_TO_VIDEO}), crisis_id=ctx.crisis.crisis_id)
    await audit(request, "disclosure.override", ctx.principal, target_type="client", target_id=ctx.crisis.client_id,
                session_id=ctx.session.id)
    return "override"


async def add_support_person(request: web.Request) -> web.Response:
    ctx = await crisis_for(request, Action.CRISIS_MANAGE)
    body = await read_body(request, AddSupportPerson)
    if not ctx.crisis.is_open:
        raise InvalidInput("This crisis is closed.")
    if ctx.session.status is SessionStatus.ENDED:
        raise SessionEnded()
    stored = await request.app[PLAN_STORE].plan(ctx.crisis.client_id)
    if stored is None:
        raise InvalidInput("The client has no safety plan: support persons are invited from its contacts.")
    now, settings = utcnow(), request.app[SETTINGS]
    contact = stored.plan.contact(body.contact_id)
    party = Party.support_person(contact.contact_id)
    basis = await _basis_kind(request, ctx, party, body.override_reason, now)
    store = request.app[STORE]
    participant = await store.add_participant(session_id=ctx.session.id, role=ParticipantRole.SUPPORT,
                                              display_name=contact.name, client_id=ctx.crisis.client_id)
    link = new_link()
    expires_at = now + timedelta(seconds=settings.support_link_ttl)  # a crisis holds the session open: no cap at its end
    await store.create_invite(participant_id=participant.id, token_hash=link.token_hash, expires_at=expires_at,
                              single_use=True)
    join_url = link.url(settings.public_url)
    await audit(request, "crisis.support_invite", ctx.principal, target_type="participant", target_id=participant.id,
                session_id=ctx.session.id)
    outcomes = await request.app[NOTIFIER].invite_support_person(SupportInvitation(
        crisis_id=ctx.crisis.crisis_id, participant_id=participant.id, join_url=join_url, expires_at=expires_at,
        email=contact.email, phone=contact.phone), now)
    return json_response(SupportInviteView(
        participant=participant_view(participant), join_url=join_url, expires_at=expires_at, basis=basis,
        notifications={channel: outcome.value for channel, outcome in outcomes.items()},
    ), status=201)

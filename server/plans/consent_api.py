"""Consent API: record and revoke what a client agreed may be shared with each support person of their
plan (and with emergency services), and the emergency override when consent cannot be asked for."""

from __future__ import annotations

from aiohttp import web

from handoff.consent import ConsentGrant, Party, PartyKind, Scope
from handoff.errors import DomainError, ErrorKind, PlanContactNotFound

from server.access.client_scope import client_for
from server.access.policy import Action
from server.app_keys import CRISES, DISCLOSURES, PLAN_STORE
from server.audit.chain import Outcome
from server.audit.requests import audit
from server.db.tables import utcnow
from server.errors import InvalidInput
from server.http.bodies import read_body
from server.http.responses import json_response
from server.plans.schemas import ConsentList, ConsentView, OverrideRequest, OverrideView, RecordConsent
from server.plans.store import StoredPlan


def _party(kind: str, contact_id: str | None) -> Party:
    return Party.emergency_services() if kind == PartyKind.EMERGENCY_SERVICES.value else \
        Party.support_person(contact_id or "")


def _contact_names(stored: StoredPlan | None) -> dict[str, str]:
    if stored is None:
        return {}
    return {c.contact_id: c.name for v in stored.plan.versions for c in v.contacts()}


def _view(grant: ConsentGrant, names: dict[str, str], now) -> ConsentView:
    return ConsentView(
        grant_id=grant.grant_id, party=grant.party.kind.value, contact_id=grant.party.contact_id,
        contact_name=names.get(grant.party.contact_id or ""), scope=grant.scope.value,
        categories=sorted(c.value for c in grant.categories), starts_at=grant.starts_at,
        expires_at=grant.expires_at, recorded_by=grant.recorded_by, revoked_at=grant.revoked_at,
        revoked_by=grant.revoked_by, active=grant.active_at(now),
    )


async def list_consents(request: web.Request) -> web.Response:
    principal, client = await client_for(request, Action.PLAN_READ)
    plans = request.app[PLAN_STORE]
    ledger = await plans.ledger(client.id)
    names, now = _contact_names(await plans.plan(client.id)), utcnow()
    await audit(request, "consent.read", principal, target_type="client", target_id=client.id)
    return json_response(ConsentList(grants=[_view(g, names, now) for g in ledger.grants]))


async def record_consent(request: web.Request) -> web.Response:
    principal, client = await client_for(request, Action.CONSENT_RECORD)
    body = await read_body(request, RecordConsent)
    plans, now = request.app[PLAN_STORE], utcnow()
    stored = await plans.plan(client.id)
    party = _party(body.party, body.contact_id)
    if party.kind is PartyKind.SUPPORT_PERSON:
        if stored is None:
            raise InvalidInput("Write the safety plan first: consent to share is given per person in it.")
        stored.plan.contact(party.contact_id)
    ledger = (await plans.ledger(client.id)).grant(
        party, Scope(body.scope), starts_at=body.starts_at or now, expires_at=body.expires_at,
        recorded_by=principal.id,
    )
    grant = ledger.grants[-1]
    await plans.add_grant(grant, client.program_id)
    await audit(request, "consent.record", principal, target_type="consent", target_id=grant.grant_id)
    return json_response(_view(grant, _contact_names(stored), now), status=201)


async def revoke_consent(request: web.Request) -> web.Response:
    principal, client = await client_for(request, Action.CONSENT_RECORD)
    plans, now = request.app[PLAN_STORE], utcnow()
    ledger = (await plans.ledger(client.id)).revoke(request.match_info["grant_id"], at=now,
                                                     recorded_by=principal.id)
    grant = ledger.get(request.match_info["grant_id"])
    await plans.revoke_grant(grant)
    await audit(request, "consent.revoke", principal, target_type="consent", target_id=grant.grant_id)
    return json_response(_view(grant, _contact_names(await plans.plan(client.id)), now))


class OverrideCrisisInvalid(InvalidInput):
    code = "override_crisis_invalid"
    message = "That crisis is not one of this client's crises."


async def _check_override_ids(request: web.Request, body: OverrideRequest, client) -> None:
    """The named crisis is one of this client's (in this program) and the named support person is a
    contact of the client's safety plan; an unknown id and another client's or program's get the same
    answer."""
    if body.party == PartyKind.EMERGENCY_SERVICES.value and body.contact_id:
        raise InvalidInput("Emergency services are not a plan contact: leave contact_id out.")
    if body.party == PartyKind.SUPPORT_PERSON.value:
        if not body.contact_id:
            raise InvalidInput("Name the support person by contact_id.")
        stored = await request.app[PLAN_STORE].plan(client.id)
        if stored is None:
            raise PlanContactNotFound()
        stored.plan.contact(body.contact_id)
    if body.crisis_id is not None:
        crisis = await request.app[CRISES].load(body.crisis_id)
        if crisis is None or crisis.client_id != client.id or crisis.program_id != client.program_id:
            raise OverrideCrisisInvalid()


async def override_disclosure(request: web.Request) -> web.Response:
    """Share without consent because of imminent risk: needs a written reason, is audited as
    ``disclosure.override`` and raises an alert to the program's clinical lead. The crisis and the
    support person it names must be this client's."""
    principal, client = await client_for(request, Action.DISCLOSURE_OVERRIDE)
    body = await read_body(request, OverrideRequest)
    party = None
    try:
        await _check_override_ids(request, body, client)
        party = _party(body.party, body.contact_id)
        scopes = frozenset(Scope(s) for s in body.scopes) if body.scopes else None
        decision = await request.app[DISCLOSURES].override(
            client_id=client.id, program_id=client.program_id, clinician_id=principal.id, reason=body.reason,
            at=utcnow(), party=party, scopes=scopes, crisis_id=body.crisis_id,
        )
    except DomainError as exc:
        if exc.kind is ErrorKind.INVALID:  # a refused override is on the trail; a conflict changed nothing to see
            await audit(request, "disclosure.override", principal, outcome=Outcome.FAILED, target_type="client",
                        target_id=client.id)
        raise
    basis = decision.basis
    await audit(request, "disclosure.override", principal, target_type="client", target_id=client.id)
    return json_response(OverrideView(
        override_id=basis.override_id, alert_id=decision.alert.alert_id, client_id=client.id,
        crisis_id=basis.crisis_id, party=basis.party.kind.value, scopes=sorted(s.value for s in basis.scopes),
        categories=sorted(c.value for c in basis.categories), at=basis.at,
    ), status=201)

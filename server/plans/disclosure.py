"""Disclosure decisions for the crisis code: may we share this with that party now, and the emergency
override when we must share without consent. Also the one way to read a client's latest confirmed
location (it is read only in a crisis: for the responder packet, and for the read-out the managing
clinician reads to emergency services on the phone, ``server/crises/read_out_api.py``, audited).

Callers audit what they then disclose; ``override`` writes its own alert for the clinical lead."""

from __future__ import annotations

from datetime import datetime

from handoff.consent import (
    CATEGORIES_BY_SCOPE,
    OVERRIDE_DEFAULT_CATEGORIES,
    ConsentBasis,
    OverrideDecision,
    Party,
    PartyKind,
    Scope,
    check,
    emergency_override,
)
from handoff.values import new_id

from server.plans.store import LocationRecord, PlanStore


class Disclosures:
    def __init__(self, plans: PlanStore) -> None:
        self._plans = plans

    async def check_disclosure(self, client_id: str, party: Party, scope: Scope, at: datetime) -> ConsentBasis:
        """The consent grant that allows sharing ``scope`` with ``party`` at ``at``; raises
        ``handoff.errors.ConsentRequired`` when there is none (not given, expired or revoked)."""
        return check(await self._plans.ledger(client_id), party, scope, at)

    async def override(
        self, *, client_id: str, program_id: str, clinician_id: str, reason: str, at: datetime,
        party: Party | None = None, scopes: frozenset[Scope] | None = None, crisis_id: str | None = None,
    ) -> OverrideDecision:
        """Share without consent: needs a real written reason (``OverrideReasonRequired`` otherwise),
        is stored, and raises an alert to the program's clinical lead."""
        party = party or Party.emergency_services()
        if scopes is None:
            scopes = (frozenset({Scope.SHARE_LOCATION_AND_SITUATION}) if party.kind is PartyKind.EMERGENCY_SERVICES
                      else frozenset({Scope.RECEIVE_LOCATION}))
        covered = frozenset().union(*(CATEGORIES_BY_SCOPE[s] for s in scopes))
        lead = await self._plans.clinical_lead(program_id)
        decision = emergency_override(
            clinician_id, reason, at, client_id=client_id, crisis_id=crisis_id or new_id("crisis"),
            clinical_lead_id=lead or "", party=party, scopes=scopes,
            categories=covered & OVERRIDE_DEFAULT_CATEGORIES,
        )
        await self._plans.add_override(decision.basis, decision.alert, program_id)
        return decision

    async def latest_location(self, client_id: str) -> LocationRecord | None:
        """Where the client last confirmed they were, and what their browser reported then."""
        return await self._plans.latest_location(client_id)


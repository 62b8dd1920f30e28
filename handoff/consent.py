"""Consent ledger: what the client agreed may be shared, with whom, and for how long.

Grants are never edited: revoking one records the time it stopped. :func:`check` answers "may we,
right now?" with a :class:`ConsentBasis` (the grant that allows it) or raises
:class:`~handoff.errors.ConsentRequired`. When a life is at risk and consent cannot be asked for,
a clinician may use :func:`emergency_override` with a written reason; that yields an
:class:`OverrideBasis` flagged for audit and a :class:`ClinicalLeadAlert` for the edge to send.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Literal, Union

from pydantic import Field, PlainSerializer, model_validator

from . import override_reason
from .errors import ConsentInvalid, ConsentRequired, GrantNotFound, OverrideReasonRequired
from .values import UtcDateTime, Value, as_utc, new_id


class Scope(str, Enum):
    INVITE_TO_VIDEO = "invite_to_video"
    PHONE = "phone"
    RECEIVE_LOCATION = "receive_location"
    SHARE_LOCATION_AND_SITUATION = "share_location_and_situation"


class PartyKind(str, Enum):
    SUPPORT_PERSON = "support_person"
    EMERGENCY_SERVICES = "emergency_services"


class DisclosureCategory(str, Enum):
    """Kinds of information that may leave the care team. Timelines record these, never content."""

    LOCATION = "location"
    SITUATION = "situation"
    CALLBACK_NUMBERS = "callback_numbers"
    LETHAL_MEANS = "lethal_means"


def _sorted_values(items: frozenset) -> list[str]:
    return sorted(item.value for item in items)


Categories = Annotated[frozenset[DisclosureCategory], PlainSerializer(_sorted_values, return_type=list, when_used="json")]
"""A set of categories that serialises to JSON as a sorted list (stable output)."""
Scopes = Annotated[frozenset[Scope], PlainSerializer(_sorted_values, return_type=list, when_used="json")]


SCOPES_BY_PARTY: dict[PartyKind, frozenset[Scope]] = {
    PartyKind.SUPPORT_PERSON: frozenset({Scope.INVITE_TO_VIDEO, Scope.PHONE, Scope.RECEIVE_LOCATION}),
    PartyKind.EMERGENCY_SERVICES: frozenset({Scope.SHARE_LOCATION_AND_SITUATION}),
}

CATEGORIES_BY_SCOPE: dict[Scope, frozenset[DisclosureCategory]] = {
    Scope.INVITE_TO_VIDEO: frozenset(),
    Scope.PHONE: frozenset(),
    Scope.RECEIVE_LOCATION: frozenset({DisclosureCategory.LOCATION}),
    Scope.SHARE_LOCATION_AND_SITUATION: frozenset(DisclosureCategory),
}

OVERRIDE_DEFAULT_CATEGORIES = frozenset(
    {DisclosureCategory.LOCATION, DisclosureCategory.SITUATION, DisclosureCategory.CALLBACK_NUMBERS}
)
"""Minimum necessary under an override. Lethal-means notes go only if the clinician adds them."""


class Party(Value):
    """Who would receive something: one support person (by plan contact id) or emergency services."""

    kind: PartyKind
    contact_id: str | None = None

    @model_validator(mode="after")
    def _check(self) -> "Party":
        if (self.kind is PartyKind.SUPPORT_PERSON) != bool(self.contact_id):
            raise ValueError("a support person is named by contact id; emergency services are not")
        return self

    @classmethod
    def support_person(cls, contact_id: str) -> "Party":
        return cls(kind=PartyKind.SUPPORT_PERSON, contact_id=contact_id)

    @classmethod
    def emergency_services(cls) -> "Party":
        return cls(kind=PartyKind.EMERGENCY_SERVICES)


class ConsentGrant(Value):
    grant_id: str
    client_id: str
    party: Party
    scope: Scope
    categories: Categories
    starts_at: UtcDateTime
    expires_at: UtcDateTime | None = None
    recorded_by: str = Field(min_length=1)
    revoked_at: UtcDateTime | None = None
    revoked_by: str | None = None

    @model_validator(mode="after")
    def _check(self) -> "ConsentGrant":
        if self.scope not in SCOPES_BY_PARTY[self.party.kind]:
            raise ValueError(f"scope {self.scope.value!r} cannot be granted to {self.party.kind.value}")
        if not self.categories <= CATEGORIES_BY_SCOPE[self.scope]:
            raise ValueError(f"scope {self.scope.value!r} does not cover those categories")
        if self.expires_at is not None and self.expires_at <= self.starts_at:
            raise ValueError("a consent must expire after it starts")
        if (self.revoked_at is None) != (self.revoked_by is None):
            raise ValueError("a revocation records both when and by whom")
        return self

    def active_at(self, at: datetime) -> bool:
        at = as_utc(at)
        if at < self.starts_at:
            return False
        if self.expires_at is not None and at >= self.expires_at:
            return False
        return self.revoked_at is None or at < self.revoked_at


class ConsentBasis(Value):
    """Sharing is allowed because of this grant."""

    kind: Literal["consent"] = "consent"
    grant_id: str
    client_id: str
    party: Party
    scope: Scope
    categories: Categories
    checked_at: UtcDateTime
    valid_until: UtcDateTime | None

    def covers(self, category: DisclosureCategory) -> bool:
        return category in self.categories

    def allows(self, party: Party, scope: Scope) -> bool:
        return self.party == party and self.scope is scope


class OverrideBasis(Value):
    """Sharing is allowed because a clinician judged it necessary to prevent serious harm.
    Always audited, always reported to the clinical lead."""

    kind: Literal["override"] = "override"
    override_id: str
    client_id: str
    crisis_id: str
    clinician_id: str
    reason: str
    at: UtcDateTime
    party: Party
    scopes: Scopes
    categories: Categories
    audit_required: Literal[True] = True

    def covers(self, category: DisclosureCategory) -> bool:
        return category in self.categories

    def allows(self, party: Party, scope: Scope) -> bool:
        return self.party == party and scope in self.scopes


Basis = Annotated[Union[ConsentBasis, OverrideBasis], Field(discriminator="kind")]


class ClinicalLeadAlert(Value):
    """Tell the program's clinical lead an override was used. Sending it is the edge's job."""

    alert_id: str
    recipient_id: str
    override_id: str
    crisis_id: str
    client_id: str
    clinician_id: str
    reason: str
    at: UtcDateTime
    urgency: Literal["high"] = "high"
    subject: str
    body: str


class OverrideDecision(Value):
    basis: OverrideBasis
    alert: ClinicalLeadAlert


class ConsentLedger(Value):
    """All consent grants one client has made. Immutable: every change returns a new ledger."""

    client_id: str
    grants: tuple[ConsentGrant, ...] = ()

    def grant(
        self, party: Party, scope: Scope, *, starts_at: datetime, recorded_by: str,
        expires_at: datetime | None = None, categories: frozenset[DisclosureCategory] | None = None,
        grant_id: str | None = None,
    ) -> "ConsentLedger":
        """Record a new grant. ``categories`` narrows what the scope covers (default: all of it)."""
        try:
            new = ConsentGrant(
                grant_id=grant_id or new_id("consent"), client_id=self.client_id, party=party,
                scope=scope, categories=CATEGORIES_BY_SCOPE[scope] if categories is None else categories,
                starts_at=starts_at, expires_at=expires_at, recorded_by=recorded_by,
            )
        except ValueError as exc:
            raise ConsentInvalid(_first_error(exc), details={"scope": scope.value}) from exc
        if any(g.grant_id == new.grant_id for g in self.grants):
            raise ConsentInvalid("That consent record id is already used.", details={"grant_id": new.grant_id})
        return ConsentLedger(client_id=self.client_id, grants=self.grants + (new,))

    def revoke(self, grant_id: str, *, at: datetime, recorded_by: str) -> "ConsentLedger":
        """Stop a grant from ``at`` on. Revoking twice keeps the first revocation."""
        found = self.get(grant_id)
        if found.revoked_at is not None:
            return self
        revoked = ConsentGrant(**{**found.model_dump(), "revoked_at": at, "revoked_by": recorded_by})
        return ConsentLedger(
            client_id=self.client_id,
            grants=tuple(revoked if g.grant_id == grant_id else g for g in self.grants),
        )

    def get(self, grant_id: str) -> ConsentGrant:
        for g in self.grants:
            if g.grant_id == grant_id:
                return g
        raise GrantNotFound(details={"grant_id": grant_id})

    def active(self, at: datetime) -> tuple[ConsentGrant, ...]:
        return tuple(g for g in self.grants if g.active_at(at))


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return str(first.get("ctx", {}).get("error") or first.get("msg"))
    return str(exc)


def check(ledger: ConsentLedger, party: Party, scope: Scope, at: datetime) -> ConsentBasis:
    """The basis for sharing ``scope`` with ``party`` at ``at``, or :class:`ConsentRequired`.

    When several grants are active, the most recently started one is the basis."""
    candidates = [g for g in ledger.active(at) if g.party == party and g.scope is scope]
    if not candidates:
        raise ConsentRequired(details={"party": party.kind.value, "scope": scope.value})
    grant = max(candidates, key=lambda g: g.starts_at)
    return ConsentBasis(
        grant_id=grant.grant_id, client_id=ledger.client_id, party=party, scope=scope,
        categories=grant.categories, checked_at=at, valid_until=_valid_until(grant),
    )


def _valid_until(grant: ConsentGrant) -> datetime | None:
    ends = [t for t in (grant.expires_at, grant.revoked_at) if t is not None]
    return min(ends) if ends else None


OVERRIDE_REASON_MIN_CHARS = override_reason.MIN_CHARS
OVERRIDE_REASON_MIN_WORDS = override_reason.MIN_WORDS


def validate_override_reason(reason: str) -> str:
    """Return the trimmed reason, or raise :class:`OverrideReasonRequired` if it is too thin to
    explain the decision later: at least 30 characters and five different real words, not filler,
    repeated or placeholder tokens (:mod:`handoff.override_reason` says what this can and cannot tell)."""
    if override_reason.thin_reason(reason):
        raise OverrideReasonRequired(
            details={"min_chars": OVERRIDE_REASON_MIN_CHARS, "min_words": OVERRIDE_REASON_MIN_WORDS}
        )
    return " ".join(reason.split())


def emergency_override(
    clinician_id: str, reason: str, at: datetime, *, client_id: str, crisis_id: str,
    clinical_lead_id: str, party: Party | None = None,
    scopes: frozenset[Scope] = frozenset({Scope.SHARE_LOCATION_AND_SITUATION}),
    categories: frozenset[DisclosureCategory] = OVERRIDE_DEFAULT_CATEGORIES,
    make_id=new_id,
) -> OverrideDecision:
    """Share without consent because of imminent risk. Needs a real written reason; returns the
    override basis (flagged for audit) and the alert for the program's clinical lead."""
    text = validate_override_reason(reason)
    party = party or Party.emergency_services()
    if not scopes or not scopes <= SCOPES_BY_PARTY[party.kind]:
        raise ConsentInvalid("Those scopes cannot be shared with that party.", details={"party": party.kind.value})
    allowed = frozenset().union(*(CATEGORIES_BY_SCOPE[s] for s in scopes))
    if not categories <= allowed:
        raise ConsentInvalid("Those categories are not covered by the chosen scopes.")
    basis = OverrideBasis(
        override_id=make_id("override"), client_id=client_id, crisis_id=crisis_id,
        clinician_id=clinician_id, reason=text, at=at, party=party, scopes=scopes,
        categories=categories,
    )
    alert = ClinicalLeadAlert(
        alert_id=make_id("alert"), recipient_id=clinical_lead_id, override_id=basis.override_id,
        crisis_id=crisis_id, client_id=client_id, clinician_id=clinician_id, reason=text, at=basis.at,
        subject="Emergency consent override used",
        body=(
            f"Clinician {clinician_id} shared {', '.join(sorted(c.value for c in categories))} "
            f"with {party.kind.value.replace('_', ' ')} without the client's consent during crisis "
            f"{crisis_id}. Reason given: {text} Please review within one business day."
        ),
    )
    return OverrideDecision(basis=basis, alert=alert)

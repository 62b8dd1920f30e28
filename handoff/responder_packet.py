"""The minimum-necessary packet handed to emergency responders.

Construction takes a consent or override :data:`~handoff.consent.Basis` and includes only the
categories that basis covers; everything else is left out rather than blanked. The packet
serialises to JSON (it is a pydantic model) and to PIDF-LO XML (:mod:`handoff.pidf_lo`).

The packet carries a *summary* of the basis (kind, reference, who and when), not an override's
written reason: that reason is for the audit trail and the clinical lead, not for responders.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import Enum
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from .consent import Basis, Categories, DisclosureCategory, Party, Scope
from .errors import ConsentRequired, PacketInvalid
from .location import CivicAddress, ConfirmedLocation, GeoLocation, LocationMethod, MismatchCheck
from .part2 import REDISCLOSURE_NOTICE
from .values import ServiceNumber, UtcDateTime, Value, as_utc, new_id

DEFAULT_RETENTION = timedelta(hours=24)
SITUATION_MAX_CHARS = 2000


class CallbackRole(str, Enum):
    CLIENT = "client"
    THERAPIST = "therapist"
    PROGRAM_LINE = "program_line"


class Callback(Value):
    role: CallbackRole
    phone: ServiceNumber


class CivicFix(Value):
    address: CivicAddress
    confirmed_at: UtcDateTime
    method: LocationMethod = LocationMethod.MANUAL


class BasisSummary(Value):
    kind: Literal["consent", "override"]
    reference: str
    recorded_at: UtcDateTime
    clinician_id: str | None = None  # for an override: who decided
    audit_required: bool


class ResponderPacket(Value):
    packet_id: str
    crisis_id: str
    created_at: UtcDateTime
    retention_expiry: UtcDateTime
    basis: BasisSummary
    included: Categories
    civic: CivicFix | None = None
    geolocation: GeoLocation | None = None
    location_warning: str | None = None  # the device is far from the confirmed address
    callbacks: tuple[Callback, ...] = ()
    situation: str | None = Field(default=None, max_length=SITUATION_MAX_CHARS)
    lethal_means_notes: tuple[str, ...] = ()
    # 42 CFR part 2: set when the packet carries substance-use information (handoff.part2)
    redisclosure_notice: str | None = None

    @model_validator(mode="after")
    def _only_included(self) -> "ResponderPacket":
        present = {
            DisclosureCategory.LOCATION: self.civic is not None or self.geolocation is not None,
            DisclosureCategory.CALLBACK_NUMBERS: bool(self.callbacks),
            DisclosureCategory.SITUATION: bool(self.situation),
            DisclosureCategory.LETHAL_MEANS: bool(self.lethal_means_notes),
        }
        if {c for c, here in present.items() if here} != set(self.included):
            raise ValueError("a packet holds exactly the categories it lists as included")
        if self.location_warning and DisclosureCategory.LOCATION not in self.included:
            raise ValueError("a location warning is location information")
        if self.retention_expiry <= self.created_at:
            raise ValueError("retention must end after the packet is made")
        return self

    def to_json(self) -> str:
        return self.model_dump_json(exclude_none=True)


def _summarise(basis: Basis) -> BasisSummary:
    if basis.kind == "consent":
        return BasisSummary(kind="consent", reference=basis.grant_id, recorded_at=basis.checked_at, audit_required=False)
    return BasisSummary(
        kind="override", reference=basis.override_id, recorded_at=basis.at,
        clinician_id=basis.clinician_id, audit_required=True,
    )


def _check_basis(basis: Basis, *, client_id: str, crisis_id: str, at: datetime) -> None:
    if not basis.allows(Party.emergency_services(), Scope.SHARE_LOCATION_AND_SITUATION):
        raise ConsentRequired("There is no consent or override for sharing with emergency services.")
    if basis.client_id != client_id:
        raise ConsentRequired("That consent belongs to a different client.")
    if basis.kind == "consent":
        if basis.valid_until is not None and as_utc(at) >= basis.valid_until:
            raise ConsentRequired("That consent has ended.")
    elif basis.crisis_id != crisis_id:
        raise ConsentRequired("That emergency override was made for a different crisis.")


_SPACE = re.compile(r"[ \t]+")


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    lines = [_SPACE.sub(" ", line).strip() for line in text.strip().splitlines()]
    return "\n".join(lines) or None


def build_responder_packet(
    basis: Basis, *, crisis_id: str, client_id: str, at: datetime,
    confirmed: ConfirmedLocation | None = None, geolocation: GeoLocation | None = None,
    client_phone: str | None = None, therapist_phone: str | None = None, program_line: str | None = None,
    situation: str | None = None, lethal_means_notes: tuple[str, ...] = (),
    mismatch: MismatchCheck | None = None, retention: timedelta = DEFAULT_RETENTION, packet_id: str | None = None,
    substance_use: bool = False,
) -> ResponderPacket:
    """Assemble what responders may receive under ``basis`` at ``at``. Fields whose category the
    basis does not cover are left out; a flagged ``mismatch`` adds a warning to the location; :class:`ConsentRequired` if the basis is not for
    emergency services, this client and (for an override) this crisis; :class:`PacketInvalid`
    if nothing at all could be included."""
    _check_basis(basis, client_id=client_id, crisis_id=crisis_id, at=at)
    if retention <= timedelta(0) or retention > timedelta(days=30):
        raise PacketInvalid("Retention must be between a moment and 30 days.")
    fields: dict = {}
    if basis.covers(DisclosureCategory.LOCATION):
        if confirmed is not None:
            fields["civic"] = CivicFix(address=confirmed.address, confirmed_at=confirmed.confirmed_at, method=confirmed.method)
        if geolocation is not None:
            fields["geolocation"] = geolocation
        if mismatch is not None and mismatch.flagged and confirmed is not None and geolocation is not None:
            fields["location_warning"] = (
                f"The device was about {mismatch.distance_m:,.0f} m from the confirmed address when last "
                "located: the client may not be at home."
            )
    if basis.covers(DisclosureCategory.CALLBACK_NUMBERS):
        numbers = ((CallbackRole.CLIENT, client_phone), (CallbackRole.THERAPIST, therapist_phone),
                   (CallbackRole.PROGRAM_LINE, program_line))
        try:
            fields["callbacks"] = tuple(Callback(role=r, phone=p) for r, p in numbers if p)
        except ValidationError as exc:
            raise PacketInvalid("A callback number is not a valid phone number.") from exc
    if basis.covers(DisclosureCategory.SITUATION) and _clean(situation):
        text = _clean(situation)
        if len(text) > SITUATION_MAX_CHARS:
            raise PacketInvalid(f"The situation summary is limited to {SITUATION_MAX_CHARS} characters.")
        fields["situation"] = text
    if basis.covers(DisclosureCategory.LETHAL_MEANS):
        fields["lethal_means_notes"] = tuple(n for n in (_clean(x) for x in lethal_means_notes) if n)
    included = {
        DisclosureCategory.LOCATION: "civic" in fields or "geolocation" in fields,
        DisclosureCategory.CALLBACK_NUMBERS: bool(fields.get("callbacks")),
        DisclosureCategory.SITUATION: bool(fields.get("situation")),
        DisclosureCategory.LETHAL_MEANS: bool(fields.get("lethal_means_notes")),
    }
    chosen = frozenset(c for c, yes in included.items() if yes)
    if not chosen:
        raise PacketInvalid("There is nothing that may be shared with responders.")
    created = as_utc(at)
    return ResponderPacket(
        packet_id=packet_id or new_id("packet"), crisis_id=crisis_id, created_at=created,
        retention_expiry=created + retention, basis=_summarise(basis), included=chosen,
        redisclosure_notice=REDISCLOSURE_NOTICE if substance_use else None, **fields,
    )

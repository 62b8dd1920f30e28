"""Synthetic inputs for responder packets (fake address, 555-01xx numbers)."""

from __future__ import annotations

from datetime import timedelta

from handoff.consent import ConsentLedger, DisclosureCategory, Party, Scope, check, emergency_override
from handoff.location import CivicAddress, ConfirmedLocation, GeoLocation, LocationMethod, LocationSource
from handoff.responder_packet import build_responder_packet

from .fakes import T0

EMS = Party.emergency_services()
REASON = "Client said she took pills twenty minutes ago and has stopped answering on video."
SITUATION = "Client disclosed an overdose about 20 minutes ago; conscious, talking slowly. Dog in the flat."

HOME = ConfirmedLocation(
    location_id="loc_1", client_id="client_1", confirmed_at=T0 - timedelta(days=2), confirmed_by="client_1",
    address=CivicAddress(country="US", region="ZZ", county="Sample County", city="Exampleville",
                         street="Example", street_suffix="Street", house_number="123", unit="4B", floor="2",
                         postal_code="00000", landmark="Blue door next to the bakery"),
    coordinates=GeoLocation(latitude=40.0, longitude=-75.0, accuracy_m=15, source=LocationSource.GEOCODED,
                            observed_at=T0 - timedelta(days=2)),
)
BROWSER = GeoLocation(latitude=40.0012345, longitude=-75.0006789, accuracy_m=35.5, method=LocationMethod.WIFI,
                      observed_at=T0 - timedelta(minutes=1))


def consent_basis(categories=None):
    ledger = ConsentLedger(client_id="client_1").grant(
        EMS, Scope.SHARE_LOCATION_AND_SITUATION, starts_at=T0 - timedelta(days=30), recorded_by="therapist_1",
        categories=categories, grant_id="grant_ems")
    return check(ledger, EMS, Scope.SHARE_LOCATION_AND_SITUATION, T0)


def override_basis(categories=None):
    kwargs = {"categories": frozenset(categories)} if categories is not None else {}
    return emergency_override("therapist_1", REASON, T0, client_id="client_1", crisis_id="crisis_1",
                              clinical_lead_id="lead_1", **kwargs).basis


def packet(basis, **overrides):
    args = dict(crisis_id="crisis_1", client_id="client_1", at=T0, confirmed=HOME, geolocation=BROWSER,
                client_phone="+1 555 0100 150", therapist_phone="+1 555 0100 151", program_line="+1 555 0100 152",
                situation=SITUATION, lethal_means_notes=("Sam keeps the spare medication at her place",),
                packet_id="packet_1")
    args.update(overrides)
    return build_responder_packet(basis, **args)


ALL = frozenset(DisclosureCategory)

"""Turning stored plans, resources and templates into the API's views (therapist and client)."""

from __future__ import annotations

import re

from handoff.location import CivicAddress, GeoLocation
from handoff.plan_template import PlanTemplate, SectionKind
from handoff.resources import Resource, ResourceMatch, nearest
from handoff.safety_plan import PlanVersion
from handoff.values import normalise_phone, tel_uri

from server.http.phones import display_phone, editable_phone
from server.plans.schemas import (
    AddressIn,
    CrisisLineView,
    OwnContactView,
    OwnPlanView,
    OwnSectionView,
    PlannedLocationView,
    PlanVersionView,
    PointIn,
    ResourceView,
    SectionView,
)
from server.plans.store import PlannedLocation, PlanStore, StoredPlan
from server.settings import Settings


def tel(number: str | None) -> str | None:
    if not number:
        return None
    try:
        return tel_uri(normalise_phone(number, allow_short_code=True))
    except ValueError:
        digits = re.sub(r"[^+\d]", "", number)
        return f"tel:{digits}" if digits else None


def planned_location_view(planned: PlannedLocation | None) -> PlannedLocationView | None:
    if planned is None:
        return None
    coordinates = planned.coordinates
    return PlannedLocationView(
        address=planned.address.model_dump(exclude_none=True), one_line=planned.address.one_line(),
        coordinates=None if coordinates is None else {
            "latitude": coordinates.latitude, "longitude": coordinates.longitude, "accuracy_m": coordinates.accuracy_m},
    )


def planned_location(address: AddressIn, coordinates: PointIn | None, at) -> PlannedLocation:
    point = None
    if coordinates is not None:
        point = GeoLocation(latitude=coordinates.latitude, longitude=coordinates.longitude,
                            accuracy_m=coordinates.accuracy_m, source="clinician_entered", observed_at=at)
    return PlannedLocation(address=CivicAddress(**address.model_dump()), coordinates=point)


def _section_meta(templates: dict[str, PlanTemplate], version: PlanVersion, key: str):
    template = templates.get(version.template_id)
    return template.section(key) if template else None


def _editable(contact: dict) -> dict:
    if contact.get("phone"):
        contact["phone"] = editable_phone(contact["phone"])
    return contact


def version_view(stored: StoredPlan, version: PlanVersion, templates: dict[str, PlanTemplate]) -> PlanVersionView:
    sections = []
    for entry in version.sections:
        meta = _section_meta(templates, version, entry.key)
        sections.append(SectionView(
            key=entry.key, title=meta.title if meta else entry.key, kind=entry.kind.value,
            help_text=meta.help_text if meta else "", items=list(entry.items),
            contacts=[_editable(c.model_dump(exclude_none=True)) for c in entry.contacts], text=entry.text,
        ))
    return PlanVersionView(
        plan_id=stored.plan.plan_id, client_id=stored.plan.client_id, number=version.number,
        template_id=version.template_id, author_id=version.author_id, created_at=version.created_at,
        change_note=version.change_note, sections=sections,
        planned_location=planned_location_view(stored.planned.get(version.number)),
    )


def resource_view(resource: Resource, distance_m: float | None = None, region: str = "US") -> ResourceView:
    return ResourceView(
        resource_id=resource.resource_id, name=resource.name, kind=resource.kind.value,
        phone=display_phone(resource.phone, region) or resource.phone,
        tel=tel(resource.phone) or "", hours=resource.hours, latitude=resource.latitude,
        longitude=resource.longitude, address=resource.address.one_line() if resource.address else None,
        distance_m=None if distance_m is None else round(distance_m),
    )


def match_views(matches: list[ResourceMatch], *, with_distance: bool, region: str = "US") -> list[ResourceView]:
    return [resource_view(m.resource, m.distance_m if with_distance else None, region) for m in matches]


def crisis_lines(settings: Settings) -> list[CrisisLineView]:
    lines = [("Your program's 24/7 crisis line", settings.crisis_line),
             ("Suicide & Crisis Lifeline (call or text)", settings.crisis_hotline),
             ("Emergency", settings.emergency_number)]
    return [CrisisLineView(label=label, number=display_phone(number, settings.phone_region) or number,
                           tel=tel(number) or "") for label, number in lines if number]


def own_plan_view(stored: StoredPlan | None, templates: dict[str, PlanTemplate], settings: Settings) -> OwnPlanView:
    if stored is None:
        return OwnPlanView(has_plan=False, crisis_lines=crisis_lines(settings))
    version = stored.plan.latest
    sections = []
    for entry in version.sections:
        if entry.is_empty:
            continue
        meta = _section_meta(templates, version, entry.key)
        contacts = [OwnContactView(name=c.name, relationship=c.relationship,
                                   phone=display_phone(c.phone, settings.phone_region), tel=tel(c.phone),
                                   email=c.email) for c in entry.contacts]
        sections.append(OwnSectionView(
            key=entry.key, title=meta.title if meta else entry.key, kind=entry.kind.value,
            items=list(entry.items) if entry.kind is SectionKind.ITEMS else [], contacts=contacts, text=entry.text,
        ))
    planned = stored.planned_location
    return OwnPlanView(
        has_plan=True, updated_at=version.created_at, sections=sections, crisis_lines=crisis_lines(settings),
        planned_address=planned.address.one_line() if planned else None,
    )


async def nearest_resources(plans: PlanStore, stored: StoredPlan, region: str) -> tuple[list, str]:
    """Resources nearest where the client last confirmed they were (else their planned address).
    Distances are left out when they would reveal the confirmed location."""
    resources = await plans.resources(stored.program_id)
    latest = await plans.latest_location(stored.plan.client_id)
    point: GeoLocation | None = None
    if latest is not None:
        point = latest.geolocation or latest.confirmed.coordinates
    if point is not None:
        return match_views(nearest(resources, point.latitude, point.longitude), with_distance=False,
                           region=region), "confirmed_location"
    planned = stored.planned_location
    if planned is not None and planned.coordinates is not None:
        c = planned.coordinates
        nearby = nearest(resources, c.latitude, c.longitude)
        return match_views(nearby, with_distance=True, region=region), "planned_location"
    return [], "none"

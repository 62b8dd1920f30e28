"""Typed bodies of the safety-plan, consent, location, resource and alert API."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from handoff.location import LocationMethod

from server.http.schemas import Body

Id = Field(min_length=1, max_length=64)
ScopeName = Literal["invite_to_video", "phone", "receive_location", "share_location_and_situation"]
PartyName = Literal["support_person", "emergency_services"]


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("must include a timezone, e.g. 2026-01-01T10:00:00Z")
    return None if value is None else value.astimezone(timezone.utc)


class AddressIn(Body):
    """A civic address, element by element (RFC 5139 names in brackets)."""

    country: str = Field(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$", description="ISO 3166 alpha-2, e.g. US")
    region: str | None = Field(default=None, max_length=100, description="A1: state or province")
    county: str | None = Field(default=None, max_length=100)
    city: str | None = Field(default=None, max_length=100, description="A3")
    district: str | None = Field(default=None, max_length=100)
    street: str | None = Field(default=None, max_length=150, description="RD")
    street_suffix: str | None = Field(default=None, max_length=30, description="STS")
    house_number: str | None = Field(default=None, max_length=20, description="HNO")
    unit: str | None = Field(default=None, max_length=30)
    floor: str | None = Field(default=None, max_length=20)
    building: str | None = Field(default=None, max_length=100)
    landmark: str | None = Field(default=None, max_length=150)
    location_note: str | None = Field(default=None, max_length=300)
    postal_code: str | None = Field(default=None, max_length=20)


class PointIn(Body):
    latitude: float = Field(ge=-90.0, le=90.0)
    longitude: float = Field(ge=-180.0, le=180.0)
    accuracy_m: float | None = Field(default=None, ge=0.0, le=1_000_000.0)

    @field_validator("latitude", "longitude", "accuracy_m")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


class DevicePointIn(PointIn):
    """A device's position, with how the device found it."""

    method: LocationMethod = Field(description="How the device found this position, as an IANA PIDF-LO method "
                                   "token (RFC 4119): `GPS`, `A-GPS`, `802.11` (Wi-Fi), `Cell`, `Triangulation`, "
                                   "`DHCP` or `Manual`; it goes into the responder packet and its PIDF-LO")


class PlannedLocationIn(Body):
    address: AddressIn
    coordinates: PointIn | None = Field(default=None, description="Where the address is, if known.")


class SavePlan(Body):
    """A whole draft of the plan: section key → list of texts, list of contacts, or text."""

    sections: dict[str, Any] = Field(description="Section key → items (list of strings), contacts "
                                     "(list of {contact_id?, name, relationship, phone, email}) or text.")
    planned_location: PlannedLocationIn | None = None
    change_note: str = Field(default="", max_length=500)
    base_version: int | None = Field(default=None, ge=0, description="The version you edited (0: a new plan); "
                                     "a newer version saved meanwhile answers 409.")


class SectionView(BaseModel):
    key: str
    title: str
    kind: str
    help_text: str = ""
    items: list[str] = []
    contacts: list[dict] = []
    text: str = ""


class VersionSummaryView(BaseModel):
    number: int
    author_id: str
    created_at: datetime
    change_note: str
    template_id: str


class PlannedLocationView(BaseModel):
    address: dict
    one_line: str
    coordinates: dict | None = None


class ResourceView(BaseModel):
    resource_id: str
    name: str
    kind: str
    phone: str
    tel: str
    hours: str
    latitude: float
    longitude: float
    address: str | None = None
    distance_m: float | None = None


class PlanVersionView(BaseModel):
    plan_id: str
    client_id: str
    number: int
    template_id: str
    author_id: str
    created_at: datetime
    change_note: str
    sections: list[SectionView]
    planned_location: PlannedLocationView | None = None


class PlanView(BaseModel):
    """The therapist's view: the latest version, the history, and the resources nearest the client."""

    version: PlanVersionView
    history: list[VersionSummaryView]
    nearest_resources: list[ResourceView]
    nearest_from: Literal["confirmed_location", "planned_location", "none"]


class TemplateView(BaseModel):
    template: dict
    is_default: bool


class SetTemplate(Body):
    template: dict = Field(description="A PlanTemplate: {template_id, name, sections: [{key, title, kind, ...}]}")


class OwnContactView(BaseModel):
    name: str
    relationship: str = ""
    phone: str | None = None
    tel: str | None = None
    email: str | None = None


class OwnSectionView(BaseModel):
    key: str
    title: str
    kind: str
    items: list[str] = []
    contacts: list[OwnContactView] = []
    text: str = ""


class CrisisLineView(BaseModel):
    label: str
    number: str
    tel: str


class OwnPlanView(BaseModel):
    """The client's own plan, read-only, with one-tap phone links."""

    has_plan: bool
    updated_at: datetime | None = None
    sections: list[OwnSectionView] = []
    crisis_lines: list[CrisisLineView]
    planned_address: str | None = None


class RecordConsent(Body):
    party: PartyName
    contact_id: str | None = Field(default=None, max_length=64)
    scope: ScopeName
    starts_at: datetime | None = Field(default=None, description="Default: now.")
    expires_at: datetime | None = None

    @field_validator("starts_at", "expires_at")
    @classmethod
    def _times(cls, value: datetime | None) -> datetime | None:
        return _aware(value)

    @model_validator(mode="after")
    def _contact(self) -> RecordConsent:
        if (self.party == "support_person") != bool(self.contact_id):
            raise ValueError("a support person is named by contact_id; emergency services take none")
        return self


class ConsentView(BaseModel):
    grant_id: str
    party: PartyName
    contact_id: str | None
    contact_name: str | None = None
    scope: str
    categories: list[str]
    starts_at: datetime
    expires_at: datetime | None
    recorded_by: str
    revoked_at: datetime | None
    revoked_by: str | None
    active: bool


class ConsentList(BaseModel):
    grants: list[ConsentView]


class OverrideRequest(Body):
    party: PartyName = "emergency_services"
    contact_id: str | None = Field(default=None, max_length=64)
    scopes: list[ScopeName] | None = Field(default=None, max_length=4)
    reason: str = Field(default="", max_length=4000, description="What is happening and why consent can't be "
                        "asked for now (at least 30 characters, five words).")
    crisis_id: str | None = Field(default=None, max_length=64)


class OverrideView(BaseModel):
    override_id: str
    alert_id: str
    client_id: str
    crisis_id: str
    party: str
    scopes: list[str]
    categories: list[str]
    at: datetime


class AlertView(BaseModel):
    alert_id: str
    kind: str
    urgency: str
    recipient_id: str | None
    client_id: str | None
    subject: str
    body: str
    created_at: datetime
    rule: str | None = Field(default=None, description="the risk rule that raised it (monitoring alerts)")
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    acknowledged_note: str | None = None
    assigned_to: str | None = Field(default=None, description="the clinician who took it on")
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolved_note: str | None = None
    client_name: str | None = Field(default=None, description="the client's name as the care team knows it")


class AlertList(BaseModel):
    alerts: list[AlertView]


class ConfirmLocation(Body):
    """The client says where they are now; the browser's position may come with it."""

    at_planned_address: bool = False
    address: AddressIn | None = None
    geolocation: DevicePointIn | None = None

    @model_validator(mode="after")
    def _one_place(self) -> ConfirmLocation:
        if self.at_planned_address == (self.address is not None):
            raise ValueError("either confirm the planned address or type an address, not both or neither")
        return self


class LocationRecorded(BaseModel):
    recorded: bool
    confirmed_at: datetime


class ImportResources(Body):
    csv: str = Field(min_length=1, max_length=200_000, description="The directory as CSV text with a header row.")


class ResourceImported(BaseModel):
    imported: int


class ResourceList(BaseModel):
    resources: list[ResourceView]

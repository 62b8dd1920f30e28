"""Where the client is: confirmed civic addresses, browser geolocation, and whether they agree.

:class:`CivicAddress` carries the RFC 5139 civic-address elements we collect, under readable
names; :meth:`CivicAddress.rfc5139_elements` gives them back as (element, value) pairs in the
order the RFC 5139 schema requires. :class:`GeoLocation` is a WGS-84 point with an optional
horizontal accuracy (metres, the radius browsers report). :func:`check_mismatch` flags a
confirmed address whose coordinates are too far from where the browser says the client is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import datetime
from enum import Enum

from pydantic import Field, field_validator

from .values import UtcDateTime, Value

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), metres


class LocationMethod(str, Enum):
    """How a location was found: the IANA "Method Tokens" registered by RFC 4119."""

    GPS = "GPS"
    A_GPS = "A-GPS"
    MANUAL = "Manual"
    DHCP = "DHCP"
    TRIANGULATION = "Triangulation"
    CELL = "Cell"
    WIFI = "802.11"


class LocationSource(str, Enum):
    BROWSER = "browser"  # navigator.geolocation on the client's device
    CLIENT_CONFIRMED = "client_confirmed"  # the client typed or confirmed it
    CLINICIAN_ENTERED = "clinician_entered"  # told to a clinician, who entered it
    GEOCODED = "geocoded"  # coordinates looked up from a civic address


# RFC 5139 element for each of our fields, in the schema's sequence order.
_RFC5139_ORDER: tuple[tuple[str, str], ...] = (
    ("country", "country"),
    ("region", "A1"),
    ("county", "A2"),
    ("city", "A3"),
    ("district", "A4"),
    ("street_predirection", "PRD"),
    ("street", "RD"),
    ("street_suffix", "STS"),
    ("house_number", "HNO"),
    ("house_number_suffix", "HNS"),
    ("landmark", "LMK"),
    ("location_note", "LOC"),
    ("floor", "FLR"),
    ("place_name", "NAM"),
    ("postal_code", "PC"),
    ("building", "BLD"),
    ("unit", "UNIT"),
    ("room", "ROOM"),
)

_COUNTRY = re.compile(r"^[A-Z]{2}$")


class CivicAddress(Value):
    """A street address, element by element (RFC 5139). ``country`` is ISO 3166 alpha-2."""

    country: str
    region: str | None = Field(default=None, max_length=100)  # A1: state, province
    county: str | None = Field(default=None, max_length=100)  # A2
    city: str | None = Field(default=None, max_length=100)  # A3
    district: str | None = Field(default=None, max_length=100)  # A4: neighbourhood, borough
    street_predirection: str | None = Field(default=None, max_length=20)  # PRD: "N", "SW"
    street: str | None = Field(default=None, max_length=150)  # RD: "Example"
    street_suffix: str | None = Field(default=None, max_length=30)  # STS: "Street", "Ave"
    house_number: str | None = Field(default=None, max_length=20)  # HNO
    house_number_suffix: str | None = Field(default=None, max_length=20)  # HNS: "A", "1/2"
    landmark: str | None = Field(default=None, max_length=150)  # LMK
    location_note: str | None = Field(default=None, max_length=300)  # LOC: "back door, blue gate"
    floor: str | None = Field(default=None, max_length=20)  # FLR
    place_name: str | None = Field(default=None, max_length=150)  # NAM
    postal_code: str | None = Field(default=None, max_length=20)  # PC
    building: str | None = Field(default=None, max_length=100)  # BLD
    unit: str | None = Field(default=None, max_length=30)  # UNIT
    room: str | None = Field(default=None, max_length=30)  # ROOM

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper()
            if not _COUNTRY.match(value):
                raise ValueError("country must be a two-letter ISO 3166 code such as US")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str):
            value = " ".join(value.split())  # RFC 5139 values are xs:token: no runs of spaces
            return value or None
        return value

    def rfc5139_elements(self) -> list[tuple[str, str]]:
        """(element name, value) for every field that is set, in RFC 5139 schema order."""
        return [(tag, getattr(self, name)) for name, tag in _RFC5139_ORDER if getattr(self, name)]

    def one_line(self) -> str:
        """A readable single line for people (not for machines)."""
        street = " ".join(
            p for p in (self.house_number, self.house_number_suffix, self.street_predirection,
                        self.street, self.street_suffix) if p
        )
        where = ", ".join(p for p in (f"Unit {self.unit}" if self.unit else None,
                                      f"Floor {self.floor}" if self.floor else None) if p)
        parts = [self.place_name, street, where, self.city, self.region, self.postal_code, self.country]
        return ", ".join(p for p in parts if p)


class GeoLocation(Value):
    """A WGS-84 point (decimal degrees), how sure it is, how and when it was found."""

    latitude: float = Field(ge=-90.0, le=90.0)
    longitude: float = Field(ge=-180.0, le=180.0)
    accuracy_m: float | None = Field(default=None, ge=0.0, le=1_000_000.0)
    method: LocationMethod | None = None
    source: LocationSource = LocationSource.BROWSER
    observed_at: UtcDateTime

    @field_validator("latitude", "longitude", "accuracy_m")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("coordinates must be finite numbers")
        return value


class ConfirmedLocation(Value):
    """A civic address the client (or a clinician, with the client) confirmed at a given time,
    with its geocoded coordinates when known."""

    location_id: str
    client_id: str
    address: CivicAddress
    coordinates: GeoLocation | None = None
    confirmed_at: UtcDateTime
    confirmed_by: str
    source: LocationSource = LocationSource.CLIENT_CONFIRMED
    method: LocationMethod = LocationMethod.MANUAL


def latest_confirmed(records: Iterable[ConfirmedLocation], *, at: datetime | None = None) -> ConfirmedLocation | None:
    """The most recent confirmation (ignoring any after ``at`` when given)."""
    usable = [r for r in records if at is None or r.confirmed_at <= at]
    return max(usable, key=lambda r: r.confirmed_at, default=None)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points, on a spherical Earth
    (error under 0.5%, ample for "is the client where they said")."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    h = min(1.0, max(0.0, h))
    return 2 * EARTH_RADIUS_M * math.atan2(math.sqrt(h), math.sqrt(1.0 - h))  # stable near antipodes


def distance_m(a: GeoLocation, b: GeoLocation) -> float:
    return haversine_m(a.latitude, a.longitude, b.latitude, b.longitude)


class MismatchCheck(Value):
    """The outcome of comparing a confirmed address with a geolocation.

    ``flagged`` means that even allowing for both positions' stated uncertainty the client is
    further than ``threshold_m`` from the confirmed address: ask them where they are now.
    ``inconclusive`` means there is nothing to compare (no geocoded coordinates).
    """

    flagged: bool
    inconclusive: bool = False
    distance_m: float | None = None
    uncertainty_m: float = 0.0
    threshold_m: float
    reason: str


DEFAULT_MISMATCH_THRESHOLD_M = 500.0


def check_mismatch(
    confirmed: ConfirmedLocation, observed: GeoLocation, *, threshold_m: float = DEFAULT_MISMATCH_THRESHOLD_M,
) -> MismatchCheck:
    """Flag when the observed position is beyond ``threshold_m`` of the confirmed address's
    coordinates by more than the two positions' combined accuracy radii."""
    if threshold_m < 0:
        raise ValueError("threshold must not be negative")
    if confirmed.coordinates is None:
        return MismatchCheck(
            flagged=False, inconclusive=True, threshold_m=threshold_m,
            reason="The confirmed address has no coordinates to compare with.",
        )
    gap = distance_m(confirmed.coordinates, observed)
    uncertainty = (observed.accuracy_m or 0.0) + (confirmed.coordinates.accuracy_m or 0.0)
    flagged = gap - uncertainty > threshold_m
    reason = (
        f"The device appears to be about {gap:,.0f} m from the confirmed address "
        f"(uncertainty {uncertainty:,.0f} m, threshold {threshold_m:,.0f} m)."
    )
    return MismatchCheck(
        flagged=flagged, distance_m=gap, uncertainty_m=uncertainty, threshold_m=threshold_m, reason=reason,
    )

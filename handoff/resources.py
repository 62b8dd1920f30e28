"""Local crisis resources: emergency departments, crisis centres, mobile crisis teams.

Programs import their directory from CSV (:func:`parse_resources_csv`), which reports every bad
row with its line number and what is wrong, and keeps the good rows. :func:`nearest` ranks
entries by great-circle distance from a point.

CSV columns (header row required; extra columns are an error so typos are caught):
``resource_id, name, kind, phone, latitude, longitude, hours, country, region, county, city,
street, street_suffix, house_number, unit, postal_code``. ``kind`` is one of
``emergency_department``, ``crisis_center``, ``mobile_crisis_team``, ``crisis_line``.
``hours`` is free text ("24/7", "Mon-Fri 08:00-20:00"); ``24/7`` marks round-the-clock services.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from enum import Enum
from typing import Any

from pydantic import Field, ValidationError

from .errors import ResourceImportFailed
from .location import CivicAddress, haversine_m
from .values import ServiceNumber, Value


class ResourceKind(str, Enum):
    EMERGENCY_DEPARTMENT = "emergency_department"
    CRISIS_CENTER = "crisis_center"
    MOBILE_CRISIS_TEAM = "mobile_crisis_team"
    CRISIS_LINE = "crisis_line"


class Resource(Value):
    resource_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    kind: ResourceKind
    phone: ServiceNumber
    latitude: float = Field(ge=-90.0, le=90.0)
    longitude: float = Field(ge=-180.0, le=180.0)
    hours: str = Field(default="", max_length=200)
    address: CivicAddress | None = None

    @property
    def always_open(self) -> bool:
        return self.hours.replace(" ", "").lower() in {"24/7", "24x7", "24h"}


class ResourceMatch(Value):
    resource: Resource
    distance_m: float


class ResourceImport(Value):
    """What an import produced: the usable rows and one error per bad row."""

    resources: tuple[Resource, ...]
    errors: tuple[dict[str, Any], ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> "ResourceImport":
        if self.errors:
            raise ResourceImportFailed(list(self.errors))
        return self


COLUMNS = (
    "resource_id", "name", "kind", "phone", "latitude", "longitude", "hours",
    "country", "region", "county", "city", "street", "street_suffix", "house_number", "unit", "postal_code",
)
REQUIRED_COLUMNS = ("resource_id", "name", "kind", "phone", "latitude", "longitude")
_ADDRESS_COLUMNS = COLUMNS[7:]


def _row_error(line: int, message: str, column: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"row": line, "message": message}
    if column:
        error["column"] = column
    return error


def _explain(exc: ValidationError) -> tuple[str, str | None]:
    first = exc.errors()[0]
    loc = [str(p) for p in first.get("loc", ())]
    column = loc[-1] if loc else None
    if column == "address" and len(loc) > 1:
        column = loc[1]
    message = str(first.get("ctx", {}).get("error") or first.get("msg"))
    if column == "kind":
        message = f"kind must be one of: {', '.join(k.value for k in ResourceKind)}"
    return (f"{column}: {message}" if column else message), column


def _parse_row(row: dict[str, str]) -> Resource:
    values = {k: (v or "").strip() for k, v in row.items()}
    address_fields = {k: values.get(k) or None for k in _ADDRESS_COLUMNS}
    address = CivicAddress(**address_fields) if address_fields.get("country") else None
    return Resource(
        resource_id=values["resource_id"], name=values["name"], kind=values["kind"],
        phone=values["phone"], latitude=values["latitude"], longitude=values["longitude"],
        hours=values.get("hours") or "", address=address,
    )


def parse_resources_csv(text: str) -> ResourceImport:
    """Read a resource directory from CSV text. Never raises for bad rows: they come back in
    ``errors`` (call :meth:`ResourceImport.raise_for_errors` to make any of them fatal).
    A missing or unknown header is reported as an error on row 1 and nothing is imported."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing columns: {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown columns: {', '.join(unknown)}")
        return ResourceImport(resources=(), errors=(_row_error(1, "; ".join(parts)),))
    reader.fieldnames = header
    resources: list[Resource] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        if None in row:
            errors.append(_row_error(line, "this row has more values than the header has columns"))
            continue
        try:
            resource = _parse_row(row)
        except ValidationError as exc:
            message, column = _explain(exc)
            errors.append(_row_error(line, message, column))
            continue
        if resource.resource_id in seen:
            errors.append(_row_error(line, f"resource_id {resource.resource_id!r} is used twice", "resource_id"))
            continue
        seen.add(resource.resource_id)
        resources.append(resource)
    return ResourceImport(resources=tuple(resources), errors=tuple(errors))


def nearest(
    resources: Iterable[Resource], latitude: float, longitude: float, *, n: int = 3,
    kinds: Iterable[ResourceKind] | None = None, max_distance_m: float | None = None,
) -> list[ResourceMatch]:
    """The ``n`` closest resources (optionally of certain kinds, within a distance), nearest
    first; ties are broken by name then id so the order is stable."""
    if n < 1:
        return []
    wanted = set(kinds) if kinds is not None else None
    matches = [
        ResourceMatch(resource=r, distance_m=haversine_m(latitude, longitude, r.latitude, r.longitude))
        for r in resources
        if wanted is None or r.kind in wanted
    ]
    if max_distance_m is not None:
        matches = [m for m in matches if m.distance_m <= max_distance_m]
    matches.sort(key=lambda m: (m.distance_m, m.resource.name, m.resource.resource_id))
    return matches[:n]

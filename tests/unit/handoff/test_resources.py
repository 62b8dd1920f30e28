from __future__ import annotations

import csv
import io

import pytest

from handoff.errors import ResourceImportFailed
from handoff.location import haversine_m
from handoff.resources import COLUMNS, ResourceKind, nearest, parse_resources_csv

ORIGIN = (40.0, -75.0)


def offset(north_km: float, east_km: float) -> tuple[float, float]:
    return ORIGIN[0] + north_km / 111.195, ORIGIN[1] + east_km / (111.195 * 0.766)


def write_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return out.getvalue()


def row(rid: str, kind: str, north: float, east: float, **extra) -> dict:
    lat, lon = offset(north, east)
    return {"resource_id": rid, "name": f"Example {rid}", "kind": kind, "phone": "+1 555 0100 1" + rid[-2:],
            "latitude": f"{lat:.6f}", "longitude": f"{lon:.6f}", "hours": "24/7", "country": "US",
            "city": "Exampleville", "street": "Example", "street_suffix": "Street", "house_number": rid[-2:], **extra}


DIRECTORY = [
    row("ed_01", "emergency_department", 12, 0),
    row("ed_02", "emergency_department", 3, 4),  # 5 km
    row("cc_03", "crisis_center", 0, 1),  # 1 km
    row("mc_04", "mobile_crisis_team", -8, 0, hours="Mon-Fri 08:00-20:00"),
    row("ed_05", "emergency_department", 0, -30),
]


def test_import_and_nearest_order():
    imported = parse_resources_csv(write_csv(DIRECTORY)).raise_for_errors()
    assert imported.ok and len(imported.resources) == 5
    order = [m.resource.resource_id for m in nearest(imported.resources, *ORIGIN, n=5)]
    assert order == ["cc_03", "ed_02", "mc_04", "ed_01", "ed_05"]
    eds = nearest(imported.resources, *ORIGIN, n=2, kinds=[ResourceKind.EMERGENCY_DEPARTMENT])
    assert [m.resource.resource_id for m in eds] == ["ed_02", "ed_01"]
    assert eds[0].distance_m == pytest.approx(5000, rel=0.01)
    within = nearest(imported.resources, *ORIGIN, n=10, max_distance_m=6000)
    assert [m.resource.resource_id for m in within] == ["cc_03", "ed_02"]
    assert nearest(imported.resources, *ORIGIN, n=0) == []


def test_distances_agree_with_haversine_and_hours_are_read():
    resources = parse_resources_csv(write_csv(DIRECTORY)).resources
    for match in nearest(resources, *ORIGIN, n=5):
        r = match.resource
        assert match.distance_m == haversine_m(*ORIGIN, r.latitude, r.longitude)
    by_id = {r.resource_id: r for r in resources}
    assert by_id["ed_01"].always_open and not by_id["mc_04"].always_open
    assert by_id["ed_01"].phone == "+15550100101"
    assert by_id["ed_01"].address.city == "Exampleville"


def test_bad_rows_are_reported_with_line_numbers_and_good_rows_kept():
    rows = [
        row("ed_01", "emergency_department", 1, 0),
        row("xx_02", "hospital", 1, 0),
        row("ed_03", "emergency_department", 1, 0, latitude="95"),
        row("ed_04", "emergency_department", 1, 0, phone="call us"),
        row("ed_01", "emergency_department", 2, 0),
        row("ed_06", "emergency_department", 1, 0, country="USA"),
        row("ed_07", "emergency_department", 1, 0, latitude="north"),
    ]
    result = parse_resources_csv(write_csv(rows))
    assert [r.resource_id for r in result.resources] == ["ed_01"]
    errors = {e["row"]: e for e in result.errors}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8]
    assert "kind must be one of" in errors[3]["message"] and errors[3]["column"] == "kind"
    assert errors[4]["column"] == "latitude"
    assert errors[5]["column"] == "phone" and "international form" in errors[5]["message"]
    assert errors[6]["column"] == "resource_id" and "used twice" in errors[6]["message"]
    assert errors[7]["column"] == "country"
    assert errors[8]["column"] == "latitude"
    with pytest.raises(ResourceImportFailed) as caught:
        result.raise_for_errors()
    assert caught.value.code == "resource_import_failed" and "row 3" in caught.value.message


def test_header_problems_stop_the_import():
    result = parse_resources_csv("resource_id,name,kind,telephone\nx,y,crisis_center,+15550100100\n")
    assert not result.resources
    assert result.errors[0]["row"] == 1
    assert "missing columns: phone, latitude, longitude" in result.errors[0]["message"]
    assert "unknown columns: telephone" in result.errors[0]["message"]


def test_ragged_rows_and_blank_lines():
    text = write_csv([row("ed_01", "emergency_department", 1, 0)]) + "\n" + "a,b,c" + ",x" * 20 + "\n"
    result = parse_resources_csv(text)
    assert len(result.resources) == 1
    assert result.errors[0]["message"].startswith("this row has more values")

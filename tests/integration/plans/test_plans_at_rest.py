"""On SQLite and PostgreSQL: plans keep their versions, the nearest-resource lookup ranks an imported
directory, and no plan content, contact detail, address, coordinate or reason is stored in plaintext."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import pytest

from server.app_keys import DISCLOSURES, ENGINE
from server.db.tables import StaffRole
from tests.conftest import make_settings
from tests.integration.plans.helpers import FAR_POINT, HOME, draft, enrol, plan_body, write_plan

SECRET_SIGN = "Quillfeather ritual at the Zanzibarine pier"  # distinctive synthetic content
CONTACT = "Marisol Vantongeren"
STREET = "Xylocarpa"
REASON = "Client described Xylocarpa overdose plan tonight and then went silent; responders needed immediately."
CSV = """resource_id,name,kind,phone,latitude,longitude,hours,country,city,street,street_suffix,house_number
far,Far Crisis Center,crisis_center,+1 555 0100 130,41.2,-75.0,24/7,US,Exampleton,Example,Street,90
near,Near Emergency Department,emergency_department,+1 555 0100 131,40.02,-75.0,24/7,US,Exampleton,Example,Street,2
middle,Middle Mobile Team,mobile_crisis_team,+1 555 0100 132,40.5,-75.0,Mon-Fri,,,,,
line,County Crisis Line,crisis_line,+1 555 0100 133,40.2,-75.0,24/7,,,,,
"""


@pytest.fixture
def settings(database_url):
    return make_settings(database_url)


async def _rows(world, database_url: str) -> str:
    await world.app[ENGINE].dispose()
    if database_url.startswith("sqlite"):
        path = Path(database_url.split("///", 1)[1])
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return "".join(f.read_bytes().decode("latin-1") for f in path.parent.glob(path.name + "*"))
    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        tables = [r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")]
        rows = [str(r["row"]) for t in tables for r in await conn.fetch(f'SELECT t::text AS row FROM "{t}" t')]
        return "".join(rows)
    finally:
        await conn.close()


async def test_nothing_of_the_plan_is_stored_in_plaintext(world, database_url):
    lead = await world.therapist(role=StaffRole.ADMIN)
    client = await enrol(world, lead)
    sections = draft(warning_signs=[SECRET_SIGN])
    sections["people_to_ask"][0]["name"] = CONTACT
    body = plan_body(sections, change_note="notes about " + SECRET_SIGN)
    body["planned_location"]["address"] = {**HOME, "street": STREET}
    await write_plan(world, lead, client.client_id, body)
    await write_plan(world, lead, client.client_id, body)
    status, _ = await world.request("POST", "/api/participant/location", client.token,
                                    json={"at_planned_address": True, "geolocation": FAR_POINT})
    assert status == 201
    status, _ = await world.request("POST", f"/api/clients/{client.client_id}/disclosure-overrides", lead.access_token,
                                    json={"reason": REASON})
    assert status == 201
    status, read = await world.request("GET", f"/api/clients/{client.client_id}/safety-plan", lead.access_token)
    assert SECRET_SIGN in str(read) and CONTACT in str(read) and read["history"][1]["number"] == 2
    assert (await world.app[DISCLOSURES].latest_location(client.client_id)).confirmed.address.street == STREET

    stored = await _rows(world, database_url)
    for needle in (SECRET_SIGN, "Quillfeather", CONTACT, STREET, "+15550100101", "Xylocarpa overdose",
                   str(FAR_POINT["latitude"]) + ",", "Exampleton"):
        assert needle not in stored, needle


async def test_nearest_resources_to_the_confirmed_location_in_order(world, database_url):
    admin = await world.therapist(role=StaffRole.ADMIN)
    therapist = await world.therapist(program_id=admin.program_id)
    status, body = await world.request("POST", "/api/program/resources/import", admin.access_token,
                                       json={"csv": CSV.replace("+1 555 0100 133", "not a phone")})
    assert (status, body["code"]) == (422, "resource_import_failed")
    assert body["errors"][0]["field"].startswith("row 5"), body
    status, body = await world.request("POST", "/api/program/resources/import", admin.access_token, json={"csv": CSV})
    assert (status, body) == (200, {"imported": 4})
    status, listed = await world.request("GET", "/api/program/resources", therapist.access_token)
    assert sorted(r["resource_id"] for r in listed["resources"]) == ["far", "line", "middle", "near"]

    client = await enrol(world, therapist)
    plan = await write_plan(world, therapist, client.client_id)  # planned at 40.0, -75.0
    assert plan["nearest_from"] == "planned_location"
    assert [r["resource_id"] for r in plan["nearest_resources"]] == ["near", "line", "middle"]
    assert plan["nearest_resources"][0]["tel"] == "tel:+15550100131"
    assert 2_000 < plan["nearest_resources"][0]["distance_m"] < 2_500

    status, _ = await world.request("POST", "/api/participant/location", client.token,
                                    json={"at_planned_address": True, "geolocation": {"latitude": 41.1,
                                                                                        "longitude": -75.0,
                                                                                        "method": "Cell"}})
    assert status == 201
    status, plan = await world.request("GET", f"/api/clients/{client.client_id}/safety-plan", therapist.access_token)
    assert plan["nearest_from"] == "confirmed_location"
    assert [r["resource_id"] for r in plan["nearest_resources"]] == ["far", "middle", "line"]
    assert all(r["distance_m"] is None for r in plan["nearest_resources"])  # would reveal where they are

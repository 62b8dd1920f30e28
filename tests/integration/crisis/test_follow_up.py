"""The follow-up plan made when a crisis closes: stored (SQLite and PostgreSQL), scheduled in the
program's time zone, visible to the care team of the client's program (audited), items marked done."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.db.tables import StaffRole
from tests.conftest import make_settings
from tests.integration.crisis.helpers import scene, start_crisis, step

ZONE = "America/New_York"


@pytest.fixture
def settings(database_url):
    return make_settings(database_url, program_timezone=ZONE)


async def _close(world, s, crisis: dict, **extra) -> dict:
    status, body = await step(world, s.therapist.access_token, crisis["crisis_id"], "stabilise", crisis["version"])
    assert status == 200, body
    status, body = await world.request("POST", f"/api/crises/{crisis['crisis_id']}/transitions",
                                       s.therapist.access_token,
                                       json={"action": "close", "expected_version": body["version"], **extra})
    assert status == 200 and body["state"] == "closed", body
    return body


async def test_closing_makes_a_plan_in_program_time_visible_to_the_care_team(world):
    s = await scene(world)
    crisis = await start_crisis(world, s)
    cid = crisis["crisis_id"]
    status, none_yet = await world.request("GET", f"/api/crises/{cid}/follow-up", s.therapist.access_token)
    assert (status, none_yet["code"]) == (404, "no_follow_up")
    closed = await _close(world, s, crisis, include_family_debrief=True)

    status, plan = await world.request("GET", f"/api/crises/{cid}/follow-up", s.therapist.access_token)
    assert status == 200, plan
    assert (plan["crisis_id"], plan["client_id"], plan["timezone"]) == (cid, s.client.client_id, ZONE)
    assert plan["responsible_clinician_id"] == s.therapist.id and plan["include_family_debrief"] is True
    kinds = [i["kind"] for i in plan["items"]]
    assert kinds.count("check_in") == 5 and kinds.count("individual_session") == 1
    assert kinds.count("family_debrief") == 1
    zone = ZoneInfo(ZONE)
    closed_day = datetime.fromisoformat(closed["closed_at"]).astimezone(zone).date()
    session = next(i for i in plan["items"] if i["kind"] == "individual_session")
    local = datetime.fromisoformat(session["due_at"]).astimezone(zone)
    assert (local.date(), local.hour) == (closed_day + timedelta(days=1), 11)
    first_check_in = datetime.fromisoformat(plan["items"][0]["due_at"]).astimezone(zone)
    assert (first_check_in.date(), first_check_in.hour) == (closed_day + timedelta(days=1), 10)
    assert [i["due_at"] for i in plan["items"]] == sorted(i["due_at"] for i in plan["items"])

    colleague = await world.therapist(program_id=s.therapist.program_id)  # the care team of the program
    status, listed = await world.request("GET", f"/api/clients/{s.client.client_id}/follow-ups",
                                         colleague.access_token)
    assert status == 200 and [p["crisis_id"] for p in listed["plans"]] == [cid]
    outsider = await world.therapist(role=StaffRole.ADMIN)
    for path in (f"/api/crises/{cid}/follow-up", f"/api/clients/{s.client.client_id}/follow-ups"):
        status, _ = await world.request("GET", path, outsider.access_token)
        assert status == 404, path
        status, _ = await world.request("GET", path, s.client.token)  # a participant token is not a sign-in
        assert status == 403, path

    item = plan["items"][0]
    done_path = f"/api/clients/{s.client.client_id}/follow-ups/{item['id']}/done"
    status, _ = await world.request("POST", done_path, outsider.access_token)
    assert status == 404
    status, after = await world.request("POST", done_path, colleague.access_token)
    assert status == 200, after
    marked = next(i for i in after["items"] if i["id"] == item["id"])
    assert marked["done_by"] == colleague.id and marked["done_at"]
    status, again = await world.request("POST", done_path, s.therapist.access_token)  # first marking counts
    assert next(i for i in again["items"] if i["id"] == item["id"])["done_by"] == colleague.id
    other = await scene(world, s.therapist)  # an item of this client is not one of another client
    status, _ = await world.request("POST", f"/api/clients/{other.client.client_id}/follow-ups/{item['id']}/done",
                                    s.therapist.access_token)
    assert status == 404

    admin = await world.therapist(program_id=s.therapist.program_id, role=StaffRole.ADMIN)
    status, trail = await world.request("GET", f"/api/audit?session_id={s.session_id}", admin.access_token)
    actions = [(r["action"], r["target_id"]) for r in trail["records"]]
    assert ("follow_up.create", cid) in actions and ("follow_up.read", cid) in actions
    status, trail = await world.request("GET", f"/api/audit?client_id={s.client.client_id}", admin.access_token)
    assert "follow_up.read" in [r["action"] for r in trail["records"]]


async def test_without_a_family_debrief_and_bad_input(world):
    s = await scene(world)
    crisis = await start_crisis(world, s)
    status, bad = await world.request("POST", f"/api/crises/{crisis['crisis_id']}/transitions",
                                      s.therapist.access_token,
                                      json={"action": "stabilise", "expected_version": 1,
                                            "include_family_debrief": "x"})
    assert status == 422, bad
    await _close(world, s, crisis)
    status, plan = await world.request("GET", f"/api/crises/{crisis['crisis_id']}/follow-up", s.therapist.access_token)
    assert status == 200 and plan["include_family_debrief"] is False
    assert "family_debrief" not in [i["kind"] for i in plan["items"]]
    status, _ = await world.request("GET", "/api/crises/no-such-crisis/follow-up", s.therapist.access_token)
    assert status == 404


def test_an_unknown_time_zone_is_refused_at_start(sqlite_url):
    with pytest.raises(ValueError):
        make_settings(sqlite_url, program_timezone="Mars/Olympus_Mons")

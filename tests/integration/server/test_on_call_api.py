"""The on-call roster API: admins of a program read and replace its roster; every clinician must be
an active therapist of that program; the answer lists the gaps in cover over the coming week; each
change is audited. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest

from server.app_keys import AUDIT, ON_CALL
from server.db.tables import StaffRole
from tests.conftest import make_settings
from tests.support.access import unnamed

PATH = "/api/program/on-call"
ROLES = ["anonymous", "owner", "colleague", "admin", "other_admin", "client"]
# expected status per role (anything not named: 401, or 403 for a participant token)
ON_CALL_ENDPOINTS = {
    ("GET", PATH): {"owner": 403, "colleague": 403, "admin": 200, "other_admin": 200},
    ("PUT", PATH): {"owner": 403, "colleague": 403, "admin": 200, "other_admin": 200},
}


@pytest.fixture
def settings(database_url):
    return make_settings(database_url)


def all_week(clinician_id: str, coverage: str = "primary") -> list[dict]:
    return [{"clinician_id": clinician_id, "weekday": d, "start": "00:00", "end": "00:00", "coverage": coverage}
            for d in range(7)]


@pytest.mark.parametrize("endpoint", sorted(ON_CALL_ENDPOINTS))
async def test_on_call_roster_by_role(world, endpoint):
    method, path = endpoint
    owner = await world.therapist()
    tokens = {
        "owner": owner.access_token,
        "colleague": (await world.therapist(program_id=owner.program_id)).access_token,
        "admin": (await world.therapist(program_id=owner.program_id, role=StaffRole.ADMIN)).access_token,
        "other_admin": (await world.therapist(role=StaffRole.ADMIN)).access_token,
        "anonymous": None,
    }
    session = await world.session(owner)
    link = await world.add_client(owner, session["id"], "Client A")
    tokens["client"] = (await world.redeem(link["join_url"]))["participant_token"]
    body = {"timezone": "UTC", "shifts": []} if method == "PUT" else None
    for role in ROLES:
        status, answer = await world.request(method, path, tokens[role], json=body)
        assert status == ON_CALL_ENDPOINTS[endpoint].get(role, unnamed(role)), (role, status, answer)


async def test_an_admin_replaces_the_roster_and_sees_its_gaps(world):
    admin = await world.therapist(role=StaffRole.ADMIN)
    first = await world.therapist(program_id=admin.program_id)
    second = await world.therapist(program_id=admin.program_id)

    status, empty = await world.request("GET", PATH, admin.access_token)
    assert status == 200, empty
    assert empty["shifts"] == [] and empty["timezone"] == "UTC"
    assert len(empty["gaps"]) == 1  # nobody covers anything: one gap, the whole week
    gap = empty["gaps"][0]
    span = datetime.fromisoformat(gap["ends_at"]) - datetime.fromisoformat(gap["starts_at"])
    assert span.days == 7

    weekdays = [{"clinician_id": first.id, "weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)]
    status, saved = await world.request("PUT", PATH, admin.access_token,
                                        json={"timezone": "America/New_York", "shifts": weekdays})
    assert status == 200, saved
    assert saved["timezone"] == "America/New_York" and len(saved["shifts"]) == 5
    assert saved["shifts"][0] == {"clinician_id": first.id, "weekday": 0, "start": "09:00:00", "end": "17:00:00",
                                  "coverage": "primary"}
    assert len(saved["gaps"]) >= 5  # nights and the weekend are not covered

    full = all_week(first.id) + all_week(second.id, "backup")
    status, saved = await world.request("PUT", PATH, admin.access_token, json={"timezone": "Europe/Paris",
                                                                               "shifts": full})
    assert status == 200, saved
    assert saved["gaps"] == [] and len(saved["shifts"]) == 14
    status, read = await world.request("GET", PATH, admin.access_token)
    assert read == saved | {"gaps": read["gaps"]} and read["gaps"] == []

    roster = await world.app[ON_CALL].roster(admin.program_id)  # the domain roster the escalation uses
    pick = roster.on_call(datetime.fromisoformat("2026-11-23T12:00:00+00:00"), exclude={first.id})
    assert (pick.clinician_id, pick.coverage.value) == (second.id, "backup")

    actions = [(e.entry.action, e.entry.actor_id, e.entry.target_id) for e in await world.app[AUDIT].entries()]
    assert actions.count(("on_call.update", admin.id, admin.program_id)) == 2
    assert ("on_call.read", admin.id, admin.program_id) in actions


async def test_only_therapists_of_the_program_may_be_rostered(world):
    admin = await world.therapist(role=StaffRole.ADMIN)
    ours = await world.therapist(program_id=admin.program_id)
    outsider = await world.therapist()
    for clinician in (outsider.id, admin.id, "no-such-staff"):
        status, refused = await world.request("PUT", PATH, admin.access_token, json={
            "timezone": "UTC", "shifts": all_week(ours.id) + all_week(clinician, "backup")})
        assert status == 422, refused
        assert refused["code"] == "invalid_input"
        assert {e["field"] for e in refused["errors"]} == {f"shifts.{i}.clinician_id" for i in range(7, 14)}
    cases = [
        {"timezone": "Mars/Olympus", "shifts": all_week(ours.id)},
        {"timezone": "UTC", "shifts": [{"clinician_id": ours.id, "weekday": 7, "start": "09:00", "end": "10:00"}]},
        {"timezone": "UTC", "shifts": [{"clinician_id": ours.id, "weekday": 1, "start": "9am", "end": "10:00"}]},
        {"timezone": "UTC", "shifts": [{"clinician_id": ours.id, "weekday": 1, "start": "09:00", "end": "10:00",
                                        "coverage": "sometimes"}]},
        {"timezone": "UTC", "shifts": [], "extra": True},
        {"timezone": "UTC", "shifts": [{"clinician_id": ours.id, "weekday": 1, "start": "09:00+05:00",
                                        "end": "10:00"}]},
        {"timezone": "UTC", "shifts": [{"clinician_id": ours.id, "weekday": 1, "start": "24:00", "end": "10:00"}]},
        {"timezone": "UTC", "shifts": [None]},
        {"timezone": 5, "shifts": []},
        ["UTC"],
        "UTC",
    ]
    for body in cases:
        status, refused = await world.request("PUT", PATH, admin.access_token, json=body)
        assert status == 422, (body, refused)
    status, roster = await world.request("GET", PATH, admin.access_token)
    assert roster["shifts"] == []  # nothing was saved


async def test_a_roster_belongs_to_one_program(world):
    admin = await world.therapist(role=StaffRole.ADMIN)
    ours = await world.therapist(program_id=admin.program_id)
    other_admin = await world.therapist(role=StaffRole.ADMIN)
    status, _ = await world.request("PUT", PATH, admin.access_token, json={"timezone": "UTC",
                                                                           "shifts": all_week(ours.id)})
    assert status == 200
    status, theirs = await world.request("GET", PATH, other_admin.access_token)
    assert status == 200 and theirs["shifts"] == [] and theirs["program_id"] == other_admin.program_id


async def test_a_roster_is_read_on_the_programs_clock_unless_it_names_its_own(world):
    admin = await world.therapist(role=StaffRole.ADMIN)
    first = await world.therapist(program_id=admin.program_id)
    status, _ = await world.request("PUT", "/api/program/settings", admin.access_token,
                                    json={"timezone": "Asia/Kolkata", "office_hours": "Mon-Sat 09:30-18:00"})
    assert status == 200
    status, empty = await world.request("GET", PATH, admin.access_token)
    assert status == 200 and empty["timezone"] == "Asia/Kolkata"
    status, saved = await world.request("PUT", PATH, admin.access_token, json={"shifts": all_week(first.id)})
    assert status == 200 and saved["timezone"] == "Asia/Kolkata", saved

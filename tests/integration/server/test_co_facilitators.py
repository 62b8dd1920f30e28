"""A co-facilitator: the lead adds a colleague of the program; the colleague sees the session in their
list, hosts the call from their own sign-in and may work its crises, but may not add people or end it.
A therapist of another program, an admin or the lead themself cannot be added."""

from __future__ import annotations

from server.db.tables import StaffRole
from tests.integration.crisis.helpers import scene, start_crisis, step


async def test_a_co_facilitator_hosts_and_works_crises_but_does_not_manage(world):
    s = await scene(world)
    colleague = await world.therapist(program_id=s.therapist.program_id)
    outsider = await world.therapist(program_id=s.therapist.program_id)
    path = f"/api/sessions/{s.session_id}/co-facilitators"

    status, listed = await world.request("GET", "/api/program/therapists", s.therapist.access_token)
    assert status == 200 and {colleague.id, outsider.id, s.therapist.id} <= {t["id"] for t in listed["therapists"]}
    assert (await world.request("POST", f"/api/sessions/{s.session_id}/host", colleague.access_token))[0] == 403

    status, place = await world.request("POST", path, s.therapist.access_token, json={"staff_id": colleague.id})
    assert status == 201 and place["role"] == "therapist", place
    status, again = await world.request("POST", path, s.therapist.access_token, json={"staff_id": colleague.id})
    assert status == 200 and again["id"] == place["id"]  # one place per person

    status, mine = await world.request("GET", "/api/sessions", colleague.access_token)
    assert s.session_id in [x["id"] for x in mine["sessions"]]
    status, theirs = await world.request("GET", "/api/sessions", outsider.access_token)
    assert s.session_id not in [x["id"] for x in theirs["sessions"]]

    co_host = await world.host_in_room(colleague, s.session_id)  # their own host token
    state = (await co_host.call("join"))["state"]
    assert state["you"]["role"] == "therapist" and state["you"]["status"] == "admitted"

    crisis = await start_crisis(world, s)
    status, moved = await step(world, colleague.access_token, crisis["crisis_id"], "dispatch_help", crisis["version"])
    assert status == 200 and moved["state"] == "help_on_the_way", moved
    status, refused = await step(world, outsider.access_token, crisis["crisis_id"], "stabilise", moved["version"])
    assert status == 403

    assert (await world.request("POST", path, colleague.access_token, json={"staff_id": outsider.id}))[0] == 403
    assert (await world.request("POST", f"/api/sessions/{s.session_id}/end", colleague.access_token))[0] == 403


async def test_only_therapists_of_the_program_can_co_facilitate(world):
    s = await scene(world)
    path = f"/api/sessions/{s.session_id}/co-facilitators"
    stranger = await world.therapist()
    admin = await world.therapist(program_id=s.therapist.program_id, role=StaffRole.ADMIN)
    for staff_id in (stranger.id, admin.id, s.therapist.id, "no-such-staff"):
        status, refused = await world.request("POST", path, s.therapist.access_token, json={"staff_id": staff_id})
        assert status == 422, (staff_id, refused)
    status, refused = await world.request("POST", path, s.therapist.access_token, json={"staff_id": ""})
    assert status == 422
